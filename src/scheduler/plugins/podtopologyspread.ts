// PodTopologySpread: hard constraints (DoNotSchedule) filter nodes whose domain would exceed
// maxSkew; soft ones (ScheduleAnyway) score nodes with fewer matching pods higher.
import type { NodeInfo } from '../cache.ts';
import {
  MAX_NODE_SCORE,
  skip,
  unresolvable,
  unschedulable,
  type CycleState,
  type FilterPlugin,
  type NodeScore,
  type PreFilterPlugin,
  type PreScorePlugin,
  type ScorePlugin,
  type Status,
} from '../framework/interface.ts';
import type { PodInfo } from '../podinfo.ts';
import { doNotScheduleEffects, findUntoleratedTaint } from '../../api/core/taints.ts';
import { labelSelectorMatcher as selectorMatcher, type LabelSelector } from '../../api/labels.ts';
import { requiredNodeAffinityMatches } from '../../api/core/nodeaffinity.ts';

export const ERR_CONSTRAINTS = "node(s) didn't match pod topology spread constraints";
export const ERR_MISSING_LABEL = ERR_CONSTRAINTS + ' (missing required label)';

export interface Constraint {
  maxSkew: number;
  topologyKey: string;
  selector: LabelSelector | null;
  matches: (labels: Record<string, string> | undefined) => boolean;
  minDomains?: number;
  nodeAffinityPolicy: 'Honor' | 'Ignore';
  nodeTaintsPolicy: 'Honor' | 'Ignore';
}

export function constraintsOf(pod: PodInfo, when: 'DoNotSchedule' | 'ScheduleAnyway'): Constraint[] {
  const out: Constraint[] = [];
  for (const c of pod.pod.spec?.topologySpreadConstraints ?? []) {
    if ((c.whenUnsatisfiable ?? 'DoNotSchedule') !== when) continue;
    let selector: LabelSelector | null = c.labelSelector ?? null;
    // matchLabelKeys narrows the selector to pods sharing this pod's values for those keys.
    const extra = (c.matchLabelKeys ?? [])
      .filter((k: string) => pod.labels[k] !== undefined)
      .map((k: string) => ({ key: k, operator: 'In', values: [pod.labels[k]] }));
    if (selector && extra.length) selector = { ...selector, matchExpressions: [...(selector.matchExpressions ?? []), ...extra] };
    out.push({
      maxSkew: c.maxSkew ?? 1,
      topologyKey: c.topologyKey,
      selector,
      matches: selectorMatcher(selector),
      minDomains: c.minDomains,
      nodeAffinityPolicy: c.nodeAffinityPolicy ?? 'Honor',
      nodeTaintsPolicy: c.nodeTaintsPolicy ?? 'Ignore',
    });
  }
  return out;
}

/** Does this node take part in the constraints' domains for this pod (inclusion policies, all keys present)? */
function eligible(pod: PodInfo, node: NodeInfo, cs: Constraint[]): boolean {
  for (const c of cs) if (node.labels[c.topologyKey] === undefined) return false;
  if (cs.some((c) => c.nodeAffinityPolicy === 'Honor') && !requiredNodeAffinityMatches(pod.pod.spec, node.name, node.labels)) return false;
  if (cs.some((c) => c.nodeTaintsPolicy === 'Honor') && findUntoleratedTaint(node.taints, pod.tolerations, doNotScheduleEffects))
    return false;
  return true;
}

function countMatching(pod: PodInfo, node: NodeInfo, c: Constraint): number {
  let n = 0;
  for (const p of node.pods.values()) {
    if (p.namespace !== pod.namespace || p.pod.metadata.deletionTimestamp) continue;
    if (c.matches(p.labels)) n++;
  }
  return n;
}

const pairKey = (key: string, value: string) => `${key}\u0000${value}`;

interface FilterState {
  constraints: Constraint[];
  counts: Map<string, number>; // topology pair → matching pods
  minMatch: number[]; // per constraint: the lowest count among its domains
}

interface ScoreState {
  constraints: Constraint[];
  counts: Map<string, number>;
  weights: number[];
}

const FILTER_KEY = 'PreFilterPodTopologySpread';
const SCORE_KEY = 'PreScorePodTopologySpread';

