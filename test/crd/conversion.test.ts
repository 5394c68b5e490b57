// CRD conversion `strategy: Webhook` against a real HTTPS conversion webhook: objects created at
// one version are read, listed, watched, updated and applied at the other; a LIST converts in one
// ConversionReview; a failing webhook is a 500 worded as Kubernetes words it and nothing is written;
// the webhook is reached by URL or through a Service with manual Endpoints; malformed conversion
// settings are refused naming the field; admission webhooks for the other version see converted objects.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, req, watch } from '../apiserver/helpers.ts';
import type { RunningApiServer } from '../../src/apiserver/index.ts';
import { eventually } from '../helpers/eventually.ts';
import { CRDS, establish } from './helpers.ts';
import { startWebhookServer, patchResponse } from '../admission/webhook-server.ts';
import { MWC, VWC, configuration, hook as webhook } from '../admission/fixtures.ts';
import { CRONTABS, cronTab, cronTabCrd, startConversionServer, type ConversionServer } from './conversion-server.ts';

let srv: RunningApiServer;
let hook: ConversionServer;
const APPLY = { 'Content-Type': 'application/apply-patch+yaml' };

before(async () => {
  srv = await startTestServer();
  hook = await startConversionServer();
  await establish(srv.url, cronTabCrd({ url: hook.url, caBundle: hook.pki.caBundle }));
  for (const name of ['lists', 'watched', 'failing']) await req(srv.url, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
});
after(async () => {
  await srv?.close();
  await hook?.close();
});

test('create at v1, read at v2 and back; writes at v2 are stored at v1', async () => {
  const c = await req(srv.url, 'POST', CRONTABS('v1'), cronTab('v1', 'a', '*/5 * * * *'));
  assert.equal(c.status, 201, c.text);
  assert.equal(c.body.apiVersion, 'stable.example.com/v1');
  hook.reviews.length = 0;
  const v1 = await req(srv.url, 'GET', `${CRONTABS('v1')}/a`);
  assert.equal(v1.body.spec.cronSpec, '*/5 * * * *');
  assert.equal(hook.reviews.length, 0, 'the storage version is read without the webhook');
  const v2 = await req(srv.url, 'GET', `${CRONTABS('v2')}/a`);
  assert.equal(v2.status, 200, v2.text);
  assert.equal(v2.body.apiVersion, 'stable.example.com/v2');
  assert.deepEqual(v2.body.spec, { schedule: '*/5 * * * *', image: 'busybox' });
  assert.equal(v2.body.metadata.uid, v1.body.metadata.uid);
  assert.deepEqual(hook.reviews, [{ desired: 'stable.example.com/v2', objects: ['stable.example.com/v1'] }]);

  const b = await req(srv.url, 'POST', CRONTABS('v2'), cronTab('v2', 'b', '0 * * * *'));
  assert.equal(b.status, 201, b.text);
  assert.equal(b.body.apiVersion, 'stable.example.com/v2');
  assert.equal(b.body.spec.schedule, '0 * * * *');
  assert.equal((await req(srv.url, 'GET', `${CRONTABS('v1')}/b`)).body.spec.cronSpec, '0 * * * *', 'stored at v1');

  // PUT at v2 (the current object is converted for the update, the result back for storage)
  const put = await req(srv.url, 'PUT', `${CRONTABS('v2')}/b`, { ...v2.body, metadata: { ...b.body.metadata }, spec: { schedule: '1 * * * *', image: 'busybox' } });
  assert.equal(put.status, 200, put.text);
  assert.equal(put.body.spec.schedule, '1 * * * *');
  assert.equal((await req(srv.url, 'GET', `${CRONTABS('v1')}/b`)).body.spec.cronSpec, '1 * * * *');
  // merge patch at v2
  const mp = await req(srv.url, 'PATCH', `${CRONTABS('v2')}/a`, { spec: { schedule: '2 * * * *' } }, { 'Content-Type': 'application/merge-patch+json' });
  assert.equal(mp.status, 200, mp.text);
  assert.deepEqual(mp.body.spec, { schedule: '2 * * * *', image: 'busybox' });
  assert.deepEqual((await req(srv.url, 'GET', `${CRONTABS('v1')}/a`)).body.spec, { cronSpec: '2 * * * *', image: 'busybox' });
  // a table at v2 uses v2's printer columns on the converted object
  const table = await req(srv.url, 'GET', `${CRONTABS('v2')}/a`, undefined, { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' });
  assert.deepEqual(table.body.columnDefinitions.map((d: any) => d.name), ['Name', 'Schedule']);
  assert.deepEqual(table.body.rows[0].cells, ['a', '2 * * * *']);
});

test('a LIST sends all its objects in one ConversionReview', async () => {
  for (const n of ['l1', 'l2', 'l3']) assert.equal((await req(srv.url, 'POST', CRONTABS('v1', 'lists'), cronTab('v1', n, `${n} * * *`))).status, 201);
  hook.reviews.length = 0;
  const list = await req(srv.url, 'GET', CRONTABS('v2', 'lists'));
  assert.equal(list.status, 200, list.text);
  assert.equal(list.body.kind, 'CronTabList');
  assert.equal(list.body.apiVersion, 'stable.example.com/v2');
  assert.deepEqual(list.body.items.map((o: any) => [o.apiVersion, o.metadata.name, o.spec.schedule]), [
    ['stable.example.com/v2', 'l1', 'l1 * * *'],
    ['stable.example.com/v2', 'l2', 'l2 * * *'],
    ['stable.example.com/v2', 'l3', 'l3 * * *'],
  ]);
  assert.equal(hook.reviews.length, 1);
  assert.equal(hook.reviews[0].objects.length, 3);
  hook.reviews.length = 0;
  const v1 = await req(srv.url, 'GET', CRONTABS('v1', 'lists'));
  assert.equal(v1.body.items.length, 3);
  assert.equal(hook.reviews.length, 0, 'a LIST in the storage version calls nobody');
});

test('a watch at v2 converts each event, in order', async () => {
  const ns = 'watched';
  assert.equal((await req(srv.url, 'POST', CRONTABS('v1', ns), cronTab('v1', 'w0', 'initial'))).status, 201);
  const w = await watch(srv.url, `${CRONTABS('v2', ns)}?watch=true`);
  try {
    await w.waitFor(1);
    for (let i = 1; i <= 5; i++) assert.equal((await req(srv.url, 'POST', CRONTABS('v1', ns), cronTab('v1', `w${i}`, `s${i}`))).status, 201);
    assert.equal((await req(srv.url, 'PATCH', `${CRONTABS('v1', ns)}/w0`, { spec: { cronSpec: 'changed' } }, { 'Content-Type': 'application/merge-patch+json' })).status, 200);
    assert.equal((await req(srv.url, 'DELETE', `${CRONTABS('v1', ns)}/w1`)).status, 200);
    const events = await w.waitFor(8);
    assert.deepEqual(
      events.map((e) => [e.type, e.object.apiVersion, e.object.metadata.name, e.object.spec.schedule, e.object.spec.cronSpec]),
      [
        ['ADDED', 'stable.example.com/v2', 'w0', 'initial', undefined],
        ...[1, 2, 3, 4, 5].map((i) => ['ADDED', 'stable.example.com/v2', `w${i}`, `s${i}`, undefined]),
        ['MODIFIED', 'stable.example.com/v2', 'w0', 'changed', undefined],
        ['DELETED', 'stable.example.com/v2', 'w1', 's1', undefined],
      ],
    );
    const rvs = events.map((e) => Number(e.object.metadata.resourceVersion));
    assert.deepEqual(rvs.slice(1), [...rvs.slice(1)].sort((a, b) => a - b), 'resourceVersions ascend');
  } finally {
    w.close();
  }
});

test('server-side apply at each version', async () => {
  const path = (v: string) => `${CRONTABS(v)}/applied?fieldManager=ops`;
  const a2 = await req(srv.url, 'PATCH', path('v2'), JSON.stringify(cronTab('v2', 'applied', '3 * * * *')), APPLY);
  assert.equal(a2.status, 201, a2.text);
  assert.deepEqual(a2.body.spec, { schedule: '3 * * * *', image: 'busybox' });
  assert.equal((await req(srv.url, 'GET', `${CRONTABS('v1')}/applied`)).body.spec.cronSpec, '3 * * * *');
  const a1 = await req(srv.url, 'PATCH', path('v1'), JSON.stringify(cronTab('v1', 'applied', '4 * * * *')), APPLY);
  assert.equal(a1.status, 200, a1.text);
  assert.deepEqual(a1.body.spec, { cronSpec: '4 * * * *', image: 'busybox' });
  const again = await req(srv.url, 'PATCH', path('v2'), JSON.stringify({ ...cronTab('v2', 'applied', '5 * * * *'), spec: { schedule: '5 * * * *', image: 'busybox', replicas: 2 } }), APPLY);
  assert.equal(again.status, 200, again.text);
  assert.deepEqual(again.body.spec, { schedule: '5 * * * *', image: 'busybox', replicas: 2 });
  assert.ok(again.body.metadata.managedFields.some((m: any) => m.manager === 'ops' && m.operation === 'Apply' && m.apiVersion === 'stable.example.com/v2'));
  assert.deepEqual((await req(srv.url, 'GET', `${CRONTABS('v1')}/applied`)).body.spec, { cronSpec: '5 * * * *', image: 'busybox', replicas: 2 });
});

test('status and scale subresources at the converted version', async () => {
  assert.equal((await req(srv.url, 'POST', CRONTABS('v1'), cronTab('v1', 'sub', '11 * * * *'))).status, 201);
  const st = await req(srv.url, 'PATCH', `${CRONTABS('v2')}/sub/status`, { status: { replicas: 1, lastRun: 'now' } }, { 'Content-Type': 'application/merge-patch+json' });
  assert.equal(st.status, 200, st.text);
  assert.equal(st.body.apiVersion, 'stable.example.com/v2');
  assert.deepEqual([st.body.spec.schedule, st.body.status], ['11 * * * *', { replicas: 1, lastRun: 'now' }]);
  const got = await req(srv.url, 'GET', `${CRONTABS('v2')}/sub/status`);
  assert.deepEqual([got.body.apiVersion, got.body.spec.schedule], ['stable.example.com/v2', '11 * * * *']);
  const sc = await req(srv.url, 'PATCH', `${CRONTABS('v2')}/sub/scale`, { spec: { replicas: 4 } }, { 'Content-Type': 'application/merge-patch+json' });
  assert.equal(sc.status, 200, sc.text);
  assert.deepEqual([sc.body.kind, sc.body.spec.replicas, sc.body.status.replicas], ['Scale', 4, 1]);
  assert.deepEqual((await req(srv.url, 'GET', `${CRONTABS('v1')}/sub`)).body.spec, { cronSpec: '11 * * * *', image: 'busybox', replicas: 4 });
});

test('a failing webhook: 500 as Kubernetes words it, nothing written', async () => {
  assert.equal((await req(srv.url, 'POST', CRONTABS('v1', 'failing'), cronTab('v1', 'f', '6 * * * *'))).status, 201);
  hook.mode = 'fail';
  try {
    const get = await req(srv.url, 'GET', `${CRONTABS('v2', 'failing')}/f`);
    assert.equal(get.status, 500, get.text);
    assert.equal(get.body.reason, 'InternalError');
    assert.equal(get.body.message, 'Internal error occurred: conversion webhook for stable.example.com/v1, Kind=CronTab failed: the webhook is out to lunch');
    assert.equal((await req(srv.url, 'GET', CRONTABS('v2', 'failing'))).status, 500, 'list');

    const create = await req(srv.url, 'POST', CRONTABS('v2', 'failing'), cronTab('v2', 'g', '7 * * * *'));
    assert.equal(create.status, 500, create.text);
    assert.equal(create.body.message, 'Internal error occurred: conversion webhook for stable.example.com/v2, Kind=CronTab failed: the webhook is out to lunch');
    const put = await req(srv.url, 'PATCH', `${CRONTABS('v2', 'failing')}/f`, { spec: { schedule: 'x' } }, { 'Content-Type': 'application/merge-patch+json' });
    assert.equal(put.status, 500, put.text);

    hook.mode = 'short';
    const short = await req(srv.url, 'GET', `${CRONTABS('v2', 'failing')}/f`);
    assert.equal(short.status, 500);
    assert.equal(short.body.message, 'Internal error occurred: conversion webhook for stable.example.com/v1, Kind=CronTab returned 0 objects, expected 1');
    // metadata-only lists and watches (the garbage collector's) need no conversion
    const meta = await req(srv.url, 'GET', CRONTABS('v2', 'failing'), undefined, { Accept: 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io' });
    assert.equal(meta.status, 200, meta.text);
    assert.deepEqual(meta.body.items.map((o: any) => o.metadata.name), ['f']);
    const mw = await watch(srv.url, `${CRONTABS('v2', 'failing')}?watch=true`, { Accept: 'application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io' });
    try {
      const [ev] = await mw.waitFor(1);
      assert.deepEqual([ev.type, ev.object.kind, ev.object.metadata.name], ['ADDED', 'PartialObjectMetadata', 'f']);
    } finally {
      mw.close();
    }
  } finally {
    hook.mode = 'ok';
  }
  const stored = await req(srv.url, 'GET', CRONTABS('v1', 'failing'));
  assert.deepEqual(stored.body.items.map((o: any) => [o.metadata.name, o.spec.cronSpec]), [['f', '6 * * * *']], 'nothing written');
  // a watch whose conversion fails ends with an ERROR event
  hook.mode = 'fail';
  try {
    const w = await watch(srv.url, `${CRONTABS('v2', 'failing')}?watch=true`);
    const [e] = await w.waitFor(1);
    assert.equal(e.type, 'ERROR');
    assert.equal(e.object.code, 500);
    assert.match(e.object.message, /conversion webhook for stable.example.com\/v1, Kind=CronTab failed/);
    await w.waitEnd();
  } finally {
    hook.mode = 'ok';
  }
});

test('a webhook that cannot be reached', async () => {
  const gone = await startConversionServer();
  await gone.close();
  const crd = cronTabCrd({ url: gone.url, caBundle: gone.pki.caBundle });
  crd.metadata.name = 'crontabs.down.example.com';
  crd.spec.group = 'down.example.com';
  await establish(srv.url, crd, '/apis/down.example.com/v1/crontabs');
  const c = await req(srv.url, 'POST', '/apis/down.example.com/v2/namespaces/default/crontabs', { ...cronTab('v2', 'x', '8 * * * *'), apiVersion: 'down.example.com/v2' });
  assert.equal(c.status, 500, c.text);
  assert.equal(c.body.message, `Internal error occurred: conversion webhook for down.example.com/v2, Kind=CronTab failed: Post "https://127.0.0.1:${gone.port}/convert?timeout=30s": dial tcp 127.0.0.1:${gone.port}: connect: connection refused`);
  assert.equal((await req(srv.url, 'GET', '/apis/down.example.com/v1/crontabs')).body.items.length, 0, 'nothing written');
});

test('the webhook reached through a Service with manual Endpoints', async () => {
  const own = await startConversionServer(['crontab-conversion.default.svc']);
  try {
    const s = await req(srv.url, 'POST', '/api/v1/namespaces/default/services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'crontab-conversion' }, spec: { ports: [{ port: 443 }] } });
    assert.equal(s.status, 201, s.text);
    const e = await req(srv.url, 'POST', '/api/v1/namespaces/default/endpoints', { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'crontab-conversion' }, subsets: [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ port: own.port }] }] });
    assert.equal(e.status, 201, e.text);
    const crd = cronTabCrd({ service: { namespace: 'default', name: 'crontab-conversion', path: '/convert' }, caBundle: own.pki.caBundle });
    crd.metadata.name = 'crontabs.svc.example.com';
    crd.spec.group = 'svc.example.com';
    await establish(srv.url, crd, '/apis/svc.example.com/v1/crontabs');
    const stored = await req(srv.url, 'GET', `${CRDS}/crontabs.svc.example.com`);
    assert.equal(stored.body.spec.conversion.webhook.clientConfig.service.port, 443, 'port defaulted');
    const c = await req(srv.url, 'POST', '/apis/svc.example.com/v1/namespaces/default/crontabs', { ...cronTab('v1', 's', '9 * * * *'), apiVersion: 'svc.example.com/v1' });
    assert.equal(c.status, 201, c.text);
    const v2 = await eventually(async () => {
      const r = await req(srv.url, 'GET', '/apis/svc.example.com/v2/namespaces/default/crontabs/s');
      return r.status === 200 ? r : undefined;
    }, 'converted through the service');
    assert.equal(v2.body.spec.schedule, '9 * * * *');
    assert.equal(own.reviews.length, 1);
  } finally {
    await own.close();
  }
});

test('malformed conversion settings are refused naming the field; nothing is written', async () => {
  const base = () => {
    const c = cronTabCrd({ url: hook.url });
    c.metadata.name = 'crontabs.bad.example.com';
    c.spec.group = 'bad.example.com';
    return c;
  };
  const P = 'spec.conversion';
  const cases: [string, (c: any) => void, string[], RegExp][] = [
    ['no client config', (c) => delete c.spec.conversion.webhook.clientConfig, [`${P}.webhookClientConfig`], /spec.conversion.webhookClientConfig: Required value: required when strategy is set to Webhook/],
    ['no review versions', (c) => delete c.spec.conversion.webhook.conversionReviewVersions, [`${P}.conversionReviewVersions`], /spec.conversion.conversionReviewVersions: Required value/],
    ['no known review version', (c) => (c.spec.conversion.webhook.conversionReviewVersions = ['v3']), [`${P}.conversionReviewVersions`], /must include at least one of v1, v1beta1/],
    ['duplicate review version', (c) => (c.spec.conversion.webhook.conversionReviewVersions = ['v1', 'v1']), [`${P}.conversionReviewVersions[1]`], /spec.conversion.conversionReviewVersions\[1\]: Invalid value: "v1": duplicate version/],
    ['http url', (c) => (c.spec.conversion.webhook.clientConfig.url = 'http://127.0.0.1/convert'), [`${P}.webhookClientConfig.url`], /'https' is the only allowed URL scheme/],
    ['url and service', (c) => (c.spec.conversion.webhook.clientConfig.service = { namespace: 'default', name: 'x' }), [`${P}.webhookClientConfig`], /exactly one of url or service is required/],
    ['None with a webhook', (c) => (c.spec.conversion.strategy = 'None'), [`${P}.webhookClientConfig`, `${P}.conversionReviewVersions`], /should not be set when strategy is not set to Webhook/],
  ];
  for (const [what, f, fields, message] of cases) {
    const c = base();
    f(c);
    const r = await req(srv.url, 'POST', CRDS, c);
    assert.equal(r.status, 422, `${what}: ${r.text.slice(0, 300)}`);
    assert.deepEqual([...new Set(r.body.details.causes.map((x: any) => x.field))].sort(), [...fields].sort(), `${what}: ${r.body.message}`);
    assert.match(r.body.message, message, what);
    assert.equal((await req(srv.url, 'GET', `${CRDS}/crontabs.bad.example.com`)).status, 404, `${what}: nothing written`);
  }
});

test('admission webhooks registered for v2 see a v1 request converted (matchPolicy Equivalent)', async () => {
  const admit = await startWebhookServer(hook.pki);
  try {
    admit.handle('/mutate', (r) => (r.object.spec.replicas === undefined ? patchResponse([{ op: 'add', path: '/spec/replicas', value: 3 }]) : { allowed: true }));
    admit.handle('/validate', (r) => (r.object.spec.schedule === 'forbidden' ? { allowed: false, status: { code: 403, message: 'schedule forbidden' } } : { allowed: true }));
    const rules = [{ operations: ['CREATE'], apiGroups: ['stable.example.com'], apiVersions: ['v2'], resources: ['crontabs'] }];
    const selector = { matchLabels: { admitted: 'yes' } };
    assert.equal((await req(srv.url, 'POST', MWC, configuration('MutatingWebhookConfiguration', 'crontabs', [webhook('m.crontabs.example.com', admit.url('/mutate'), hook.pki.caBundle, { rules, objectSelector: selector })]))).status, 201);
    assert.equal((await req(srv.url, 'POST', VWC, configuration('ValidatingWebhookConfiguration', 'crontabs', [webhook('v.crontabs.example.com', admit.url('/validate'), hook.pki.caBundle, { rules, objectSelector: selector })]))).status, 201);
    let n = 0;
    const created = await eventually(async () => {
      const r = await req(srv.url, 'POST', CRONTABS('v1'), cronTab('v1', `admitted-${n++}`, '10 * * * *', { labels: { admitted: 'yes' } }));
      assert.equal(r.status, 201, r.text);
      return r.body.spec.replicas === 3 && admit.seen.get('/validate')?.length ? r : undefined;
    }, 'webhooks in effect');
    assert.equal(created.body.apiVersion, 'stable.example.com/v1');
    assert.deepEqual(created.body.spec, { cronSpec: '10 * * * *', image: 'busybox', replicas: 3 });
    const seen = admit.seen.get('/mutate')!.at(-1);
    assert.equal(seen.object.apiVersion, 'stable.example.com/v2');
    assert.equal(seen.object.spec.schedule, '10 * * * *');
    assert.deepEqual(seen.kind, { group: 'stable.example.com', version: 'v2', kind: 'CronTab' });
    assert.deepEqual(seen.requestKind, { group: 'stable.example.com', version: 'v1', kind: 'CronTab' });
    const denied = await req(srv.url, 'POST', CRONTABS('v1'), cronTab('v1', 'denied', 'forbidden', { labels: { admitted: 'yes' } }));
    assert.equal(denied.status, 403, denied.text);
    assert.equal(denied.body.message, 'admission webhook "v.crontabs.example.com" denied the request: schedule forbidden');
  } finally {
    await req(srv.url, 'DELETE', `${MWC}/crontabs`);
    await req(srv.url, 'DELETE', `${VWC}/crontabs`);
    await admit.close();
  }
});
