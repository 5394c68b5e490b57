// The data behind custom.metrics.k8s.io and external.metrics.k8s.io, as pure functions
// (docs/node-simulation.md, "Custom and external metrics"):
// - an object's metric `<m>`: its annotation `kubesim.io/metric-<m>`, a quantity or a pattern over
//   time (the load annotations' syntax: `sine(10,50,5m)`, `ramp(0,100,10m)`, `walk(20)`, ...);
// - a pod without that annotation takes its share of its workload's (Deployment, ReplicaSet,
//   StatefulSet) annotation: the total spread over the workload's ready pods (0 while not ready);
// - an external metric `<m>`: the key `<m>` of the ConfigMap kube-system/kubesim-external-metrics
//   (or a ConfigMap of that name in the request's namespace, which wins), one series per line:
//   `<pattern>` or `{label=value,...} <pattern>`.
import type { KubeObject } from '../../api/types.ts';
import { milliValueOrZero } from '../../api/quantity.ts';
import { parsePattern, patternAt, type Pattern } from '../../api/core/patterns.ts';
import { hash32 } from '../../api/core/hash.ts';

export const METRIC_ANNOTATION_PREFIX = 'kubesim.io/metric-';
export const EXTERNAL_METRICS_CONFIGMAP = 'kubesim-external-metrics';
export const EXTERNAL_METRICS_NAMESPACE = 'kube-system';
/** The window the values are reported over (the scrape resolution). */
export const WINDOW_SECONDS = 15;

const patterns = new Map<string, Pattern | null>();

export function pattern(text: string): Pattern | undefined {
  let p = patterns.get(text);
  if (p === undefined) patterns.set(text, (p = parsePattern(text, milliValueOrZero) ?? null));
  return p ?? undefined;
}

/** When each (source, pattern) was first evaluated: the start of step/ramp/sine shapes. */
export class PatternClock {
  private readonly since = new Map<string, number>();
  /** The pattern's value in milli-units at `now`, or undefined when the text is no pattern. */
  valueAt(text: string, seedKey: string, now: number): number | undefined {
    const p = pattern(text);
    if (!p) return undefined;
    const key = `${seedKey}\u0000${text}`;
    let start = this.since.get(key);
    if (start === undefined) this.since.set(key, (start = now));
    return Math.max(0, Math.round(patternAt(p, hash32(seedKey), now - start, now)));
  }
}

/** resource.NewMilliQuantity(v, DecimalSI).String() for values a metric carries: "30", "1500m". */
export function milliString(milli: number): string {
  const v = Math.round(milli);
  return v % 1000 === 0 ? `${v / 1000}` : `${v}m`;
}

export function metricAnnotation(obj: KubeObject | undefined, metric: string): string | undefined {
  return obj?.metadata.annotations?.[METRIC_ANNOTATION_PREFIX + metric];
}

export function isReady(p: KubeObject): boolean {
  if (p.metadata.deletionTimestamp) return false;
  return ((p.status?.conditions as any[]) ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** A pod's share of a workload total: total / ready pods of the workload; 0 for a pod not ready. */
export function podShare(total: number, pod: KubeObject, readyPods: number): number {
  return isReady(pod) ? Math.round(total / Math.max(1, readyPods)) : 0;
}

export interface Series {
  labels: Record<string, string>;
  pattern: string;
}

/** One ConfigMap value: a series per non-empty line, `{k=v,...} <pattern>` or `<pattern>`. */
export function parseSeries(text: string): Series[] {
  const out: Series[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^\{([^}]*)\}\s*(.+)$/.exec(line);
    if (!m) {
      out.push({ labels: {}, pattern: line });
      continue;
    }
    const labels: Record<string, string> = {};
    for (const kv of m[1].split(',')) {
      const i = kv.indexOf('=');
      if (i > 0) labels[kv.slice(0, i).trim()] = kv.slice(i + 1).trim().replace(/^"(.*)"$/, '$1');
    }
    out.push({ labels, pattern: m[2].trim() });
  }
  return out;
}

function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** A custom.metrics.k8s.io/v1beta2 MetricValue. */
export function metricValue(described: KubeObject, apiVersion: string, metric: string, selector: Record<string, string> | undefined, milli: number, now: number): any {
  return {
    describedObject: { kind: described.kind, namespace: described.metadata.namespace, name: described.metadata.name, apiVersion },
    metric: { name: metric, ...(selector ? { selector: { matchLabels: selector } } : {}) },
    timestamp: rfc3339(now),
    windowSeconds: WINDOW_SECONDS,
    value: milliString(milli),
  };
}

/** An external.metrics.k8s.io/v1beta1 ExternalMetricValue. */
export function externalValue(metric: string, labels: Record<string, string>, milli: number, now: number): any {
  return { metricName: metric, metricLabels: labels, timestamp: rfc3339(now), window: WINDOW_SECONDS, value: milliString(milli) };
}

/** custom-metrics-apiserver's NewMetricNotFoundForError / NewMetricNotFoundError messages. */
export function metricNotFoundMessage(metric: string, groupResource: string, name?: string): string {
  return name === undefined ? `the server could not find the metric ${metric} for ${groupResource}` : `the server could not find the metric ${metric} for ${groupResource} ${name}`;
}
