// Selector matching for scheduling: metav1.LabelSelector comes from src/api/labels.ts; node
// selector terms (Gt/Lt, matchFields on metadata.name) are specific to node affinity and live here.
import { labelSelectorMatcher, labelSelectorMatches, type LabelSelector } from '../../api/labels.ts';

export type { LabelSelector };
export type Labels = Record<string, string> | undefined;

/** metav1.LabelSelectorAsSelector semantics: an empty selector matches everything, a null one nothing. */
export function selectorMatches(sel: LabelSelector | null | undefined, labels: Labels): boolean {
  return labelSelectorMatches(sel, labels);
}

/** A matcher compiled once (selectors are evaluated against many pods). */
export function selectorMatcher(sel: LabelSelector | null | undefined): (labels: Labels) => boolean {
  return labelSelectorMatcher(sel);
}

function requirementMatches(r: { key: string; operator: string; values?: string[] }, l: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(l, r.key);
  switch (r.operator) {
    case 'In':
      return has && (r.values ?? []).includes(l[r.key]);
    case 'NotIn':
      return !has || !(r.values ?? []).includes(l[r.key]);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    default:
      return false;
  }
}

export interface NodeSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt' | string;
  values?: string[];
}
export interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[];
  matchFields?: NodeSelectorRequirement[];
}

/** One node selector requirement against labels (Gt/Lt compare integers, as the API does). */
export function nodeRequirementMatches(r: NodeSelectorRequirement, l: Labels): boolean {
  const labels = l ?? {};
  if (r.operator === 'Gt' || r.operator === 'Lt') {
    if (!Object.prototype.hasOwnProperty.call(labels, r.key) || (r.values ?? []).length !== 1) return false;
    const have = Number.parseInt(labels[r.key], 10);
    const want = Number.parseInt(r.values![0], 10);
    if (!Number.isFinite(have) || !Number.isFinite(want)) return false;
    return r.operator === 'Gt' ? have > want : have < want;
  }
  return requirementMatches(r, labels);
}

/** A NodeSelectorTerm: all expressions (labels) and fields (only metadata.name) must match; an empty term matches nothing. */
export function nodeSelectorTermMatches(t: NodeSelectorTerm, nodeName: string, labels: Labels): boolean {
  const exprs = t.matchExpressions ?? [];
  const fields = t.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  for (const r of exprs) if (!nodeRequirementMatches(r, labels)) return false;
  for (const r of fields) {
    if (r.key !== 'metadata.name') return false;
    if (!nodeRequirementMatches(r, { 'metadata.name': nodeName })) return false;
  }
  return true;
}

/** NodeSelector: the terms are ORed. */
export function nodeSelectorMatches(terms: NodeSelectorTerm[], nodeName: string, labels: Labels): boolean {
  return terms.some((t) => nodeSelectorTermMatches(t, nodeName, labels));
}
