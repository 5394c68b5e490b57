// Job decisions as one pure function (pkg/controller/job, NonIndexed completion mode): finished pods
// are counted through the job-tracking finalizer and status.uncountedTerminatedPods (so a pod deleted
// right after it finished is never lost or counted twice), then how many pods to create or delete,
// and the Complete / Failed conditions.
import type { KubeObject } from '../../api/types.ts';
import { isPodReady } from '../util/pod.ts';
import { nowIso } from '../util/conditions.ts';
import { podsToDelete } from '../util/ranking.ts';

export const TrackingFinalizer = 'batch.kubernetes.io/job-tracking';

export interface JobEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export interface JobPlan {
  status: any;
  /** Pods whose tracking finalizer may go once `status` is written. */
  removeFinalizers: KubeObject[];
  create: number;
  delete: KubeObject[];
  events: JobEvent[];
  requeueAfterMs?: number;
}

const hasFinalizer = (p: KubeObject) => (p.metadata.finalizers ?? []).includes(TrackingFinalizer);
const finishedAs = (p: KubeObject): 'succeeded' | 'failed' | undefined => {
  if (p.status?.phase === 'Succeeded') return 'succeeded';
  if (p.status?.phase === 'Failed') return 'failed';
  if (p.metadata.deletionTimestamp) return 'failed'; // deleted before finishing counts as a failure
  return undefined;
};

export function isJobFinished(job: KubeObject): boolean {
  return (job.status?.conditions ?? []).some((c: any) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
}

function condition(type: string, reason: string, message: string, now: number) {
  const t = nowIso(now);
  return { type, status: 'True', reason, message, lastProbeTime: t, lastTransitionTime: t };
}

export function planJob(job: KubeObject, pods: KubeObject[], now: number): JobPlan {
  const spec = job.spec ?? {};
  const old = job.status ?? {};
  const uncounted = { succeeded: [...(old.uncountedTerminatedPods?.succeeded ?? [])] as string[], failed: [...(old.uncountedTerminatedPods?.failed ?? [])] as string[] };
  const byUid = new Map(pods.map((p) => [p.metadata.uid!, p]));
  let succeeded = old.succeeded ?? 0;
  let failed = old.failed ?? 0;
  // Uncounted pods whose finalizer is gone (or that are gone) move into the counters.
  for (const kind of ['succeeded', 'failed'] as const) {
    const keep: string[] = [];
    for (const uid of uncounted[kind]) {
      const p = byUid.get(uid);
      if (p && hasFinalizer(p)) keep.push(uid);
      else if (kind === 'succeeded') succeeded++;
      else failed++;
    }
    uncounted[kind] = keep;
  }
  // Newly finished pods still carrying the finalizer become uncounted; their finalizer goes after the write.
  const removeFinalizers: KubeObject[] = [];
  for (const p of pods) {
    if (!hasFinalizer(p)) continue;
    const as = finishedAs(p);
    if (!as) continue;
    const uid = p.metadata.uid!;
    if (!uncounted.succeeded.includes(uid) && !uncounted.failed.includes(uid)) uncounted[as].push(uid);
    removeFinalizers.push(p);
  }
  const totalSucceeded = succeeded + uncounted.succeeded.length;
  const totalFailed = failed + uncounted.failed.length;
  const active = pods.filter((p) => !finishedAs(p));
  const events: JobEvent[] = [];
  const status: any = {
    ...old,
    succeeded,
    failed,
    active: active.length,
    ready: active.filter(isPodReady).length,
    uncountedTerminatedPods: uncounted.succeeded.length || uncounted.failed.length ? { ...(uncounted.succeeded.length ? { succeeded: uncounted.succeeded } : {}), ...(uncounted.failed.length ? { failed: uncounted.failed } : {}) } : {},
    conditions: [...(old.conditions ?? [])],
  };
  if (spec.suspend) {
    status.conditions = status.conditions.filter((c: any) => c.type !== 'Suspended').concat(condition('Suspended', 'JobSuspended', 'Job suspended', now));
  } else {
    status.conditions = status.conditions.filter((c: any) => c.type !== 'Suspended');
    status.startTime ??= nowIso(now);
  }
  if (isJobFinished(job)) return { status, removeFinalizers, create: 0, delete: active, events };

  const completions: number | undefined = spec.completions ?? undefined;
  const parallelism: number = spec.parallelism ?? 1;
  const backoffLimit: number = spec.backoffLimit ?? 6;
  let requeueAfterMs: number | undefined;
  // A terminal condition is written only once every finished pod is in the counters.
  const allCounted = uncounted.succeeded.length === 0 && uncounted.failed.length === 0;
  const fail = (reason: string, message: string): JobPlan => {
    if (allCounted && active.length === 0) {
      status.conditions.push(condition('FailureTarget', reason, message, now), condition('Failed', reason, message, now));
      events.push({ type: 'Warning', reason, message });
    }
    return { status, removeFinalizers, create: 0, delete: active, events };
  };
  if (totalFailed > backoffLimit) return fail('BackoffLimitExceeded', 'Job has reached the specified backoff limit');
  if (spec.activeDeadlineSeconds !== undefined && status.startTime && !spec.suspend) {
    const deadline = Date.parse(status.startTime) + spec.activeDeadlineSeconds * 1000;
    if (now >= deadline) return fail('DeadlineExceeded', 'Job was active longer than specified deadline');
    requeueAfterMs = deadline - now;
  }
  const complete = completions !== undefined ? totalSucceeded >= completions : totalSucceeded > 0 && active.length === 0;
  if (complete) {
    if (active.length === 0 && allCounted) {
      status.conditions.push(condition('SuccessCriteriaMet', 'CompletionsReached', 'Reached expected number of succeeded pods', now), condition('Complete', 'CompletionsReached', 'Reached expected number of succeeded pods', now));
      status.completionTime = nowIso(now);
      events.push({ type: 'Normal', reason: 'Completed', message: 'Job completed' });
    }
    return { status, removeFinalizers, create: 0, delete: active, events };
  }
  let want = spec.suspend ? 0 : completions !== undefined ? Math.min(parallelism, completions - totalSucceeded) : totalSucceeded > 0 ? active.length : parallelism;
  want = Math.max(0, want);
  const diff = want - active.length;
  return {
    status,
    removeFinalizers,
    create: diff > 0 ? diff : 0,
    delete: diff < 0 ? podsToDelete(active, [], -diff, now) : [],
    events,
    requeueAfterMs,
  };
}

/** ttlSecondsAfterFinished: ms until the finished Job may be deleted (0 = now), or undefined. */
export function ttlRemainingMs(job: KubeObject, now: number): number | undefined {
  const ttl = job.spec?.ttlSecondsAfterFinished;
  if (ttl === undefined || ttl === null || !isJobFinished(job)) return undefined;
  const finished = (job.status?.conditions ?? []).find((c: any) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
  const at = Date.parse(job.status?.completionTime ?? finished?.lastTransitionTime ?? '') || now;
  return Math.max(0, at + ttl * 1000 - now);
}
