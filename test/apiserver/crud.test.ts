// HTTP tests of every verb: get, list (selectors, paging, resourceVersion semantics), create,
// update, patch, delete (finalizers, propagation, graceful pods), deletecollection.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, req, configMap, pod, deployment, watch, type Res } from './helpers.ts';
import type { RunningApiServer } from '../../src/apiserver/index.ts';

let srv: RunningApiServer;
let base: string;
before(async () => {
  srv = await startTestServer();
  base = srv.url;
});
after(() => srv.close());

const CM = '/api/v1/namespaces/default/configmaps';
const DEPLOY = '/apis/apps/v1/namespaces/default/deployments';
const POD = '/api/v1/namespaces/default/pods';

function ok(r: Res, code = 200): any {
  assert.equal(r.status, code, r.text);
  return r.body;
}

test('bootstrap namespaces exist', async () => {
  const list = ok(await req(base, 'GET', '/api/v1/namespaces'));
  const names = list.items.map((n: any) => n.metadata.name);
  for (const n of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) assert.ok(names.includes(n), n);
  const ns = ok(await req(base, 'GET', '/api/v1/namespaces/kube-system'));
  assert.equal(ns.kind, 'Namespace');
});

test('create sets uid, creationTimestamp, generation, resourceVersion; get returns it', async () => {
  const created = ok(await req(base, 'POST', CM, configMap('c1', { a: '1' })), 201);
  assert.match(created.metadata.uid, /^[0-9a-f-]{36}$/);
  assert.match(created.metadata.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal(created.metadata.generation, undefined, 'a ConfigMap has no generation, as in Kubernetes');
  assert.match(created.metadata.resourceVersion, /^\d+$/);
  assert.equal(created.metadata.namespace, 'default');
  const got = ok(await req(base, 'GET', `${CM}/c1`));
  assert.deepEqual(got, created);
});

test('create with generateName picks name + 5 random chars', async () => {
  const a = ok(await req(base, 'POST', CM, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'gen-' } }), 201);
  assert.match(a.metadata.name, /^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
});

test('create accepts YAML bodies and bodies without Content-Type', async () => {
  const yaml = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-yaml\ndata:\n  k: v\n';
  const a = ok(await req(base, 'POST', CM, yaml, { 'Content-Type': 'application/yaml' }), 201);
  assert.equal(a.data.k, 'v');
  // a Buffer body makes fetch send no Content-Type, as kubectl does for some writes
  const r = await fetch(base + CM, { method: 'POST', body: Buffer.from(JSON.stringify(configMap('no-ct'))) });
  assert.equal(r.status, 201);
});

test('dryRun=All create writes nothing', async () => {
  const before = ok(await req(base, 'GET', CM)).metadata.resourceVersion;
  const a = ok(await req(base, 'POST', `${CM}?dryRun=All`, configMap('dry')), 201);
  assert.equal(a.metadata.name, 'dry');
  assert.equal((await req(base, 'GET', `${CM}/dry`)).status, 404);
  assert.equal(ok(await req(base, 'GET', CM)).metadata.resourceVersion, before);
});

test('fieldValidation=Strict rejects unknown fields; default warns', async () => {
  const bad = { ...configMap('strict'), foo: 1, metadata: { name: 'strict' } };
  const r = await req(base, 'POST', `${CM}?fieldValidation=Strict`, { ...bad, data: {}, spec: { foo: 1 } });
  assert.equal(r.status, 400);
  assert.equal(r.body.reason, 'BadRequest');
  assert.match(r.body.message, /strict decoding error: unknown field "foo"/);
  assert.match(r.body.message, /unknown field "spec"/);
  assert.equal((await req(base, 'GET', `${CM}/strict`)).status, 404);
  const w = await req(base, 'POST', CM, bad);
  assert.equal(w.status, 201);
  assert.match(w.headers.get('warning') ?? '', /unknown field/);
});

