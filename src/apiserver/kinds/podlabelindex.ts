// The pods a PodMetrics LIST selects. The watch cache has no label index, so a walk visits every pod
// of its namespace; an HPA sync is 50 such lists (one `app=web-N` each), once a sync period, and some
// pod is written between almost any two of them. This index is kept current from the watch cache's
// own events instead: one watch on all pods, started at the first list that can use it. It indexes
// the label keys that selectors pinned (`=`, `==`, `in`; one key dimension built with a walk when a
// selector first pins it) and answers a list from the pods carrying one of the pinned values, each
// still checked against the whole filter; other selectors walk. The cache delivers its events
// synchronously as it applies them, so at any moment the index holds what a walk would see: the
// answer is always the walk's (test/metrics/pod-label-index.test.ts).
import { parseSelector, pinsValues, type Requirement } from '../../api/labels.ts';
import type { KubeObject } from '../../api/types.ts';
import type { StoreEvent, Unsubscribe, WatchCache } from '../../storage/interface.ts';

const own = Object.prototype.hasOwnProperty;

/** The label value a pod carries for key, if it carries the key. */
function labelOf(o: KubeObject, key: string): string | undefined {
  const labels = o.metadata.labels;
  return labels && own.call(labels, key) ? labels[key] : undefined;
}

/** Live pods by storage key, and per indexed label key: value → the pods carrying it. */
class Mirror {
  readonly pods = new Map<string, KubeObject>();
  readonly byKey = new Map<string, Map<string, Map<string, KubeObject>>>();
  stop: Unsubscribe = () => {};

  apply(ev: StoreEvent): void {
    const old = this.pods.get(ev.key);
    const next = ev.type === 'DELETED' ? undefined : ev.object;
    for (const [k, byValue] of this.byKey) {
      const was = old && labelOf(old, k);
      const now = next && labelOf(next, k);
      if (was !== undefined && was !== now) {
        const set = byValue.get(was)!;
        set.delete(ev.key);
        if (!set.size) byValue.delete(was);
      }
      if (now !== undefined) add(byValue, now, ev.key, next!);
    }
    if (next) this.pods.set(ev.key, next);
    else this.pods.delete(ev.key);
  }

  /** The value → pods map of a label key, built from the live pods on first use. */
  dimension(key: string): Map<string, Map<string, KubeObject>> {
    let byValue = this.byKey.get(key);
    if (!byValue) {
      byValue = new Map();
      for (const [k, o] of this.pods) {
        const v = labelOf(o, key);
        if (v !== undefined) add(byValue, v, k, o);
      }
      this.byKey.set(key, byValue);
    }
    return byValue;
  }
}

function add(byValue: Map<string, Map<string, KubeObject>>, value: string, key: string, o: KubeObject): void {
  let set = byValue.get(value);
  if (!set) byValue.set(value, (set = new Map()));
  set.set(key, o);
}

export class PodLabelIndex {
  private mirror: Mirror | undefined;
  private starting: Promise<Mirror | undefined> | undefined;
  private store: WatchCache | undefined;

  /** root: the storage prefix of all pods (the index watches it; lists under it may use the index). */
  constructor(private readonly root: string) {}

  /**
   * The pods under prefix matching filter (labelSelector + fieldSelector); the caller sorts them.
   * labelsOnly: the filter is the label selector's alone (no field selector), so when the selector
   * is its pinned requirement alone, the pods carrying a pinned value match without asking it.
   */
  async select(store: WatchCache, prefix: string, labelSelector: string | null, filter: ((o: KubeObject) => boolean) | undefined, labelsOnly = false): Promise<KubeObject[]> {
    if (!filter) return (await store.listPage(prefix, {})).items;
    const pinned = labelSelector && prefix.startsWith(this.root) ? indexable(labelSelector) : undefined;
    const pin = pinned?.requirement;
    if (!pin) return (await store.listPage(prefix, { filter })).items;
    // A read of the cache as a walk would do it (under a shared backend it waits until the cache
    // caught up with the backend); the index is as current as the cache when it resolves.
    await store.listPage(prefix, { limit: 1 });
    // the running index as it is (no further wait once the read above resolved), else start it
    const m = this.store === store && this.mirror ? this.mirror : await this.current(store);
    if (!m) return (await store.listPage(prefix, { filter })).items;
    const byValue = m.dimension(pin.key);
    const out: KubeObject[] = [];
    const seen = pin.values.length > 1 ? new Set<string>() : undefined;
    const check = labelsOnly && pinned.sole ? undefined : filter;
    for (const v of pin.values) {
      const pods = byValue.get(v);
      if (!pods) continue;
      for (const [k, o] of pods) {
        if (!k.startsWith(prefix) || seen?.has(k)) continue;
        seen?.add(k);
        if (!check || check(o)) out.push(o);
      }
    }
    return out;
  }

  /** Stops the index's watch (it also ends with the store). */
  stop(): void {
    this.mirror?.stop();
    this.mirror = undefined;
  }

  private async current(store: WatchCache): Promise<Mirror | undefined> {
    if (this.store !== store) {
      this.stop();
      this.store = store;
      this.starting = undefined;
    }
    if (this.mirror) return this.mirror;
    this.starting ??= this.start(store).finally(() => (this.starting = undefined));
    return this.starting;
  }

  /** One walk of every pod, then the cache's events from the walk's revision on. */
  private async start(store: WatchCache): Promise<Mirror | undefined> {
    const page = await store.listPage(this.root, {});
    if (this.store !== store) return undefined;
    const m = new Mirror();
    page.items.forEach((o, i) => m.pods.set(page.entries?.[i]?.key ?? `${this.root}${o.metadata.namespace}/${o.metadata.name}`, o));
    try {
      m.stop = store.watch(this.root, page.revision, (ev) => m.apply(ev), () => {
        if (this.mirror === m) this.mirror = undefined; // the store closed or the watch was lost: rebuild on next use
      });
    } catch {
      return undefined; // the walk's revision left the window meanwhile: walk this time
    }
    this.mirror = m;
    return m;
  }
}

/** A selector's pinned requirement, and whether it is the selector's only one. */
interface Pin {
  requirement: Requirement;
  sole: boolean;
}

/** indexable's answers by selector text (an HPA lists with the same selector every sync). */
const pins = new Map<string, Pin | undefined>();

/** The selector's `=`, `==` or `in` requirement (a pod must carry one of its values), if any. */
function indexable(labelSelector: string): Pin | undefined {
  if (pins.has(labelSelector)) return pins.get(labelSelector);
  const r = pinOf(labelSelector);
  if (pins.size >= 1024) pins.clear();
  pins.set(labelSelector, r);
  return r;
}

function pinOf(labelSelector: string): Pin | undefined {
  const requirements = parseSelector(labelSelector).requirements;
  let best: Requirement | undefined;
  for (const r of requirements) {
    if (!pinsValues(r)) continue;
    if (!best || r.values.length < best.values.length) best = r;
  }
  return best && { requirement: best, sole: requirements.length === 1 };
}
