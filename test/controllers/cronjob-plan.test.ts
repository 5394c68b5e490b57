// CronJob plans on a fake clock: schedule math (fields, descriptors, time zones), missed times and
// startingDeadlineSeconds, the concurrency policies, suspend, history pruning, status.active.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/types.ts';
import { isScheduleError, parseSchedule, type Schedule } from '../../src/api/core/cron.ts';
import { dueTime, jobNameFor, jobsToPrune, planCronJob, SCHEDULED_TIMESTAMP_ANNOTATION } from '../../src/controllers/cronjob/plan.ts';

const T = (s: string) => Date.parse(s);
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const sched = (s: string, tz?: string): Schedule => {
  const p = parseSchedule(s, tz);
  if (isScheduleError(p)) throw new Error(p.error);
  return p;
};

const cj = (spec: any = {}, status: any = {}, created = '2026-03-10T10:00:30Z'): KubeObject => ({
  metadata: { name: 'nightly', namespace: 'd', uid: 'cu', creationTimestamp: created },
  spec: { schedule: '*/5 * * * *', concurrencyPolicy: 'Allow', suspend: false, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1, jobTemplate: { metadata: { labels: { app: 'n' } }, spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox' }], restartPolicy: 'Never' } } } }, ...spec },
  status,
});
const job = (name: string, cond?: 'Complete' | 'Failed', start = '2026-03-10T10:00:00Z', o: any = {}): KubeObject => ({
  metadata: { name, namespace: 'd', uid: `u-${name}`, creationTimestamp: start },
  status: { startTime: start, ...(cond ? { conditions: [{ type: cond, status: 'True' }], ...(cond === 'Complete' ? { completionTime: o.completionTime ?? start } : {}) } : {}) },
});
const ref = (j: KubeObject) => ({ kind: 'Job', namespace: 'd', name: j.metadata.name, uid: j.metadata.uid, apiVersion: 'batch/v1' });

test('cron: next and previous schedule times for fields, descriptors and time zones', () => {
  const at = T('2026-03-10T10:07:30Z');
  const cases: [string, string | undefined, string, string][] = [
    ['* * * * *', undefined, '2026-03-10T10:08:00Z', '2026-03-10T10:07:00Z'],
    ['*/15 * * * *', undefined, '2026-03-10T10:15:00Z', '2026-03-10T10:00:00Z'],
    ['@hourly', undefined, '2026-03-10T11:00:00Z', '2026-03-10T10:00:00Z'],
    ['@daily', undefined, '2026-03-11T00:00:00Z', '2026-03-10T00:00:00Z'],
    ['@midnight', undefined, '2026-03-11T00:00:00Z', '2026-03-10T00:00:00Z'],
    ['@weekly', undefined, '2026-03-15T00:00:00Z', '2026-03-08T00:00:00Z'],
    ['@monthly', undefined, '2026-04-01T00:00:00Z', '2026-03-01T00:00:00Z'],
    ['@yearly', undefined, '2027-01-01T00:00:00Z', '2026-01-01T00:00:00Z'],
    ['@annually', undefined, '2027-01-01T00:00:00Z', '2026-01-01T00:00:00Z'],
    ['0 9 * * 1', 'Europe/Berlin', '2026-03-16T08:00:00Z', '2026-03-09T08:00:00Z'],
    ['0 9 * * *', 'America/New_York', '2026-03-10T13:00:00Z', '2026-03-09T13:00:00Z'],
    // day-of-month and day-of-week are OR-ed (the 13th, or any Friday)
    ['0 0 13 * 5', undefined, '2026-03-13T00:00:00Z', '2026-03-06T00:00:00Z'],
  ];
  for (const [s, tz, next, prev] of cases) {
    const p = sched(s, tz);
    assert.equal(iso(p.next(at)!), next, `${s} ${tz ?? ''} next`);
    assert.equal(iso(p.previous(at)!), prev, `${s} ${tz ?? ''} previous`);
  }
  assert.equal(iso(sched('* * * * *').previous(T('2026-03-10T10:07:00Z'))!), '2026-03-10T10:07:00Z', 'previous includes the instant itself');
});

test('cron: parse errors read as robfig/cron reports them', () => {
  const cases: [string, RegExp][] = [
    ['foo', /^expected exactly 5 fields, found 1: \[foo\]$/],
    ['* * * * * *', /^expected exactly 5 fields, found 6/],
    ['@fortnightly', /^unrecognized descriptor: @fortnightly$/],
    ['70 * * * *', /minute/],
    ['@every 5 minutes', /^failed to parse duration @every 5 minutes: time: invalid duration "5 minutes"$/],
  ];
  for (const [s, want] of cases) {
    const p = parseSchedule(s);
    assert.ok(isScheduleError(p), s);
    assert.match(p.error, want, s);
  }
  const tz = parseSchedule('* * * * *', 'Mars/Olympus');
  assert.ok(isScheduleError(tz) && tz.error === 'unknown time zone Mars/Olympus');
});

test('cronjob: the due time is the latest schedule time since the last run; missed times estimated as Kubernetes does', () => {
  const s = sched('* * * * *');
  const cases: { name: string; cj: KubeObject; now: string; scheduled?: string; missed: number }[] = [
    { name: 'nothing due before the first time', cj: cj(), now: '2026-03-10T10:00:50Z', missed: 0 },
    { name: 'first time after creation', cj: cj(), now: '2026-03-10T10:01:05Z', scheduled: '2026-03-10T10:01:00Z', missed: 1 },
    { name: 'already ran this minute', cj: cj({}, { lastScheduleTime: '2026-03-10T10:01:00Z' }), now: '2026-03-10T10:01:40Z', missed: 0 },
    { name: 'several missed: the latest runs', cj: cj({}, { lastScheduleTime: '2026-03-10T10:01:00Z' }), now: '2026-03-10T10:05:10Z', scheduled: '2026-03-10T10:05:00Z', missed: 4 },
    { name: 'over 100 missed', cj: cj({}, { lastScheduleTime: '2026-03-10T10:01:00Z' }), now: '2026-03-10T14:00:10Z', scheduled: '2026-03-10T14:00:00Z', missed: 239 },
    { name: 'startingDeadlineSeconds bounds the look-back', cj: cj({ startingDeadlineSeconds: 200 }, { lastScheduleTime: '2026-03-10T10:01:00Z' }), now: '2026-03-10T14:00:10Z', scheduled: '2026-03-10T14:00:00Z', missed: 4 },
  ];
  const every = sched('@every 90s');
  cases.push(
    { name: '@every counts from the last run', cj: cj({}, { lastScheduleTime: '2026-03-10T10:00:00Z' }), now: '2026-03-10T10:04:40Z', scheduled: '2026-03-10T10:04:30Z', missed: 3 },
    { name: '@every before its first time', cj: cj(), now: '2026-03-10T10:01:30Z', missed: 0 },
  );
  for (const c of cases) {
    const d = dueTime(c.cj, c.name.startsWith('@every') ? every : s, T(c.now));
    assert.equal(d.scheduled === undefined ? undefined : iso(d.scheduled), c.scheduled, c.name);
    assert.equal(d.missed, c.missed, c.name);
    assert.ok(d.next! > T(c.now), c.name);
  }
});

test('cronjob: creates <name>-<minutes> with the template, owner, scheduled-timestamp annotation; requeues at the next time', () => {
  const now = T('2026-03-10T10:05:07Z');
  const p = planCronJob(cj(), [], now);
  const j = p.create!;
  assert.equal(j.metadata.name, `nightly-${T('2026-03-10T10:05:00Z') / 60000}`);
  assert.equal(j.metadata.name, jobNameFor(cj(), T('2026-03-10T10:05:00Z')));
  assert.deepEqual(j.metadata.labels, { app: 'n' });
  assert.equal(j.metadata.annotations![SCHEDULED_TIMESTAMP_ANNOTATION], '2026-03-10T10:05:00Z');
  assert.deepEqual(j.metadata.ownerReferences, [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'nightly', uid: 'cu', controller: true, blockOwnerDeletion: true }]);
  assert.equal(j.spec!.template.spec.containers[0].image, 'busybox');
  assert.equal(p.status.lastScheduleTime, '2026-03-10T10:05:00Z');
  assert.equal(p.requeueAfterMs, T('2026-03-10T10:10:00Z') - now + 100);
  const berlin = planCronJob(cj({ timeZone: 'Europe/Berlin' }), [], now).create!;
  assert.equal(berlin.metadata.annotations![SCHEDULED_TIMESTAMP_ANNOTATION], '2026-03-10T11:05:00+01:00');
});

test('cronjob: concurrency policies, suspend, deadlines and warnings', () => {
  const now = T('2026-03-10T10:10:03Z');
  const running = job('nightly-1');
  const withActive = (spec: any) => cj(spec, { active: [ref(running)], lastScheduleTime: '2026-03-10T10:05:00Z' });
  const cases: { name: string; c: KubeObject; jobs: KubeObject[]; create: boolean; replace?: string[]; reasons: string[] }[] = [
    { name: 'Allow runs alongside', c: withActive({}), jobs: [running], create: true, reasons: [] },
    { name: 'Forbid skips', c: withActive({ concurrencyPolicy: 'Forbid' }), jobs: [running], create: false, reasons: ['JobAlreadyActive'] },
    { name: 'Replace deletes the active one', c: withActive({ concurrencyPolicy: 'Replace' }), jobs: [running], create: true, replace: ['nightly-1'], reasons: [] },
    { name: 'suspended', c: cj({ suspend: true }), jobs: [], create: false, reasons: [] },
    { name: 'past startingDeadlineSeconds: skipped', c: cj({ startingDeadlineSeconds: 2 }, { lastScheduleTime: '2026-03-10T10:05:00Z' }), jobs: [], create: false, reasons: [] },
    { name: 'in time to start', c: cj({ startingDeadlineSeconds: 10 }, { lastScheduleTime: '2026-03-10T10:05:00Z' }), jobs: [], create: true, reasons: [] },
    { name: 'too many missed', c: cj({ schedule: '* * * * *' }, {}, '2026-03-09T10:00:00Z'), jobs: [], create: true, reasons: ['TooManyMissedTimes'] },
    { name: 'unparseable', c: cj({ schedule: 'nope' }), jobs: [], create: false, reasons: ['UnparseableSchedule'] },
    { name: 'an impossible date', c: cj({ schedule: '0 0 31 2 *' }), jobs: [], create: false, reasons: ['InvalidSchedule'] },
    { name: 'unknown zone', c: cj({ timeZone: 'Mars/Olympus' }), jobs: [], create: false, reasons: ['UnknownTimeZone'] },
  ];
  for (const c of cases) {
    const p = planCronJob(c.c, c.jobs, now);
    assert.equal(!!p.create, c.create, c.name);
    assert.deepEqual(p.replace.map((j) => j.metadata.name), c.replace ?? [], c.name);
    assert.deepEqual(p.events.map((e) => e.reason), c.reasons, c.name);
  }
  const replaced = planCronJob(withActive({ concurrencyPolicy: 'Replace' }), [running], now);
  assert.equal(replaced.status.active, undefined, 'the replaced Job leaves status.active');
  assert.equal(planCronJob(cj({ suspend: true }), [], now).requeueAfterMs, undefined, 'a suspended CronJob waits for its next update');
});

test('cronjob: finished active Jobs leave status.active (SawCompletedJob) and set lastSuccessfulTime; unknown running ones join', () => {
  const now = T('2026-03-10T10:06:00Z');
  const done = job('nightly-a', 'Complete', '2026-03-10T10:05:00Z', { completionTime: '2026-03-10T10:05:30Z' });
  const failed = job('nightly-b', 'Failed');
  const stray = job('nightly-c');
  const c = cj({}, { active: [ref(done), ref(failed), { kind: 'Job', name: 'gone', uid: 'u-gone' }], lastScheduleTime: '2026-03-10T10:05:00Z' });
  const p = planCronJob(c, [done, failed, stray], now);
  assert.deepEqual(p.status.active.map((r: any) => r.name), ['nightly-c']);
  assert.equal(p.status.lastSuccessfulTime, '2026-03-10T10:05:30Z');
  assert.deepEqual(p.events.map((e) => e.reason).sort(), ['MissingJob', 'SawCompletedJob', 'SawCompletedJob', 'UnexpectedJob']);
  assert.match(p.events.find((e) => e.reason === 'SawCompletedJob')!.message, /^Saw completed job: nightly-a, condition: Complete$/);
});

test('cronjob: history limits prune the oldest finished Jobs of each kind', () => {
  const ok = ['10:01', '10:02', '10:03', '10:04', '10:05'].map((t, i) => job(`ok-${i}`, 'Complete', `2026-03-10T${t}:00Z`));
  const bad = ['10:01', '10:03'].map((t, i) => job(`bad-${i}`, 'Failed', `2026-03-10T${t}:00Z`));
  const run = job('run');
  const cases: { name: string; spec: any; pruned: string[] }[] = [
    { name: 'defaults 3 and 1', spec: {}, pruned: ['ok-0', 'ok-1', 'bad-0'] },
    { name: 'zero keeps none', spec: { successfulJobsHistoryLimit: 0, failedJobsHistoryLimit: 0 }, pruned: ['ok-0', 'ok-1', 'ok-2', 'ok-3', 'ok-4', 'bad-0', 'bad-1'] },
    { name: 'unset keeps all', spec: { successfulJobsHistoryLimit: undefined, failedJobsHistoryLimit: undefined }, pruned: [] },
  ];
  for (const c of cases) assert.deepEqual(jobsToPrune(cj(c.spec), [...ok.slice().reverse(), ...bad, run]).map((j) => j.metadata.name), c.pruned, c.name);
});
