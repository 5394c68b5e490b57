// The CronJob controller against a real API server on an injected clock (options.now): the clock
// is moved hours ahead instead of waiting, and the controller creates, tracks and prunes Jobs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cluster, JOBS, type TestCluster } from './helpers.ts';
import { CRONJOBS } from '../../src/controllers/resources.ts';
import { eventually } from '../helpers/eventually.ts';

let c: TestCluster;
const HOUR = 3600_000;
let clock = Date.now();

before(async () => {
  c = await cluster({ controllers: ['cronjob'], now: () => clock });
});
after(async () => {
  await c?.close();
});

const hourOf = (ms: number) => Math.floor(ms / HOUR) * HOUR;

test('an hourly CronJob runs at the latest hour the clock has passed, then at each next one; history limit 1 prunes', async () => {
  const cjs = c.client.resource(CRONJOBS);
  const jobs = c.client.resource(JOBS);
  clock = Date.now() + 3 * HOUR + 60_000;
  const cj = await cjs.create({
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'hourly', namespace: 'default' },
    spec: { schedule: '0 * * * *', successfulJobsHistoryLimit: 1, jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } } } },
  });
  const first = `hourly-${hourOf(clock) / 60000}`;
  const j1 = await eventually(() => jobs.get(first, { namespace: 'default' }), 'the Job of the latest hour');
  assert.equal(j1.metadata.ownerReferences?.[0].uid, cj.metadata.uid);
  assert.equal(j1.metadata.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp'], new Date(hourOf(clock)).toISOString().replace('.000Z', 'Z'));
  await eventually(async () => (await cjs.get('hourly', { namespace: 'default' })).status?.active?.[0]?.name === first, 'status.active');

  // The Job completes (no Job controller runs here: its status is written directly).
  const done = (j: any) => ({ ...j, status: { startTime: new Date(clock).toISOString(), completionTime: new Date(clock).toISOString(), succeeded: 1, conditions: [{ type: 'SuccessCriteriaMet', status: 'True' }, { type: 'Complete', status: 'True' }] } });
  await jobs.updateStatus(done(await jobs.get(first, { namespace: 'default' })));
  const after1 = await eventually(async () => {
    const s = (await cjs.get('hourly', { namespace: 'default' })).status;
    return s?.lastSuccessfulTime && !s.active && s;
  }, 'the completed Job leaves status.active');
  assert.equal(after1.lastScheduleTime, new Date(hourOf(clock)).toISOString().replace('.000Z', 'Z'));

  // An hour later (a touch of the CronJob stands in for the requeue at the next schedule time).
  clock += HOUR;
  await cjs.patch('hourly', { metadata: { labels: { tick: '1' } } }, { namespace: 'default', type: 'merge' });
  const second = `hourly-${hourOf(clock) / 60000}`;
  await eventually(() => jobs.get(second, { namespace: 'default' }), 'the next hour\'s Job');
  await jobs.updateStatus(done(await jobs.get(second, { namespace: 'default' })));
  // Two successful Jobs, limit 1: the older goes.
  await eventually(async () => {
    const names = (await jobs.list({ namespace: 'default' })).items.filter((j) => !j.metadata.deletionTimestamp).map((j) => j.metadata.name);
    return names.length === 1 && names[0] === second;
  }, 'the older Job pruned', 10_000);
});
