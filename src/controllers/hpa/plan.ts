// HorizontalPodAutoscaler decisions as pure functions (pkg/controller/podautoscaler): the replica
// count each metric of spec.metrics proposes (replicas.ts: Resource and ContainerResource, with
// Utilization or AverageValue targets), the metric statuses and the errors with Kubernetes'
// wording, the choice among metrics; then behaviors and bounds (behavior.ts).
import type { KubeObject } from '../../api/types.ts';
import { milliValue } from '../../api/quantity.ts';
import { normalizeWithBehavior, scaleDownRules, scaleUpRules, type Recommendation, type ScaleEvent } from './behavior.ts';
import { CalcError, calcOptions, plainReplicas, resourceReplicas, type CalcOptions, type PodMetricsInfo } from './replicas.ts';
import { CustomMetricError, externalMetricProposal, objectMetricProposal, podsMetricProposal, type Fetched } from './custom.ts';

export type { Recommendation, ScaleEvent } from './behavior.ts';

export const Tolerance = 0.1;

/** Usage per pod name per resource, in milli-units (cpu millicores, memory milli-bytes). */
export type PodUsage = Map<string, Record<string, number>>;

export interface Proposal {
  replicas: number;
  /** For status.currentMetrics. */
  metricStatus: any;
  /** e.g. "cpu resource utilization (percentage of request)". */
  description: string;
  timestampMs?: number;
}

/** A metric the controller could not evaluate: the condition/event reason and the messages Kubernetes writes. */
export class MetricError extends Error {
  constructor(
    /** FailedGetResourceMetric, FailedGetContainerResourceMetric, FailedGetPodsMetric, ... */
    readonly reason: string,
    /** The event's message; the condition's is "the HPA was unable to compute the replica count: " + this. */
    readonly detail: string,
    /** The error computeReplicasForMetrics reports ("failed to get cpu resource metric value: ..."). */
    message: string,
  ) {
    super(message);
  }
}

/** resource.NewMilliQuantity(v, DecimalSI).String(): "250m", "2", "64M", "67108864". */
export function milliQuantity(milli: number): string {
  const v = Math.trunc(milli);
  if (v % 1000 !== 0) return `${v}m`;
  let n = v / 1000;
  if (n === 0) return '0';
  const suffixes = ['', 'k', 'M', 'G', 'T', 'P', 'E'];
  let i = 0;
  while (i < suffixes.length - 1 && n % 1000 === 0) {
    n /= 1000;
    i++;
  }
  return `${n}${suffixes[i]}`;
}

/**
 * getPodMetrics / getContainerMetrics: PodMetrics items → one value per pod (the sum over its
 * containers, or the named container's). A pod missing the resource in a container is left out;
 * a pod without the named container is an error.
 */
export function podMetricsInfo(items: KubeObject[], resource: string, container = ''): PodMetricsInfo {
  const out: PodMetricsInfo = new Map();
  for (const m of items) {
    const cs = (m.containers as any[]) ?? [];
    const timestampMs = parseTimestamp(m.timestamp as string);
    const windowMs = parseWindow(m.window as string);
    if (container) {
      const c = cs.find((x) => x.name === container);
      if (!c) throw new CalcError(`failed to get container metrics: container ${container} not present in metrics for pod ${m.metadata.namespace}/${m.metadata.name}`);
      if (c.usage?.[resource] !== undefined) out.set(m.metadata.name!, { value: milliValue(c.usage[resource]), timestampMs, windowMs });
      continue;
    }
    // the sum over the containers; a container without the resource leaves the pod out
    if (cs.length === 0 || !everyHas(cs, resource)) continue;
    let value = 0;
    for (const c of cs) value += milliValue(c.usage[resource]);
    out.set(m.metadata.name!, { value, timestampMs, windowMs });
  }
  return out;
}

function everyHas(cs: any[], resource: string): boolean {
  for (const c of cs) if (c.usage?.[resource] === undefined) return false;
  return true;
}

/** A sample's timestamp (ms, 0 when unparsable): one scrape stamps all its pods alike, so the last one is kept. */
let lastStamp: { s: string; ms: number } = { s: '', ms: 0 };
function parseTimestamp(s: string): number {
  if (s !== lastStamp.s) lastStamp = { s, ms: Date.parse(s) || 0 };
  return lastStamp.ms;
}

/** "15s", "1m30s", "300ms", "1.5s" → ms. */
export function parseWindow(s: string | undefined): number {
  if (!s) return 0;
  let ms = windows.get(s);
  if (ms === undefined) {
    ms = parseWindowText(s);
    if (windows.size < 64) windows.set(s, ms);
  }
  return ms;
}
/** The few windows a metrics server reports ("1m0s", "15s"), parsed once each. */
const windows = new Map<string, number>();

