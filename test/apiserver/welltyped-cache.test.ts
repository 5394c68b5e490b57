// The checks of one write remember which members of the request's object fit the schema; a
// mutating admission plugin that changes a member in place must be seen by the checks after it
// (a stale memo would let a mistyped object be stored).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AdmissionPlugin } from '../../src/apiserver/index.ts';
import { forgetWellTyped, obj, str, int, wellTyped } from '../../src/api/schema.ts';
import { startTestServer, req, deployment } from './helpers.ts';

test('wellTyped remembers a fresh member until forgetWellTyped', () => {
  const schema = obj('x', { status: obj('s', { replicas: int(), phase: str() }) });
  const o: any = { status: { replicas: 1, phase: 'Up' } };
  assert.equal(wellTyped(schema, o), true);
  o.status.replicas = 'one';
  forgetWellTyped(o);
  assert.equal(wellTyped(schema, o), false);
  // frozen members never change: remembered for good
  const frozen: any = { status: Object.freeze({ replicas: 2, phase: 'Up' }) };
  assert.equal(wellTyped(schema, frozen), true);
  assert.equal(wellTyped(schema, frozen), true);
});

test('wellTyped: a member of a member changed in place is seen once its parent is forgotten; a fresh member found to fit stays so once frozen', () => {
  const schema = obj('x', { metadata: obj('m', { labels: obj('l', { app: str() }), gen: int() }) });
  const o: any = { metadata: { labels: { app: 'web' }, gen: 1 } };
  assert.equal(wellTyped(schema, o), true);
  // changed in place below the top level (a mutating plugin), then forgotten: seen
  o.metadata.labels.app = 5;
  forgetWellTyped(o);
  assert.equal(wellTyped(schema, o), false);
  o.metadata.labels.app = 'web';
  assert.equal(wellTyped(schema, o), true);
  // stored as it was (handOver freezes the request's own members): a later check of the stored
  // object (an update's old), with its metadata copied around the same members, trusts them
  const labels = Object.freeze(o.metadata.labels);
  const stored: any = Object.freeze({ metadata: Object.freeze({ ...o.metadata, labels, resourceVersion: '2' }) });
  assert.equal(wellTyped(schema, stored), true);
  // a frozen member never found to fit is walked
  assert.equal(wellTyped(schema, Object.freeze({ metadata: Object.freeze({ labels: Object.freeze({ app: 7 }) }) })), false);
});

test('a mutating admission plugin that mistypes a status member in place: the status update is rejected, nothing stored', async () => {
  const cases: { name: string; mutate: (o: any) => void; code: number }[] = [
    { name: 'number made a string', mutate: (o) => (o.status.replicas = 'three'), code: 422 },
    { name: 'untouched', mutate: () => {}, code: 200 },
  ];
  let mutate: (o: any) => void = () => {};
  const plugin: AdmissionPlugin = {
    name: 'Mistype',
    admit(a) {
      if (a.operation === 'UPDATE' && a.info.subresource === 'status' && a.object?.status) mutate(a.object);
    },
  };
  const srv = await startTestServer({ pipeline: { authenticators: [], rateLimiters: [], authorizers: [], admission: [plugin] } });
  try {
    const path = '/apis/apps/v1/namespaces/default/deployments';
    const created = await req(srv.url, 'POST', path, deployment('web', 2));
    assert.equal(created.status, 201, created.text);
    for (const c of cases) {
      mutate = c.mutate;
      const cur = (await req(srv.url, 'GET', `${path}/web`)).body;
      const r = await req(srv.url, 'PUT', `${path}/web/status`, { ...cur, status: { replicas: 2, readyReplicas: 1, observedGeneration: 1 } });
      assert.equal(r.status, c.code, `${c.name}: ${r.text}`);
      const stored = (await req(srv.url, 'GET', `${path}/web`)).body;
      assert.equal(typeof (stored.status?.replicas ?? 0), 'number', c.name);
    }
  } finally {
    await srv.close();
  }
});

test('a mutating admission plugin that mistypes a label in place (below the top level): the update is rejected, nothing stored', async () => {
  const cases: { name: string; mutate: (o: any) => void; code: number }[] = [
    { name: 'label made a number', mutate: (o) => (o.metadata.labels.app = 5), code: 422 },
    { name: 'untouched', mutate: () => {}, code: 200 },
  ];
  let mutate: (o: any) => void = () => {};
  const plugin: AdmissionPlugin = {
    name: 'MistypeLabel',
    admit(a) {
      if (a.operation === 'UPDATE' && a.object?.metadata?.labels) mutate(a.object);
    },
  };
  const srv = await startTestServer({ pipeline: { authenticators: [], rateLimiters: [], authorizers: [], admission: [plugin] } });
  try {
    const path = '/apis/apps/v1/namespaces/default/deployments';
    const d: any = deployment('web', 2);
    d.metadata.labels = { app: 'web' };
    assert.equal((await req(srv.url, 'POST', path, d)).status, 201);
    for (const c of cases) {
      mutate = c.mutate;
      const cur = (await req(srv.url, 'GET', `${path}/web`)).body;
      const r = await req(srv.url, 'PUT', `${path}/web`, { ...cur, metadata: { ...cur.metadata, labels: { app: 'web' } }, spec: { ...cur.spec, replicas: 3 } });
      assert.equal(r.status, c.code, `${c.name}: ${r.text}`);
      const stored = (await req(srv.url, 'GET', `${path}/web`)).body;
      assert.equal(stored.metadata.labels.app, 'web', c.name);
    }
  } finally {
    await srv.close();
  }
});

test('typedMutation: a plugin that declares it keeps the checks; one that says it mistyped (untyped) has the object checked again', async () => {
  const cases: { name: string; mutate: (a: any) => void; code: number }[] = [
    { name: 'typed change', mutate: (a) => (a.object.status.readyReplicas = 2), code: 200 },
    { name: 'mistyped, said so', mutate: (a) => ((a.object.status.replicas = 'three'), (a.untyped = true)), code: 422 },
  ];
  let mutate: (a: any) => void = () => {};
  const plugin: AdmissionPlugin = {
    name: 'Typed',
    typedMutation: true,
    admit(a) {
      if (a.operation === 'UPDATE' && a.info.subresource === 'status' && a.object?.status) mutate(a);
    },
  };
  const srv = await startTestServer({ pipeline: { authenticators: [], rateLimiters: [], authorizers: [], admission: [plugin] } });
  try {
    const path = '/apis/apps/v1/namespaces/default/deployments';
    assert.equal((await req(srv.url, 'POST', path, deployment('web', 2))).status, 201);
    for (const c of cases) {
      mutate = c.mutate;
      const cur = (await req(srv.url, 'GET', `${path}/web`)).body;
      const r = await req(srv.url, 'PUT', `${path}/web/status`, { ...cur, status: { replicas: 2, readyReplicas: 1, observedGeneration: 1 } });
      assert.equal(r.status, c.code, `${c.name}: ${r.text}`);
      const stored = (await req(srv.url, 'GET', `${path}/web`)).body;
      assert.equal(typeof (stored.status?.replicas ?? 0), 'number', c.name);
    }
  } finally {
    await srv.close();
  }
});
