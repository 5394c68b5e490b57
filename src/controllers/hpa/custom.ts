// Pods, Object and External metrics (pkg/controller/podautoscaler: computeStatusFor{Pods,Object,
// External}Metric and the replica calculator's GetMetricReplicas, GetObjectMetricReplicas,
// GetObjectPerPodMetricReplicas, GetExternalMetricReplicas, GetExternalPerPodMetricReplicas) as
// pure functions of what the controller fetched from custom.metrics.k8s.io / external.metrics.k8s.io.
import type { KubeObject } from '../../api/types.ts';
import { milliValue } from '../../api/quantity.ts';
import { CalcError, plainReplicas, type CalcOptions, type PodMetricsInfo } from './replicas.ts';
import { milliQuantity } from './plan.ts';

/** What one metric's fetch gave: the list's items, or the client's error message. */
export type Fetched = { items: any[] } | { error: string };

export interface CustomProposal {
  replicas: number;
  metricStatus: any;
  description: string;
  timestampMs?: number;
}

/** A failed metric: `detail` is the event's and the condition's text, `message` what computeReplicasForMetric returns. */
export class CustomMetricError extends Error {
  constructor(
    readonly reason: string,
    readonly detail: string,
    message: string,
  ) {
    super(message);
  }
}

/** Go's %+v of a *metav1.LabelSelector (its generated String()): "<nil>" or "&LabelSelector{MatchLabels:map[string]string{a: b,},MatchExpressions:[]LabelSelectorRequirement{},}". */
export function goSelector(sel: any): string {
  if (!sel) return '<nil>';
  const labels = Object.keys(sel.matchLabels ?? {})
    .sort()
    .map((k) => `${k}: ${sel.matchLabels[k]},`)
    .join('');
  const exprs = ((sel.matchExpressions as any[]) ?? []).map((e) => `LabelSelectorRequirement{Key:${e.key},Operator:${e.operator},Values:[${(e.values ?? []).join(' ')}],},`).join('');
  return `&LabelSelector{MatchLabels:map[string]string{${labels}},MatchExpressions:[]LabelSelectorRequirement{${exprs}},}`;
}

const tsOf = (items: any[]) => (items.length ? Date.parse(items[0].timestamp) || undefined : undefined);
const identifier = (metric: any) => ({ name: metric?.name ?? '', ...(metric?.selector ? { selector: metric.selector } : {}) });

/** getReadyPodsCount: Running and Ready pods of the target. */
function readyPodsCount(pods: readonly KubeObject[]): number {
  if (pods.length === 0) throw new CalcError('unable to calculate ready pods: no pods returned by selector while calculating replica count');
  let n = 0;
  for (const p of pods) if (p.status?.phase === 'Running' && ((p.status?.conditions as any[]) ?? []).some((c) => c.type === 'Ready' && c.status === 'True')) n++;
  return n;
}

/** getUsageRatioReplicaCount. */
export function usageRatioReplicas(current: number, ratio: number, pods: readonly KubeObject[], tolerance: number): number {
  if (current === 0) return Math.ceil(ratio);
  if (Math.abs(1 - ratio) <= tolerance) return current;
  return Math.ceil(ratio * readyPodsCount(pods));
}

/** GetObjectPerPodMetricReplicas / GetExternalPerPodMetricReplicas: the total against target × replicas. */
export function perPodReplicas(statusReplicas: number, total: number, targetPerPod: number, tolerance: number): { replicas: number; usage: number } {
  let replicas = statusReplicas;
  const ratio = total / (targetPerPod * statusReplicas);
  if (Math.abs(1 - ratio) > tolerance) replicas = Math.ceil(total / targetPerPod);
  return { replicas, usage: statusReplicas > 0 ? Math.ceil(total / statusReplicas) : 0 };
}

/** computeStatusForPodsMetric + GetMetricReplicas (AverageValue over the target's pods). */
export function podsMetricProposal(spec: any, current: number, pods: readonly KubeObject[], fetched: Fetched, o: CalcOptions): CustomProposal {
  const s = spec.pods ?? {};
  const name: string = s.metric?.name ?? '';
  const fail = (detail: string): never => {
    throw new CustomMetricError('FailedGetPodsMetric', detail, `failed to get pods metric value: ${detail}`);
  };
  if ('error' in fetched) return fail(`unable to get metric ${name}: unable to fetch metrics from custom metrics API: ${fetched.error}`);
  if (fetched.items.length === 0) return fail(`unable to get metric ${name}: no metrics returned from custom metrics API`);
  const metrics: PodMetricsInfo = new Map();
  const timestampMs = tsOf(fetched.items);
  for (const it of fetched.items) metrics.set(it.describedObject?.name, { value: milliValue(it.value), timestampMs: Date.parse(it.timestamp) || 0, windowMs: (it.windowSeconds ?? 0) * 1000 });
  try {
    const r = plainReplicas(current, milliValue(s.target?.averageValue ?? '0'), '', pods, metrics, o);
    return { replicas: r.replicas, metricStatus: { type: 'Pods', pods: { metric: identifier(s.metric), current: { averageValue: milliQuantity(r.usage) } } }, description: `pods metric ${name}`, timestampMs };
  } catch (e) {
    if (e instanceof CalcError) return fail(e.message);
    throw e;
  }
}

