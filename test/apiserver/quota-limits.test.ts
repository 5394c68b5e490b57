// The API server's ResourceQuota and LimitRanger admission, and bad input for the new kinds
// (ResourceQuota, LimitRange, EndpointSlice): 4xx naming the field, nothing written.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, req } from './helpers.ts';
import type { RunningApiServer } from '../../src/apiserver/index.ts';

let srv: RunningApiServer;
before(async () => {
  srv = await startTestServer();
});
after(async () => {
  await srv.close();
});

const ns = async (name: string) => req(srv.url, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
const podBody = (name: string, resources: any = {}, extra: any = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name },
  spec: { containers: [{ name: 'c', image: 'nginx', resources }], ...extra },
});
/** A quota as the controller would have counted it (status.hard and used set). */
async function quota(namespace: string, name: string, hard: Record<string, string>, used: Record<string, string>, spec: any = {}) {
  const c = await req(srv.url, 'POST', `/api/v1/namespaces/${namespace}/resourcequotas`, { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name }, spec: { hard, ...spec } });
  assert.equal(c.status, 201, c.text);
  const s = await req(srv.url, 'PUT', `/api/v1/namespaces/${namespace}/resourcequotas/${name}/status`, { ...c.body, status: { hard, used } });
  assert.equal(s.status, 200, s.text);
}

test('a create that would exceed a quota is refused with Kubernetes message; an allowed one is charged', async () => {
  await ns('q1');
  await quota('q1', 'q', { pods: '2' }, { pods: '1' });
  const ok = await req(srv.url, 'POST', '/api/v1/namespaces/q1/pods', podBody('a'));
  assert.equal(ok.status, 201, ok.text);
  const q = await req(srv.url, 'GET', '/api/v1/namespaces/q1/resourcequotas/q');
  assert.deepEqual(q.body.status.used, { pods: '2' });
  const refused = await req(srv.url, 'POST', '/api/v1/namespaces/q1/pods', podBody('b'));
  assert.equal(refused.status, 403);
  assert.equal(refused.body.reason, 'Forbidden');
  assert.equal(refused.body.message, 'pods "b" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2');
  assert.equal((await req(srv.url, 'GET', '/api/v1/namespaces/q1/pods/b')).status, 404, 'nothing written');
  // A dry run is checked but not charged.
  await quota('q1', 'cm', { configmaps: '5', 'count/secrets': '0' }, { configmaps: '0', 'count/secrets': '0' });
  const dry = await req(srv.url, 'POST', '/api/v1/namespaces/q1/configmaps?dryRun=All', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } });
  assert.equal(dry.status, 201);
  assert.deepEqual((await req(srv.url, 'GET', '/api/v1/namespaces/q1/resourcequotas/cm')).body.status.used, { configmaps: '0', 'count/secrets': '0' });
  const sec = await req(srv.url, 'POST', '/api/v1/namespaces/q1/secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' } });
  assert.equal(sec.body.message, 'secrets "s" is forbidden: exceeded quota: cm, requested: count/secrets=1, used: count/secrets=0, limited: count/secrets=0');
});

test('compute quotas: requested/used/limited name only the exceeded resources; containers must state them', async () => {
  await ns('q2');
  await quota('q2', 'compute', { 'requests.cpu': '1', 'limits.memory': '1Gi', pods: '10' }, { 'requests.cpu': '600m', 'limits.memory': '0', pods: '1' });
  const big = await req(srv.url, 'POST', '/api/v1/namespaces/q2/pods', podBody('big', { requests: { cpu: '500m' }, limits: { memory: '256Mi' } }));
  assert.equal(big.body.message, 'pods "big" is forbidden: exceeded quota: compute, requested: requests.cpu=500m, used: requests.cpu=600m, limited: requests.cpu=1');
  const bare = await req(srv.url, 'POST', '/api/v1/namespaces/q2/pods', podBody('bare'));
  assert.equal(bare.status, 403);
  assert.equal(bare.body.message, 'pods "bare" is forbidden: failed quota: compute: must specify limits.memory for: c; requests.cpu for: c');
  const fits = await req(srv.url, 'POST', '/api/v1/namespaces/q2/pods', podBody('fits', { requests: { cpu: '400m' }, limits: { memory: '256Mi' } }));
  assert.equal(fits.status, 201, fits.text);
  assert.deepEqual((await req(srv.url, 'GET', '/api/v1/namespaces/q2/resourcequotas/compute')).body.status.used, { 'limits.memory': '256Mi', pods: '2', 'requests.cpu': '1' });
});

