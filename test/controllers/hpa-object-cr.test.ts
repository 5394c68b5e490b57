// Integration: an HPA Object metric whose describedObject is a custom resource (a CRD's Widget with
// a `kubesim.io/metric-<name>` annotation): the controller finds widgets.example.com through
// discovery, as the RESTMapper does, and scales the Deployment by AverageValue: 30 / 10 → 3.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cluster, deployment, DEPLOYMENTS, fakeKubelet, type TestCluster } from './helpers.ts';
import { eventually } from '../helpers/eventually.ts';
import { establish, widget, widgetCrd } from '../crd/helpers.ts';
import { req } from '../apiserver/helpers.ts';

const HPAS = { group: 'autoscaling', version: 'v2', plural: 'horizontalpodautoscalers', namespaced: true };
const WIDGETS = { group: 'example.com', version: 'v1', plural: 'widgets', namespaced: true };
let c: TestCluster;
let stopKubelet: () => void;

before(async () => {
  c = await cluster({ controllers: ['deployment', 'replicaset', 'horizontalpodautoscaling'], hpaSyncPeriodSeconds: 1 });
  stopKubelet = fakeKubelet(c.client, 'default');
  await establish(c.api.url, widgetCrd());
});
after(async () => {
  stopKubelet();
  await c.close();
});

test('the custom metrics API serves a custom resource annotation and lists it in discovery', async () => {
  await c.client.resource(WIDGETS).create(widget('queue', { replicas: 1 }, { annotations: { 'kubesim.io/metric-queue_length': '30' } }), { namespace: 'default' });
  const r = await req(c.api.url, 'GET', '/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/widgets.example.com/queue/queue_length');
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.items.map((i: any) => [i.describedObject, i.value]), [[{ kind: 'Widget', namespace: 'default', name: 'queue', apiVersion: 'example.com/v1' }, '30']]);
  const d = await req(c.api.url, 'GET', '/apis/custom.metrics.k8s.io/v1beta2');
  assert.ok(d.body.resources.some((x: any) => x.name === 'widgets.example.com/queue_length' && x.namespaced === true), JSON.stringify(d.body.resources));
});

test('an Object metric on a Widget (AverageValue) scales the Deployment to 3', { timeout: 60_000 }, async () => {
  await c.client.resource(DEPLOYMENTS).create(deployment('worker', 1), { namespace: 'default' });
  const describedObject = { apiVersion: 'example.com/v1', kind: 'Widget', name: 'queue' };
  await c.client.resource(HPAS).create(
    {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'worker' },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'worker' },
        minReplicas: 1,
        maxReplicas: 10,
        metrics: [{ type: 'Object', object: { describedObject, metric: { name: 'queue_length' }, target: { type: 'AverageValue', averageValue: '10' } } }],
      },
    },
    { namespace: 'default' },
  );
  const hpa = await eventually(
    async () => {
      const h = await c.client.resource(HPAS).get('worker', { namespace: 'default' });
      return h.status?.currentReplicas === 3 && h.status?.currentMetrics?.[0]?.object?.current?.averageValue === '10' ? h : undefined;
    },
    'the HPA at 3 replicas with 10 per pod',
    40_000,
  );
  assert.deepEqual(hpa.status.currentMetrics, [{ type: 'Object', object: { metric: { name: 'queue_length' }, current: { averageValue: '10' } } }]);
  const active = hpa.status.conditions.find((x: any) => x.type === 'ScalingActive');
  assert.equal(active.status, 'True');
  assert.equal((await c.client.resource(DEPLOYMENTS).get('worker', { namespace: 'default' })).spec.replicas, 3);
});
