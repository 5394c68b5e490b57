// The resource quota and EndpointSlice controllers against an in-process API server: quota status
// follows the namespace's objects; a Service's slices follow its pods' readiness and deletion.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/types.ts';
import { isStatusError } from '../../src/api/errors.ts';
import { RESOURCEQUOTAS } from '../../src/controllers/resourcequota/controller.ts';
import { ENDPOINTSLICES } from '../../src/controllers/endpointslice/controller.ts';
import { cluster, PODS, SERVICES, type TestCluster } from './helpers.ts';
import { eventually } from '../helpers/eventually.ts';

let c: TestCluster;
const ns = 'default';
before(async () => {
  c = await cluster({ controllers: ['resourcequota', 'endpointslice', 'garbagecollector'], resourceQuotaSyncPeriodSeconds: 1 });
});
after(async () => {
  await c.close();
});

const pods = () => c.client.resource(PODS);
const podBody = (name: string, labels: Record<string, string> = {}, requests?: Record<string, string>): KubeObject =>
  ({ metadata: { name, labels }, spec: { containers: [{ name: 'c', image: 'nginx', resources: requests ? { requests, limits: requests } : {}, ports: [{ name: 'http', containerPort: 8080 }] }] } }) as KubeObject;
async function setStatus(name: string, ready: boolean, ip: string, phase = 'Running') {
  const p = await pods().get(name, { namespace: ns });
  await pods().updateStatus({ ...p, status: { ...(p.status ?? {}), phase, podIP: ip, podIPs: [{ ip }], conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] } });
}

test('the quota controller fills status.hard and status.used, and follows deletes and finished pods', async () => {
  await pods().create(podBody('q-a', {}, { cpu: '100m' }), { namespace: ns });
  await c.client.resource(RESOURCEQUOTAS).create({ metadata: { name: 'compute' }, spec: { hard: { pods: '3', 'requests.cpu': '1', 'count/services': '10' } } } as KubeObject, { namespace: ns });
  const used = async () => (await c.client.resource(RESOURCEQUOTAS).get('compute', { namespace: ns })).status?.used;
  await eventually(async () => (await used())?.pods === '1' && (await used())['requests.cpu'] === '100m', 'counted the existing pod');
  const svcs = (await c.client.resource(SERVICES).list({ namespace: ns })).items.length;
  assert.equal((await used())['count/services'], String(svcs));
  // Admission charges a new pod at once; the controller agrees.
  await pods().create(podBody('q-b', {}, { cpu: '200m' }), { namespace: ns });
  assert.equal((await used())['requests.cpu'], '300m');
  // A finished pod stops using compute quota; a deleted one everything.
  await setStatus('q-b', false, '10.9.0.2', 'Succeeded');
  await eventually(async () => (await used())['requests.cpu'] === '100m' && (await used()).pods === '1', 'finished pod released');
  await pods().delete('q-a', { namespace: ns, gracePeriodSeconds: 0 });
  await eventually(async () => (await used())['requests.cpu'] === '0' && (await used()).pods === '0', 'deleted pod released');
  await pods().delete('q-b', { namespace: ns, gracePeriodSeconds: 0 });
  // Over the limit: refused with the exact message once the quota is full.
  await c.client.resource(RESOURCEQUOTAS).create({ metadata: { name: 'two' }, spec: { hard: { pods: '2' } } } as KubeObject, { namespace: ns });
  await eventually(async () => (await c.client.resource(RESOURCEQUOTAS).get('two', { namespace: ns })).status?.used?.pods === '0', 'two counted');
  for (const n of ['t-1', 't-2']) await pods().create(podBody(n, {}, { cpu: '10m' }), { namespace: ns });
  const err = await pods().create(podBody('t-3', {}, { cpu: '10m' }), { namespace: ns }).then(() => undefined, (e) => e);
  assert.ok(isStatusError(err, 403));
  assert.equal(err.message, 'pods "t-3" is forbidden: exceeded quota: two, requested: pods=1, used: pods=2, limited: pods=2');
  for (const n of ['t-1', 't-2']) await pods().delete(n, { namespace: ns, gracePeriodSeconds: 0 });
  for (const q of ['two', 'compute']) await c.client.resource(RESOURCEQUOTAS).delete(q, { namespace: ns });
});

test("a Service's EndpointSlice follows readiness and deletion of its pods", async () => {
  await c.client.resource(SERVICES).create({ metadata: { name: 'web' }, spec: { selector: { app: 'sl' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] } } as KubeObject, { namespace: ns });
  const slices = async () => (await c.client.resource(ENDPOINTSLICES).list({ namespace: ns, labelSelector: 'kubernetes.io/service-name=web' })).items;
  const placeholder = await eventually(async () => (await slices()).length === 1 && (await slices())[0], 'a placeholder slice');
  assert.deepEqual(placeholder.endpoints, []);
  assert.equal(placeholder.metadata.ownerReferences![0].kind, 'Service');
  for (const [n, ip] of [['sl-a', '10.8.0.1'], ['sl-b', '10.8.0.2']]) {
    await pods().create(podBody(n, { app: 'sl' }), { namespace: ns });
    await setStatus(n, true, ip);
  }
  const endpointsOf = async () => (await slices()).flatMap((s) => (s.endpoints as any[]).map((e) => ({ ip: e.addresses[0], ...e.conditions, ports: s.ports })));
  await eventually(async () => (await endpointsOf()).filter((e) => e.ready).length === 2, 'two ready endpoints');
  assert.equal((await slices()).length, 1, 'one slice, the placeholder replaced');
  assert.deepEqual((await endpointsOf())[0].ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
  // Not ready flips `ready` (and `serving`).
  await setStatus('sl-a', false, '10.8.0.1');
  await eventually(async () => (await endpointsOf()).some((e) => e.ip === '10.8.0.1' && e.ready === false && e.serving === false), 'sl-a not ready');
  // Terminating: still listed, serving, not ready.
  await setStatus('sl-a', true, '10.8.0.1');
  await pods().delete('sl-b', { namespace: ns, gracePeriodSeconds: 30 });
  const terminating = async () => (await endpointsOf()).find((e) => e.ip === '10.8.0.2');
  const t = await pods().get('sl-b', { namespace: ns }).catch(() => undefined);
  if (t?.metadata.deletionTimestamp) await eventually(async () => (await terminating())?.terminating === true && (await terminating())?.ready === false, 'sl-b terminating');
  await pods().delete('sl-b', { namespace: ns, gracePeriodSeconds: 0 }).catch(() => undefined);
  await eventually(async () => !(await terminating()) && (await endpointsOf()).length === 1, 'sl-b gone');
  await c.client.resource(SERVICES).delete('web', { namespace: ns });
  await eventually(async () => (await slices()).length === 0, 'slices garbage-collected with the Service');
});