test('a quota the controller has not counted yet does not apply; one missing usage is "status unknown"', async () => {
  await ns('q3');
  const c = await req(srv.url, 'POST', '/api/v1/namespaces/q3/resourcequotas', { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'fresh' }, spec: { hard: { pods: '0' } } });
  assert.deepEqual(c.body.status, {}, 'status is reset on create');
  assert.equal((await req(srv.url, 'POST', '/api/v1/namespaces/q3/pods', podBody('a'))).status, 201);
  await quota('q3', 'half', { pods: '5', 'count/pods': '5' }, { pods: '1' });
  const r = await req(srv.url, 'POST', '/api/v1/namespaces/q3/pods', podBody('b'));
  assert.equal(r.body.message, 'pods "b" is forbidden: status unknown for quota: half, resources: count/pods,pods');
});

test('concurrent creates against a quota: exactly as many pass as it allows', async () => {
  await ns('q4');
  await quota('q4', 'q', { pods: '3' }, { pods: '0' });
  const results = await Promise.all(Array.from({ length: 10 }, (_, i) => req(srv.url, 'POST', '/api/v1/namespaces/q4/pods', podBody(`p${i}`))));
  assert.equal(results.filter((r) => r.status === 201).length, 3);
  assert.equal(results.filter((r) => r.status === 403).length, 7);
  assert.equal((await req(srv.url, 'GET', '/api/v1/namespaces/q4/pods')).body.items.length, 3);
  assert.deepEqual((await req(srv.url, 'GET', '/api/v1/namespaces/q4/resourcequotas/q')).body.status.used, { pods: '3' });
});

test('LimitRanger: default requests and limits with the limit-ranger annotation', async () => {
  await ns('l1');
  const lr = await req(srv.url, 'POST', '/api/v1/namespaces/l1/limitranges', {
    apiVersion: 'v1',
    kind: 'LimitRange',
    metadata: { name: 'limits' },
    spec: { limits: [{ type: 'Container', default: { cpu: '500m', memory: '128Mi' }, defaultRequest: { cpu: '100m' } }] },
  });
  assert.equal(lr.status, 201, lr.text);
  assert.deepEqual(lr.body.spec.limits[0].defaultRequest, { cpu: '100m', memory: '128Mi' }, 'defaultRequest defaulted from default');
  const p = await req(srv.url, 'POST', '/api/v1/namespaces/l1/pods', podBody('p', { requests: { memory: '64Mi' } }));
  assert.equal(p.status, 201, p.text);
  assert.deepEqual(p.body.spec.containers[0].resources, { requests: { memory: '64Mi', cpu: '100m' }, limits: { cpu: '500m', memory: '128Mi' } });
  assert.equal(p.body.metadata.annotations['kubernetes.io/limit-ranger'], 'LimitRanger plugin set: cpu request for container c; cpu, memory limit for container c');
});

