// Job decisions as one pure function (pkg/controller/job): finished pods are counted through the
// job-tracking finalizer and status.uncountedTerminatedPods (Indexed Jobs record succeeded pods in
// completedIndexes), podFailurePolicy and backoffLimitPerIndex judge failed pods, then the terminal
// condition (FailureTarget/SuccessCriteriaMet first, Failed/Complete once no pod is left running),
// and which pods (or indexes) to create or delete.
import type { KubeObject } from '../../api/types.ts';
import { isPodReady } from '../util/pod.ts';
import { nowIso } from '../util/conditions.ts';
import { podsToDelete } from '../util/ranking.ts';
import { isJobFinished } from '../util/job.ts';
import { completionIndex, firstPendingIndexes, formatIntervals, indexFailureCount, indexIgnoredFailureCount, type IndexFailures, isIndexed, parseIntervals } from './indexed.ts';
import { matchPodFailurePolicy, matchSuccessPolicy } from './policies.ts';

export { isJobFinished } from '../util/job.ts';
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
  /** Indexed Jobs: the index (and its failures so far) of each pod to create. */
  createIndexes?: ({ index: number } & IndexFailures)[];
  delete: KubeObject[];
  events: JobEvent[];
  requeueAfterMs?: number;
}

const hasFinalizer = (p: KubeObject) => (p.metadata.finalizers ?? []).includes(TrackingFinalizer);

/** podReplacementPolicy Failed (the default with a podFailurePolicy): terminating pods are not failed yet. */
const onlyReplaceFailed = (job: KubeObject) => job.spec?.podReplacementPolicy === 'Failed' || !!job.spec?.podFailurePolicy;

/** isPodFailed / Succeeded, or 'terminating' for a deleted pod still running under podReplacementPolicy Failed. */
function podState(job: KubeObject, p: KubeObject): 'succeeded' | 'failed' | 'terminating' | 'active' {
  if (p.status?.phase === 'Succeeded') return 'succeeded';
  if (p.status?.phase === 'Failed') return 'failed';
  if (p.metadata.deletionTimestamp) return onlyReplaceFailed(job) ? 'terminating' : 'failed';
  return 'active';
}

function condition(type: string, reason: string, message: string, now: number) {
  const t = nowIso(now);
  return { type, status: 'True', reason, message, lastProbeTime: t, lastTransitionTime: t };
}

const FAIL_MESSAGES: Record<string, string> = {
  BackoffLimitExceeded: 'Job has reached the specified backoff limit',
  DeadlineExceeded: 'Job was active longer than specified deadline',
  MaxFailedIndexesExceeded: 'Job has exceeded the specified maximal number of failed indexes',
  FailedIndexes: 'Job has failed indexes',
};

