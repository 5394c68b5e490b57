// Indexed completion mode (pkg/controller/job/indexed_job_utils.go): a pod's completion index
// (annotation batch.kubernetes.io/job-completion-index, label as fallback), the per-index failure
// count, interval strings like "1,3-5" for status.completedIndexes / failedIndexes, and the pod
// template additions (JOB_COMPLETION_INDEX env, index annotation and label, hostname <job>-<index>).
import type { KubeObject } from '../../api/types.ts';

export const COMPLETION_INDEX_ANNOTATION = 'batch.kubernetes.io/job-completion-index';
export const COMPLETION_INDEX_LABEL = 'batch.kubernetes.io/job-completion-index';
export const INDEX_FAILURE_COUNT_ANNOTATION = 'batch.kubernetes.io/job-index-failure-count';
export const INDEX_IGNORED_FAILURE_COUNT_ANNOTATION = 'batch.kubernetes.io/job-index-ignored-failure-count';
export const COMPLETION_INDEX_ENV = 'JOB_COMPLETION_INDEX';

export const isIndexed = (job: KubeObject) => job.spec?.completionMode === 'Indexed';

/** The pod's completion index, or undefined when it has none (or a malformed one). */
export function completionIndex(pod: KubeObject): number | undefined {
  const v = pod.metadata.annotations?.[COMPLETION_INDEX_ANNOTATION] ?? pod.metadata.labels?.[COMPLETION_INDEX_LABEL];
  if (v === undefined || !/^(0|[1-9]\d*)$/.test(v)) return undefined;
  return Number(v);
}

const countAnnotation = (pod: KubeObject, key: string): number => {
  const v = Number(pod.metadata.annotations?.[key] ?? 0);
  return Number.isInteger(v) && v >= 0 ? v : 0;
};

/** Failures of this pod's index before this pod (the annotation the controller set on it). */
export const indexFailureCount = (pod: KubeObject): number => countAnnotation(pod, INDEX_FAILURE_COUNT_ANNOTATION);

/** Failures of this pod's index the podFailurePolicy ignored, before this pod. */
export const indexIgnoredFailureCount = (pod: KubeObject): number => countAnnotation(pod, INDEX_IGNORED_FAILURE_COUNT_ANNOTATION);

/** What a replacement pod of an index carries forward: counted and ignored failures so far. */
export interface IndexFailures {
  failures: number;
  ignored: number;
}

/** "1,3-5" → [1,3,4,5] (out-of-range and malformed parts dropped, at most `limit`). */
export function parseIntervals(s: string | undefined, limit: number): Set<number> {
  const out = new Set<number>();
  for (const part of (s ?? '').split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) continue;
    const a = Number(m[1]);
    const b = m[2] === undefined ? a : Number(m[2]);
    for (let i = a; i <= b && i < limit; i++) out.add(i);
  }
  return out;
}

/** [1,3,4,5] → "1,3-5" (runs of two read as "3,4", as Kubernetes prints them). */
export function formatIntervals(ix: Iterable<number>): string {
  const sorted = [...new Set(ix)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    if (j === i) parts.push(String(sorted[i]));
    else if (j === i + 1) parts.push(`${sorted[i]},${sorted[j]}`);
    else parts.push(`${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** The lowest `n` indexes below `completions` not in any of `taken`. */
export function firstPendingIndexes(completions: number, n: number, ...taken: Set<number>[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < completions && out.length < n; i++) if (!taken.some((t) => t.has(i))) out.push(i);
  return out;
}

/** addCompletionIndexEnvVariables + annotations/label/hostname for the pod of an index. */
export function indexPod(pod: KubeObject, job: KubeObject, index: number, counts: IndexFailures = { failures: 0, ignored: 0 }): void {
  const ix = String(index);
  pod.metadata.generateName = `${job.metadata.name}-${ix}-`;
  pod.metadata.annotations = { ...(pod.metadata.annotations ?? {}), [COMPLETION_INDEX_ANNOTATION]: ix };
  if (job.spec?.backoffLimitPerIndex !== undefined && job.spec?.backoffLimitPerIndex !== null) {
    pod.metadata.annotations[INDEX_FAILURE_COUNT_ANNOTATION] = String(counts.failures);
    if (counts.ignored > 0) pod.metadata.annotations[INDEX_IGNORED_FAILURE_COUNT_ANNOTATION] = String(counts.ignored);
  }
  pod.metadata.labels = { ...(pod.metadata.labels ?? {}), [COMPLETION_INDEX_LABEL]: ix };
  const spec = (pod.spec ??= {});
  spec.hostname ??= `${job.metadata.name}-${ix}`;
  const env = { name: COMPLETION_INDEX_ENV, valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: `metadata.annotations['${COMPLETION_INDEX_ANNOTATION}']` } } };
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    if ((c.env ?? []).some((e: any) => e?.name === COMPLETION_INDEX_ENV)) continue;
    c.env = [...(c.env ?? []), env];
  }
}
