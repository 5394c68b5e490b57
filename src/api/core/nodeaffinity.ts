// Node selectors and required node affinity (component-helpers/scheduling/corev1/nodeaffinity):
// the one implementation the scheduler, the node agent's admission and the DaemonSet controller share.
import type { Labels } from '../labels.ts';

export interface NodeSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt' | string;
  values?: string[];
}

export interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[];
  matchFields?: NodeSelectorRequirement[];
}

export interface NodeSelector {
  nodeSelectorTerms?: NodeSelectorTerm[];
}

/** strconv.ParseInt(s, 10, 64) succeeds: an optional sign and decimal digits, within int64. */
function parseInt64(s: string | undefined): bigint | undefined {
  if (s === undefined || !/^[+-]?\d+$/.test(s)) return undefined;
  const n = BigInt(s);
  return n >= -(2n ** 63n) && n < 2n ** 63n ? n : undefined;
}

const has = (l: Record<string, string>, k: string) => Object.prototype.hasOwnProperty.call(l, k);

/**
 * One matchExpressions requirement against node labels (labels.Requirement.Matches). Gt and Lt need
 * exactly one value, and it and the label must both be integers; otherwise nothing matches, as
 * Kubernetes' parse error makes the term match nothing.
 */
export function nodeRequirementMatches(r: NodeSelectorRequirement, l: Labels): boolean {
  const labels = l ?? {};
  switch (r.operator) {
    case 'In':
      return has(labels, r.key) && (r.values ?? []).includes(labels[r.key]);
    case 'NotIn':
      return !has(labels, r.key) || !(r.values ?? []).includes(labels[r.key]);
    case 'Exists':
      return has(labels, r.key);
    case 'DoesNotExist':
      return !has(labels, r.key);
    case 'Gt':
    case 'Lt': {
      if (!has(labels, r.key) || (r.values ?? []).length !== 1) return false;
      const have = parseInt64(labels[r.key]);
      const want = parseInt64(r.values![0]);
      if (have === undefined || want === undefined) return false;
      return r.operator === 'Gt' ? have > want : have < want;
    }
    default:
      return false;
  }
}

/** One matchFields requirement: only metadata.name, with In or NotIn and exactly one value. */
export function nodeFieldRequirementMatches(r: NodeSelectorRequirement, nodeName: string): boolean {
  if (r.key !== 'metadata.name' || (r.values ?? []).length !== 1) return false;
  if (r.operator === 'In') return r.values![0] === nodeName;
  if (r.operator === 'NotIn') return r.values![0] !== nodeName;
  return false;
}

/** A NodeSelectorTerm: every expression and field requirement holds; an empty term matches nothing. */
export function nodeSelectorTermMatches(t: NodeSelectorTerm, nodeName: string, labels: Labels): boolean {
  const exprs = t.matchExpressions ?? [];
  const fields = t.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  for (const r of exprs) if (!nodeRequirementMatches(r, labels)) return false;
  for (const r of fields) if (!nodeFieldRequirementMatches(r, nodeName)) return false;
  return true;
}

/** A NodeSelector: the terms are ORed, so no terms match nothing. */
export function nodeSelectorMatches(terms: readonly NodeSelectorTerm[], nodeName: string, labels: Labels): boolean {
  for (const t of terms) if (nodeSelectorTermMatches(t, nodeName, labels)) return true;
  return false;
}

/**
 * GetRequiredNodeAffinity(pod).Match(node): the pod spec's nodeSelector (every label equal) and its
 * requiredDuringSchedulingIgnoredDuringExecution node affinity (when set) both hold.
 */
export function requiredNodeAffinityMatches(podSpec: any, nodeName: string, labels: Labels): boolean {
  const sel: Record<string, string> | undefined = podSpec?.nodeSelector;
  if (sel) {
    const l = labels ?? {};
    for (const k in sel) if (!has(l, k) || l[k] !== sel[k]) return false;
  }
  const required: NodeSelector | undefined = podSpec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (required) return nodeSelectorMatches(required.nodeSelectorTerms ?? [], nodeName, labels);
  return true;
}
