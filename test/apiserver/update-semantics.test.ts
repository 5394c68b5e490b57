// rest.BeforeUpdate: a read-modify-write with the client's own spelling of times, or without uid,
// is accepted; creationTimestamp/generation/selfLink come from the stored object; only what
// Kubernetes rejects is rejected. Times are stored as Kubernetes writes them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, req, configMap } from './helpers.ts';
import type { RunningApiServer } from '../../src/apiserver/index.ts';

let srv: RunningApiServer;
let base: string;
before(async () => {
  srv = await startTestServer();
  base = srv.url;
});
after(() => srv.close());

const CM = '/api/v1/namespaces/default/configmaps';

test('replace after read: creationTimestamp in another RFC 3339 spelling, or changed, is ignored', async () => {
  const created = (await req(base, 'POST', CM, configMap('rmw', { a: '1' }))).body;
  const ts: string = created.metadata.creationTimestamp;
  assert.match(ts, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  const spellings = [ts.replace('Z', '.000Z'), ts.replace('Z', '+00:00'), ts.replace('T', 't').replace('Z', 'z'), '2001-01-01T00:00:00Z'];
  let cur = created;
  for (const [i, spelling] of spellings.entries()) {
    const body = { ...cur, metadata: { ...cur.metadata, creationTimestamp: spelling }, data: { a: String(i + 2) } };
    const r = await req(base, 'PUT', `${CM}/rmw`, body);
    assert.equal(r.status, 200, `${spelling}: ${r.text}`);
    assert.equal(r.body.metadata.creationTimestamp, ts);
    cur = r.body;
  }
});

test('update without uid keeps the stored uid; another uid, name or a new deletionTimestamp is 422', async () => {
  const created = (await req(base, 'POST', CM, configMap('ids'))).body;
  const { uid: _u, ...meta } = created.metadata;
  const r = await req(base, 'PUT', `${CM}/ids`, { ...created, metadata: { ...meta, selfLink: '/x', generation: 7 }, data: { b: '1' } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.metadata.uid, created.metadata.uid);
  assert.equal(r.body.metadata.selfLink, undefined);
  assert.equal(r.body.metadata.generation, undefined);
  const cases: [Record<string, unknown>, string][] = [
    [{ uid: 'other' }, 'metadata.uid: Invalid value: "other": field is immutable'],
    [{ deletionTimestamp: '2030-01-01T00:00:00Z' }, 'metadata.deletionTimestamp: Invalid value: "2030-01-01T00:00:00Z": field is immutable'],
    [{ deletionGracePeriodSeconds: 5 }, 'metadata.deletionGracePeriodSeconds: Invalid value: 5: field is immutable'],
  ];
  for (const [change, message] of cases) {
    const bad = await req(base, 'PUT', `${CM}/ids`, { ...r.body, metadata: { ...r.body.metadata, ...change } });
    assert.equal(bad.status, 422, bad.text);
    assert.equal(bad.body.message, `ConfigMap "ids" is invalid: ${message}`);
  }
  const renamed = await req(base, 'PUT', `${CM}/ids`, { ...r.body, metadata: { ...r.body.metadata, name: 'other' } });
  assert.equal(renamed.status, 400);
});

test('merge and JSON patches carrying the client spelling of creationTimestamp are accepted', async () => {
  const created = (await req(base, 'POST', CM, configMap('pt'))).body;
  const plus = created.metadata.creationTimestamp.replace('Z', '+00:00');
  const m = await req(base, 'PATCH', `${CM}/pt`, { metadata: { creationTimestamp: plus }, data: { x: '1' } }, { 'Content-Type': 'application/merge-patch+json' });
  assert.equal(m.status, 200, m.text);
  assert.equal(m.body.metadata.creationTimestamp, created.metadata.creationTimestamp);
  const j = await req(base, 'PATCH', `${CM}/pt`, [{ op: 'replace', path: '/metadata/creationTimestamp', value: '1999-01-01T00:00:00.5Z' }], { 'Content-Type': 'application/json-patch+json' });
  assert.equal(j.status, 200, j.text);
  assert.equal(j.body.metadata.creationTimestamp, created.metadata.creationTimestamp);
});

test('times are stored as Kubernetes writes them: Time to the second, MicroTime with microseconds', async () => {
  const lease = await req(base, 'POST', '/apis/coordination.k8s.io/v1/namespaces/default/leases', {
    metadata: { name: 'l1' },
    spec: { holderIdentity: 'a', renewTime: '2026-12-01T07:27:20.123+00:00', acquireTime: '2026-12-01T07:27:20Z' },
  });
  assert.equal(lease.status, 201, lease.text);
  assert.equal(lease.body.spec.renewTime, '2026-12-01T07:27:20.123000Z');
  assert.equal(lease.body.spec.acquireTime, '2026-12-01T07:27:20.000000Z');
  const ns = await req(base, 'POST', '/api/v1/namespaces', { metadata: { name: 'times' } });
  const st = await req(base, 'PUT', '/api/v1/namespaces/times/status', {
    ...ns.body,
    status: { phase: 'Active', conditions: [{ type: 'X', status: 'True', lastTransitionTime: '2026-12-01T09:27:20.9+02:00' }] },
  });
  assert.equal(st.status, 200, st.text);
  assert.equal(st.body.status.conditions[0].lastTransitionTime, '2026-12-01T07:27:20Z');
});

test('a malformed time is the decoder 400, and nothing is written', async () => {
  const r = await req(base, 'POST', '/apis/coordination.k8s.io/v1/namespaces/default/leases', { metadata: { name: 'l2' }, spec: { renewTime: 'yesterday' } });
  assert.equal(r.status, 400);
  assert.equal(r.body.reason, 'BadRequest');
  assert.equal(r.body.message, 'Lease in version "v1" cannot be handled as a Lease: parsing time "yesterday" as "2006-01-02T15:04:05.999999999Z07:00": cannot parse "yesterday" as "2006"');
  assert.equal((await req(base, 'GET', '/apis/coordination.k8s.io/v1/namespaces/default/leases/l2')).status, 404);
  const created = (await req(base, 'POST', CM, configMap('badtime', { a: '1' }))).body;
  const u = await req(base, 'PUT', `${CM}/badtime`, { ...created, metadata: { ...created.metadata, creationTimestamp: '01/02/2026' }, data: { a: '2' } });
  assert.equal(u.status, 400);
  assert.match(u.body.message, /^ConfigMap in version "v1" cannot be handled as a ConfigMap: parsing time "01\/02\/2026"/);
  assert.equal((await req(base, 'GET', `${CM}/badtime`)).body.data.a, '1');
});

test('a pod replaced with the user manifest keeps what admission set (priority, preemptionPolicy, tolerations)', async () => {
  const manifest = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'rp' }, spec: { serviceAccountName: 'default', containers: [{ name: 'c', image: 'nginx:1.26' }] } };
  const created = await req(base, 'POST', '/api/v1/namespaces/default/pods', manifest);
  assert.equal(created.status, 201, created.text);
  assert.equal(created.body.spec.priority, 0);
  const r = await req(base, 'PUT', '/api/v1/namespaces/default/pods/rp', { ...manifest, spec: { ...manifest.spec, containers: [{ name: 'c', image: 'nginx:1.27' }] } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.spec.containers[0].image, 'nginx:1.27');
  assert.equal(r.body.spec.priority, 0);
  assert.equal(r.body.spec.preemptionPolicy, 'PreemptLowerPriority');
  assert.deepEqual(r.body.spec.tolerations.map((t: any) => t.key), ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']);
  // what Kubernetes refuses stays refused
  const bad = await req(base, 'PUT', '/api/v1/namespaces/default/pods/rp', { ...manifest, spec: { ...manifest.spec, restartPolicy: 'Never' } });
  assert.equal(bad.status, 422);
});

test('new workload objects carry the status counts Kubernetes always serialises', async () => {
  const labels = { app: 'z' };
  const template = { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'nginx' }] } };
  const cases: [string, object, Record<string, number>][] = [
    ['/apis/apps/v1/namespaces/default/replicasets', { metadata: { name: 'z' }, spec: { selector: { matchLabels: labels }, template } }, { replicas: 0 }],
    ['/apis/apps/v1/namespaces/default/statefulsets', { metadata: { name: 'z' }, spec: { selector: { matchLabels: labels }, serviceName: 'z', template } }, { replicas: 0, availableReplicas: 0 }],
    ['/apis/apps/v1/namespaces/default/daemonsets', { metadata: { name: 'z' }, spec: { selector: { matchLabels: labels }, template } }, { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 }],
    ['/api/v1/namespaces/default/replicationcontrollers', { metadata: { name: 'z' }, spec: { selector: labels, template } }, { replicas: 0 }],
    ['/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers', { metadata: { name: 'z' }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'z' }, maxReplicas: 3 } }, { currentReplicas: 0, desiredReplicas: 0 }],
  ];
  for (const [path, body, status] of cases) {
    const r = await req(base, 'POST', path, body);
    assert.equal(r.status, 201, `${path}: ${r.text}`);
    assert.deepEqual(r.body.status, status, path);
  }
});

test('generation: a spec sent back with its members in another order is the same spec (no bump); a changed spec bumps it', async () => {
  const DEP = '/apis/apps/v1/namespaces/default/deployments';
  const spec = { replicas: 1, selector: { matchLabels: { app: 'order' } }, template: { metadata: { labels: { app: 'order' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } };
  const created = (await req(base, 'POST', DEP, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'order' }, spec })).body;
  assert.equal(created.metadata.generation, 1);
  // every member of the stored spec, last first, and a label changed (so the write is not a no-op)
  const reordered = Object.fromEntries(Object.entries(created.spec).reverse());
  assert.notDeepEqual(Object.keys(reordered), Object.keys(created.spec));
  const same = await req(base, 'PUT', `${DEP}/order`, { ...created, metadata: { ...created.metadata, labels: { touched: 'yes' } }, spec: reordered });
  assert.equal(same.status, 200, same.text);
  assert.equal(same.body.metadata.labels.touched, 'yes');
  assert.equal(same.body.metadata.generation, 1);
  const changed = await req(base, 'PUT', `${DEP}/order`, { ...same.body, spec: { ...same.body.spec, replicas: 2 } });
  assert.equal(changed.status, 200, changed.text);
  assert.equal(changed.body.metadata.generation, 2);
});
