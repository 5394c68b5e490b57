// The in-process transport: the same requests, errors and watches into an http.Server that is not
// listening on any port, over both wires (lean: no HTTP bytes; http: an in-memory stream pair).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../../src/api/errors.ts';
import { Client, SharedInformer, inProcessTransport, type ResourceRef } from '../../src/client/index.ts';
import { FakeApiServer } from './fakeserver.ts';
import { eventually } from '../helpers/eventually.ts';

const CM: ResourceRef = { group: '', version: 'v1', plural: 'configmaps', namespaced: true, kind: 'ConfigMap' };

for (const wire of ['lean', 'http'] as const) test(`in-process transport (${wire}): CRUD, Status errors, watch and an informer without a socket`, async () => {
  const fake = new FakeApiServer(); // never listens
  const client = new Client({ server: 'http://in-process', transport: inProcessTransport(fake.server, { wire }), qps: 0 });
  const cms = client.resource(CM);
  const a = await cms.create({ metadata: { name: 'a', namespace: 'ip' }, data: { x: '1' } });
  assert.equal(((await cms.get('a', { namespace: 'ip' })) as any).data?.x, '1');
  await assert.rejects(cms.create({ metadata: { name: 'a', namespace: 'ip' } }), (e: unknown) => e instanceof StatusError && e.code === 409 && e.reason === 'AlreadyExists');
  const inf = new SharedInformer(client, CM, { namespace: 'ip' });
  const seen: string[] = [];
  inf.addEventHandler({ onAdd: (o) => seen.push(`add ${o.metadata.name}`), onUpdate: (_o, n) => seen.push(`update ${n.metadata.name}`), onDelete: () => seen.push('delete') });
  inf.start();
  await inf.waitForCacheSync();
  await eventually(() => fake.watches.size === 1, 'watch open');
  await cms.update({ ...a, data: { x: '2' } });
  await cms.delete('a', { namespace: 'ip' });
  await eventually(() => seen.length === 3, 'events');
  assert.deepEqual(seen, ['add a', 'update a', 'delete']);
  await inf.stop();
  await eventually(() => fake.watches.size === 0, 'watch closed on the server side');
  client.close();
});

test('in-process transport (lean) into the real API server: the pipeline answers as over HTTP; watches close on both sides', async () => {
  const { startApiServer } = await import('../../src/apiserver/index.ts');
  const { silentLogger } = await import('../../src/log/index.ts');
  const api = await startApiServer({ port: 0, logger: silentLogger });
  const lean = new Client({ server: 'http://in-process', transport: inProcessTransport(api.server), qps: 0 });
  const wire = new Client({ server: api.url, qps: 0 });
  const watchers = async () => Number(/^apiserver_registered_watchers\{resource="configmaps"\} (\d+)/m.exec((await lean.requestBuffer({ path: '/metrics' })).body.toString())?.[1] ?? 0);
  try {
    for (const [name, client] of [['lean', lean], ['http', wire]] as const) {
      const cms = client.resource(CM);
      const created = await cms.create({ metadata: { name, namespace: 'default' }, data: { x: '1' } });
      assert.equal(created.metadata.uid?.length, 36);
      // Status errors carry the same code, reason and message on both wires
      const errs = await Promise.all([
        cms.get('missing', { namespace: 'default' }).catch((e) => e),
        cms.create({ metadata: { name: 'Bad_Name', namespace: 'default' } }).catch((e) => e),
        cms.update({ ...created, metadata: { ...created.metadata, resourceVersion: '1' } }).catch((e) => e),
      ]);
      assert.deepEqual(errs.map((e: StatusError) => [e.code, e.reason]), [[404, 'NotFound'], [422, 'Invalid'], [409, 'Conflict']]);
      assert.equal(errs[0].message, 'configmaps "missing" not found');
      // HEAD/discovery/non-resource paths
      assert.equal((await client.requestBuffer({ path: '/healthz' })).body.toString(), 'ok');
    }
    const w = await lean.resource(CM).watch({ namespace: 'default', resourceVersion: '0' });
    const seen: string[] = [];
    const reading = (async () => {
      for await (const ev of w) seen.push(`${ev.type} ${(ev.object as any).metadata.name}`);
    })();
    await eventually(() => seen.length === 2, 'initial ADDED events');
    assert.deepEqual(seen.sort(), ['ADDED http', 'ADDED lean']);
    await eventually(async () => (await watchers()) === 1, 'the server registered the watch');
    await lean.resource(CM).delete('lean', { namespace: 'default' });
    await eventually(() => seen.includes('DELETED lean'), 'DELETED event');
    w.close();
    await reading;
    await eventually(async () => (await watchers()) === 0, 'the server dropped the watch');
    // A request aborted by its caller rejects with an AbortError
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(lean.resource(CM).get('http', { namespace: 'default', signal: ac.signal }), (e: Error) => e.name === 'AbortError');
  } finally {
    lean.close();
    wire.close();
    await api.close();
  }
});
