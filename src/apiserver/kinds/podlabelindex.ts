// The pods a PodMetrics LIST selects. The watch cache has no label index, so each list walks every
// pod of its namespace; an HPA sync is 50 such lists (one `app=web-N` each) at the same store
// revision. The first list at a revision walks with its filter; a second at the same revision builds
// an index of the pods by label key=value, which answers every further list at that revision from
// the pods carrying one of its `=`/`in` values (each still checked against the whole filter). A
// write anywhere moves the revision and drops the index: the answer is always the walk's.
import { parseSelector, pinsValues, type Requirement } from '../../api/labels.ts';
import type { KubeObject } from '../../api/types.ts';
import type { WatchCache } from '../../storage/interface.ts';

interface Indexed {
  revision: number;
  /** Built on the second list at this revision (undefined: seen once). */
  byLabel?: Map<string, KubeObject[]>;
}

const labelKey = (k: string, v: string) => `${k}\u0000${v}`;

export class PodLabelIndex {
  private readonly prefixes = new Map<string, Indexed>();

  /** The pods under prefix matching filter (labelSelector + fieldSelector); the caller sorts them. */
  async select(store: WatchCache, prefix: string, labelSelector: string | null, filter: ((o: KubeObject) => boolean) | undefined): Promise<KubeObject[]> {
    if (!filter) return (await store.listPage(prefix, {})).items;
    const { revision } = await store.listPage(prefix, { limit: 1 });
    const seen = this.prefixes.get(prefix);
    const eq = labelSelector ? indexable(labelSelector) : undefined;
    if (!eq) return (await store.listPage(prefix, { filter })).items;
    if (!seen || seen.revision !== revision) {
      if (seen && seen.revision > revision) return (await store.listPage(prefix, { filter })).items;
      this.prefixes.clear(); // one revision at a time: an old index holds pods that may be gone
      this.prefixes.set(prefix, { revision });
      return (await store.listPage(prefix, { filter })).items;
    }
    if (!seen.byLabel) {
      const page = await store.listPage(prefix, {});
      if (page.revision !== revision) return page.items.filter(filter);
      seen.byLabel = buildIndex(page.items);
    }
    const candidates = candidatesOf(seen.byLabel, eq);
    return candidates.filter(filter);
  }
}

function buildIndex(pods: KubeObject[]): Map<string, KubeObject[]> {
  const by = new Map<string, KubeObject[]>();
  for (const p of pods) {
    const labels = p.metadata.labels;
    if (!labels) continue;
    for (const k in labels) {
      const key = labelKey(k, labels[k]);
      const list = by.get(key);
      if (list) list.push(p);
      else by.set(key, [p]);
    }
  }
  return by;
}

/** The selector's `=`, `==` or `in` requirement (a pod must carry one of its values), if any. */
function indexable(labelSelector: string): Requirement | undefined {
  let best: Requirement | undefined;
  for (const r of parseSelector(labelSelector).requirements) {
    if (!pinsValues(r)) continue;
    if (!best || r.values.length < best.values.length) best = r;
  }
  return best;
}

/** The pods carrying one of the requirement's values. */
function candidatesOf(by: Map<string, KubeObject[]>, r: Requirement): KubeObject[] {
  if (r.values.length === 1) return by.get(labelKey(r.key, r.values[0])) ?? [];
  const out = new Set<KubeObject>();
  for (const v of r.values) for (const p of by.get(labelKey(r.key, v)) ?? []) out.add(p);
  return [...out];
}
