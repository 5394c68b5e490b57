// What the scheduler precomputes once per pod: its effective requests (as Kubernetes computes
// them), tolerations, and parsed (anti-)affinity terms.
import type { KubeObject } from '../api/types.ts';
import { intValue, milliValue } from './util/quantity.ts';
import { selectorMatcher, type LabelSelector } from './util/labels.ts';

export type Pod = KubeObject;
export type Node = KubeObject;

export interface Resource {
  milliCPU: number;
  memory: number;
  /** Other resources by name (ephemeral-storage, extended resources such as nvidia.com/gpu); absent when none. */
  scalar?: Record<string, number>;
}

/** Used for scoring when a container sets no request (kube-scheduler's DefaultMilliCPURequest / DefaultMemoryRequest). */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

export interface AffinityTerm {
  namespaces: Set<string>;
  selector: LabelSelector;
  /** The selector compiled once. */
  matches: (labels: Record<string, string> | undefined) => boolean;
  topologyKey: string;
}

export interface Toleration {
  key?: string;
  operator?: 'Exists' | 'Equal';
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

export interface Taint {
  key: string;
  value?: string;
  effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute' | string;
}

export interface PodInfo {
  key: string; // namespace/name
  pod: Pod;
  namespace: string;
  labels: Record<string, string>;
  requests: Resource;
  /** Requests with the defaults above for unset values, used by scoring. */
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

export function podKey(pod: Pod): string {
  return `${pod.metadata.namespace ?? 'default'}/${pod.metadata.name}`;
}

function containerRequests(c: any, nonZero: boolean): Resource {
  // Requests default to limits (API defaulting); read both in case the server did not default.
  const req = c?.resources?.requests ?? {};
  const lim = c?.resources?.limits ?? {};
  const cpu = req.cpu ?? lim.cpu;
  const mem = req.memory ?? lim.memory;
  const r: Resource = {
    milliCPU: cpu === undefined ? (nonZero ? DEFAULT_MILLI_CPU_REQUEST : 0) : milliValue(cpu),
    memory: mem === undefined ? (nonZero ? DEFAULT_MEMORY_REQUEST : 0) : intValue(mem),
  };
  for (const name of new Set([...Object.keys(req), ...Object.keys(lim)])) {
    if (name === 'cpu' || name === 'memory') continue;
    (r.scalar ??= {})[name] = intValue(req[name] ?? lim[name]);
  }
  return r;
}

function mergeScalar(a: Resource, b: Resource, f: (x: number, y: number) => number): Record<string, number> | undefined {
  if (!a.scalar && !b.scalar) return undefined;
  const out: Record<string, number> = { ...a.scalar };
  for (const [k, v] of Object.entries(b.scalar ?? {})) out[k] = f(out[k] ?? 0, v);
  return out;
}

function add(a: Resource, b: Resource): Resource {
  const r: Resource = { milliCPU: a.milliCPU + b.milliCPU, memory: a.memory + b.memory };
  const s = mergeScalar(a, b, (x, y) => x + y);
  if (s) r.scalar = s;
  return r;
}

function max(a: Resource, b: Resource): Resource {
  const r: Resource = { milliCPU: Math.max(a.milliCPU, b.milliCPU), memory: Math.max(a.memory, b.memory) };
  const s = mergeScalar(a, b, Math.max);
  if (s) r.scalar = s;
  return r;
}

/**
 * Effective pod requests (k8s.io/component-helpers resource.PodRequests): the sum of the containers,
 * at least the largest init container (sidecars, restartPolicy Always, add up), plus spec.overhead.
 */
export function podRequests(pod: Pod, nonZero = false): Resource {
  const spec = pod.spec ?? {};
  let reqs: Resource = { milliCPU: 0, memory: 0 };
  for (const c of spec.containers ?? []) reqs = add(reqs, containerRequests(c, nonZero));
  let sidecars: Resource = { milliCPU: 0, memory: 0 };
  let init: Resource = { milliCPU: 0, memory: 0 };
  for (const ic of spec.initContainers ?? []) {
    let r = containerRequests(ic, nonZero);
    if (ic.restartPolicy === 'Always') {
      reqs = add(reqs, r);
      sidecars = add(sidecars, r);
      r = sidecars;
    } else {
      r = add(r, sidecars);
    }
    init = max(init, r);
  }
  reqs = max(reqs, init);
  if (spec.overhead) reqs = add(reqs, containerRequests({ resources: { requests: spec.overhead } }, false));
  return reqs;
}

function affinityTerms(pod: Pod, terms: any[] | undefined): AffinityTerm[] {
  const ns = pod.metadata.namespace ?? 'default';
  return (terms ?? []).map((t) => ({
    // No namespaces listed = the pod's own namespace (namespaceSelector is not modelled).
    namespaces: new Set<string>(t.namespaces?.length ? t.namespaces : [ns]),
    selector: t.labelSelector ?? {},
    matches: selectorMatcher(t.labelSelector ?? null),
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
    key: podKey(pod),
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

/** A toleration tolerates a taint (core/v1 helper ToleratesTaint). */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  if (!t.key && t.operator !== 'Exists') return false;
  if (t.operator === 'Exists') return true;
  return (t.value ?? '') === (taint.value ?? '');
}

/** The first taint with one of the effects that no toleration tolerates (v1helper.FindMatchingUntoleratedTaint). */
export function findUntoleratedTaint(taints: Taint[], tolerations: Toleration[], effects: string[]): Taint | undefined {
  for (const taint of taints) {
    if (!effects.includes(taint.effect)) continue;
    if (!tolerations.some((t) => toleratesTaint(t, taint))) return taint;
  }
  return undefined;
}