/** computeStatusForObjectMetric: a Value target (GetObjectMetricReplicas) or an AverageValue one (GetObjectPerPodMetricReplicas). */
export function objectMetricProposal(spec: any, namespace: string, specReplicas: number, statusReplicas: number, pods: readonly KubeObject[], fetched: Fetched, o: CalcOptions): CustomProposal {
  const s = spec.object ?? {};
  const name: string = s.metric?.name ?? '';
  const ref = s.describedObject ?? {};
  const type = s.target?.type;
  const fail = (detail: string, inner = detail): never => {
    throw new CustomMetricError('FailedGetObjectMetric', detail, `failed to get object metric value: ${inner}`);
  };
  if (type !== 'Value' && type !== 'AverageValue') return fail('invalid object metric source: neither a value target nor an average value target was set');
  const wrap = (d: string) => (type === 'AverageValue' ? `failed to get ${name} object metric: ${d}` : d);
  // the calculator's Sprintf has one verb too few for its arguments: Kind lands in the first %v
  const fetchFail = (err: string) => {
    const d = `unable to get metric ${name}: ${ref.kind} on ${namespace} ${ref.name}/${err}`;
    return fail(d, wrap(d));
  };
  if ('error' in fetched) return fetchFail(`unable to fetch metrics from custom metrics API: ${fetched.error}`);
  const item = fetched.items[0];
  if (!item) return fetchFail('unable to fetch metrics from custom metrics API: no metrics returned from custom metrics API');
  const usage = milliValue(item.value);
  const timestampMs = Date.parse(item.timestamp) || undefined;
  if (type === 'Value') {
    const target = milliValue(s.target.value ?? '0');
    try {
      const replicas = usageRatioReplicas(specReplicas, usage / target, pods, o.tolerance);
      return { replicas, metricStatus: { type: 'Object', object: { describedObject: ref, metric: identifier(s.metric), current: { value: milliQuantity(usage) } } }, description: `${ref.kind} metric ${name}`, timestampMs };
    } catch (e) {
      if (e instanceof CalcError) return fail(e.message);
      throw e;
    }
  }
  const r = perPodReplicas(statusReplicas, usage, milliValue(s.target.averageValue ?? '0'), o.tolerance);
  return { replicas: r.replicas, metricStatus: { type: 'Object', object: { metric: identifier(s.metric), current: { averageValue: milliQuantity(r.usage) } } }, description: `external metric ${name}(${goSelector(s.metric?.selector)})`, timestampMs };
}

/** computeStatusForExternalMetric: AverageValue (GetExternalPerPodMetricReplicas) before Value (GetExternalMetricReplicas); the series are summed. */
export function externalMetricProposal(spec: any, namespace: string, specReplicas: number, statusReplicas: number, pods: readonly KubeObject[], fetched: Fetched, o: CalcOptions): CustomProposal {
  const s = spec.external ?? {};
  const name: string = s.metric?.name ?? '';
  const target = s.target ?? {};
  const perPod = target.averageValue !== undefined;
  const fail = (detail: string, inner = detail): never => {
    throw new CustomMetricError('FailedGetExternalMetric', detail, `failed to get ${name} external metric value: ${inner}`);
  };
  if (!perPod && target.value === undefined) return fail('invalid external metric source: neither a value target nor an average value target was set');
  const wrap = (d: string) => (perPod ? `failed to get ${name} external metric: ${d}` : `failed to get external metric ${name}: ${d}`);
  const prefix = `unable to get external metric ${namespace}/${name}/${goSelector(s.metric?.selector)}: `;
  if ('error' in fetched) return fail(prefix + `unable to fetch metrics from external metrics API: ${fetched.error}`, wrap(prefix + `unable to fetch metrics from external metrics API: ${fetched.error}`));
  if (fetched.items.length === 0) return fail(prefix + 'no metrics returned from external metrics API', wrap(prefix + 'no metrics returned from external metrics API'));
  const total = fetched.items.reduce((n, it) => n + milliValue(it.value), 0);
  const timestampMs = tsOf(fetched.items);
  const description = `external metric ${name}(${goSelector(s.metric?.selector)})`;
  const metric = identifier(s.metric);
  if (perPod) {
    const r = perPodReplicas(statusReplicas, total, milliValue(target.averageValue), o.tolerance);
    return { replicas: r.replicas, metricStatus: { type: 'External', external: { metric, current: { averageValue: milliQuantity(r.usage) } } }, description, timestampMs };
  }
  try {
    const replicas = usageRatioReplicas(specReplicas, total / milliValue(target.value), pods, o.tolerance);
    return { replicas, metricStatus: { type: 'External', external: { metric, current: { value: milliQuantity(total) } } }, description, timestampMs };
  } catch (e) {
    if (e instanceof CalcError) return fail(e.message, wrap(e.message));
    throw e;
  }
}
