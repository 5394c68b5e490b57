// What the Job, CronJob and TTL-after-finished controllers agree on about a Job: it is finished
// once a Complete or Failed condition is True, at its completionTime (or that condition's time).
import type { KubeObject } from '../../api/types.ts';

/** "Complete" or "Failed" when the Job has finished, else undefined. */
export function jobFinishedCondition(job: KubeObject): 'Complete' | 'Failed' | undefined {
  const c = (job.status?.conditions ?? []).find((c: any) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
  return c?.type;
}

export const isJobFinished = (job: KubeObject): boolean => jobFinishedCondition(job) !== undefined;

/** When the Job finished (ms), or undefined if it has not. */
export function jobFinishTime(job: KubeObject): number | undefined {
  const c = (job.status?.conditions ?? []).find((c: any) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
  if (!c) return undefined;
  return Date.parse(job.status?.completionTime ?? c.lastTransitionTime ?? '') || undefined;
}
