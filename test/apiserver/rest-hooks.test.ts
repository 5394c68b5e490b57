// A kind's REST storage hooks (ResourceType.rest: Kubernetes' generic Store BeginCreate/BeginUpdate,
// AfterCreate/AfterUpdate/AfterDelete, Decorator, own subresources, legacy collections,
// serialized writes) are called by the generic REST code for any kind — here one registered after
// the server started, as a CRD will be.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { defineKind } from '../../src/api/meta.ts';
import type { Registry } from '../../src/api/registry.ts';
import { badRequest } from '../../src/api/errors.ts';
import type { RunningApiServer } from '../../src/apiserver/index.ts';
import { sendJson } from '../../src/apiserver/respond.ts';
import { startTestServer, req, testRegistry, watch } from './helpers.ts';

const calls: string[] = [];
let inFlight = 0;
let maxInFlight = 0;

const gadget = defineKind({
  group: 'example.com',
  version: 'v1',
  kind: 'Gadget',
  plural: 'gadgets',
  namespaced: true,
  subresources: { status: true },
  description: 'test kind with REST storage hooks',
  fields: {
    spec: { type: 'object', properties: { size: { type: 'integer' }, slot: { type: 'integer' }, refuse: { type: 'boolean' } } },
    status: { type: 'object', properties: { phase: { type: 'string' } } },
  },
});
gadget.rest = {
  serializeWrites: true,
  async beginCreate(s, obj) {
    calls.push(`beginCreate ${obj.metadata.name}`);
    if (obj.spec?.refuse) throw badRequest('refused by beginCreate');
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    // an allocator reading what is stored: serialized writes never see the same free slot twice
    const page = await s.core.store.listPage('/registry/example.com/gadgets/', {});
    await new Promise((r) => setTimeout(r, 5));
    obj.spec = { ...obj.spec, slot: page.items.length };
    inFlight--;
  },
  beginUpdate(_s, obj, old) {
    calls.push(`beginUpdate ${obj.metadata.name} ${old.spec?.size}→${obj.spec?.size}`);
  },
  afterCreate: (_s, obj, dryRun) => void calls.push(`afterCreate ${obj.metadata.name}${dryRun ? ' dry' : ''}`),
  afterUpdate: (_s, obj, dryRun) => void calls.push(`afterUpdate ${obj.metadata.name}${dryRun ? ' dry' : ''}`),
  afterDelete: (_s, obj, dryRun) => void calls.push(`afterDelete ${obj.metadata.name}${dryRun ? ' dry' : ''}`),
  decorator(obj) {
    obj.metadata.annotations = { ...obj.metadata.annotations, decorated: 'yes' };
  },
  subresources: {
    ping: {
      get: async (s) => {
        sendJson(s.res, 200, JSON.stringify({ pong: s.info.name }));
        return 200;
      },
    },
  },
  collections: {
    gadgetorders: {
      create: async (s) => {
        sendJson(s.res, 201, JSON.stringify({ orderedIn: s.info.namespace, kind: s.rt.kind }));
        return 201;
      },
    },
  },
};

let srv: RunningApiServer;
let registry: Registry;
before(async () => {
  registry = testRegistry();
  srv = await startTestServer({ registry });
  registry.add(gadget); // after start, as a CRD is
});
after(() => srv.close());

const base = '/apis/example.com/v1/namespaces/default/gadgets';
const g = (name: string, spec: Record<string, unknown> = {}) => ({ apiVersion: 'example.com/v1', kind: 'Gadget', metadata: { name }, spec });

test('beginCreate and afterCreate run on create (dry run told), and beginCreate can refuse', async () => {
  calls.length = 0;
  const r = await req(srv.url, 'POST', base, g('a', { size: 1 }));
  assert.equal(r.status, 201);
  assert.equal(r.body.spec.slot, 0);
  assert.equal((await req(srv.url, 'POST', `${base}?dryRun=All`, g('d'))).status, 201);
  const refused = await req(srv.url, 'POST', base, g('no', { refuse: true }));
  assert.equal(refused.status, 400);
  assert.equal(refused.body.message, 'refused by beginCreate');
  assert.deepEqual(calls, ['beginCreate a', 'afterCreate a', 'beginCreate d', 'afterCreate d dry', 'beginCreate no']);
});