test('list: all namespaces, label selectors with every operator, field selectors', async () => {
  await req(base, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'sel' } });
  const mk = (name: string, labels: Record<string, string>) => req(base, 'POST', '/api/v1/namespaces/sel/configmaps', configMap(name, {}, { labels }));
  ok(await mk('l1', { app: 'web', tier: 'front', n: '1' }), 201);
  ok(await mk('l2', { app: 'web', tier: 'back', n: '5' }), 201);
  ok(await mk('l3', { app: 'db' }), 201);
  const names = async (q: string) => ok(await req(base, 'GET', `/api/v1/namespaces/sel/configmaps?${q}`)).items.map((i: any) => i.metadata.name).sort();
  assert.deepEqual(await names('labelSelector=' + encodeURIComponent('app=web')), ['l1', 'l2']);
  assert.deepEqual(await names('labelSelector=' + encodeURIComponent('app==web,tier!=back')), ['l1']);
  assert.deepEqual(await names('labelSelector=' + encodeURIComponent('app in (db,other)')), ['l3']);
  assert.deepEqual(await names('labelSelector=' + encodeURIComponent('app notin (db)')), ['l1', 'l2']);
  assert.deepEqual(await names('labelSelector=' + encodeURIComponent('tier')), ['l1', 'l2']);
  assert.deepEqual(await names('labelSelector=' + encodeURIComponent('!tier')), ['l3']);
  assert.deepEqual(await names('labelSelector=' + encodeURIComponent('n>2')), ['l2']);
  assert.deepEqual(await names('labelSelector=' + encodeURIComponent('n<2')), ['l1']);
  assert.deepEqual(await names('fieldSelector=' + encodeURIComponent('metadata.name=l3')), ['l3']);
  assert.deepEqual(await names('fieldSelector=' + encodeURIComponent('metadata.name!=l3')), ['l1', 'l2']);
  const all = ok(await req(base, 'GET', '/api/v1/configmaps?fieldSelector=' + encodeURIComponent('metadata.namespace=sel')));
  assert.equal(all.kind, 'ConfigMapList');
  assert.equal(all.items.length, 3);
  const bad = await req(base, 'GET', '/api/v1/configmaps?fieldSelector=spec.nope%3Dx');
  assert.equal(bad.status, 400);
  assert.match(bad.body.message, /spec.nope/);
  const badL = await req(base, 'GET', '/api/v1/configmaps?labelSelector=' + encodeURIComponent('a in b'));
  assert.equal(badL.status, 400);
});

test('list: limit/continue pages a consistent snapshot', async () => {
  await req(base, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'page' } });
  for (let i = 0; i < 7; i++) ok(await req(base, 'POST', '/api/v1/namespaces/page/configmaps', configMap(`p${i}`)), 201);
  const p1 = ok(await req(base, 'GET', '/api/v1/namespaces/page/configmaps?limit=3'));
  assert.equal(p1.items.length, 3);
  assert.ok(p1.metadata.continue);
  assert.equal(p1.metadata.remainingItemCount, 4);
  // a write between pages is not visible in the paged snapshot
  ok(await req(base, 'POST', '/api/v1/namespaces/page/configmaps', configMap('p9')), 201);
  const p2 = ok(await req(base, 'GET', `/api/v1/namespaces/page/configmaps?limit=3&continue=${encodeURIComponent(p1.metadata.continue)}`));
  const p3 = ok(await req(base, 'GET', `/api/v1/namespaces/page/configmaps?limit=3&continue=${encodeURIComponent(p2.metadata.continue)}`));
  assert.equal(p3.metadata.continue, undefined);
  const names = [...p1.items, ...p2.items, ...p3.items].map((i: any) => i.metadata.name);
  assert.deepEqual(names, ['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6']);
  assert.equal(p2.metadata.resourceVersion, p1.metadata.resourceVersion);
  const garbage = await req(base, 'GET', `/api/v1/namespaces/page/configmaps?limit=3&continue=nonsense`);
  assert.equal(garbage.status, 400);
});

