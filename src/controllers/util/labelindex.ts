// Pods (or any objects) of a namespace selected by a label selector without walking the namespace:
// an informer index by "namespace/key=value" for each label, and a lister call that starts from the
// smallest set an equality requirement of the selector names, then checks the whole selector. The
// result is what lister.list(selector, namespace) returns, in the same order (both indices are
// re-inserted on every update of an object, so one is a subsequence of the other).
import { matches, parseSelector, pinsValues, type Selector } from '../../api/labels.ts';
import type { KubeObject } from '../../api/types.ts';
import type { SharedInformer } from '../../client/index.ts';

export const BY_LABEL = 'byNamespaceLabel';

/** The index function (one entry per label); register it with informerFor(rt, { indexers: { [BY_LABEL]: labelIndex } }). */
export function labelIndex(o: KubeObject): string[] {
  const labels = o.metadata.labels;
  if (!labels) return [];
  const ns = o.metadata.namespace ?? '';
  const out: string[] = [];
  for (const k in labels) out.push(`${ns}/${k}=${labels[k]}`);
  return out;
}

/** The values an equality requirement pins a label to (k=v, k==v, k in (v)). */
function pinned(sel: Selector): { key: string; value: string }[] {
  return sel.requirements.filter((r) => pinsValues(r) && r.values.length === 1).map((r) => ({ key: r.key, value: r.values[0] }));
}

/** Parsed selectors by text: an HPA selects its target's pods with the same string every sync. Selectors are never mutated. */
const parsed = new Map<string, Selector>();
function parseCached(selector: string): Selector {
  let sel = parsed.get(selector);
  if (!sel) {
    sel = parseSelector(selector);
    if (parsed.size >= 1024) parsed.clear();
    parsed.set(selector, sel);
  }
  return sel;
}

/** lister.list(selector, namespace) through the label index when the selector pins a label. */
export function listBySelector<T extends KubeObject>(informer: SharedInformer<T>, selector: string, namespace: string | undefined): T[] {
  if (namespace === undefined) return informer.lister.list(selector, namespace);
  const sel = parseCached(selector);
  const pins = pinned(sel);
  if (sel.nothing || pins.length === 0) return informer.lister.list(selector, namespace);
  let best: T[] | undefined;
  for (const p of pins) {
    const c = informer.indexer.byIndex(BY_LABEL, `${namespace}/${p.key}=${p.value}`);
    if (!best || c.length < best.length) best = c;
    if (best.length === 0) return [];
  }
  return best!.filter((o) => matches(sel, o.metadata.labels));
}
