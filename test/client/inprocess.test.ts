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
