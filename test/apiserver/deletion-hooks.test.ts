// Per-kind deletion rules come from the registry entry's `deletion` hooks (not from kind names in
// the API server): a kind of its own gets graceful deletion, extra finalizers and a "deleting" mark.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from '../../src/api/registry.ts';
import { defineKind } from '../../src/api/meta.ts';
import type { RunningApiServer } from '../../src/apiserver/index.ts';
import { startTestServer, req, testRegistry } from './helpers.ts';

const widget = defineKind({
  group: 'example.com',
  version: 'v1',
  kind: 'Widget',
  plural: 'widgets',
  namespaced: true,
  description: 'test kind with deletion rules',
  fields: {
    spec: { type: 'object', properties: { grace: { type: 'integer' }, holds: { type: 'array', items: { type: 'string' } } } },
    status: { type: 'object', properties: { phase: { type: 'string' } } },
  },
  deletion: {
    gracePeriodSeconds: (o, requested) => requested ?? o.spec?.grace ?? 0,
    extraFinalizers: (o) => o.spec?.holds ?? [],
    markDeleting: (o) => {
      o.status = { ...(o.status ?? {}), phase: 'Closing' };
    },
  },
});

let srv: RunningApiServer;
before(async () => {
  srv = await startTestServer({ registry: new Registry([...testRegistry().all(), widget]) });
});
after(() => srv.close());

const widgets = '/apis/example.com/v1/namespaces/default/widgets';
const w = (name: string, spec: Record<string, unknown>) => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name }, spec });

test('the kind’s gracePeriodSeconds hook: the object stays with deletionTimestamp until a delete with grace 0', async () => {
  assert.equal((await req(srv.url, 'POST', widgets, w('g', { grace: 7 }))).status, 201);
  const d = await req(srv.url, 'DELETE', `${widgets}/g`);
  assert.equal(d.status, 200, d.text);
  assert.equal(d.body.metadata.deletionGracePeriodSeconds, 7);
  assert.ok(d.body.metadata.deletionTimestamp);
  assert.equal(d.body.status.phase, 'Closing');
  assert.equal((await req(srv.url, 'GET', `${widgets}/g`)).status, 200);
  const now = await req(srv.url, 'DELETE', `${widgets}/g`, { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 0 });
  assert.equal(now.status, 200, now.text);
  assert.equal(now.body.kind, 'Status');
  assert.equal((await req(srv.url, 'GET', `${widgets}/g`)).status, 404);
});

test('the kind’s extraFinalizers hook holds a deleted object until they are cleared by an update', async () => {
  assert.equal((await req(srv.url, 'POST', widgets, w('h', { holds: ['x'] }))).status, 201);
  const d = await req(srv.url, 'DELETE', `${widgets}/h`);
  assert.equal(d.status, 200, d.text);
  assert.equal(d.body.status.phase, 'Closing');
  const cur = await req(srv.url, 'GET', `${widgets}/h`);
  assert.equal(cur.status, 200);
  const put = await req(srv.url, 'PUT', `${widgets}/h`, { ...cur.body, spec: { holds: [] } });
  assert.equal(put.status, 200, put.text);
  assert.equal((await req(srv.url, 'GET', `${widgets}/h`)).status, 404);
});

test('a kind without deletion hooks is deleted at once', async () => {
  const cm = await req(srv.url, 'POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'plain' } });
  assert.equal(cm.status, 201);
  const d = await req(srv.url, 'DELETE', '/api/v1/namespaces/default/configmaps/plain');
  assert.equal(d.body.kind, 'Status');
  assert.equal((await req(srv.url, 'GET', '/api/v1/namespaces/default/configmaps/plain')).status, 404);
});
