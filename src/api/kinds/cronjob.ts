// CronJob (batch/v1): the schedule (five fields, a descriptor or @every) and timeZone checked as Kubernetes
// checks them, the policy defaults, names short enough for `<name>-<minutes>` Job names, and the
// SCHEDULE/TIMEZONE/SUSPEND/ACTIVE/LAST SCHEDULE columns.
import { objectReferenceSchema } from './common.ts';
import type { KubeObject } from '../types.ts';
import type { FieldError } from '../errors.ts';
import { invalidValue, notSupported, required } from '../errors.ts';
import { age, ageColumn, col, defineKind, objectMetaSchema, translateTimestampSince } from '../meta.ts';
import { bool, int, int64, list, obj, str, time } from '../schema.ts';
import { validateNonnegative } from '../validation.ts';
import { labelSelectorToString } from '../labels.ts';
import { scheduleFields, parseSchedule, isScheduleError } from '../core/cron.ts';
import { jobSpecSchema } from './job.ts';
import { defaultJobPolicies, validateJobPolicies } from './jobpolicies.ts';
import { containersColumns, defaultTemplate, validateSelectorAndTemplate } from './workload.ts';

export const CONCURRENCY_POLICIES = ['Allow', 'Forbid', 'Replace'];
/** Job names are `<cronjob>-<minutes>`: 63 - 11 characters are left for the CronJob's name. */
export const CRONJOB_NAME_MAX = 52;