test('list: resourceVersion semantics (unset, 0, NotOlderThan, Exact)', async () => {
  const a = ok(await req(base, 'POST', CM, configMap('rv-a', { v: '1' })), 201);
  const rvA = Number(a.metadata.resourceVersion);
  ok(await req(base, 'PUT', `${CM}/rv-a`, { ...a, data: { v: '2' } }));
  const latest = ok(await req(base, 'GET', `${CM}?fieldSelector=metadata.name%3Drv-a`));
  assert.equal(latest.items[0].data.v, '2');
  const any = ok(await req(base, 'GET', `${CM}?resourceVersion=0&fieldSelector=metadata.name%3Drv-a`));
  assert.equal(any.items[0].data.v, '2');
  const nlt = ok(await req(base, 'GET', `${CM}?resourceVersion=${rvA}&resourceVersionMatch=NotOlderThan&fieldSelector=metadata.name%3Drv-a`));
  assert.ok(Number(nlt.metadata.resourceVersion) >= rvA);
  const exact = ok(await req(base, 'GET', `${CM}?resourceVersion=${rvA}&resourceVersionMatch=Exact&fieldSelector=metadata.name%3Drv-a`));
  assert.equal(exact.metadata.resourceVersion, String(rvA));
  assert.equal(exact.items[0].data.v, '1');
  const bad = await req(base, 'GET', `${CM}?resourceVersionMatch=Exact`);
  assert.equal(bad.status, 422);
});

test('update: PUT with current RV succeeds, stale RV → 409 Conflict, no RV = unconditional', async () => {
  const d = ok(await req(base, 'POST', DEPLOY, deployment('web')), 201);
  assert.equal(d.metadata.generation, 1);
  const upd = ok(await req(base, 'PUT', `${DEPLOY}/web`, { ...d, spec: { ...d.spec, replicas: 3 } }));
  assert.equal(upd.spec.replicas, 3);
  assert.equal(upd.metadata.generation, 2, 'spec change bumps generation');
  const stale = await req(base, 'PUT', `${DEPLOY}/web`, { ...d, spec: { ...d.spec, replicas: 5 } });
  assert.equal(stale.status, 409);
  assert.equal(stale.body.reason, 'Conflict');
  assert.equal(
    stale.body.message,
    'Operation cannot be fulfilled on deployments.apps "web": the object has been modified; please apply your changes to the latest version and try again',
  );
  const noRv = { ...upd, metadata: { ...upd.metadata, resourceVersion: undefined }, spec: { ...upd.spec, replicas: 4 } };
  const u2 = ok(await req(base, 'PUT', `${DEPLOY}/web`, noRv));
  assert.equal(u2.spec.replicas, 4);
  // metadata-only change: no generation bump; status in a main-resource update is ignored
  const u3 = ok(await req(base, 'PUT', `${DEPLOY}/web`, { ...u2, metadata: { ...u2.metadata, labels: { x: 'y' } }, status: { replicas: 99 } }));
  assert.equal(u3.metadata.generation, u2.metadata.generation);
  assert.equal(u3.status?.replicas, undefined);
  assert.equal(u3.metadata.labels.x, 'y');
  // uid is immutable
  const u4 = await req(base, 'PUT', `${DEPLOY}/web`, { ...u3, metadata: { ...u3.metadata, uid: 'other' } });
  assert.equal(u4.status, 422);
  // a no-op update writes nothing
  const same = ok(await req(base, 'PUT', `${DEPLOY}/web`, u3));
  assert.equal(same.metadata.resourceVersion, u3.metadata.resourceVersion);
});

test('update of a missing object → 404; name mismatch → 400', async () => {
  const r = await req(base, 'PUT', `${CM}/missing`, configMap('missing'));
  assert.equal(r.status, 404);
  assert.equal(r.body.message, 'configmaps "missing" not found');
  const m = await req(base, 'PUT', `${CM}/missing`, configMap('other'));
  assert.equal(m.status, 400);
});

test('patch: merge, strategic/json as supported, 415 for unknown types, apply creates', async () => {
  ok(await req(base, 'POST', CM, configMap('pt', { a: '1' })), 201);
  const m = ok(await req(base, 'PATCH', `${CM}/pt`, { data: { b: '2' } }, { 'Content-Type': 'application/merge-patch+json' }));
  assert.deepEqual(m.data, { a: '1', b: '2' });
  const bad = await req(base, 'PATCH', `${CM}/pt`, { data: {} }, { 'Content-Type': 'text/plain' });
  assert.equal(bad.status, 415);
  assert.equal(bad.body.reason, 'UnsupportedMediaType');
  const missing = await req(base, 'PATCH', `${CM}/nope`, { data: {} }, { 'Content-Type': 'application/merge-patch+json' });
  assert.equal(missing.status, 404);
  const stale = await req(base, 'PATCH', `${CM}/pt`, { metadata: { resourceVersion: '1' }, data: { c: '3' } }, { 'Content-Type': 'application/merge-patch+json' });
  assert.equal(stale.status, 409);
  const applied = await req(base, 'PATCH', `${CM}/applied?fieldManager=test`, configMap('applied', { x: 'y' }), { 'Content-Type': 'application/apply-patch+yaml' });
  if (applied.status !== 415) {
    assert.equal(applied.status, 201, applied.text);
    assert.equal(ok(await req(base, 'GET', `${CM}/applied`)).data.x, 'y');
  }
});

