// A pod's effective resource requests (k8s.io/component-helpers/resource.PodRequests), as the
// scheduler fits them and the kubelet admits them: the sum of the containers, at least the largest
// init container (sidecars, restartPolicy Always init containers, add up and run alongside), plus
// spec.overhead. Requests default to limits when only limits are set. The aggregation rule itself
// (aggregateContainers) also serves quota's exact quantity lists (podresources.ts).
import { milliValueOrZero, valueOrZero } from '../quantity.ts';
import type { KubeObject } from '../types.ts';

export interface Resource {
  milliCPU: number;
  memory: number;
  /** Other resources by name (ephemeral-storage, extended resources such as nvidia.com/gpu); absent when none. */
  scalar?: Record<string, number>;
}

/** Used for scoring when a container sets no request (kube-scheduler's DefaultMilliCPURequest / DefaultMemoryRequest). */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

function containerRequests(c: any, nonZero: boolean): Resource {
  // Requests default to limits (API defaulting); read both in case the server did not default.
  const req = c?.resources?.requests ?? {};
  const lim = c?.resources?.limits ?? {};
  const cpu = req.cpu ?? lim.cpu;
  const mem = req.memory ?? lim.memory;
  const r: Resource = {
    milliCPU: cpu === undefined ? (nonZero ? DEFAULT_MILLI_CPU_REQUEST : 0) : milliValueOrZero(cpu),
    memory: mem === undefined ? (nonZero ? DEFAULT_MEMORY_REQUEST : 0) : valueOrZero(mem),
  };
  for (const name of new Set([...Object.keys(req), ...Object.keys(lim)])) {
    if (name === 'cpu' || name === 'memory') continue;
    (r.scalar ??= {})[name] = valueOrZero(req[name] ?? lim[name]);
  }
  return r;
}

function mergeScalar(a: Resource, b: Resource, f: (x: number, y: number) => number): Record<string, number> | undefined {
  if (!a.scalar && !b.scalar) return undefined;
  const out: Record<string, number> = { ...a.scalar };
  for (const [k, v] of Object.entries(b.scalar ?? {})) out[k] = f(out[k] ?? 0, v);
  return out;
}

export function addResources(a: Resource, b: Resource): Resource {
  const r: Resource = { milliCPU: a.milliCPU + b.milliCPU, memory: a.memory + b.memory };
  const s = mergeScalar(a, b, (x, y) => x + y);
  if (s) r.scalar = s;
  return r;
}

function maxResources(a: Resource, b: Resource): Resource {
  const r: Resource = { milliCPU: Math.max(a.milliCPU, b.milliCPU), memory: Math.max(a.memory, b.memory) };
  const s = mergeScalar(a, b, Math.max);
  if (s) r.scalar = s;
  return r;
}

/** How to combine one kind of per-container amount (numbers here, exact quantity lists for quota). */
export interface Aggregation<R> {
  empty(): R;
  add(a: R, b: R): R;
  max(a: R, b: R): R;
}

/**
 * The PodRequests/PodLimits aggregation rule, once: the app containers add up; each init container
 * counts together with the sidecars started before it, and the pod needs at least the largest of
 * those; sidecars (restartPolicy Always init containers) also add to the total. Overhead is the
 * caller's, since requests and limits treat it differently.
 */
export function aggregateContainers<R>(spec: any, perContainer: (c: any) => R, alg: Aggregation<R>): R {
  let sum = alg.empty();
  for (const c of spec?.containers ?? []) sum = alg.add(sum, perContainer(c));
  let sidecars = alg.empty();
  let init = alg.empty();
  for (const ic of spec?.initContainers ?? []) {
    let r = perContainer(ic);
    if (ic?.restartPolicy === 'Always') {
      sum = alg.add(sum, r);
      sidecars = alg.add(sidecars, r);
      r = sidecars;
    } else {
      r = alg.add(r, sidecars);
    }
    init = alg.max(init, r);
  }
  return alg.max(sum, init);
}

const numeric: Aggregation<Resource> = { empty: () => ({ milliCPU: 0, memory: 0 }), add: addResources, max: maxResources };

/**
 * Effective requests of a pod spec. With `nonZero`, unset cpu/memory requests count as the
 * scheduler's scoring defaults (100m, 200Mi); overhead never does.
 */
export function podSpecRequests(spec: any, nonZero = false): Resource {
  const reqs = aggregateContainers(spec, (c) => containerRequests(c, nonZero), numeric);
  return spec?.overhead ? addResources(reqs, containerRequests({ resources: { requests: spec.overhead } }, false)) : reqs;
}

/** podSpecRequests of a pod object. */
export function podRequests(pod: KubeObject, nonZero = false): Resource {
  return podSpecRequests(pod.spec, nonZero);
}
