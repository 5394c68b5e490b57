// The pods indexed the ways the views read them — by node (spec.nodeName, '' = unscheduled), by
// owner uid — and counted by display state and readiness, kept current per watch event instead of
// recomputed per render: at 150,000 pods a full pass costs more than a frame.
import { podReady, podState } from './status.js';

const keyOf = (o) => (o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name);

function put(map, k, key, p) {
  let m = map.get(k);
  if (!m) map.set(k, (m = new Map()));
  m.set(key, p);
}

function drop(map, k, key) {
  const m = map.get(k);
  if (!m) return;
  m.delete(key);
  if (m.size === 0) map.delete(k);
}

export class PodIndex {
  constructor(items = new Map()) {
    this.reset(items);
  }

  /** Rebuilds from an informer's items (after a list). */
  reset(items) {
    this.byNode = new Map();
    this.byOwner = new Map();
    /** podState → count */
    this.counts = {};
    /** Ready and not deleting. */
    this.ready = 0;
    this.size = 0;
    for (const [key, p] of items) this.add(key, p);
  }

  add(key, p) {
    put(this.byNode, p.spec?.nodeName ?? '', key, p);
    for (const ref of p.metadata.ownerReferences ?? []) put(this.byOwner, ref.uid, key, p);
    this.count(p, 1);
  }

  remove(key, p) {
    drop(this.byNode, p.spec?.nodeName ?? '', key);
    for (const ref of p.metadata.ownerReferences ?? []) drop(this.byOwner, ref.uid, key);
    this.count(p, -1);
  }

  count(p, d) {
    const s = podState(p);
    this.counts[s] = (this.counts[s] ?? 0) + d;
    if (this.counts[s] === 0) delete this.counts[s];
    if (!p.metadata.deletionTimestamp && podReady(p)) this.ready += d;
    this.size += d;
  }

  /** One watch event: old is the informer's copy before it (undefined for a new pod), kept its copy after. */
  apply(ev, old, kept = ev.object) {
    const key = keyOf(ev.object);
    if (ev.type === 'DELETED') {
      if (old) this.remove(key, old);
      return;
    }
    if (!old || (old.spec?.nodeName ?? '') !== (kept.spec?.nodeName ?? '')) {
      if (old) this.remove(key, old);
      this.add(key, kept);
      return;
    }
    // updated on the same node: it keeps its place among the node's (and owner's) pods
    this.count(old, -1);
    this.count(kept, 1);
    this.byNode.get(old.spec?.nodeName ?? '').set(key, kept);
    const owners = new Set((kept.metadata.ownerReferences ?? []).map((r) => r.uid));
    for (const ref of old.metadata.ownerReferences ?? []) if (!owners.has(ref.uid)) drop(this.byOwner, ref.uid, key);
    for (const uid of owners) put(this.byOwner, uid, key, kept);
  }

  /** The pods on a node ('' = not scheduled), as an array. */
  onNode(name) {
    const m = this.byNode.get(name);
    return m ? [...m.values()] : [];
  }

  countOn(name) {
    return this.byNode.get(name)?.size ?? 0;
  }

  /** The pods an owner (by uid) has, as an array. */
  ofOwner(uid) {
    const m = this.byOwner.get(uid);
    return m ? [...m.values()] : [];
  }
}