function parseWindowText(s: string): number {
  let ms = 0;
  for (const [, n, u] of s.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)) ms += parseFloat(n) * (u === 'h' ? 3600_000 : u === 'm' ? 60_000 : u === 's' ? 1000 : 1);
  return Math.round(ms);
}

const SOURCES: Record<string, { key: string; reason: string; what: string }> = {
  Resource: { key: 'resource', reason: 'FailedGetResourceMetric', what: 'resource metric' },
  ContainerResource: { key: 'containerResource', reason: 'FailedGetContainerResourceMetric', what: 'container metric' },
  Pods: { key: 'pods', reason: 'FailedGetPodsMetric', what: 'pods metric' },
  Object: { key: 'object', reason: 'FailedGetObjectMetric', what: 'object metric' },
  External: { key: 'external', reason: 'FailedGetExternalMetric', what: 'external metric' },
};

/** What the controller fetched for the Pods, Object and External metrics of one sync. */
export interface CustomInputs {
  namespace: string;
  /** scale.status.replicas (the per-pod targets divide by it). */
  statusReplicas: number;
  /** The answer of custom.metrics.k8s.io / external.metrics.k8s.io for that entry of spec.metrics. */
  fetched(spec: any): Fetched;
}

/**
 * The proposal of one entry of spec.metrics. `podMetrics` is the PodMetrics list of the target's
 * pods (undefined: the metrics API failed, `metricsError` says why).
 */
export function metricProposal(spec: any, current: number, pods: readonly KubeObject[], podMetrics: KubeObject[] | undefined, o: CalcOptions, metricsError = 'no metrics returned from resource metrics API', custom?: CustomInputs): Proposal {
  const src = SOURCES[spec?.type];
  if (!src) throw new MetricError('InvalidMetricSourceType', `unknown metric source type "${spec?.type}"`, `unknown metric source type "${spec?.type}"`);
  const s = spec[src.key] ?? {};
  const name: string = s.name ?? s.metric?.name ?? '';
  if (custom && (src.key === 'pods' || src.key === 'object' || src.key === 'external')) {
    try {
      const f = custom.fetched(spec);
      if (src.key === 'pods') return podsMetricProposal(spec, current, pods, f, o);
      if (src.key === 'object') return objectMetricProposal(spec, custom.namespace, current, custom.statusReplicas, pods, f, o);
      return externalMetricProposal(spec, custom.namespace, current, custom.statusReplicas, pods, f, o);
    } catch (e) {
      if (e instanceof CustomMetricError) throw new MetricError(e.reason, e.detail, e.message);
      throw e;
    }
  }
  if (src.key !== 'resource' && src.key !== 'containerResource') {
    const api = src.key === 'external' ? 'external metrics API (external.metrics.k8s.io)' : 'custom metrics API (custom.metrics.k8s.io)';
    const detail = `unable to get metric ${name}: unable to fetch metrics from ${src.key === 'external' ? 'external' : 'custom'} metrics API: no ${api} registered`;
    throw new MetricError(src.reason, detail, `failed to get ${src.what} value: ${detail}`);
  }
  const container: string = src.key === 'containerResource' ? (s.container ?? '') : '';
  const target = s.target ?? {};
  const valueTarget = target.averageValue !== undefined;
  if (!valueTarget && target.averageUtilization === undefined) throw resourceFailure(src, name, target, 'invalid resource metric source: neither an average utilization target nor an average value (usage) target was set');
  try {
    if (!podMetrics || podMetrics.length === 0) throw new CalcError(`unable to get metrics for resource ${name}: ${metricsError}`);
    let metrics: PodMetricsInfo;
    try {
      metrics = podMetricsInfo(podMetrics, name, container);
    } catch (e) {
      throw new CalcError(`unable to get metrics for resource ${name}: ${(e as Error).message}`);
    }
    const timestampMs = parseTimestamp(podMetrics[0].timestamp as string) || undefined;
    if (valueTarget) {
      const r = plainReplicas(current, milliValue(target.averageValue), name, pods, metrics, o);
      return { replicas: r.replicas, metricStatus: resourceStatus(src, name, container, { averageValue: milliQuantity(r.usage) }), description: `${name} ${src.key === 'resource' ? 'resource' : 'container resource'}`, timestampMs };
    }
    const r = resourceReplicas(current, target.averageUtilization, name, container, pods, metrics, o);
    return {
      replicas: r.replicas,
      metricStatus: resourceStatus(src, name, container, { averageUtilization: r.utilization, averageValue: milliQuantity(r.rawAverage) }),
      description: `${name} ${src.key === 'resource' ? 'resource' : 'container resource'} utilization (percentage of request)`,
      timestampMs,
    };
  } catch (e) {
    if (e instanceof CalcError) throw resourceFailure(src, name, target, e.message);
    throw e;
  }
}

