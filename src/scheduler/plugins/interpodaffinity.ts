// InterPodAffinity filter: the incoming pod's required affinity and anti-affinity terms, and the
// required anti-affinity terms of pods already placed (which may reject the incoming pod).
import type { NodeInfo } from '../cache.ts';
import {
  skip,
  unresolvable,
  unschedulable,
  type CycleState,
  type FilterPlugin,
  type PreFilterPlugin,
  type Status,
  type Handle,
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

export class InterPodAffinity implements PreFilterPlugin, FilterPlugin {
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
