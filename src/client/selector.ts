// What listers accept as a selector, mapped onto src/api/labels.ts (the one label-selector
// implementation): a selector string, a metav1.LabelSelector, a plain label map, or a predicate.
import {
  labelSelectorAsSelector,
  labelSelectorQuery,
  matches,
  parseSelector,
  selectorFromSet,
  type LabelSelector,
  type LabelSelectorRequirement,
  type Labels,
} from '../api/labels.ts';

export type { LabelSelector, LabelSelectorRequirement };

export type SelectorInput = string | LabelSelector | Record<string, string> | ((labels: Record<string, string>) => boolean);

export type LabelPredicate = (labels: Labels) => boolean;

function isLabelSelector(x: object): x is LabelSelector {
  return 'matchLabels' in x || 'matchExpressions' in x;
}

/** Compiles a selector input into a predicate on labels; undefined = everything. Throws on a malformed string. */
export function labelPredicate(sel?: SelectorInput): LabelPredicate {
  if (sel === undefined) return () => true;
  if (typeof sel === 'function') return (l) => sel(l ?? {});
  const s = typeof sel === 'string' ? parseSelector(sel) : isLabelSelector(sel) ? labelSelectorAsSelector(sel) : selectorFromSet(sel);
  return (labels) => matches(s, labels);
}

/** The query-string form of a LabelSelector or label map (for list/watch labelSelector). */
export function selectorToString(sel: LabelSelector | Record<string, string>): string {
  return labelSelectorQuery(isLabelSelector(sel) ? sel : { matchLabels: sel as Record<string, string> });
}
