// Every error the API answers is a Kubernetes Status with the right code, reason and message — and
// a failed request writes nothing (the store's revision and the list are unchanged afterwards).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startTestServer, req, configMap, type Res } from './helpers.ts';
import type { RunningApiServer } from '../../src/apiserver/index.ts';

let srv: RunningApiServer;
let base: string;
before(async () => {
  // a small watch-cache window so that old revisions expire quickly (410 tests)
  srv = await startTestServer({ watchCacheSize: 5 });
  base = srv.url;
});
after(() => srv.close());

const CM = '/api/v1/namespaces/default/configmaps';

function assertStatus(r: Res, code: number, reason: string, message?: RegExp | string): void {
  assert.equal(r.status, code, r.text);
  assert.equal(r.body?.kind, 'Status', r.text);
  assert.equal(r.body.apiVersion, 'v1');
  assert.equal(r.body.status, 'Failure');
  assert.equal(r.body.code, code);
  assert.equal(r.body.reason, reason);
  assert.equal(typeof r.body.message, 'string');
  if (typeof message === 'string') assert.equal(r.body.message, message);
  else if (message) assert.match(r.body.message, message);
}

/** Runs a bad request and checks that nothing was written. */
async function noWrite(fn: () => Promise<Res>): Promise<Res> {
  const before = await req(base, 'GET', CM);
  const r = await fn();
  const after = await req(base, 'GET', CM);
  assert.equal(after.body.metadata.resourceVersion, before.body.metadata.resourceVersion, `revision changed after ${r.status} ${r.text}`);
  assert.deepEqual(after.body.items, before.body.items);
  return r;
}

test('400: malformed JSON and YAML', async () => {
  const j = await noWrite(() => req(base, 'POST', CM, '{"apiVersion": "v1", "kind": "ConfigMap", '));
  assertStatus(j, 400, 'BadRequest', /json parse error/);
  const y = await noWrite(() => req(base, 'POST', CM, 'apiVersion: v1\nkind: [ConfigMap\n', { 'Content-Type': 'application/yaml' }));
  assertStatus(y, 400, 'BadRequest', /YAML/);
  const arr = await noWrite(() => req(base, 'POST', CM, '[1,2]'));
  assertStatus(arr, 400, 'BadRequest');
});

test('400: kind or apiVersion that does not match the path', async () => {
  const k = await noWrite(() => req(base, 'POST', CM, { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'k' } }));
  assertStatus(k, 400, 'BadRequest', /kind/);
  const v = await noWrite(() => req(base, 'POST', CM, { apiVersion: 'apps/v1', kind: 'ConfigMap', metadata: { name: 'k' } }));
  assertStatus(v, 400, 'BadRequest', /API version/);
});

test('400: namespace in the body differs from the path', async () => {
  const r = await noWrite(() => req(base, 'POST', CM, configMap('ns', {}, { namespace: 'kube-system' })));
  assertStatus(r, 400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request');
});

test('400: unknown fields with fieldValidation=Strict', async () => {
  const r = await noWrite(() => req(base, 'POST', `${CM}?fieldValidation=Strict`, { ...configMap('s'), spec: { foo: 1 } }));
  assertStatus(r, 400, 'BadRequest', /strict decoding error: unknown field "spec"/);
});

test('404: unknown paths, resources, groups and objects', async () => {
  for (const p of ['/api/v1/foos', '/apis/nope.example.com/v1/things', '/nothing/here', '/api/v1/namespaces/default/foos/x']) {
    assertStatus(await req(base, 'GET', p), 404, 'NotFound');
  }
  assertStatus(await req(base, 'GET', `${CM}/absent`), 404, 'NotFound', 'configmaps "absent" not found');
  assertStatus(await req(base, 'GET', '/apis/apps/v1/namespaces/default/deployments/absent'), 404, 'NotFound', 'deployments.apps "absent" not found');
  const r = await noWrite(() => req(base, 'POST', '/api/v1/namespaces/absent/configmaps', configMap('x')));
  assertStatus(r, 404, 'NotFound', 'namespaces "absent" not found');
});

test('403: no new objects in a namespace being terminated', async () => {
  await req(base, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ending', finalizers: ['example.com/hold'] } });
  const d = await req(base, 'DELETE', '/api/v1/namespaces/ending');
  assert.equal(d.status, 200);
  const r = await req(base, 'POST', '/api/v1/namespaces/ending/configmaps', configMap('x'));
  assertStatus(r, 403, 'Forbidden', /unable to create new content in namespace ending because it is being terminated/);
  assert.equal((await req(base, 'GET', '/api/v1/namespaces/ending/configmaps/x')).status, 404);
  assertStatus(await req(base, 'DELETE', '/api/v1/namespaces/default'), 403, 'Forbidden', /may not be deleted/);
});

test('405: methods without a verb on the path', async () => {
  assertStatus(await noWrite(() => req(base, 'PUT', CM, configMap('m'))), 405, 'MethodNotAllowed');
  assertStatus(await noWrite(() => req(base, 'PATCH', CM, {}, { 'Content-Type': 'application/merge-patch+json' })), 405, 'MethodNotAllowed');
  assertStatus(await noWrite(() => req(base, 'POST', `${CM}/named`, configMap('named'))), 405, 'MethodNotAllowed');
  assertStatus(await req(base, 'OPTIONS', CM), 405, 'MethodNotAllowed');
});

test('409: AlreadyExists and Conflict', async () => {
  const c = await req(base, 'POST', CM, configMap('dup', { a: '1' }));
  assert.equal(c.status, 201);
  const again = await noWrite(() => req(base, 'POST', CM, configMap('dup', { a: '2' })));
  assertStatus(again, 409, 'AlreadyExists', 'configmaps "dup" already exists');
  await req(base, 'PUT', `${CM}/dup`, { ...c.body, data: { a: '3' } });
  const stale = await noWrite(() => req(base, 'PUT', `${CM}/dup`, { ...c.body, data: { a: '4' } }));
  assertStatus(stale, 409, 'Conflict', /the object has been modified; please apply your changes to the latest version and try again/);
});

test('410: continue token and Exact resourceVersion older than the window', async () => {
  const first = await req(base, 'POST', CM, configMap('old-0'));
  const oldRv = Number(first.body.metadata.resourceVersion);
  for (let i = 1; i < 12; i++) assert.equal((await req(base, 'POST', CM, configMap(`old-${i}`))).status, 201);
  const token = Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: oldRv, start: '/registry/core/configmaps/default/a\u0000' })).toString('base64');
  const cont = await req(base, 'GET', `${CM}?limit=2&continue=${encodeURIComponent(token)}`);
  assertStatus(cont, 410, 'Expired', /The provided continue parameter is too old to display a consistent list result/);
  const exact = await req(base, 'GET', `${CM}?resourceVersion=${oldRv}&resourceVersionMatch=Exact`);
  assertStatus(exact, 410, 'Expired', /too old resource version/);
});