/** ValidateCronJobSpec's schedule and timeZone rules. */
export function validateSchedule(schedule: unknown, timeZone: unknown): FieldError[] {
  const errs: FieldError[] = [];
  if (typeof schedule !== 'string' || schedule === '') return [required('spec.schedule')];
  const f = scheduleFields(schedule);
  if ('error' in f) errs.push(invalidValue('spec.schedule', schedule, f.error));
  else {
    const p = parseSchedule(schedule);
    if (isScheduleError(p)) errs.push(invalidValue('spec.schedule', schedule, p.error));
  }
  if (schedule.includes('TZ')) errs.push(invalidValue('spec.schedule', schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'));
  if (timeZone !== undefined && timeZone !== null) {
    const tz = String(timeZone);
    if (tz === '') errs.push(invalidValue('spec.timeZone', tz, 'timeZone must be nil or non-empty string'));
    else if (tz.toLowerCase() === 'local') errs.push(invalidValue('spec.timeZone', tz, 'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones'));
    else if (tz.split('/').some((p) => p === '.' || p === '..' || p.startsWith('-') || !/^[A-Za-z._+\-0-9]+$/.test(p))) errs.push(invalidValue('spec.timeZone', tz, `unknown time zone ${tz}`));
    else {
      const p = parseSchedule('* * * * *', tz);
      if (isScheduleError(p)) errs.push(invalidValue('spec.timeZone', tz, p.error));
    }
  }
  return errs;
}

/** The Job template's spec, validated as a Job's (fields under spec.jobTemplate.spec). */
function validateJobTemplate(jt: any): FieldError[] {
  const s = jt?.spec;
  if (!s || typeof s !== 'object') return [required('spec.jobTemplate.spec.template')];
  const errs = [
    ...validateNonnegative('spec.parallelism', s.parallelism),
    ...validateNonnegative('spec.completions', s.completions),
    ...validateNonnegative('spec.backoffLimit', s.backoffLimit),
    ...validateNonnegative('spec.ttlSecondsAfterFinished', s.ttlSecondsAfterFinished),
    ...validateJobPolicies(s),
    ...validateSelectorAndTemplate(s, 'job', ['OnFailure', 'Never'], false),
  ];
  return errs.map((e) => ({ ...e, field: e.field.replace(/^spec\./, 'spec.jobTemplate.spec.') }));
}

export function cronJobCells(o: KubeObject, now: Date): unknown[] {
  const s = o.spec ?? {};
  const last = o.status?.lastScheduleTime ? translateTimestampSince(o.status.lastScheduleTime, now) : '<none>';
  const suspend = s.suspend === undefined || s.suspend === null ? '<unset>' : s.suspend ? 'True' : 'False';
  const cs: any[] = s.jobTemplate?.spec?.template?.spec?.containers ?? [];
  return [
    s.schedule ?? '',
    s.timeZone ?? '<none>',
    suspend,
    (o.status?.active ?? []).length,
    last,
    age(o, now),
    cs.map((c) => c?.name ?? '').join(','),
    cs.map((c) => c?.image ?? '').join(','),
    labelSelectorToString(s.jobTemplate?.spec?.selector),
  ];
}

export const cronJob = defineKind({
  group: 'batch',
  version: 'v1',
  kind: 'CronJob',
  plural: 'cronjobs',
  shortNames: ['cj'],
  categories: ['all'],
  namespaced: true,
  subresources: { status: true },
  description: 'CronJob represents the configuration of a single cron job.',
  fields: {
    spec: obj('Specification of the desired behavior of a cron job, including the schedule.', {
      schedule: str('The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.'),
      timeZone: str('The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones. If not specified, this will default to the time zone of the kube-controller-manager process.'),
      startingDeadlineSeconds: int64('Optional deadline in seconds for starting the job if it misses scheduled time for any reason.  Missed jobs executions will be counted as failed ones.'),
      concurrencyPolicy: str('Specifies how to treat concurrent executions of a Job. Valid values are:\n\n- "Allow" (default): allows CronJobs to run concurrently; - "Forbid": forbids concurrent runs, skipping next run if previous run hasn\'t finished yet; - "Replace": cancels currently running job and replaces it with a new one'),
      suspend: bool('This flag tells the controller to suspend subsequent executions, it does not apply to already started executions.  Defaults to false.'),
      jobTemplate: obj('Specifies the job that will be created when executing a CronJob.', {
        metadata: objectMetaSchema,
        spec: jobSpecSchema,
      }),
      successfulJobsHistoryLimit: int('The number of successful finished jobs to retain. Value must be non-negative integer. Defaults to 3.'),
      failedJobsHistoryLimit: int('The number of failed finished jobs to retain. Value must be non-negative integer. Defaults to 1.'),
    }),
    status: obj('Current status of a cron job.', {
      active: list('A list of pointers to currently running jobs.', objectReferenceSchema, { listType: 'atomic' }),
      lastScheduleTime: time('Information when was the last time the job was successfully scheduled.'),
      lastSuccessfulTime: time('Information when was the last time the job successfully completed.'),
    }),
  },
  defaults: (o) => {
    const s = (o.spec ??= {});
    s.concurrencyPolicy ??= 'Allow';
    s.suspend ??= false;
    s.successfulJobsHistoryLimit ??= 3;
    s.failedJobsHistoryLimit ??= 1;
    if (s.jobTemplate?.spec) {
      defaultJobPolicies(s.jobTemplate.spec);
      defaultTemplate(s.jobTemplate.spec);
    }
  },
  validate: (o, old) => {
    const s = o.spec ?? {};
    const errs: FieldError[] = [];
    // ValidateCronJobCreate only: an existing CronJob keeps its name.
    if (!old && (o.metadata.name ?? '').length > CRONJOB_NAME_MAX) errs.push(invalidValue('metadata.name', o.metadata.name, `must be no more than ${CRONJOB_NAME_MAX} characters`));
    errs.push(...validateSchedule(s.schedule, s.timeZone));
    errs.push(...validateNonnegative('spec.startingDeadlineSeconds', s.startingDeadlineSeconds));
    if (!s.concurrencyPolicy) errs.push(required('spec.concurrencyPolicy'));
    else if (!CONCURRENCY_POLICIES.includes(s.concurrencyPolicy)) errs.push(notSupported('spec.concurrencyPolicy', s.concurrencyPolicy, CONCURRENCY_POLICIES));
    errs.push(...validateNonnegative('spec.successfulJobsHistoryLimit', s.successfulJobsHistoryLimit));
    errs.push(...validateNonnegative('spec.failedJobsHistoryLimit', s.failedJobsHistoryLimit));
    errs.push(...validateJobTemplate(s.jobTemplate));
    return errs;
  },
  strategy: {
    specFields: ['spec'],
    prepareForCreate: (o) => {
      o.status = {};
    },
  },
  columns: [
    col('Schedule', 'string', 'schedule is the schedule in Cron format.'),
    col('Timezone', 'string', 'timeZone is the time zone name for the given schedule.'),
    col('Suspend', 'boolean', 'suspend tells the controller to suspend subsequent executions.'),
    col('Active', 'integer', 'active holds pointers to currently running jobs.'),
    col('Last Schedule', 'string', 'lastScheduleTime is when the job was last successfully scheduled.'),
    ageColumn,
    ...containersColumns,
    col('Selector', 'string', 'A label query over pods that should match the pod count.', 1),
  ],
  cells: cronJobCells,
});
