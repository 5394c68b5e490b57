// What the scheduler precomputes once per pod: its effective requests (api/core's podRequests),
// tolerations, and parsed (anti-)affinity terms.
import type { KubeObject } from '../api/types.ts';
import { labelSelectorMatcher, type LabelSelector } from '../api/labels.ts';
import { metaNamespaceKey, podRequests, type Resource, type Toleration } from '../api/core/index.ts';

export type Pod = KubeObject;
export type Node = KubeObject;

export interface AffinityTerm {
  namespaces: Set<string>;
  selector: LabelSelector;
  /** The selector compiled once. */
  matches: (labels: Record<string, string> | undefined) => boolean;
  topologyKey: string;
}

export interface PodInfo {
  key: string; // namespace/name
  pod: Pod;
  namespace: string;
  labels: Record<string, string>;
  requests: Resource;
  /** Requests with the scoring defaults (100m, 200Mi) for unset values. */
  nonZero: Resource;
  tolerations: Toleration[];
  requiredAffinityTerms: AffinityTerm[];
  requiredAntiAffinityTerms: AffinityTerm[];
  /** Preferred terms with their weights (anti-affinity weights negative). */
  preferredAffinityTerms: WeightedAffinityTerm[];
}

export interface WeightedAffinityTerm extends AffinityTerm {
  weight: number;
}

function affinityTerms(pod: Pod, terms: any[] | undefined): AffinityTerm[] {
  const ns = pod.metadata.namespace ?? 'default';
  return (terms ?? []).map((t) => ({
    // No namespaces listed = the pod's own namespace (namespaceSelector is not modelled).
    namespaces: new Set<string>(t.namespaces?.length ? t.namespaces : [ns]),
    selector: t.labelSelector ?? {},
    matches: labelSelectorMatcher(t.labelSelector ?? null),
    topologyKey: t.topologyKey ?? '',
  }));
}

function weighted(pod: Pod, terms: any[] | undefined, sign: number): WeightedAffinityTerm[] {
  const ts = terms ?? [];
  return affinityTerms(pod, ts.map((t) => t.podAffinityTerm ?? {})).map((t, i) => ({ ...t, weight: sign * (ts[i].weight ?? 0) }));
}

export function newPodInfo(pod: Pod): PodInfo {
  const aff = pod.spec?.affinity ?? {};
  return {
    key: metaNamespaceKey(pod),
    pod,
    namespace: pod.metadata.namespace ?? 'default',
    labels: pod.metadata.labels ?? {},
    requests: podRequests(pod, false),
    nonZero: podRequests(pod, true),
    tolerations: pod.spec?.tolerations ?? [],
    requiredAffinityTerms: affinityTerms(pod, aff.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution),
    requiredAntiAffinityTerms: affinityTerms(pod, aff.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution),
    preferredAffinityTerms: [
      ...weighted(pod, aff.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution, 1),
      ...weighted(pod, aff.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution, -1),
    ],
  };
}

export function podPriority(pod: Pod): number {
  return typeof pod.spec?.priority === 'number' ? pod.spec.priority : 0;
}

export function schedulerNameOf(pod: Pod): string {
  return pod.spec?.schedulerName || 'default-scheduler';
}
