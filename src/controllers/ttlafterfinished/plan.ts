// ttlSecondsAfterFinished (pkg/controller/ttlafterfinished): a finished Job may be deleted once its
// TTL has passed since it finished.
import type { KubeObject } from '../../api/types.ts';
import { jobFinishTime } from '../util/job.ts';

/** ms until the finished Job may be deleted (0 = now), or undefined (no TTL, or not finished). */
export function ttlRemainingMs(job: KubeObject, now: number): number | undefined {
  const ttl = job.spec?.ttlSecondsAfterFinished;
  if (ttl === undefined || ttl === null || job.metadata?.deletionTimestamp) return undefined;
  if (!(job.status?.conditions ?? []).some((c: any) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True')) return undefined;
  const at = jobFinishTime(job) ?? now;
  return Math.max(0, at + ttl * 1000 - now);
}