test('delete: immediate delete answers a Success Status; missing → 404', async () => {
  const c = ok(await req(base, 'POST', CM, configMap('del')), 201);
  const d = ok(await req(base, 'DELETE', `${CM}/del`));
  assert.equal(d.kind, 'Status');
  assert.equal(d.status, 'Success');
  assert.equal(d.details.uid, c.metadata.uid);
  assert.equal((await req(base, 'GET', `${CM}/del`)).status, 404);
  assert.equal((await req(base, 'DELETE', `${CM}/del`)).status, 404);
});

test('delete: preconditions from the DeleteOptions body', async () => {
  const c = ok(await req(base, 'POST', CM, configMap('pre')), 201);
  const r = await req(base, 'DELETE', `${CM}/pre`, { kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { uid: 'wrong' } });
  assert.equal(r.status, 409);
  assert.match(r.body.message, /Precondition failed: UID in precondition: wrong/);
  ok(await req(base, 'DELETE', `${CM}/pre`, { preconditions: { uid: c.metadata.uid, resourceVersion: c.metadata.resourceVersion } }));
});

test('delete: finalizers hold the object; removing the last one deletes it', async () => {
  ok(await req(base, 'POST', CM, configMap('fin', {}, { finalizers: ['example.com/hold'] })), 201);
  const held = ok(await req(base, 'DELETE', `${CM}/fin`));
  assert.equal(held.kind, 'ConfigMap');
  assert.ok(held.metadata.deletionTimestamp);
  assert.equal(held.metadata.deletionGracePeriodSeconds, 0);
  const still = ok(await req(base, 'GET', `${CM}/fin`));
  assert.deepEqual(still.metadata.finalizers, ['example.com/hold']);
  // adding a finalizer while deleting is forbidden
  const add = await req(base, 'PUT', `${CM}/fin`, { ...still, metadata: { ...still.metadata, finalizers: ['example.com/hold', 'example.com/more'] } });
  assert.equal(add.status, 422);
  ok(await req(base, 'PATCH', `${CM}/fin`, { metadata: { finalizers: null } }, { 'Content-Type': 'application/merge-patch+json' }));
  assert.equal((await req(base, 'GET', `${CM}/fin`)).status, 404);
});

test('delete: propagationPolicy Foreground/Orphan add their finalizers; Background does not', async () => {
  ok(await req(base, 'POST', DEPLOY, deployment('fg')), 201);
  const fg = ok(await req(base, 'DELETE', `${DEPLOY}/fg`, { propagationPolicy: 'Foreground' }));
  assert.deepEqual(fg.metadata.finalizers, ['foregroundDeletion']);
  ok(await req(base, 'POST', DEPLOY, deployment('orph')), 201);
  const or = ok(await req(base, 'DELETE', `${DEPLOY}/orph?propagationPolicy=Orphan`));
  assert.deepEqual(or.metadata.finalizers, ['orphan']);
  ok(await req(base, 'POST', DEPLOY, deployment('bg')), 201);
  const bg = ok(await req(base, 'DELETE', `${DEPLOY}/bg`, { propagationPolicy: 'Background' }));
  assert.equal(bg.kind, 'Status');
  const badPolicy = await req(base, 'DELETE', `${DEPLOY}/fg?propagationPolicy=Sideways`);
  assert.equal(badPolicy.status, 422);
});

