// Pods (or any objects) of a namespace selected by a label selector without walking the namespace:
// an informer index by "namespace/key=value" for each label, and a lister call that starts from the
// smallest set an equality requirement of the selector names, then checks the whole selector. The
// result is what lister.list(selector, namespace) returns, in the same order (both indices are
// re-inserted on every update of an object, so one is a subsequence of the other). A selector that
// is one `k=v` answers with the index entry itself, the same frozen array as last time while the
// entry holds the same objects in the same order (the HPA's calculations key their memos on it).
import { matches, parseSelector, pinsValues, type Selector } from '../../api/labels.ts';
import type { KubeObject } from '../../api/types.ts';
import type { Indexer, SharedInformer } from '../../client/index.ts';

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

/** A selector as listBySelector uses it: parsed, with the index values it pins. */
interface Plan {
  sel: Selector;
  /** The single-value equality requirements (k=v, k==v, k in (v)) as `key=value`. */
  pins: string[];
  /** The selector is one such requirement: the index entry holds exactly its matches. */
  exact: boolean;
}

function planOf(sel: Selector): Plan {
  const pins = sel.requirements.filter((r) => pinsValues(r) && r.values.length === 1).map((r) => `${r.key}=${r.values[0]}`);
  return { sel, pins, exact: !sel.nothing && sel.requirements.length === 1 && pins.length === 1 };
}

/** Plans by selector text: an HPA selects its target's pods with the same string every sync. Plans are never mutated. */
const plans = new Map<string, Plan>();
function planCached(selector: string): Plan {
  let plan = plans.get(selector);
  if (!plan) {
    plan = planOf(parseSelector(selector));
    if (plans.size >= 1024) plans.clear();
    plans.set(selector, plan);
  }
  return plan;
}

/** The last answer per indexer and index value (bounded: cleared past 1024 values). */
const answers = new WeakMap<object, Map<string, readonly KubeObject[]>>();

/** The objects indexed under value: the last answer again (same array) while nothing in the entry changed, else a new frozen one. */
export function indexEntry<T extends KubeObject>(indexer: Indexer<T>, value: string): readonly T[] {
  let byValue = answers.get(indexer);
  if (!byValue) answers.set(indexer, (byValue = new Map()));
  const last = byValue.get(value) as readonly T[] | undefined;
  if (last && sameEntry(indexer, value, last)) return last;
  const now = Object.freeze(indexer.byIndex(BY_LABEL, value));
  if (byValue.size >= 1024) byValue.clear();
  byValue.set(value, now);
  return now;
}

/** The entry holds exactly these objects, in this order (an update replaces its object and moves it last). */
function sameEntry<T extends KubeObject>(indexer: Indexer<T>, value: string, last: readonly T[]): boolean {
  let i = 0;
  let same = true;
  indexer.forEachByIndex(BY_LABEL, value, (o) => {
    if (same && last[i] !== o) same = false;
    i++;
  });
  return same && i === last.length;
}

/**
 * lister.list(selector, namespace) through the label index when the selector pins a label. The
 * answer is the caller's to read, not to change (a one-requirement selector's is shared and frozen).
 */
export function listBySelector<T extends KubeObject>(informer: SharedInformer<T>, selector: string, namespace: string | undefined): readonly T[] {
  if (namespace === undefined) return informer.lister.list(selector, namespace);
  const plan = planCached(selector);
  const { sel, pins } = plan;
  if (sel.nothing || pins.length === 0) return informer.lister.list(selector, namespace);
  // `app=web`: the objects indexed under namespace/app=web are the answer, no filter pass
  if (plan.exact) return indexEntry(informer.indexer, `${namespace}/${pins[0]}`);
  let best: T[] | undefined;
  for (const p of pins) {
    const c = informer.indexer.byIndex(BY_LABEL, `${namespace}/${p}`);
    if (!best || c.length < best.length) best = c;
    if (best.length === 0) return [];
  }
  return best!.filter((o) => matches(sel, o.metadata.labels));
}
