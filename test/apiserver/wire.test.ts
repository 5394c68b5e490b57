// Wire details typed clients depend on: boolean/integer query parameters, Status bytes, a strategic
// patch's kind, metadata-only answers (PartialObjectMetadata / PartialObjectMetadataList).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, req, configMap, deployment, watch } from './helpers.ts';
import type { RunningApiServer } from '../../src/apiserver/index.ts';

let srv: RunningApiServer;
let base: string;
before(async () => {
  srv = await startTestServer();
  base = srv.url;
  for (const n of ['w1', 'w2', 'w3']) await req(base, 'POST', CM, configMap(n, { a: '1' }, { labels: { set: 'w' } }));
});
after(() => srv.close());

const CM = '/api/v1/namespaces/default/configmaps';
const PARTIAL_LIST = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1';
const PARTIAL = 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1';
const TABLE = 'application/json;as=Table;g=meta.k8s.io;v=v1';

test('watch=True, watch=1, watch=TRUE are watches; watch=false and watch=0 are lists', async () => {
  for (const v of ['True', '1', 'TRUE', 't', 'true']) {
    const w = await watch(base, `${CM}?watch=${v}&labelSelector=set%3Dw`);
    await w.waitFor(3);
    assert.equal(w.events[0].type, 'ADDED', v);
    w.close();
  }
  for (const v of ['false', 'False', '0']) {
    const r = await req(base, 'GET', `${CM}?watch=${v}&labelSelector=set%3Dw`);
    assert.equal(r.body.kind, 'ConfigMapList', v);
  }
});

test('malformed integers are 400 Status with strconv text, and nothing is written', async () => {
  const cases: [string, string, string][] = [
    ['GET', `${CM}?limit=ten`, 'strconv.ParseInt: parsing "ten": invalid syntax'],
    ['GET', `${CM}?limit=`, 'strconv.ParseInt: parsing "": invalid syntax'],
    ['GET', `${CM}?watch=1&timeoutSeconds=1.5`, 'strconv.ParseInt: parsing "1.5": invalid syntax'],
    ['DELETE', `${CM}/w1?gracePeriodSeconds=soon`, 'strconv.ParseInt: parsing "soon": invalid syntax'],
    ['DELETE', `${CM}?labelSelector=set%3Dw&gracePeriodSeconds=x`, 'strconv.ParseInt: parsing "x": invalid syntax'],
  ];
  for (const [method, path, message] of cases) {
    const r = await req(base, method, path);
    assert.equal(r.status, 400, path);
    assert.deepEqual(r.body, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: 'BadRequest', code: 400 }, path);
  }
  assert.equal((await req(base, 'GET', `${CM}?labelSelector=set%3Dw`)).body.items.length, 3);
  // a negative limit is no limit, as in Kubernetes
  assert.equal((await req(base, 'GET', `${CM}?labelSelector=set%3Dw&limit=-1`)).body.items.length, 3);
});

test('force=True and orphanDependents=True are booleans too', async () => {
  const path = `${CM}/applied?fieldManager=a`;
  const apply = (manager: string, value: string, force = '') =>
    req(base, 'PATCH', `${CM}/applied?fieldManager=${manager}${force}`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'applied' }, data: { k: value } }, { 'Content-Type': 'application/apply-patch+yaml' });
  assert.equal((await req(base, 'PATCH', path, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'applied' }, data: { k: 'a' } }, { 'Content-Type': 'application/apply-patch+yaml' })).status, 201);
  assert.equal((await apply('b', 'b')).status, 409);
  const forced = await apply('b', 'b', '&force=True');
  assert.equal(forced.status, 200, forced.text);
  assert.equal(forced.body.data.k, 'b');
  const d = await req(base, 'DELETE', `${CM}/applied?orphanDependents=True`);
  assert.equal(d.status, 200);
  assert.deepEqual(d.body.metadata.finalizers, ['orphan']);
});