test('delete: a bound pod terminates gracefully; the node finishes with gracePeriodSeconds=0', async () => {
  ok(await req(base, 'POST', POD, pod('unbound')), 201);
  const u = ok(await req(base, 'DELETE', `${POD}/unbound`));
  assert.equal(u.kind, 'Status', 'a pod without a node is deleted at once');
  ok(await req(base, 'POST', POD, pod('bound', { nodeName: 'n1', terminationGracePeriodSeconds: 20 })), 201);
  const t0 = Date.now();
  const g = ok(await req(base, 'DELETE', `${POD}/bound`));
  assert.equal(g.kind, 'Pod');
  assert.equal(g.metadata.deletionGracePeriodSeconds, 20);
  const due = Date.parse(g.metadata.deletionTimestamp);
  assert.ok(due >= t0 + 18_000 && due <= Date.now() + 21_000, g.metadata.deletionTimestamp);
  // a status write from the node does not complete the delete
  ok(await req(base, 'PATCH', `${POD}/bound/status`, { status: { phase: 'Running' } }, { 'Content-Type': 'application/merge-patch+json' }));
  assert.equal((await req(base, 'GET', `${POD}/bound`)).status, 200);
  ok(await req(base, 'DELETE', `${POD}/bound?gracePeriodSeconds=0`));
  assert.equal((await req(base, 'GET', `${POD}/bound`)).status, 404);
});

test('deletecollection deletes the matching objects only', async () => {
  await req(base, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'dc' } });
  for (const [n, l] of [['a', 'x'], ['b', 'x'], ['c', 'y']]) ok(await req(base, 'POST', '/api/v1/namespaces/dc/configmaps', configMap(n, {}, { labels: { g: l } })), 201);
  const r = ok(await req(base, 'DELETE', '/api/v1/namespaces/dc/configmaps?labelSelector=g%3Dx'));
  assert.equal(r.kind, 'ConfigMapList');
  assert.deepEqual(r.items.map((i: any) => i.metadata.name).sort(), ['a', 'b']);
  const left = ok(await req(base, 'GET', '/api/v1/namespaces/dc/configmaps'));
  assert.deepEqual(left.items.map((i: any) => i.metadata.name), ['c']);
});

test('cluster-scoped resources and the namespace object itself', async () => {
  const n = ok(await req(base, 'POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-a' } }), 201);
  assert.equal(n.metadata.namespace, undefined);
  ok(await req(base, 'GET', '/api/v1/nodes/node-a'));
  assert.equal((await req(base, 'GET', '/api/v1/namespaces/default/nodes/node-a')).status, 404);
  const ns = ok(await req(base, 'GET', '/api/v1/namespaces/default'));
  assert.equal(ns.metadata.name, 'default');
});

