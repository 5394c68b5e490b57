// HorizontalPodAutoscaler decisions as pure functions (pkg/controller/podautoscaler): the replica
// count each metric proposes (replica_calculator.go: utilization of requests, tolerance 0.1,
// conservative fill-in for pods without metrics), then behaviors (stabilization windows, scale
// up/down policies) and min/max bounds (normalizeDesiredReplicasWithBehaviors).
import type { KubeObject } from '../../api/types.ts';
import { milliValue } from '../../api/quantity.ts';
import { isPodReady } from '../util/pod.ts';

export const Tolerance = 0.1;

/** Usage per pod name per resource, in milli-units (cpu millicores, memory milli-bytes). */
export type PodUsage = Map<string, Record<string, number>>;

export interface Proposal {
  replicas: number;
  /** For status.currentMetrics. */
  metricStatus: any;
  /** e.g. "cpu resource utilization (percentage of request)". */
  description: string;
}

function podRequest(pod: KubeObject, resource: string): number | undefined {
  let total = 0;
  for (const c of pod.spec?.containers ?? []) {
    const r = c.resources?.requests?.[resource];
    if (r === undefined) return undefined;
    total += milliValue(r);
  }
  return total;
}

/**
 * GetResourceReplicas / GetRawResourceReplicas for one Resource metric. Throws with Kubernetes'
 * message when a request is missing (for utilization) or no pod has metrics.
 */
export function resourceProposal(metric: any, currentReplicas: number, pods: KubeObject[], usage: PodUsage): Proposal {
  const name: string = metric.resource.name;
  const target = metric.resource.target ?? {};
  const live = pods.filter((p) => !p.metadata.deletionTimestamp && p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded');
  const withMetrics = live.filter((p) => usage.get(p.metadata.name!)?.[name] !== undefined);
  const missing = live.filter((p) => usage.get(p.metadata.name!)?.[name] === undefined);
  // CPU of pods that are not ready yet is not trusted (it may be start-up load).
  const ignored = name === 'cpu' ? withMetrics.filter((p) => !isPodReady(p)) : [];
  const counted = withMetrics.filter((p) => !ignored.includes(p));
  if (counted.length === 0) throw new Error(`did not receive metrics for targeted pods (pods might be unready)`);
  const used = (ps: KubeObject[]) => ps.reduce((n, p) => n + usage.get(p.metadata.name!)![name], 0);

  if (target.type === 'Utilization') {
    const requests = new Map<string, number>();
    for (const p of live) {
      const r = podRequest(p, name);
      if (r === undefined || r === 0) throw new Error(`failed to get ${name} utilization: missing request for ${name} in container ${p.spec?.containers?.[0]?.name ?? ''} of Pod ${p.metadata.name}`);
      requests.set(p.metadata.name!, r);
    }
    const req = (ps: KubeObject[]) => ps.reduce((n, p) => n + requests.get(p.metadata.name!)!, 0);
    const targetUtil: number = target.averageUtilization;
    const utilization = Math.floor((used(counted) * 100) / req(counted));
    const ratio = utilization / targetUtil;
    const metricStatus = { type: 'Resource', resource: { name, current: { averageUtilization: utilization, averageValue: milliString(used(counted) / counted.length, name) } } };
    const description = `${name} resource utilization (percentage of request)`;
    const plain = () => (Math.abs(ratio - 1) <= Tolerance ? currentReplicas : Math.ceil(ratio * counted.length));
    if (missing.length === 0 && ignored.length === 0) return { replicas: plain(), metricStatus, description };
    if (Math.abs(ratio - 1) <= Tolerance) return { replicas: currentReplicas, metricStatus, description };
    // Conservative fill-in: missing pods use 0 when scaling up and 100% of request when scaling down;
    // ignored (unready) pods count as 0 when scaling up.
    let u = used(counted);
    let r = req(counted);
    let n = counted.length;
    for (const p of missing) {
      r += requests.get(p.metadata.name!)!;
      if (ratio < 1) u += requests.get(p.metadata.name!)!;
      n++;
    }
    if (ratio > 1)
      for (const p of ignored) {
        r += requests.get(p.metadata.name!)!;
        n++;
      }
    const newRatio = (u * 100) / r / targetUtil;
    if (Math.abs(newRatio - 1) <= Tolerance || (ratio < 1 && newRatio > 1) || (ratio > 1 && newRatio < 1)) return { replicas: currentReplicas, metricStatus, description };
    const proposed = Math.ceil(newRatio * n);
    if ((newRatio < 1 && proposed > currentReplicas) || (newRatio > 1 && proposed < currentReplicas)) return { replicas: currentReplicas, metricStatus, description };
    return { replicas: proposed, metricStatus, description };
  }
  // AverageValue: total usage over the target per pod.
  const targetValue = milliValue(target.averageValue);
  const total = used(counted);
  const ratio = total / (targetValue * counted.length);
  const replicas = Math.abs(ratio - 1) <= Tolerance ? currentReplicas : Math.ceil(total / targetValue);
  return { replicas, metricStatus: { type: 'Resource', resource: { name, current: { averageValue: milliString(total / counted.length, name) } } }, description: `${name} resource` };
}

function milliString(milli: number, resource: string): string {
  if (resource === 'cpu') return `${Math.round(milli)}m`;
  return String(Math.round(milli / 1000));
}

export interface Recommendation {
  at: number;
  replicas: number;
}
export interface ScaleEvent {
  at: number;
  /** replicas added (positive) or removed (negative). */
  change: number;
}

const defaultUp = { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }, { type: 'Pods', value: 4, periodSeconds: 15 }] };
const defaultDown = { selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] };

