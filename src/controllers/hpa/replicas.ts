// The HPA's replica calculator (pkg/controller/podautoscaler/replica_calculator.go) as pure
// functions: pods grouped into ready / unready / missing / ignored, requests per pod (or per
// container), the usage ratio, the tolerance, and the conservative recomputation when some pods
// have no metrics (they count as 0 on a scale up and as 100% of request — or the target — on a scale
// down) or are not ready yet (their CPU counts as 0 on a scale up).
import type { KubeObject } from '../../api/types.ts';
import { milliValue } from '../../api/quantity.ts';

/** One pod's metric: milli-units (millicores, milli-bytes), with the sample's time and window. */
export interface PodMetric {
  value: number;
  timestampMs: number;
  windowMs: number;
}
export type PodMetricsInfo = Map<string, PodMetric>;

export interface CalcOptions {
  now: number;
  /** --horizontal-pod-autoscaler-tolerance (0.1). */
  tolerance: number;
  /** --horizontal-pod-autoscaler-cpu-initialization-period (5 min). */
  cpuInitializationPeriodMs: number;
  /** --horizontal-pod-autoscaler-initial-readiness-delay (30 s). */
  delayOfInitialReadinessStatusMs: number;
}

export function calcOptions(o: Partial<CalcOptions> = {}): CalcOptions {
  return { now: o.now ?? Date.now(), tolerance: o.tolerance ?? 0.1, cpuInitializationPeriodMs: o.cpuInitializationPeriodMs ?? 300_000, delayOfInitialReadinessStatusMs: o.delayOfInitialReadinessStatusMs ?? 30_000 };
}

export class CalcError extends Error {}

const t = (s: string | undefined) => (s ? Date.parse(s) : NaN);

/**
 * What groupPods and podRequests read of a pod, worked out once per pod object: every sync of every
 * HPA walks its target's pods, and an informer's pod only changes by being replaced (a new object
 * per resourceVersion), so the parsed times and summed requests are keyed by the object itself.
 */
interface PodFacts {
  name: string;
  /** Deleted or Failed: groupPods ignores it. */
  ignored: boolean;
  pending: boolean;
  startMs: number;
  ready?: { status: string; transitionMs: number };
  /** podRequest's answers by `resource/container`: the last one asked (an HPA asks one), then the others. */
  requestKey: string;
  request: number | CalcError;
  requests: Map<string, number | CalcError> | undefined;
}
const facts = new WeakMap<KubeObject, PodFacts>();

function factsOf(pod: KubeObject): PodFacts {
  let f = facts.get(pod);
  if (!f) {
    const cond = ((pod.status?.conditions as any[]) ?? []).find((c) => c.type === 'Ready');
    const phase = pod.status?.phase;
    f = {
      name: pod.metadata.name!,
      ignored: !!pod.metadata.deletionTimestamp || phase === 'Failed',
      pending: phase === 'Pending',
      startMs: t(pod.status?.startTime), ready: cond && { status: cond.status, transitionMs: t(cond.lastTransitionTime) }, requestKey: '', request: 0, requests: undefined };
    facts.set(pod, f);
  }
  return f;
}

export interface PodGroups {
  readyPodCount: number;
  unready: Set<string>;
  missing: Set<string>;
  ignored: Set<string>;
}

/**
 * groupPods: deleted and failed pods are ignored, pending ones unready, pods without a metric
 * missing; for CPU a pod is also unready while not Ready, or (within the CPU initialization period)
 * when its sample was taken less than a window after it became Ready. A pod without startTime
 * (written by hand, never started by a kubelet) counts as started long ago.
 */
export function groupPods(pods: readonly KubeObject[], metrics: PodMetricsInfo, resource: string, o: CalcOptions): PodGroups {
  const g: PodGroups = { readyPodCount: 0, unready: new Set(), missing: new Set(), ignored: new Set() };
  const all = memoOf(pods)?.facts;
  for (let i = 0; i < pods.length; i++) {
    const f = all ? all[i] : factsOf(pods[i]);
    const name = f.name;
    if (f.ignored) {
      g.ignored.add(name);
      continue;
    }
    if (f.pending) {
      g.unready.add(name);
      continue;
    }
    const metric = metrics.get(name);
    if (!metric) {
      g.missing.add(name);
      continue;
    }
    if (resource === 'cpu') {
      const { ready: cond, startMs: start } = f;
      let unready: boolean;
      if (!cond) unready = true;
      else if (Number.isFinite(start) && start + o.cpuInitializationPeriodMs > o.now) {
        const transition = cond.transitionMs;
        unready = cond.status === 'False' || (Number.isFinite(transition) && metric.timestampMs < transition + metric.windowMs);
      } else {
        const transition = cond.transitionMs;
        unready = cond.status === 'False' && Number.isFinite(start) && Number.isFinite(transition) && start + o.delayOfInitialReadinessStatusMs > transition;
      }
      if (unready) {
        g.unready.add(name);
        continue;
      }
    }
    g.readyPodCount++;
  }
  return g;
}