test('beginUpdate and afterUpdate run on updates; a status write skips beginUpdate; a no-op write calls neither', async () => {
  await req(srv.url, 'POST', base, g('u', { size: 1 }));
  calls.length = 0;
  assert.equal((await req(srv.url, 'PATCH', `${base}/u`, { spec: { size: 2 } }, { 'Content-Type': 'application/merge-patch+json' })).status, 200);
  assert.equal((await req(srv.url, 'PATCH', `${base}/u/status`, { status: { phase: 'On' } }, { 'Content-Type': 'application/merge-patch+json' })).status, 200);
  assert.equal((await req(srv.url, 'PATCH', `${base}/u`, { spec: { size: 2 } }, { 'Content-Type': 'application/merge-patch+json' })).status, 200);
  assert.deepEqual(calls, ['beginUpdate u 1→2', 'afterUpdate u', 'afterUpdate u', 'beginUpdate u 2→2']);
});

test('afterDelete runs when the object is gone, not while a finalizer holds it', async () => {
  await req(srv.url, 'POST', base, { ...g('f'), metadata: { name: 'f', finalizers: ['example.com/hold'] } });
  calls.length = 0;
  assert.equal((await req(srv.url, 'DELETE', `${base}/f`)).status, 200);
  assert.deepEqual(calls, []);
  assert.equal((await req(srv.url, 'PATCH', `${base}/f`, { metadata: { finalizers: null } }, { 'Content-Type': 'application/merge-patch+json' })).status, 200);
  await req(srv.url, 'POST', base, g('x'));
  calls.length = 0;
  assert.equal((await req(srv.url, 'DELETE', `${base}/x?dryRun=All`)).status, 200);
  assert.equal((await req(srv.url, 'DELETE', `${base}/x`)).status, 200);
  assert.deepEqual(calls, ['afterDelete x dry', 'afterDelete x']);
});

test('the decorator changes every answer (write, get, list, watch) but not what is stored', async () => {
  const created = await req(srv.url, 'POST', base, g('dec'));
  assert.equal(created.body.metadata.annotations.decorated, 'yes');
  assert.equal((await req(srv.url, 'GET', `${base}/dec`)).body.metadata.annotations.decorated, 'yes');
  const list = await req(srv.url, 'GET', base);
  assert.ok(list.body.items.length > 0 && list.body.items.every((o: any) => o.metadata.annotations?.decorated === 'yes'));
  const w = await watch(srv.url, `${base}?watch=true&fieldSelector=metadata.name%3Ddec`);
  const [ev] = await w.waitFor(1);
  w.close();
  assert.equal(ev.object.metadata.annotations.decorated, 'yes');
  // a patch applies to the object as stored, without the decoration
  const testOp = JSON.stringify([{ op: 'test', path: '/metadata/annotations', value: null }, { op: 'add', path: '/metadata/annotations', value: { other: '1' } }]);
  const patched = await req(srv.url, 'PATCH', `${base}/dec`, testOp, { 'Content-Type': 'application/json-patch+json' });
  assert.equal(patched.status, 200, patched.text);
  assert.deepEqual(patched.body.metadata.annotations, { other: '1', decorated: 'yes' });
});

test('own subresources and legacy collections are served from the kind’s storage', async () => {
  await req(srv.url, 'POST', base, g('p'));
  const ping = await req(srv.url, 'GET', `${base}/p/ping`);
  assert.equal(ping.status, 200);
  assert.deepEqual(ping.body, { pong: 'p' });
  assert.equal((await req(srv.url, 'POST', `${base}/p/ping`, {})).status, 405);
  assert.equal((await req(srv.url, 'GET', `${base}/p/constructor`)).status, 404);
  const order = await req(srv.url, 'POST', '/apis/example.com/v1/namespaces/default/gadgetorders', {});
  assert.equal(order.status, 201);
  assert.deepEqual(order.body, { orderedIn: 'default', kind: 'Gadget' });
  assert.equal((await req(srv.url, 'GET', '/apis/example.com/v1/namespaces/default/gadgetorders')).status, 404);
  assert.equal((await req(srv.url, 'POST', '/apis/example.com/v1/gadgetorders', {})).status, 404);
});

test('serializeWrites: concurrent creates run one at a time, so an allocator never hands out one slot twice', async () => {
  maxInFlight = 0;
  const names = Array.from({ length: 6 }, (_, i) => `s${i}`);
  const before = (await req(srv.url, 'GET', base)).body.items.length;
  const rs = await Promise.all(names.map((n) => req(srv.url, 'POST', base, g(n))));
  assert.ok(rs.every((r) => r.status === 201));
  assert.equal(maxInFlight, 1);
  assert.deepEqual(rs.map((r) => r.body.spec.slot).sort((a, b) => a - b), names.map((_, i) => before + i));
});