export function planJob(job: KubeObject, pods: KubeObject[], now: number): JobPlan {
  const spec = job.spec ?? {};
  const old = job.status ?? {};
  const indexed = isIndexed(job);
  const completions: number | undefined = spec.completions ?? undefined;
  const perIndex: number | undefined = indexed ? (spec.backoffLimitPerIndex ?? undefined) : undefined;
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
  const completed = indexed ? parseIntervals(old.completedIndexes, completions ?? 0) : new Set<number>();
  const failedIndexes = perIndex !== undefined ? parseIntervals(old.failedIndexes, completions ?? 0) : new Set<number>();
  const hasFailureTarget = (old.conditions ?? []).some((c: any) => c.type === 'FailureTarget' && c.status === 'True');
  let failJob: { reason: string; message: string } | undefined;
  // Newly finished pods still carrying the finalizer are judged; their finalizer goes after the write.
  const removeFinalizers: KubeObject[] = [];
  for (const p of pods) {
    if (!hasFinalizer(p)) continue;
    const state = podState(job, p);
    if (state === 'active' || state === 'terminating') continue;
    removeFinalizers.push(p);
    const uid = p.metadata.uid!;
    if (uncounted.succeeded.includes(uid) || uncounted.failed.includes(uid)) continue;
    const ix = completionIndex(p);
    if (state === 'succeeded') {
      if (!indexed) uncounted.succeeded.push(uid);
      else if (ix !== undefined && ix < (completions ?? 0)) completed.add(ix);
      continue;
    }
    const match = p.status?.phase === 'Failed' ? matchPodFailurePolicy(job, p) : undefined;
    if (match?.action === 'Ignore') continue;
    uncounted.failed.push(uid);
    if (match?.action === 'FailJob' && !hasFailureTarget) failJob ??= { reason: 'PodFailurePolicy', message: match.message! };
    if (perIndex !== undefined && ix !== undefined && !completed.has(ix) && (match?.action === 'FailIndex' || indexFailureCount(p) + 1 > perIndex)) failedIndexes.add(ix);
  }
  const totalFailed = failed + uncounted.failed.length;
  const states = pods.map((p) => podState(job, p));
  const active = pods.filter((_, i) => states[i] === 'active');
  const terminating = states.filter((s) => s === 'terminating').length;
  const events: JobEvent[] = [];
  const status: any = {
    ...old,
    succeeded: indexed ? completed.size : succeeded,
    failed,
    active: active.length,
    ready: active.filter(isPodReady).length,
    terminating,
    uncountedTerminatedPods: uncounted.succeeded.length || uncounted.failed.length ? { ...(uncounted.succeeded.length ? { succeeded: uncounted.succeeded } : {}), ...(uncounted.failed.length ? { failed: uncounted.failed } : {}) } : {},
    conditions: [...(old.conditions ?? [])],
  };
  if (indexed && completed.size) status.completedIndexes = formatIntervals(completed);
  else delete status.completedIndexes;
  if (perIndex !== undefined) status.failedIndexes = formatIntervals(failedIndexes);
  if (spec.suspend) {
    status.conditions = status.conditions.filter((c: any) => c.type !== 'Suspended').concat(condition('Suspended', 'JobSuspended', 'Job suspended', now));
  } else {
    status.conditions = status.conditions.filter((c: any) => c.type !== 'Suspended');
    status.startTime ??= nowIso(now);
  }
  if (isJobFinished(job)) return { status, removeFinalizers, create: 0, delete: active, events };

  const has = (type: string) => status.conditions.find((c: any) => c.type === type && c.status === 'True');
  // A terminal condition is written only once every finished pod is counted and none is left running.
  const settled = uncounted.succeeded.length === 0 && uncounted.failed.length === 0 && active.length === 0 && terminating === 0;
  const finish = (target: string, type: 'Failed' | 'Complete', reason: string, message: string): JobPlan => {
    if (!has(target)) status.conditions.push(condition(target, reason, message, now));
    const t = has(target);
    if (settled) {
      status.conditions.push(condition(type, t.reason, t.message, now));
      if (type === 'Complete') {
        status.completionTime = nowIso(now);
        events.push({ type: 'Normal', reason: 'Completed', message: 'Job completed' });
      } else events.push({ type: 'Warning', reason: t.reason, message: t.message });
    }
    return { status, removeFinalizers, create: 0, delete: active, events };
  };
  const fail = (reason: string, message = FAIL_MESSAGES[reason]) => finish('FailureTarget', 'Failed', reason, message);
  if (has('FailureTarget')) return fail(has('FailureTarget').reason, has('FailureTarget').message);
  if (has('SuccessCriteriaMet')) return finish('SuccessCriteriaMet', 'Complete', has('SuccessCriteriaMet').reason, has('SuccessCriteriaMet').message);
  if (failJob) return fail(failJob.reason, failJob.message);
  if (totalFailed > (spec.backoffLimit ?? 6)) return fail('BackoffLimitExceeded');
  let requeueAfterMs: number | undefined;
  if (spec.activeDeadlineSeconds !== undefined && spec.activeDeadlineSeconds !== null && status.startTime && !spec.suspend) {
    const deadline = Date.parse(status.startTime) + spec.activeDeadlineSeconds * 1000;
    if (now >= deadline) return fail('DeadlineExceeded');
    requeueAfterMs = deadline - now;
  }
  if (perIndex !== undefined && spec.maxFailedIndexes !== undefined && spec.maxFailedIndexes !== null && failedIndexes.size > spec.maxFailedIndexes) return fail('MaxFailedIndexesExceeded');
  const rule = indexed ? matchSuccessPolicy(job, completed) : undefined;
  if (rule !== undefined) return finish('SuccessCriteriaMet', 'Complete', 'SuccessPolicy', `Matched rules at index ${rule}`);
  const totalSucceeded = indexed ? completed.size : succeeded + uncounted.succeeded.length;
  const reached = completions !== undefined ? totalSucceeded >= completions : totalSucceeded > 0 && active.length === 0;
  if (reached) return finish('SuccessCriteriaMet', 'Complete', 'CompletionsReached', 'Reached expected number of succeeded pods');
  if (indexed && failedIndexes.size && completed.size + failedIndexes.size >= (completions ?? 0)) return fail('FailedIndexes');

  const parallelism: number = spec.parallelism ?? 1;
  const plan: JobPlan = { status, removeFinalizers, create: 0, delete: [], events, requeueAfterMs };
  if (indexed) return planIndexed(job, pods, states, active, completed, failedIndexes, plan, now);
  let want = spec.suspend ? 0 : completions !== undefined ? Math.min(parallelism, completions - totalSucceeded) : totalSucceeded > 0 ? active.length : parallelism;
  want = Math.max(0, want);
  const diff = want - active.length - (onlyReplaceFailed(job) ? terminating : 0);
  if (diff > 0) plan.create = diff;
  else if (want < active.length) plan.delete = podsToDelete(active, [], active.length - want, now);
  return plan;
}