test('Table output for list and get', async () => {
  const t = ok(await req(base, 'GET', CM, undefined, { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' }));
  assert.equal(t.kind, 'Table');
  assert.ok(t.columnDefinitions.length >= 1);
  assert.ok(t.rows.length >= 1);
  assert.equal(t.rows[0].object.kind, 'PartialObjectMetadata');
  const full = ok(await req(base, 'GET', `${CM}?includeObject=Object`, undefined, { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' }));
  assert.equal(full.rows[0].object.kind, 'ConfigMap');
  const one = ok(await req(base, 'GET', `${CM}/c1`, undefined, { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' }));
  assert.equal(one.rows.length, 1);
});

test('health, version, metrics', async () => {
  for (const p of ['/healthz', '/livez', '/readyz']) {
    const r = await req(base, 'GET', p);
    assert.equal(r.status, 200);
    assert.equal(r.text, 'ok');
  }
  const v = ok(await req(base, 'GET', '/version'));
  assert.equal(v.major, '1');
  assert.equal(v.minor, '32');
  assert.match(v.gitVersion, /^v1\.32\./);
  const m = await req(base, 'GET', '/metrics');
  assert.equal(m.status, 200);
  assert.match(m.text, /apiserver_request_total\{verb="GET",resource="configmaps",code="200"\}/);
  assert.match(m.text, /apiserver_request_duration_seconds_bucket/);
  assert.match(m.text, /apiserver_storage_revision \d+/);
  assert.match(m.text, /apiserver_storage_objects\{resource="configmaps"\} \d+/);
});

test('namespace delete: Terminating until spec.finalizers are cleared through /finalize', async () => {
  ok(await req(base, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'doomed' } }), 201);
  const ns = ok(await req(base, 'GET', '/api/v1/namespaces/doomed'));
  assert.deepEqual(ns.spec.finalizers, ['kubernetes']);
  const d = ok(await req(base, 'DELETE', '/api/v1/namespaces/doomed'));
  assert.equal(d.status.phase, 'Terminating');
  assert.ok(d.metadata.deletionTimestamp);
  const created = await req(base, 'POST', '/api/v1/namespaces/doomed/configmaps', configMap('late'));
  assert.equal(created.status, 403);
  ok(await req(base, 'PUT', '/api/v1/namespaces/doomed/finalize', { ...d, spec: { finalizers: [] } }));
  assert.equal((await req(base, 'GET', '/api/v1/namespaces/doomed')).status, 404);
});

test('list: resourceVersion=0 ignores limit (served whole from the cache, like Kubernetes)', async () => {
  const all = ok(await req(base, 'GET', '/api/v1/namespaces?resourceVersion=0&limit=1'));
  assert.ok(all.items.length >= 4);
  assert.equal(all.metadata.continue, undefined);
  const paged = ok(await req(base, 'GET', '/api/v1/namespaces?limit=1'));
  assert.equal(paged.items.length, 1);
  assert.ok(paged.metadata.continue);
});

test('a version served from another version’s storage is converted both ways (autoscaling/v1 HPA)', async (t) => {
  const V1 = '/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers';
  const V2 = '/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers';
  const probe = await req(base, 'GET', V1);
  if (probe.status === 404) return t.skip('the registry serves no autoscaling/v1 HPA');
  const body = {
    apiVersion: 'autoscaling/v1',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'h1' },
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 5, targetCPUUtilizationPercentage: 80 },
  };
  const created = ok(await req(base, 'POST', V1, body), 201);
  assert.equal(created.apiVersion, 'autoscaling/v1');
  assert.equal(created.spec.targetCPUUtilizationPercentage, 80);
  const v2 = ok(await req(base, 'GET', `${V2}/h1`));
  assert.equal(v2.apiVersion, 'autoscaling/v2');
  assert.equal(v2.spec.metrics[0].resource.target.averageUtilization, 80);
  const list = ok(await req(base, 'GET', V1));
  assert.equal(list.items[0].apiVersion, 'autoscaling/v1');
  const w = await watch(base, `${V1}?watch=true&resourceVersion=${created.metadata.resourceVersion}`);
  const p = ok(await req(base, 'PATCH', `${V1}/h1`, { spec: { targetCPUUtilizationPercentage: 60 } }, { 'Content-Type': 'application/merge-patch+json' }));
  assert.equal(p.spec.targetCPUUtilizationPercentage, 60);
  const [ev] = await w.waitFor(1);
  w.close();
  assert.equal(ev.object.apiVersion, 'autoscaling/v1');
  assert.equal(ev.object.spec.targetCPUUtilizationPercentage, 60);
  assert.equal(ok(await req(base, 'GET', `${V2}/h1`)).spec.metrics[0].resource.target.averageUtilization, 60);
});

test('create and update with fieldManager record managedFields (operation Update)', async () => {
  const created = ok(await req(base, 'POST', `${CM}?fieldManager=kubectl-create`, configMap('mf', { a: '1' })), 201);
  const mine = created.metadata.managedFields?.find((e: any) => e.manager === 'kubectl-create');
  assert.ok(mine, JSON.stringify(created.metadata.managedFields));
  assert.equal(mine.operation, 'Update');
  assert.ok(mine.fieldsV1['f:data']['f:a'], JSON.stringify(mine.fieldsV1));
  const body = { ...created, data: { a: '1', b: '2' } };
  const updated = ok(await req(base, 'PUT', `${CM}/mf?fieldManager=kubectl-replace`, body));
  const other = updated.metadata.managedFields?.find((e: any) => e.manager === 'kubectl-replace');
  assert.ok(other?.fieldsV1['f:data']['f:b'], JSON.stringify(updated.metadata.managedFields));
  assert.equal(other.fieldsV1['f:data']['f:a'], undefined, 'a field the update did not change stays with its first manager');
  // without fieldManager nothing new is recorded
  const plain = ok(await req(base, 'POST', CM, configMap('mf-plain', { a: '1' })), 201);
  assert.equal(plain.metadata.managedFields, undefined);
});
