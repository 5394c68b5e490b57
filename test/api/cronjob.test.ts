// CronJob (batch/v1) in the registry: defaults, Kubernetes' validation messages (schedule, timeZone,
// name length, policies, the job template), and the table row kubectl prints.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { registry } from '../../src/api/registry.ts';
import { formatFieldError } from '../../src/api/errors.ts';

const cronJobs = registry.byResource('batch', 'v1', 'cronjobs')!;
const base = (spec: any = {}, name = 'nightly') => ({
  apiVersion: 'batch/v1',
  kind: 'CronJob',
  metadata: { name, namespace: 'default', uid: 'u1', creationTimestamp: '2025-01-01T11:00:00Z' },
  spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'hello', image: 'busybox' }] } } } }, ...spec },
});
const create = (o: any) => {
  const obj = structuredClone(o);
  cronJobs.defaults(obj);
  cronJobs.strategy.prepareForCreate?.(obj);
  return { obj, errors: cronJobs.validate(obj).map(formatFieldError) };
};

test('cronjob: defaults as SetDefaults_CronJob', () => {
  const { obj, errors } = create(base());
  assert.deepEqual(errors, []);
  assert.equal(obj.spec.concurrencyPolicy, 'Allow');
  assert.equal(obj.spec.suspend, false);
  assert.equal(obj.spec.successfulJobsHistoryLimit, 3);
  assert.equal(obj.spec.failedJobsHistoryLimit, 1);
  assert.equal(obj.spec.jobTemplate.spec.template.spec.dnsPolicy, 'ClusterFirst', 'the pod template is defaulted');
});

test('cronjob: validation messages as Kubernetes words them', () => {
  const cases: [string, any, string[]][] = [
    ['descriptors are fine', base({ schedule: '@hourly' }), []],
    ['@every too', base({ schedule: '@every 1h30m' }), []],
    ['empty schedule', base({ schedule: '' }), ['spec.schedule: Required value']],
    ['one field', base({ schedule: 'hourly' }), ['spec.schedule: Invalid value: "hourly": expected exactly 5 fields, found 1: [hourly]']],
    ['unknown descriptor', base({ schedule: '@fortnightly' }), ['spec.schedule: Invalid value: "@fortnightly": unrecognized descriptor: @fortnightly']],
    ['TZ in schedule', base({ schedule: 'CRON_TZ=UTC 0 * * * *' }), ['spec.schedule: Invalid value: "CRON_TZ=UTC 0 * * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead']],
    ['good time zone', base({ timeZone: 'Europe/Berlin' }), []],
    ['unknown time zone', base({ timeZone: 'Mars/Olympus' }), ['spec.timeZone: Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus']],
    ['Local', base({ timeZone: 'Local' }), ['spec.timeZone: Invalid value: "Local": timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones']],
    ['empty time zone', base({ timeZone: '' }), ['spec.timeZone: Invalid value: "": timeZone must be nil or non-empty string']],
    ['policy', base({ concurrencyPolicy: 'Sometimes' }), ['spec.concurrencyPolicy: Unsupported value: "Sometimes": supported values: "Allow", "Forbid", "Replace"']],
    ['limits', base({ successfulJobsHistoryLimit: -1, startingDeadlineSeconds: -5 }), ['spec.startingDeadlineSeconds: Invalid value: -5: must be greater than or equal to 0', 'spec.successfulJobsHistoryLimit: Invalid value: -1: must be greater than or equal to 0']],
    ['name too long', base({}, 'n'.repeat(53)), [`metadata.name: Invalid value: "${'n'.repeat(53)}": must be no more than 52 characters`]],
    ['restart policy', base({ jobTemplate: { spec: { template: { spec: { restartPolicy: 'Always', containers: [{ name: 'c', image: 'x' }] } } } } }), ['spec.jobTemplate.spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"']],
  ];
  for (const [name, o, want] of cases) assert.deepEqual(create(o).errors, want, name);
  const { obj } = create(base({}, 'n'.repeat(52)));
  assert.deepEqual(cronJobs.validate({ ...obj, metadata: { ...obj.metadata, name: 'n'.repeat(60) } }, obj).filter((e) => e.field === 'metadata.name').length, 0, 'only create checks the length');
});

test('cronjob: table NAME SCHEDULE TIMEZONE SUSPEND ACTIVE LAST SCHEDULE AGE (+ wide)', () => {
  assert.deepEqual(cronJobs.table.columns.map((c) => (c.priority ? `(${c.name})` : c.name)), ['Schedule', 'Timezone', 'Suspend', 'Active', 'Last Schedule', 'Age', '(Containers)', '(Images)', '(Selector)']);
  const now = new Date('2025-01-01T12:00:00Z');
  const { obj } = create(base({ timeZone: 'Europe/Berlin' }));
  assert.deepEqual(cronJobs.table.cells(obj, now), ['*/5 * * * *', 'Europe/Berlin', 'False', 0, '<none>', '60m', 'hello', 'busybox', '<none>']);
  const ran = { ...obj, status: { active: [{ name: 'a' }], lastScheduleTime: '2025-01-01T11:55:00Z' } };
  assert.deepEqual(cronJobs.table.cells(ran, now).slice(0, 5), ['*/5 * * * *', 'Europe/Berlin', 'False', 1, '5m']);
  assert.deepEqual(cronJobs.table.cells(base(), now).slice(1, 3), ['<none>', '<unset>']);
});