/** Indexed Jobs: one active pod per pending index, the lowest indexes first; duplicates and strays go. */
function planIndexed(job: KubeObject, pods: KubeObject[], states: string[], active: KubeObject[], completed: Set<number>, failedIndexes: Set<number>, plan: JobPlan, now: number): JobPlan {
  const spec = job.spec ?? {};
  const completions: number = spec.completions ?? 0;
  const running = new Set<number>();
  const extra: KubeObject[] = [];
  for (const p of active) {
    const ix = completionIndex(p);
    if (ix === undefined || ix >= completions || running.has(ix) || completed.has(ix) || failedIndexes.has(ix)) extra.push(p);
    else running.add(ix);
  }
  const keep = active.filter((p) => !extra.includes(p));
  const terminatingIx = new Set<number>();
  if (onlyReplaceFailed(job)) pods.forEach((p, i) => states[i] === 'terminating' && completionIndex(p) !== undefined && terminatingIx.add(completionIndex(p)!));
  const pending = completions - completed.size - failedIndexes.size;
  const want = spec.suspend ? 0 : Math.max(0, Math.min(spec.parallelism ?? 1, pending));
  plan.delete = [...extra, ...(keep.length > want ? podsToDelete(keep, [], keep.length - want, now) : [])];
  const room = want - keep.length - terminatingIx.size;
  if (room <= 0) return plan;
  // getNewIndexFailureCounts: the counts the latest failed pod of an index carried, plus its own failure.
  const counts = new Map<number, IndexFailures>();
  pods.forEach((p, i) => {
    const ix = completionIndex(p);
    if (ix === undefined || states[i] !== 'failed') return;
    const ignored = p.status?.phase === 'Failed' && matchPodFailurePolicy(job, p)?.action === 'Ignore';
    const mine = { failures: indexFailureCount(p) + (ignored ? 0 : 1), ignored: indexIgnoredFailureCount(p) + (ignored ? 1 : 0) };
    const prev = counts.get(ix);
    if (!prev || mine.failures + mine.ignored > prev.failures + prev.ignored) counts.set(ix, mine);
  });
  plan.createIndexes = firstPendingIndexes(completions, room, completed, failedIndexes, running, terminatingIx).map((index) => ({ index, ...(counts.get(index) ?? { failures: 0, ignored: 0 }) }));
  plan.create = plan.createIndexes.length;
  return plan;
}