export class PodTopologySpread implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = 'PodTopologySpread';

  preFilter(state: CycleState, pod: PodInfo, nodes: NodeInfo[]): Status | null {
    const constraints = constraintsOf(pod, 'DoNotSchedule');
    if (constraints.length === 0) return skip;
    const counts = new Map<string, number>();
    const domains = constraints.map(() => new Set<string>());
    for (const node of nodes) {
      if (!eligible(pod, node, constraints)) continue;
      constraints.forEach((c, i) => {
        const k = pairKey(c.topologyKey, node.labels[c.topologyKey]);
        domains[i].add(k);
        counts.set(k, (counts.get(k) ?? 0) + countMatching(pod, node, c));
      });
    }
    const minMatch = constraints.map((c, i) => {
      if (c.minDomains && domains[i].size < c.minDomains) return 0;
      let min = Infinity;
      for (const k of domains[i]) min = Math.min(min, counts.get(k) ?? 0);
      return min === Infinity ? 0 : min;
    });
    state.write(FILTER_KEY, { constraints, counts, minMatch } satisfies FilterState);
    return null;
  }

  filter(state: CycleState, pod: PodInfo, node: NodeInfo): Status | null {
    const s = state.read<FilterState>(FILTER_KEY);
    if (!s) return null;
    for (let i = 0; i < s.constraints.length; i++) {
      const c = s.constraints[i];
      const value = node.labels[c.topologyKey];
      if (value === undefined) return unresolvable(ERR_MISSING_LABEL);
      const self = c.matches(pod.labels) ? 1 : 0;
      const skew = (s.counts.get(pairKey(c.topologyKey, value)) ?? 0) + self - s.minMatch[i];
      if (skew > c.maxSkew) return unschedulable(ERR_CONSTRAINTS);
    }
    return null;
  }

  preScore(state: CycleState, pod: PodInfo, feasible: NodeInfo[]): Status | null {
    const constraints = constraintsOf(pod, 'ScheduleAnyway');
    if (constraints.length === 0) return skip;
    const counts = new Map<string, number>();
    const domains = constraints.map(() => new Set<string>());
    for (const node of feasible) {
      if (!eligible(pod, node, constraints)) continue;
      constraints.forEach((c, i) => domains[i].add(node.labels[c.topologyKey]));
    }
    // Count matching pods over every node in a domain the feasible nodes belong to.
    for (const node of state.read<NodeInfo[]>('allNodes') ?? feasible) {
      if (!eligible(pod, node, constraints)) continue;
      constraints.forEach((c, i) => {
        if (!domains[i].has(node.labels[c.topologyKey])) return;
        const k = pairKey(c.topologyKey, node.labels[c.topologyKey]);
        counts.set(k, (counts.get(k) ?? 0) + countMatching(pod, node, c));
      });
    }
    const weights = domains.map((d) => Math.log(d.size + 2));
    state.write(SCORE_KEY, { constraints, counts, weights } satisfies ScoreState);
    return null;
  }

  score(state: CycleState, _pod: PodInfo, node: NodeInfo): number {
    const s = state.read<ScoreState>(SCORE_KEY);
    if (!s) return 0;
    let score = 0;
    for (let i = 0; i < s.constraints.length; i++) {
      const c = s.constraints[i];
      const v = node.labels[c.topologyKey];
      if (v === undefined) return -1; // not in any domain: scored 0 after normalization
      score += (s.counts.get(pairKey(c.topologyKey, v)) ?? 0) * s.weights[i] + (c.maxSkew - 1);
    }
    return Math.round(score);
  }

  /** Fewer matching pods in the node's domains = higher score (kube-scheduler's inversion). */
  normalizeScore(_state: CycleState, _pod: PodInfo, scores: NodeScore[]): void {
    let min = Infinity;
    let max = 0;
    for (const s of scores) {
      if (s.score < 0) continue;
      min = Math.min(min, s.score);
      max = Math.max(max, s.score);
    }
    for (const s of scores) {
      if (s.score < 0) s.score = 0;
      else if (max === 0) s.score = MAX_NODE_SCORE;
      else s.score = Math.trunc((MAX_NODE_SCORE * (max + min - s.score)) / max);
    }
  }
}
