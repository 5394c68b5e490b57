// The official @kubernetes/client-node reads, changes and writes back a CronJob and an Indexed Job
// through BatchV1Api (typed models: CronJob, V1JobSpec with the policies).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { clientNodeServer, type ClientNodeServer } from '../helpers/client-node.ts';

let server: ClientNodeServer;
let kc: k8s.KubeConfig;
before(async () => {
  server = await clientNodeServer();
  kc = server.kc;
});
after(() => server.close());

const template = { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox' }] } };

test('CronJob: create, read (defaults), change, replace', async () => {
  const batch = kc.makeApiClient(k8s.BatchV1Api);
  await batch.createNamespacedCronJob({ namespace: 'default', body: { metadata: { name: 'nightly' }, spec: { schedule: '@daily', timeZone: 'Europe/Berlin', jobTemplate: { spec: { template } } } } });
  const got = await batch.readNamespacedCronJob({ namespace: 'default', name: 'nightly' });
  assert.equal(got.spec?.concurrencyPolicy, 'Allow');
  assert.equal(got.spec?.successfulJobsHistoryLimit, 3);
  assert.equal(got.spec?.failedJobsHistoryLimit, 1);
  assert.equal(got.spec?.suspend, false);
  got.spec!.schedule = '30 2 * * 1-5';
  got.spec!.concurrencyPolicy = 'Forbid';
  const replaced = await batch.replaceNamespacedCronJob({ namespace: 'default', name: 'nightly', body: got });
  assert.equal(replaced.spec?.schedule, '30 2 * * 1-5');
  assert.equal(replaced.metadata?.generation, 2);
  await assert.rejects(batch.patchNamespacedCronJob({ namespace: 'default', name: 'nightly', body: { spec: { schedule: '61 * * * *' } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch)), /spec\.schedule/);
});

test('Job: an Indexed Job with a failure and a success policy round-trips as typed objects', async () => {
  const batch = kc.makeApiClient(k8s.BatchV1Api);
  await batch.createNamespacedJob({
    namespace: 'default',
    body: {
      metadata: { name: 'ix' },
      spec: {
        completionMode: 'Indexed',
        completions: 3,
        backoffLimitPerIndex: 1,
        suspend: true,
        podFailurePolicy: { rules: [{ action: 'FailIndex', onExitCodes: { operator: 'In', values: [42] } }, { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }] },
        successPolicy: { rules: [{ succeededIndexes: '0-1' }] },
        template,
      },
    },
  });
  const got = await batch.readNamespacedJob({ namespace: 'default', name: 'ix' });
  assert.equal(got.spec?.podReplacementPolicy, 'Failed');
  assert.equal(got.spec?.backoffLimit, 2147483647);
  assert.equal(got.spec?.podFailurePolicy?.rules[0].onExitCodes?.values[0], 42);
  got.spec!.suspend = false;
  const replaced = await batch.replaceNamespacedJob({ namespace: 'default', name: 'ix', body: got });
  assert.equal(replaced.spec?.suspend, false);
  assert.equal(replaced.spec?.successPolicy?.rules[0].succeededIndexes, '0-1');
});