test('LimitRanger: min, max and maxLimitRequestRatio with Kubernetes messages', async () => {
  await ns('l2');
  const lr = await req(srv.url, 'POST', '/api/v1/namespaces/l2/limitranges', {
    apiVersion: 'v1',
    kind: 'LimitRange',
    metadata: { name: 'limits' },
    spec: { limits: [{ type: 'Container', min: { cpu: '100m' }, max: { memory: '1Gi' }, maxLimitRequestRatio: { cpu: '4' } }] },
  });
  assert.equal(lr.status, 201, lr.text);
  const cases: [any, string][] = [
    [{ requests: { cpu: '50m' }, limits: { cpu: '100m' } }, 'minimum cpu usage per Container is 100m, but request is 50m'],
    [{ requests: { cpu: '100m', memory: '2Gi' }, limits: { cpu: '100m', memory: '2Gi' } }, 'maximum memory usage per Container is 1Gi, but limit is 2Gi'],
    [{ requests: { cpu: '100m' }, limits: { cpu: '1' } }, 'cpu max limit to request ratio per Container is 4, but provided ratio is 10.000000'],
  ];
  for (const [resources, msg] of cases) {
    const r = await req(srv.url, 'POST', '/api/v1/namespaces/l2/pods', podBody('p', resources));
    assert.equal(r.status, 403, r.text);
    assert.equal(r.body.message, `pods "p" is forbidden: ${msg}`);
  }
  // The ratio needs a cpu limit, which this range gives no default for.
  const bare = await req(srv.url, 'POST', '/api/v1/namespaces/l2/pods', podBody('bare'));
  assert.equal(bare.body.message, 'pods "bare" is forbidden: cpu max limit to request ratio per Container is 4, but no limit is specified or limit is 0');
  // memory defaults from max (limit and request); the cpu request from the limit.
  const p = await req(srv.url, 'POST', '/api/v1/namespaces/l2/pods', podBody('ok', { limits: { cpu: '200m' } }));
  assert.equal(p.status, 201, p.text);
  assert.deepEqual(p.body.spec.containers[0].resources, { requests: { cpu: '200m', memory: '1Gi' }, limits: { cpu: '200m', memory: '1Gi' } });
});

test('bad ResourceQuota, LimitRange and EndpointSlice bodies: 422 naming the field, nothing written', async () => {
  await ns('bad');
  const cases: [string, any, string][] = [
    ['/api/v1/namespaces/bad/resourcequotas', { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'x' }, spec: { hard: { pods: '-1' } } }, 'spec.hard[pods]'],
    ['/api/v1/namespaces/bad/resourcequotas', { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'x' }, spec: { hard: { pods: 'many' } } }, 'spec.hard[pods]'],
    ['/api/v1/namespaces/bad/limitranges', { apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'x' }, spec: { limits: [{ type: 'Pod', min: { cpu: '2' }, max: { cpu: '1' } }] } }, 'spec.limits[0].min[cpu]'],
    ['/api/v1/namespaces/bad/limitranges', { apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'x' }, spec: { limits: [{ type: 'Nodes' }] } }, 'spec.limits[0].type'],
    ['/apis/discovery.k8s.io/v1/namespaces/bad/endpointslices', { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'x' }, endpoints: [] }, 'addressType'],
    [
      '/apis/discovery.k8s.io/v1/namespaces/bad/endpointslices',
      { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'x' }, addressType: 'IPv4', endpoints: [{ addresses: ['not-an-ip'] }] },
      'endpoints[0].addresses[0]',
    ],
  ];
  for (const [path, body, field] of cases) {
    const r = await req(srv.url, 'POST', path, body);
    assert.equal(r.status, 422, `${path}: ${r.text}`);
    assert.equal(r.body.details.causes[0].field, field);
    assert.ok(r.body.message.includes(field), r.body.message);
    assert.equal((await req(srv.url, 'GET', `${path}/x`)).status, 404, 'nothing written');
  }
});

test('the default/kubernetes EndpointSlice mirrors its Endpoints', async () => {
  const s = await req(srv.url, 'GET', '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/kubernetes');
  assert.equal(s.status, 200);
  assert.equal(s.body.addressType, 'IPv4');
  assert.deepEqual(s.body.metadata.labels, { 'kubernetes.io/service-name': 'kubernetes' });
  assert.deepEqual(s.body.endpoints, [{ addresses: ['127.0.0.1'], conditions: { ready: true } }]);
  assert.deepEqual(s.body.ports, [{ name: 'https', port: srv.port, protocol: 'TCP' }]);
});
