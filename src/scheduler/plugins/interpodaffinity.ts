// InterPodAffinity filter: the incoming pod's required affinity and anti-affinity terms, and the
// required anti-affinity terms of pods already placed (which may reject the incoming pod).
import type { NodeInfo } from '../cache.ts';
import {
  MAX_NODE_SCORE,
  skip,
  unresolvable,
  unschedulable,
  type CycleState,
  type FilterPlugin,
  type PreFilterPlugin,
  type Status,
  type Handle,
  type NodeScore,
  type PreScorePlugin,
  type ScorePlugin,
} from '../framework/interface.ts';
import type { AffinityTerm, PodInfo } from '../podinfo.ts';

export const ERR_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules";
export const ERR_AFFINITY = "node(s) didn't match pod affinity rules";
export const ERR_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";

export function termMatches(term: AffinityTerm, pod: PodInfo): boolean {
  return term.namespaces.has(pod.namespace) && term.matches(pod.labels);
}

const pairKey = (key: string, value: string) => `${key}\u0000${value}`;

interface State {
  existingAnti: Map<string, number>;
  affinity: Map<string, number>;
  anti: Map<string, number>;
  pod: PodInfo;
}

function bump(m: Map<string, number>, node: NodeInfo, key: string): void {
  const v = node.labels[key];
  if (v === undefined) return;
  const k = pairKey(key, v);
  m.set(k, (m.get(k) ?? 0) + 1);
}

const KEY = 'PreFilterInterPodAffinity';

const SCORE_KEY = 'PreScoreInterPodAffinity';

interface ScoreState {
  topologyScore: Map<string, number>;
  keys: string[];
}

export class InterPodAffinity implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = 'InterPodAffinity';
  constructor(private readonly handle: Handle) {}

  preFilter(state: CycleState, pod: PodInfo, nodes: NodeInfo[]): Status | null {
    const mine = pod.requiredAffinityTerms.length + pod.requiredAntiAffinityTerms.length > 0;
    if (!mine && !this.handle.cache.hasPodsWithRequiredAntiAffinity()) return skip;
    const s: State = { existingAnti: new Map(), affinity: new Map(), anti: new Map(), pod };
    for (const node of nodes) {
      for (const existing of node.podsWithRequiredAntiAffinity.values()) {
        for (const t of existing.requiredAntiAffinityTerms) if (termMatches(t, pod)) bump(s.existingAnti, node, t.topologyKey);
      }
      if (!mine) continue;
      for (const existing of node.pods.values()) {
        if (pod.requiredAffinityTerms.length && pod.requiredAffinityTerms.every((t) => termMatches(t, existing))) {
          for (const t of pod.requiredAffinityTerms) bump(s.affinity, node, t.topologyKey);
        }
        for (const t of pod.requiredAntiAffinityTerms) if (termMatches(t, existing)) bump(s.anti, node, t.topologyKey);
      }
    }
    state.write(KEY, s);
    return null;
  }

  preScore(state: CycleState, pod: PodInfo, _feasible: NodeInfo[]): Status | null {
    return interPodPreScore(state, pod, state.read<NodeInfo[]>('allNodes') ?? this.handle.cache.nodeList());
  }

  score(state: CycleState, _pod: PodInfo, node: NodeInfo): number {
    const s = state.read<ScoreState>(SCORE_KEY);
    if (!s) return 0;
    let sum = 0;
    for (const k of s.keys) {
      const v = node.labels[k];
      if (v !== undefined) sum += s.topologyScore.get(pairKey(k, v)) ?? 0;
    }
    return sum;
  }

  /** Min-max scaling to 0..100 (all equal → 0), as kube-scheduler. */
  normalizeScore(_state: CycleState, _pod: PodInfo, scores: NodeScore[]): void {
    let min = Infinity;
    let max = -Infinity;
    for (const s of scores) {
      min = Math.min(min, s.score);
      max = Math.max(max, s.score);
    }
    const diff = max - min;
    for (const s of scores) s.score = diff > 0 ? Math.trunc((MAX_NODE_SCORE * (s.score - min)) / diff) : 0;
  }

  filter(state: CycleState, pod: PodInfo, node: NodeInfo): Status | null {
    const s = state.read<State>(KEY);
    if (!s) return null;
    if (!satisfiesAffinity(s, pod, node)) return unresolvable(ERR_AFFINITY);
    for (const t of pod.requiredAntiAffinityTerms) {
      const v = node.labels[t.topologyKey];
      if (v !== undefined && (s.anti.get(pairKey(t.topologyKey, v)) ?? 0) > 0) return unschedulable(ERR_ANTI_AFFINITY);
    }
    if (s.existingAnti.size > 0) {
      for (const k in node.labels) if ((s.existingAnti.get(pairKey(k, node.labels[k])) ?? 0) > 0) return unschedulable(ERR_EXISTING_ANTI_AFFINITY);
    }
    return null;
  }
}

/** Preferred terms of the incoming pod: +weight (affinity) or -weight (anti-affinity) per topology domain of each matching pod. */
export function interPodPreScore(state: CycleState, pod: PodInfo, allNodes: NodeInfo[]): Status | null {
  const terms = pod.preferredAffinityTerms;
  if (terms.length === 0) return skip;
  const topologyScore = new Map<string, number>();
  for (const node of allNodes) {
    for (const existing of node.pods.values()) {
      for (const t of terms) {
        const v = node.labels[t.topologyKey];
        if (v === undefined || !termMatches(t, existing)) continue;
        const k = pairKey(t.topologyKey, v);
        topologyScore.set(k, (topologyScore.get(k) ?? 0) + t.weight);
      }
    }
  }
  state.write(SCORE_KEY, { topologyScore, keys: [...new Set(terms.map((t) => t.topologyKey))] } satisfies ScoreState);
  return null;
}

function satisfiesAffinity(s: State, pod: PodInfo, node: NodeInfo): boolean {
  let podsExist = true;
  for (const t of pod.requiredAffinityTerms) {
    const v = node.labels[t.topologyKey];
    if (v === undefined) return false;
    if (!((s.affinity.get(pairKey(t.topologyKey, v)) ?? 0) > 0)) podsExist = false;
  }
  if (podsExist) return true;
  // The first pod of a group with affinity to itself: allowed if nothing matches anywhere yet.
  return s.affinity.size === 0 && pod.requiredAffinityTerms.every((t) => termMatches(t, pod));
}