type Source = (typeof SOURCES)[string];

/** A Resource or ContainerResource metric's error, worded as Kubernetes words it. */
function resourceFailure(src: Source, name: string, target: any, inner: string): MetricError {
  const detail = target.averageValue === undefined && target.averageUtilization === undefined ? inner : `failed to get ${name} ${target.averageValue !== undefined ? 'usage' : 'utilization'}: ${inner}`;
  return new MetricError(src.reason, detail, `failed to get ${name} ${src.what} value: ${detail}`);
}

/** A Resource or ContainerResource metric's entry of status.currentMetrics. */
function resourceStatus(src: Source, name: string, container: string, current: any): any {
  return src.key === 'resource' ? { type: 'Resource', resource: { name, current } } : { type: 'ContainerResource', containerResource: { name, container, current } };
}

export interface MetricsResult {
  /** -1: no usable metric (error set). */
  replicas: number;
  /** The metric that proposed the most (for the rescale reason and the ValidMetricFound message). */
  description: string;
  /** status.currentMetrics, index for index with spec.metrics ({type: ""} where a metric failed). */
  statuses: any[];
  /** Per failed metric: its error. */
  failures: MetricError[];
  /** Set when the HPA cannot scale on these metrics: "invalid metrics (1 invalid out of 1), first error is: ...". */
  error?: string;
}

/** computeReplicasForMetrics: the highest proposal wins; every metric failing (or a failure while scaling down) stops scaling. */
export function replicasForMetrics(specs: any[], current: number, pods: readonly KubeObject[], podMetrics: KubeObject[] | undefined, o: CalcOptions, metricsError?: string, custom?: CustomInputs): MetricsResult {
  const res: MetricsResult = { replicas: 0, description: '', statuses: [], failures: [] };
  for (const spec of specs) {
    try {
      const p = metricProposal(spec, current, pods, podMetrics, o, metricsError, custom);
      res.statuses.push(p.metricStatus);
      if (res.replicas === 0 || p.replicas > res.replicas) {
        res.replicas = p.replicas;
        res.description = p.description;
      }
    } catch (e) {
      if (!(e instanceof MetricError)) throw e;
      res.statuses.push({ type: '' });
      res.failures.push(e);
    }
  }
  const invalid = res.failures.length;
  if (invalid >= specs.length || (invalid > 0 && res.replicas < current)) {
    res.error = `invalid metrics (${invalid} invalid out of ${specs.length}), first error is: ${res.failures[0]?.message ?? 'no metrics'}`;
    res.replicas = -1;
  }
  return res;
}

// ---- the shapes earlier callers used -------------------------------------------------------------

function asMetricsItems(usage: PodUsage): KubeObject[] {
  return [...usage].map(([name, u]) => ({ metadata: { name }, containers: [{ name: '', usage: Object.fromEntries(Object.entries(u).map(([r, v]) => [r, `${v}m`])) }] }) as any);
}

/** One Resource metric's proposal from usage per pod (GetResourceReplicas / GetRawResourceReplicas); throws with Kubernetes' message. */
export function resourceProposal(metric: any, currentReplicas: number, pods: readonly KubeObject[], usage: PodUsage, o: Partial<CalcOptions> = {}): Proposal {
  const p = metricProposal(metric, currentReplicas, pods, asMetricsItems(usage), calcOptions(o));
  delete p.timestampMs;
  return p;
}

export interface Normalized {
  replicas: number;
  limited?: { reason: string; message: string };
}

/** The behavior path (spec.behavior, defaults filled in) with min/max: replicas, and ScalingLimited when it limited them. */
export function normalize(hpa: KubeObject, current: number, proposed: number, recommendations: Recommendation[], events: ScaleEvent[], now: number): Normalized {
  const b = hpa.spec?.behavior ?? {};
  const n = normalizeWithBehavior(current, proposed, hpa.spec?.minReplicas ?? 1, hpa.spec?.maxReplicas, scaleUpRules(b.scaleUp), scaleDownRules(b.scaleDown), recommendations, events, now);
  return n.scalingLimited.status === 'True' ? { replicas: n.replicas, limited: { reason: n.scalingLimited.reason, message: n.scalingLimited.message } } : { replicas: n.replicas };
}

/** PodMetrics (metrics.k8s.io) → usage per pod, summed over containers. */
export function usageFromPodMetrics(items: KubeObject[]): PodUsage {
  const out: PodUsage = new Map();
  for (const m of items) {
    const u: Record<string, number> = {};
    for (const c of (m.containers as any[]) ?? []) for (const [r, q] of Object.entries(c.usage ?? {})) u[r] = (u[r] ?? 0) + milliValue(q as string);
    out.set(m.metadata.name!, u);
  }
  return out;
}
