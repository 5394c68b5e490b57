// Integration: an HPA on a Pods metric (custom.metrics.k8s.io, served by the API server from the
// Deployment's `kubesim.io/metric-<name>` total spread over its ready pods) scales the Deployment
// as Kubernetes' formula gives: 100 req/s, 20 per pod → 1 → 4 (the scale-up limit, max(2×1, 4)) → 5.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cluster, deployment, DEPLOYMENTS, EVENTS, fakeKubelet, type TestCluster } from './helpers.ts';
import { eventually } from '../helpers/eventually.ts';

const HPAS = { group: 'autoscaling', version: 'v2', plural: 'horizontalpodautoscalers', namespaced: true };
let c: TestCluster;
let stopKubelet: () => void;

before(async () => {
  c = await cluster({ controllers: ['deployment', 'replicaset', 'horizontalpodautoscaling'], hpaSyncPeriodSeconds: 1 });
  stopKubelet = fakeKubelet(c.client, 'default');
});
after(async () => {
  stopKubelet();
  await c.close();
});

test('a Pods metric (AverageValue) scales 1 → 4 → 5 and holds at the target', { timeout: 60_000 }, async () => {
  await c.client.resource(DEPLOYMENTS).create(deployment('web', 1, 'nginx:1', { metadata: { annotations: { 'kubesim.io/metric-requests_per_second': '100' } } }), { namespace: 'default' });
  await c.client.resource(HPAS).create(
    {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'web' },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
        minReplicas: 1,
        maxReplicas: 10,
        metrics: [{ type: 'Pods', pods: { metric: { name: 'requests_per_second' }, target: { type: 'AverageValue', averageValue: '20' } } }],
      },
    },
    { namespace: 'default' },
  );
  const hpa = await eventually(
    async () => {
      const h = await c.client.resource(HPAS).get('web', { namespace: 'default' });
      return h.status?.currentReplicas === 5 && h.status?.currentMetrics?.[0]?.pods?.current?.averageValue === '20' ? h : undefined;
    },
    'the HPA at 5 replicas with 20 req/s per pod',
    40_000,
  );
  assert.deepEqual(hpa.status.currentMetrics, [{ type: 'Pods', pods: { metric: { name: 'requests_per_second' }, current: { averageValue: '20' } } }]);
  const active = hpa.status.conditions.find((x: any) => x.type === 'ScalingActive');
  assert.equal(active.reason, 'ValidMetricFound');
  assert.equal(active.message, 'the HPA was able to successfully calculate a replica count from pods metric requests_per_second');
  const events = (await c.client.resource(EVENTS).list({ namespace: 'default' })).items
    .filter((e: any) => e.reason === 'SuccessfulRescale')
    .sort((a: any, b: any) => (a.firstTimestamp ?? a.eventTime ?? '').localeCompare(b.firstTimestamp ?? b.eventTime ?? ''))
    .map((e: any) => e.message);
  assert.deepEqual(events, ['New size: 4; reason: pods metric requests_per_second above target', 'New size: 5; reason: pods metric requests_per_second above target']);
  const d = await c.client.resource(DEPLOYMENTS).get('web', { namespace: 'default' });
  assert.equal(d.spec.replicas, 5);
});