test('Status bodies: Kubernetes field order and a trailing newline', async () => {
  const r = await req(base, 'GET', `${CM}/nope`);
  assert.equal(r.text, '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"configmaps \\"nope\\" not found","reason":"NotFound","details":{"name":"nope","kind":"configmaps"},"code":404}\n');
  await req(base, 'POST', CM, configMap('gone'));
  const d = await req(base, 'DELETE', `${CM}/gone`);
  assert.match(d.text, /^\{"kind":"Status","apiVersion":"v1","metadata":\{\},"status":"Success","details":\{"name":"gone","kind":"configmaps","uid":"[^"]+"\},"code":200\}\n$/);
});

test('a strategic merge patch naming kind Deployment patches deployments/x/scale', async () => {
  assert.equal((await req(base, 'POST', '/apis/apps/v1/namespaces/default/deployments', deployment('sc', 1))).status, 201);
  const r = await req(base, 'PATCH', '/apis/apps/v1/namespaces/default/deployments/sc/scale', { kind: 'Deployment', spec: { replicas: 2 } }, { 'Content-Type': 'application/strategic-merge-patch+json' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.kind, 'Scale');
  assert.equal(r.body.spec.replicas, 2);
  assert.equal((await req(base, 'GET', '/apis/apps/v1/namespaces/default/deployments/sc')).body.spec.replicas, 2);
});

test('Accept PartialObjectMetadataList / PartialObjectMetadata answer metadata only', async () => {
  const list = await req(base, 'GET', `${CM}?labelSelector=set%3Dw&limit=2`, undefined, { Accept: PARTIAL_LIST });
  assert.equal(list.status, 200);
  assert.equal(list.body.kind, 'PartialObjectMetadataList');
  assert.equal(list.body.apiVersion, 'meta.k8s.io/v1');
  assert.ok(list.body.metadata.resourceVersion && list.body.metadata.continue);
  assert.equal(list.body.items.length, 2);
  assert.deepEqual(Object.keys(list.body.items[0]), ['kind', 'apiVersion', 'metadata']);
  assert.equal(list.body.items[0].kind, 'PartialObjectMetadata');
  assert.equal(list.body.items[0].metadata.name, 'w1');
  const one = await req(base, 'GET', `${CM}/w1`, undefined, { Accept: `application/vnd.kubernetes.protobuf;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,${PARTIAL}` });
  assert.deepEqual(Object.keys(one.body), ['kind', 'apiVersion', 'metadata']);
  assert.equal(one.body.metadata.labels.set, 'w');
  const beta = await req(base, 'GET', `${CM}/w1`, undefined, { Accept: 'application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1beta1' });
  assert.equal(beta.body.apiVersion, 'meta.k8s.io/v1beta1');
  // the wrong shape for the request is 406, in Kubernetes' words
  const a = await req(base, 'GET', CM, undefined, { Accept: PARTIAL });
  assert.equal(a.status, 406);
  assert.equal(a.body.message, 'you requested PartialObjectMetadata, but the requested object is a list (*core.ConfigMapList)');
  const b = await req(base, 'GET', `${CM}/w1`, undefined, { Accept: PARTIAL_LIST });
  assert.equal(b.status, 406);
  assert.equal(b.body.message, 'you requested PartialObjectMetadataList, but the requested object is not a list (*core.ConfigMap)');
  // beside as=Table, the first acceptable clause wins
  assert.equal((await req(base, 'GET', CM, undefined, { Accept: `${TABLE},${PARTIAL_LIST},application/json` })).body.kind, 'Table');
  assert.equal((await req(base, 'GET', CM, undefined, { Accept: `${PARTIAL_LIST},${TABLE},application/json` })).body.kind, 'PartialObjectMetadataList');
  assert.equal((await req(base, 'GET', `${CM}/w1`, undefined, { Accept: `${PARTIAL},${TABLE}` })).body.kind, 'PartialObjectMetadata');
});

test('a metadata watch sends PartialObjectMetadata events', async () => {
  const w = await watch(base, `${CM}?watch=true&labelSelector=set%3Dw`, { Accept: PARTIAL });
  await w.waitFor(3);
  assert.deepEqual(w.events.map((e) => [e.type, e.object.kind, e.object.metadata.name]), [
    ['ADDED', 'PartialObjectMetadata', 'w1'],
    ['ADDED', 'PartialObjectMetadata', 'w2'],
    ['ADDED', 'PartialObjectMetadata', 'w3'],
  ]);
  assert.equal(w.events[0].object.data, undefined);
  w.close();
});