test('413: bodies over 3 MiB, without reading them whole', async () => {
  const big = configMap('big', { blob: 'x'.repeat(3 * 1024 * 1024 + 10) });
  const r = await noWrite(() => req(base, 'POST', CM, big));
  assertStatus(r, 413, 'RequestEntityTooLarge');
  // chunked (no Content-Length): the limit applies while reading
  const chunked = await noWrite(
    () =>
      new Promise<Res>((resolve, reject) => {
        const rq = http.request(base + CM, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' } }, (res) => {
          let text = '';
          res.on('data', (c) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode!, headers: new Headers(), body: JSON.parse(text), text }));
        });
        rq.on('error', reject);
        const chunk = 'x'.repeat(256 * 1024);
        rq.write('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"big2"},"data":{"b":"');
        let sent = 0;
        const pump = () => {
          while (sent < 16) {
            sent++;
            if (!rq.write(chunk)) return rq.once('drain', pump);
          }
          rq.end('"}}');
        };
        pump();
      }),
  );
  assertStatus(chunked, 413, 'RequestEntityTooLarge');
});

test('415: unknown body or patch media types', async () => {
  const p = await req(base, 'POST', CM, configMap('ct-ok'));
  assert.equal(p.status, 201);
  const bad = await noWrite(() => req(base, 'POST', CM, JSON.stringify(configMap('ct')), { 'Content-Type': 'text/csv' }));
  assertStatus(bad, 415, 'UnsupportedMediaType');
  const patch = await noWrite(() => req(base, 'PATCH', `${CM}/ct-ok`, { data: { a: 'b' } }, { 'Content-Type': 'application/json' }));
  assertStatus(patch, 415, 'UnsupportedMediaType');
});

test('422: invalid objects name each field in details.causes', async () => {
  const r = await noWrite(() => req(base, 'POST', CM, configMap('Bad_Name', {}, { labels: { 'bad key!': 'v' } })));
  assertStatus(r, 422, 'Invalid', /^ConfigMap "Bad_Name" is invalid: /);
  const fields = r.body.details.causes.map((c: any) => c.field);
  assert.ok(fields.includes('metadata.name'), JSON.stringify(r.body.details));
  assert.ok(fields.some((f: string) => f.startsWith('metadata.labels')), JSON.stringify(r.body.details));
  assert.equal(r.body.details.kind, 'ConfigMap');
  assert.equal(r.body.details.name, 'Bad_Name');
  const noName = await noWrite(() => req(base, 'POST', CM, { apiVersion: 'v1', kind: 'ConfigMap', metadata: {} }));
  assertStatus(noName, 422, 'Invalid', /metadata.name: Required value/);
});

test('a failed update or delete writes nothing', async () => {
  const c = await req(base, 'POST', CM, configMap('keep', { a: '1' }));
  assert.equal(c.status, 201);
  await noWrite(() => req(base, 'PUT', `${CM}/keep`, { ...c.body, metadata: { ...c.body.metadata, name: 'Bad_Name' } }));
  await noWrite(() => req(base, 'PUT', `${CM}/keep`, { ...c.body, metadata: { ...c.body.metadata, labels: { 'bad key!': 'v' } } }));
  await noWrite(() => req(base, 'DELETE', `${CM}/keep`, { preconditions: { resourceVersion: '1' } }));
  await noWrite(() => req(base, 'PATCH', `${CM}/keep`, '{not json', { 'Content-Type': 'application/merge-patch+json' }));
  assert.equal((await req(base, 'GET', `${CM}/keep`)).body.data.a, '1');
});
