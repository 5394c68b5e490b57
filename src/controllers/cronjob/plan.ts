// CronJob decisions as pure functions (pkg/controller/cronjob, the v2 controller): which Jobs of
// status.active finished or vanished, which schedule time is due (startingDeadlineSeconds and the
// "too many missed start times" warning), what the concurrency policy allows, the Job to create,
// which finished Jobs the history limits prune, and when to look again.
import type { KubeObject } from '../../api/types.ts';
import { formatInZone, isScheduleError, parseSchedule, type Schedule } from '../../api/core/cron.ts';
import { nowIso } from '../util/conditions.ts';
import { newControllerRef } from '../util/owner.ts';
import { isJobFinished, jobFinishedCondition } from '../util/job.ts';
import { deepCopy } from '../../api/core/json.ts';

export const SCHEDULED_TIMESTAMP_ANNOTATION = 'batch.kubernetes.io/cronjob-scheduled-timestamp';
export const CRONJOB_KIND = { apiVersion: 'batch/v1', kind: 'CronJob' };
/** More missed schedules than this since the last run draw a TooManyMissedTimes warning. */
export const MAX_MISSED = 100;

export interface CronJobEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export interface CronJobPlan {
  /** The status to write (active, lastScheduleTime, lastSuccessfulTime). */
  status: any;
  /** A Job to create (its reference goes into status.active once created). */
  create?: KubeObject;
  /** Active Jobs concurrencyPolicy Replace deletes before creating. */
  replace: KubeObject[];
  /** Finished Jobs beyond the history limits, oldest first. */
  prune: KubeObject[];
  events: CronJobEvent[];
  requeueAfterMs?: number;
}

const finishedCondition = jobFinishedCondition;

/** getJobName: `<cronjob>-<scheduled time in minutes since the epoch>`. */
export function jobNameFor(cronJob: KubeObject, scheduledMs: number): string {
  return `${cronJob.metadata.name}-${Math.floor(scheduledMs / 60000)}`;
}

export interface DueTime {
  /** The most recent schedule time not yet run, if any. */
  scheduled?: number;
  /** How many schedule times were missed since the last run (Kubernetes' estimate). */
  missed: number;
  /** The next schedule time after now. */
  next?: number;
  /** Two schedule times less than a second apart (an impossible date such as Feb 31). */
  error?: string;
}

/**
 * mostRecentScheduleTime: schedule times after the last run (or the creation) up to now; with
 * startingDeadlineSeconds, none earlier than now minus the deadline are considered. As in
 * Kubernetes the missed count is estimated from the first two intervals, and the most recent time
 * is found by stepping from just before the estimated last one (so @every works too).
 */
export function dueTime(cronJob: KubeObject, sched: Schedule, now: number): DueTime {
  const created = Date.parse(cronJob.metadata.creationTimestamp ?? '') || now;
  let earliest = Date.parse(cronJob.status?.lastScheduleTime ?? '') || created;
  const sds = cronJob.spec?.startingDeadlineSeconds;
  if (sds !== undefined && sds !== null && now - earliest > sds * 1000) earliest = now - sds * 1000;
  const next = sched.next(now);
  const t1 = sched.next(earliest);
  // robfig/cron yields the zero time for a date that never comes; Kubernetes reports it as invalid.
  if (t1 === undefined) return { missed: 0, error: 'time difference between two schedules is less than 1 second' };
  if (now < t1) return { missed: 0, next };
  const t2 = sched.next(t1);
  if (t2 === undefined || now < t2) return { scheduled: t1, missed: 1, next };
  const interval = Math.round((t2 - t1) / 1000);
  if (interval < 1) return { missed: 0, next, error: 'time difference between two schedules is less than 1 second' };
  const missed = Math.floor(Math.floor((now - t1) / 1000) / interval) + 1;
  let latest: number | undefined;
  for (let t = sched.next(t1 + (missed - 2) * interval * 1000); t !== undefined && t <= now; t = sched.next(t)) latest = t;
  latest ??= sched.previous(now);
  return { scheduled: latest, missed, next };
}

/** The Job a CronJob starts for a schedule time (getJobFromTemplate2). */
export function jobFromTemplate(cronJob: KubeObject, scheduledMs: number): KubeObject {
  const tpl = cronJob.spec?.jobTemplate ?? {};
  const meta = tpl.metadata ?? {};
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: jobNameFor(cronJob, scheduledMs),
      namespace: cronJob.metadata.namespace,
      labels: { ...(meta.labels ?? {}) },
      annotations: { ...(meta.annotations ?? {}), [SCHEDULED_TIMESTAMP_ANNOTATION]: formatInZone(scheduledMs, cronJob.spec?.timeZone) },
      ownerReferences: [{ ...newControllerRef(cronJob, CRONJOB_KIND.apiVersion, CRONJOB_KIND.kind), blockOwnerDeletion: true }],
    },
    spec: deepCopy(tpl.spec ?? {}),
  };
}

export function jobReference(job: KubeObject): any {
  return { kind: 'Job', namespace: job.metadata.namespace, name: job.metadata.name, uid: job.metadata.uid, apiVersion: 'batch/v1', resourceVersion: job.metadata.resourceVersion };
}

const startOf = (j: KubeObject) => Date.parse(j.status?.startTime ?? '') || Date.parse(j.metadata.creationTimestamp ?? '') || 0;