/** calculatePodRequests: the pod's (or one container's) request of the resource, milli-units. The map is not to be changed (a frozen pods array's is kept for its next call). */
export function podRequests(pods: readonly KubeObject[], container: string, resource: string): Map<string, number> {
  const key = `${resource}/${container}`;
  const memo = memoOf(pods);
  let out = memo?.requests.get(key);
  if (out === undefined) {
    out = requestsOf(pods, key, container, resource);
    memo?.requests.set(key, out);
  }
  if (out instanceof CalcError) throw out;
  return out;
}

function requestsOf(pods: readonly KubeObject[], key: string, container: string, resource: string): Map<string, number> | CalcError {
  const out = new Map<string, number>();
  for (const pod of pods) {
    const f = factsOf(pod);
    const sum = f.requestKey === key ? f.request : requestOf(f, pod, key, container, resource);
    if (sum instanceof CalcError) return sum;
    out.set(f.name, sum);
  }
  return out;
}

/**
 * What groupPods and podRequests work out of a frozen pods array (listBySelector hands an HPA the
 * same frozen array every sync while its pods stay the same objects): the pods' facts in order, and
 * the requests by `resource/container`. A pods array that is not frozen could change: no memo.
 */
interface PodsMemo {
  facts: PodFacts[];
  requests: Map<string, Map<string, number> | CalcError>;
}
const podsMemos = new WeakMap<readonly KubeObject[], PodsMemo>();

function memoOf(pods: readonly KubeObject[]): PodsMemo | undefined {
  if (!Object.isFrozen(pods)) return undefined;
  let m = podsMemos.get(pods);
  if (!m) podsMemos.set(pods, (m = { facts: pods.map(factsOf), requests: new Map() }));
  return m;
}

/** The pod's request under key, worked out once per key (kept as the pod's last key asked, the others in a map). */
function requestOf(f: PodFacts, pod: KubeObject, key: string, container: string, resource: string): number | CalcError {
  if (f.requestKey) (f.requests ??= new Map()).set(f.requestKey, f.request);
  let sum = f.requests?.get(key);
  if (sum === undefined) sum = podRequest(pod, container, resource);
  f.requestKey = key;
  f.request = sum;
  return sum;
}

function podRequest(pod: KubeObject, container: string, resource: string): number | CalcError {
  let sum = 0;
  const cs: any[] = [...(pod.spec?.containers ?? []), ...((pod.spec?.initContainers as any[]) ?? []).filter((c) => c.restartPolicy === 'Always')];
  for (const c of cs) {
    if (container && c.name !== container) continue;
    const r = c.resources?.requests?.[resource];
    if (r === undefined) return new CalcError(`missing request for ${resource} in container ${c.name} of Pod ${pod.metadata.name}`);
    sum += milliValue(r);
  }
  return sum;
}

/** GetResourceUtilizationRatio: metrics of pods without a request are extraneous. */
export function utilizationRatio(metrics: PodMetricsInfo, requests: Map<string, number>, targetUtilization: number): { ratio: number; utilization: number; rawAverage: number } {
  let used = 0;
  let requested = 0;
  let n = 0;
  for (const [name, m] of metrics) {
    const r = requests.get(name);
    if (r === undefined) continue;
    used += m.value;
    requested += r;
    n++;
  }
  if (requested === 0) throw new CalcError('no metrics returned matched known pods');
  const utilization = Math.trunc((used * 100) / requested);
  return { ratio: utilization / targetUtilization, utilization, rawAverage: Math.trunc(used / n) };
}

/** GetMetricUsageRatio: average over the pods with metrics against the target average. */
export function usageRatio(metrics: PodMetricsInfo, target: number): { ratio: number; usage: number } {
  let total = 0;
  for (const m of metrics.values()) total += m.value;
  const usage = Math.trunc(total / metrics.size);
  return { ratio: usage / target, usage };
}