/** The limit a set of policies puts on one direction, from the replicas at the start of each period. */
function policyLimit(rules: any, current: number, events: ScaleEvent[], up: boolean, now: number): number {
  if (rules.selectPolicy === 'Disabled') return current;
  const limits = (rules.policies ?? []).map((p: any) => {
    const since = now - p.periodSeconds * 1000;
    const changed = events.filter((e) => e.at > since && (up ? e.change > 0 : e.change < 0)).reduce((n, e) => n + e.change, 0);
    const start = current - changed;
    if (up) return p.type === 'Pods' ? start + p.value : Math.ceil(start * (1 + p.value / 100));
    return p.type === 'Pods' ? start - p.value : Math.floor(start * (1 - p.value / 100));
  });
  if (limits.length === 0) return up ? Infinity : -Infinity;
  const pickMax = (rules.selectPolicy ?? 'Max') === 'Max';
  return up ? (pickMax ? Math.max(...limits) : Math.min(...limits)) : pickMax ? Math.min(...limits) : Math.max(...limits);
}

export interface Normalized {
  replicas: number;
  limited?: { reason: 'TooManyReplicas' | 'TooFewReplicas' | 'ScaleUpLimit' | 'ScaleDownLimit'; message: string };
}

/** Stabilization windows, scaling policies, then minReplicas/maxReplicas. */
export function normalize(hpa: KubeObject, current: number, proposed: number, recommendations: Recommendation[], events: ScaleEvent[], now: number): Normalized {
  const behavior = hpa.spec?.behavior ?? {};
  const up = { ...defaultUp, ...(behavior.scaleUp ?? {}) };
  const down = { ...defaultDown, stabilizationWindowSeconds: 300, ...(behavior.scaleDown ?? {}) };
  let upRec = proposed;
  let downRec = proposed;
  for (const r of recommendations) {
    if (r.at > now - (up.stabilizationWindowSeconds ?? 0) * 1000) upRec = Math.min(upRec, r.replicas);
    if (r.at > now - (down.stabilizationWindowSeconds ?? 300) * 1000) downRec = Math.max(downRec, r.replicas);
  }
  let desired = current < upRec ? upRec : current > downRec ? downRec : current;
  let limited: Normalized['limited'];
  if (desired > current) {
    const lim = policyLimit(up, current, events, true, now);
    if (desired > lim) {
      desired = lim;
      limited = { reason: 'ScaleUpLimit', message: 'the desired replica count is increasing faster than the maximum scale rate' };
    }
  } else if (desired < current) {
    const lim = policyLimit(down, current, events, false, now);
    if (desired < lim) {
      desired = lim;
      limited = { reason: 'ScaleDownLimit', message: 'the desired replica count is decreasing faster than the maximum scale rate' };
    }
  }
  const min = hpa.spec?.minReplicas ?? 1;
  const max = hpa.spec?.maxReplicas;
  if (desired > max) return { replicas: max, limited: { reason: 'TooManyReplicas', message: 'the desired replica count is more than the maximum replica count' } };
  if (desired < min) return { replicas: min, limited: { reason: 'TooFewReplicas', message: 'the desired replica count is less than the minimum replica count' } };
  return { replicas: desired, limited };
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