/** cleanupFinishedJobs: the oldest finished Jobs past successfulJobsHistoryLimit / failedJobsHistoryLimit. */
export function jobsToPrune(cronJob: KubeObject, jobs: KubeObject[]): KubeObject[] {
  const s = cronJob.spec ?? {};
  const over = (type: string, limit: number | undefined | null): KubeObject[] => {
    if (limit === undefined || limit === null) return [];
    const done = jobs.filter((j) => finishedCondition(j) === type && !j.metadata.deletionTimestamp).sort((a, b) => startOf(a) - startOf(b) || (a.metadata.name! < b.metadata.name! ? -1 : 1));
    return done.slice(0, Math.max(0, done.length - limit));
  };
  return [...over('Complete', s.successfulJobsHistoryLimit), ...over('Failed', s.failedJobsHistoryLimit)];
}

/** Reconciles status.active with the Jobs the CronJob owns (SawCompletedJob, UnexpectedJob, MissingJob). */
function syncActive(cronJob: KubeObject, jobs: KubeObject[], events: CronJobEvent[]): any {
  const old = cronJob.status ?? {};
  const byUid = new Map(jobs.map((j) => [j.metadata.uid, j]));
  const active: any[] = [];
  let lastSuccessfulTime: string | undefined = old.lastSuccessfulTime;
  for (const ref of old.active ?? []) {
    const j = byUid.get(ref.uid);
    if (!j) {
      events.push({ type: 'Normal', reason: 'MissingJob', message: `Active job went missing: ${ref.name}` });
      continue;
    }
    const done = finishedCondition(j);
    if (!done) {
      active.push(ref);
      continue;
    }
    events.push({ type: 'Normal', reason: 'SawCompletedJob', message: `Saw completed job: ${j.metadata.name}, condition: ${done}` });
    if (done === 'Complete' && j.status?.completionTime && (!lastSuccessfulTime || Date.parse(j.status.completionTime) > Date.parse(lastSuccessfulTime))) lastSuccessfulTime = j.status.completionTime;
  }
  for (const j of jobs) {
    if (isJobFinished(j) || active.some((r) => r.uid === j.metadata.uid)) continue;
    events.push({ type: 'Warning', reason: 'UnexpectedJob', message: 'Saw a job that the controller did not create or forgot: ' + j.metadata.name });
    active.push(jobReference(j));
  }
  const status: any = { ...old };
  if (active.length) status.active = active;
  else delete status.active;
  if (lastSuccessfulTime) status.lastSuccessfulTime = lastSuccessfulTime;
  return status;
}

const requeueAt = (t: number | undefined, now: number) => (t === undefined ? undefined : Math.max(0, t - now) + 100);

/** One reconcile of a CronJob with the Jobs it controls, at `now`. */
export function planCronJob(cronJob: KubeObject, jobs: KubeObject[], now: number): CronJobPlan {
  const events: CronJobEvent[] = [];
  const status = syncActive(cronJob, jobs, events);
  const prune = jobsToPrune(cronJob, jobs);
  const plan: CronJobPlan = { status, replace: [], prune, events };
  const spec = cronJob.spec ?? {};
  if (cronJob.metadata.deletionTimestamp) return plan;
  const sched = parseSchedule(spec.schedule ?? '', spec.timeZone ?? undefined);
  if (isScheduleError(sched)) {
    const unknownTz = spec.timeZone && sched.error.startsWith('unknown time zone');
    events.push(unknownTz ? { type: 'Warning', reason: 'UnknownTimeZone', message: `invalid timeZone: "${spec.timeZone}": ${sched.error}` } : { type: 'Warning', reason: 'UnparseableSchedule', message: `unparseable schedule: "${spec.schedule}" : ${sched.error}` });
    return plan;
  }
  if (spec.suspend) return plan;
  const due = dueTime(cronJob, sched, now);
  if (due.error) {
    events.push({ type: 'Warning', reason: 'InvalidSchedule', message: `invalid schedule: ${spec.schedule} : ${due.error}` });
    return plan;
  }
  plan.requeueAfterMs = requeueAt(due.next, now);
  if (due.missed > MAX_MISSED) events.push({ type: 'Warning', reason: 'TooManyMissedTimes', message: `too many missed start times: ${due.missed}. Set or decrease .spec.startingDeadlineSeconds or check clock skew` });
  if (due.scheduled === undefined) return plan;
  const sds = spec.startingDeadlineSeconds;
  if (sds !== undefined && sds !== null && due.scheduled + sds * 1000 < now) {
    events.push({ type: 'Warning', reason: 'MissSchedule', message: `Missed scheduled time to start a job: ${new Date(due.scheduled).toISOString().replace('.000', '')}` });
    return plan;
  }
  const name = jobNameFor(cronJob, due.scheduled);
  if ((status.active ?? []).some((r: any) => r.name === name) || Date.parse(status.lastScheduleTime ?? '') === due.scheduled) return plan;
  const active = jobs.filter((j) => (status.active ?? []).some((r: any) => r.uid === j.metadata.uid));
  if (spec.concurrencyPolicy === 'Forbid' && (status.active ?? []).length > 0) {
    events.push({ type: 'Normal', reason: 'JobAlreadyActive', message: 'Not starting job because prior execution is running and concurrency policy is Forbid' });
    return plan;
  }
  if (spec.concurrencyPolicy === 'Replace') plan.replace = active;
  plan.create = jobFromTemplate(cronJob, due.scheduled);
  plan.status = { ...status, lastScheduleTime: nowIso(due.scheduled) };
  if (plan.replace.length) {
    const left = (status.active ?? []).filter((r: any) => !plan.replace.some((j) => j.metadata.uid === r.uid));
    if (left.length) plan.status.active = left;
    else delete plan.status.active;
  }
  return plan;
}