/** metrics without the pods of the sets: metrics itself when they are empty (no caller edits what this returns). */
function withoutPods(metrics: PodMetricsInfo, ...sets: Set<string>[]): PodMetricsInfo {
  if (sets.every((s) => s.size === 0)) return metrics;
  const out = new Map(metrics);
  for (const s of sets) for (const n of s) out.delete(n);
  return out;
}

/** What the conservative recomputation asks of a calculation: a missing pod's value on a scale down, and the usage ratio of a set of metrics. */
interface Recalc {
  fill(pod: string): number;
  ratio(metrics: PodMetricsInfo): number;
}

/** A Utilization target: a missing pod on a scale down uses its whole request (or the target, when that is above 100%). */
class UtilizationRecalc implements Recalc {
  constructor(
    private readonly requests: Map<string, number>,
    private readonly targetUtilization: number,
  ) {}
  fill(pod: string): number {
    return Math.trunc(((this.requests.get(pod) ?? 0) * Math.max(100, this.targetUtilization)) / 100);
  }
  ratio(m: PodMetricsInfo): number {
    return utilizationRatio(m, this.requests, this.targetUtilization).ratio;
  }
}

/** An AverageValue target: a missing pod on a scale down uses the target. */
class ValueRecalc implements Recalc {
  constructor(private readonly targetAverage: number) {}
  fill(): number {
    return this.targetAverage;
  }
  ratio(m: PodMetricsInfo): number {
    return usageRatio(m, this.targetAverage).ratio;
  }
}

/** The tail both calculations share: the tolerance, then the conservative recomputation. */
function decide(current: number, g: PodGroups, metrics: PodMetricsInfo, ratio: number, recalc: Recalc, tolerance: number): number {
  const scaleUpWithUnready = g.unready.size > 0 && ratio > 1;
  if (!scaleUpWithUnready && g.missing.size === 0) {
    if (Math.abs(1 - ratio) <= tolerance) return current;
    return Math.ceil(ratio * g.readyPodCount);
  }
  const m = new Map(metrics);
  if (g.missing.size > 0) {
    if (ratio < 1) for (const n of g.missing) m.set(n, { value: recalc.fill(n), timestampMs: 0, windowMs: 0 });
    else if (ratio > 1) for (const n of g.missing) m.set(n, { value: 0, timestampMs: 0, windowMs: 0 });
  }
  if (scaleUpWithUnready) for (const n of g.unready) m.set(n, { value: 0, timestampMs: 0, windowMs: 0 });
  const next = recalc.ratio(m);
  if (Math.abs(1 - next) <= tolerance || (ratio < 1 && next > 1) || (ratio > 1 && next < 1)) return current;
  const replicas = Math.ceil(next * m.size);
  if ((next < 1 && replicas > current) || (next > 1 && replicas < current)) return current;
  return replicas;
}

function checkPods(pods: readonly KubeObject[]): void {
  if (pods.length === 0) throw new CalcError('no pods returned by selector while calculating replica count');
}

/** GetResourceReplicas: a Utilization target (percent of request), for the pods or one container. */
export function resourceReplicas(current: number, targetUtilization: number, resource: string, container: string, pods: readonly KubeObject[], metrics: PodMetricsInfo, o: CalcOptions): { replicas: number; utilization: number; rawAverage: number } {
  checkPods(pods);
  const g = groupPods(pods, metrics, resource, o);
  const counted = withoutPods(metrics, g.ignored, g.unready);
  if (counted.size === 0) throw new CalcError('did not receive metrics for targeted pods (pods might be unready)');
  const requests = podRequests(pods, container, resource);
  const { ratio, utilization, rawAverage } = utilizationRatio(counted, requests, targetUtilization);
  const replicas = decide(current, g, counted, ratio, new UtilizationRecalc(requests, targetUtilization), o.tolerance);
  return { replicas, utilization, rawAverage };
}

/** GetRawResourceReplicas / calcPlainMetricReplicas: an AverageValue target (milli-units per pod). */
export function plainReplicas(current: number, targetAverage: number, resource: string, pods: readonly KubeObject[], metrics: PodMetricsInfo, o: CalcOptions): { replicas: number; usage: number } {
  checkPods(pods);
  const g = groupPods(pods, metrics, resource, o);
  const counted = withoutPods(metrics, g.ignored, g.unready);
  if (counted.size === 0) throw new CalcError('did not receive metrics for targeted pods (pods might be unready)');
  const { ratio, usage } = usageRatio(counted, targetAverage);
  const replicas = decide(current, g, counted, ratio, new ValueRecalc(targetAverage), o.tolerance);
  return { replicas, usage };
}
