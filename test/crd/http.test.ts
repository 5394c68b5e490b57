// Custom resources through HTTP: discovery and OpenAPI live, every verb, watch, field selectors,
// patch types, apply, status and scale, generation, tables, pruning per fieldValidation, 422s
// naming each field (nothing written), several versions with a deprecation warning.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, req, watch } from '../apiserver/helpers.ts';
import type { RunningApiServer } from '../../src/apiserver/index.ts';
import { CRDS, WIDGETS, establish, widget, widgetCrd } from './helpers.ts';
import { eventually } from '../helpers/eventually.ts';

let srv: RunningApiServer;
let base: string;
const TABLE = { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' };

before(async () => {
  srv = await startTestServer();
  base = srv.url;
  const t0 = performance.now();
  await establish(base, widgetCrd());
  assert.ok(performance.now() - t0 < 1000, 'served within a second');
});
after(() => srv.close());

test('discovery (aggregated and legacy) and OpenAPI list the custom resource', async () => {
  const legacy = await req(base, 'GET', '/apis/example.com/v1');
  const names = legacy.body.resources.map((r: any) => r.name);
  assert.deepEqual(names, ['widgets', 'widgets/scale', 'widgets/status']);
  const w = legacy.body.resources[0];
  assert.deepEqual([w.kind, w.singularName, w.namespaced, w.shortNames, w.categories], ['Widget', 'widget', true, ['wd'], ['all', 'gadgets']]);
  const groups = await req(base, 'GET', '/apis');
  assert.ok(groups.body.groups.some((g: any) => g.name === 'example.com' && g.preferredVersion.version === 'v1'));
  const agg = await req(base, 'GET', '/apis', undefined, { accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList' });
  const g = agg.body.items.find((i: any) => i.metadata.name === 'example.com');
  assert.equal(g.versions[0].resources[0].resource, 'widgets');
  const index = await req(base, 'GET', '/openapi/v3');
  const doc = await req(base, 'GET', index.body.paths['apis/example.com/v1'].serverRelativeURL);
  const def = doc.body.components.schemas['com.example.v1.Widget'];
  assert.deepEqual(def['x-kubernetes-group-version-kind'], [{ group: 'example.com', kind: 'Widget', version: 'v1' }]);
  assert.equal(def.properties.spec.properties.replicas.description, 'How many widgets.');
  assert.ok(doc.body.paths['/apis/example.com/v1/namespaces/{namespace}/widgets/{name}']);
  const v2 = await req(base, 'GET', '/openapi/v2', undefined, { accept: 'application/json' });
  assert.ok(v2.body.definitions['com.example.v1.Widget']);
});

test('create defaults and prunes; get, list, update, delete; generation counts spec changes only', async () => {
  const c = await req(base, 'POST', WIDGETS, { ...widget('w1', { size: '3cm' }), status: { replicas: 9 } });
  assert.equal(c.status, 201, c.text);
  assert.deepEqual(c.body.spec, { size: '3cm', replicas: 1, color: 'red' });
  assert.equal(c.body.status, undefined, 'status is reset on create (status subresource)');
  assert.equal(c.body.metadata.generation, 1);
  const got = await req(base, 'GET', `${WIDGETS}/w1`);
  assert.equal(got.body.metadata.uid, c.body.metadata.uid);
  const list = await req(base, 'GET', WIDGETS);
  assert.deepEqual([list.body.kind, list.body.apiVersion, list.body.items.map((i: any) => i.metadata.name)], ['WidgetList', 'example.com/v1', ['w1']]);
  const all = await req(base, 'GET', '/apis/example.com/v1/widgets');
  assert.equal(all.body.items.length, 1);
  const labels = await req(base, 'PUT', `${WIDGETS}/w1`, { ...got.body, metadata: { ...got.body.metadata, labels: { a: 'b' } } });
  assert.equal(labels.body.metadata.generation, 1, 'metadata changes keep the generation');
  const spec = await req(base, 'PUT', `${WIDGETS}/w1`, { ...labels.body, spec: { ...labels.body.spec, replicas: 2 }, status: { replicas: 5 } });
  assert.equal(spec.body.metadata.generation, 2);
  assert.equal(spec.body.status, undefined, 'a main-resource write keeps the old status');
  const st = await req(base, 'PUT', `${WIDGETS}/w1/status`, { ...spec.body, spec: { replicas: 7 }, status: { replicas: 2, selector: 'app=w1' } });
  assert.equal(st.status, 200, st.text);
  assert.deepEqual([st.body.spec.replicas, st.body.status.replicas, st.body.metadata.generation], [2, 2, 2]);
  const del = await req(base, 'DELETE', `${WIDGETS}/w1`);
  assert.equal(del.status, 200);
  assert.equal((await req(base, 'GET', `${WIDGETS}/w1`)).status, 404);
});

test('unknown fields: Warn (default) warns and prunes, Strict is a 400 naming each field, Ignore prunes silently', async () => {
  const body = widget('u1', { bogus: 1, tags: ['a'] }, { labels: { x: 'y' } });
  (body as any).extra = true;
  const warn = await req(base, 'POST', WIDGETS, body);
  assert.equal(warn.status, 201);
  assert.equal(warn.headers.get('warning'), '299 - "unknown field \\"extra\\"", 299 - "unknown field \\"spec.bogus\\""');
  assert.equal(warn.body.spec.bogus, undefined);
  assert.equal(warn.body.extra, undefined);
  const strict = await req(base, 'POST', `${WIDGETS}?fieldValidation=Strict`, { ...body, metadata: { name: 'u2' } });
  assert.equal(strict.status, 400);
  assert.equal(strict.body.message, 'Widget in version "v1" cannot be handled as a Widget: strict decoding error: unknown field "extra", unknown field "spec.bogus"');
  assert.equal((await req(base, 'GET', `${WIDGETS}/u2`)).status, 404);
  const ignore = await req(base, 'POST', `${WIDGETS}?fieldValidation=Ignore`, { ...body, metadata: { name: 'u3' } });
  assert.equal(ignore.status, 201);
  assert.equal(ignore.headers.get('warning'), null);
  assert.equal(ignore.body.spec.bogus, undefined);
});

test('invalid custom resources get 422 naming each field, and nothing is written', async () => {
  const cases: [string, Record<string, unknown>, string[], string][] = [
    [
      'enum, pattern, minimum (and the scale path)',
      { color: 'green', size: 'big', replicas: -1 },
      ['spec.color', 'spec.size', 'spec.replicas', '.spec.replicas'],
      'Widget.example.com "bad" is invalid: [spec.color: Unsupported value: "green": supported values: "red", "blue", spec.size: Invalid value: "big": spec.size in body should match \'^[0-9]+(cm|m)$\', spec.replicas: Invalid value: -1: spec.replicas in body should be greater than or equal to 0, .spec.replicas: Invalid value: -1: should be a non-negative integer]',
    ],
    [
      'type',
      { replicas: 'two' },
      ['spec.replicas', '.spec.replicas', '<nil>'],
      'Widget.example.com "bad" is invalid: [spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string", .spec.replicas: Invalid value: 0: spec.replicas accessor error: two is of the type string, expected int64, <nil>: Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation]',
    ],
    ['CEL rule', { min: 5, max: 1 }, ['spec'], 'Widget.example.com "bad" is invalid: spec: Invalid value: "object": min must not exceed max'],
    ['set duplicates and maxItems', { tags: ['a', 'a', 'b', 'c', 'd'] }, ['spec.tags', 'spec.tags[1]'], 'Widget.example.com "bad" is invalid: [spec.tags: Too many: 5: must have at most 4 items, spec.tags[1]: Duplicate value: "a"]'],
    ['name', {}, ['metadata.name'], ''],
  ];
  for (const [what, spec, fields, message] of cases) {
    const name = what === 'name' ? 'Bad_Name' : 'bad';
    const r = await req(base, 'POST', WIDGETS, widget(name, spec));
    assert.equal(r.status, 422, what);
    assert.deepEqual(r.body.details.causes.map((c: any) => c.field).sort(), [...fields].sort(), what);
    if (message) assert.equal(r.body.message, message, what);
    assert.deepEqual([r.body.details.kind, r.body.details.group], ['Widget', 'example.com']);
    assert.equal((await req(base, 'GET', `${WIDGETS}/${name}`)).status, 404, `${what}: nothing written`);
  }
});

test('transition rules compare with the stored object', async () => {
  await req(base, 'POST', WIDGETS, widget('t1', { size: '1m' }));
  const r = await req(base, 'PATCH', `${WIDGETS}/t1`, { spec: { size: '2m' } }, { 'content-type': 'application/merge-patch+json' });
  assert.equal(r.status, 422);
  assert.equal(r.body.message, 'Widget.example.com "t1" is invalid: spec: Invalid value: "object": size is immutable');
  assert.equal((await req(base, 'GET', `${WIDGETS}/t1`)).body.spec.size, '1m');
});

test('patch types: JSON, merge, apply; strategic merge is 415', async () => {
  await req(base, 'POST', WIDGETS, widget('p1'));
  const json = await req(base, 'PATCH', `${WIDGETS}/p1`, [{ op: 'replace', path: '/spec/replicas', value: 3 }], { 'content-type': 'application/json-patch+json' });
  assert.equal(json.body.spec.replicas, 3);
  const merge = await req(base, 'PATCH', `${WIDGETS}/p1`, { spec: { color: 'blue' } }, { 'content-type': 'application/merge-patch+json' });
  assert.deepEqual([merge.body.spec.color, merge.body.metadata.generation], ['blue', 3]);
  const smp = await req(base, 'PATCH', `${WIDGETS}/p1`, { spec: { replicas: 1 } }, { 'content-type': 'application/strategic-merge-patch+json' });
  assert.equal(smp.status, 415);
  assert.equal(smp.body.reason, 'UnsupportedMediaType');
  assert.match(smp.body.message, /accepted media types include: application\/json-patch\+json, application\/merge-patch\+json, application\/apply-patch\+yaml; got application\/strategic-merge-patch\+json$/);
  const apply = await req(base, 'PATCH', `${WIDGETS}/a1?fieldManager=tester`, JSON.stringify(widget('a1', { replicas: 4, tags: ['x'] })), { 'content-type': 'application/apply-patch+yaml' });
  assert.equal(apply.status, 201, apply.text);
  assert.equal(apply.body.metadata.managedFields[0].manager, 'tester');
  assert.equal(apply.body.metadata.managedFields[0].operation, 'Apply');
  assert.ok(apply.body.metadata.managedFields[0].fieldsV1['f:spec']['f:replicas']);
  const again = await req(base, 'PATCH', `${WIDGETS}/a1?fieldManager=other`, JSON.stringify(widget('a1', { replicas: 5 })), { 'content-type': 'application/apply-patch+yaml' });
  assert.equal(again.status, 409, 'a conflict with the other manager');
});

test('watch sees custom resources come and go; field selectors on metadata and selectableFields', async () => {
  const rv = (await req(base, 'GET', WIDGETS)).body.metadata.resourceVersion;
  const w = await watch(base, `${WIDGETS}?watch=true&resourceVersion=${rv}&fieldSelector=spec.color%3Dblue`);
  await req(base, 'POST', WIDGETS, widget('f1', { color: 'blue' }));
  await req(base, 'POST', WIDGETS, widget('f2', { color: 'red' }));
  await req(base, 'DELETE', `${WIDGETS}/f1`);
  const evs = await w.waitFor(2);
  w.close();
  assert.deepEqual(evs.slice(0, 2).map((e) => [e.type, e.object.metadata.name]), [['ADDED', 'f1'], ['DELETED', 'f1']]);
  const byName = await req(base, 'GET', `${WIDGETS}?fieldSelector=metadata.name%3Df2`);
  assert.deepEqual(byName.body.items.map((i: any) => i.metadata.name), ['f2']);
  const red = await req(base, 'GET', `${WIDGETS}?fieldSelector=spec.color%3Dred,metadata.namespace%3Ddefault`);
  assert.ok(red.body.items.every((i: any) => i.spec.color === 'red'));
  const bad = await req(base, 'GET', `${WIDGETS}?fieldSelector=spec.size%3D1m`);
  assert.equal(bad.status, 400);
  assert.equal(bad.body.message, 'field label not supported: spec.size');
});

test('scale subresource; printer columns with priority in tables', async () => {
  await req(base, 'POST', WIDGETS, widget('s1', { replicas: 2, color: 'blue' }));
  const sc = await req(base, 'GET', `${WIDGETS}/s1/scale`);
  assert.deepEqual([sc.body.kind, sc.body.apiVersion, sc.body.spec.replicas], ['Scale', 'autoscaling/v1', 2]);
  const put = await req(base, 'PUT', `${WIDGETS}/s1/scale`, { ...sc.body, spec: { replicas: 5 } });
  assert.equal(put.status, 200, put.text);
  const obj = await req(base, 'GET', `${WIDGETS}/s1`);
  assert.deepEqual([obj.body.spec.replicas, obj.body.metadata.generation], [5, 2]);
  await req(base, 'PUT', `${WIDGETS}/s1/status`, { ...obj.body, status: { replicas: 5, selector: 'app=s1', conditions: [{ type: 'Ready', status: 'True' }] } });
  const sc2 = await req(base, 'GET', `${WIDGETS}/s1/scale`);
  assert.deepEqual(sc2.body.status, { replicas: 5, selector: 'app=s1' });
  const neg = await req(base, 'PUT', `${WIDGETS}/s1/scale`, { ...sc2.body, spec: { replicas: -1 } });
  assert.equal(neg.status, 422);
  const t = await req(base, 'GET', `${WIDGETS}?fieldSelector=metadata.name%3Ds1`, undefined, TABLE);
  assert.deepEqual(t.body.columnDefinitions.map((c: any) => [c.name, c.type, c.priority]), [['Name', 'string', 0], ['Replicas', 'integer', 0], ['Color', 'string', 1], ['Ready', 'string', 0], ['Age', 'date', 0]]);
  assert.deepEqual(t.body.rows[0].cells.slice(0, 4), ['s1', 5, 'blue', 'True']);
});

test('several versions: conversion None rewrites apiVersion, a deprecated version warns, storedVersions', async () => {
  const crd = widgetCrd({ names: { plural: 'gadgets', singular: 'gadget', kind: 'Gadget', shortNames: [], categories: [] } });
  crd.metadata.name = 'gadgets.example.com';
  const v1 = crd.spec.versions[0];
  v1.subresources = { status: {} };
  v1.additionalPrinterColumns = [];
  v1.selectableFields = [];
  crd.spec.versions = [{ ...structuredClone(v1), name: 'v1beta1', storage: false, deprecated: true }, v1];
  await establish(base, crd, '/apis/example.com/v1beta1/gadgets');
  const G = (v: string) => `/apis/example.com/${v}/namespaces/default/gadgets`;
  const c = await req(base, 'POST', G('v1beta1'), { apiVersion: 'example.com/v1beta1', kind: 'Gadget', metadata: { name: 'g1' }, spec: {} });
  assert.equal(c.status, 201, c.text);
  assert.equal(c.body.apiVersion, 'example.com/v1beta1');
  assert.equal(c.headers.get('warning'), '299 - "example.com/v1beta1 Gadget is deprecated; use example.com/v1 Gadget"');
  const asV1 = await req(base, 'GET', `${G('v1')}/g1`);
  assert.equal(asV1.body.apiVersion, 'example.com/v1');
  assert.equal(asV1.headers.get('warning'), null);
  const asBeta = await req(base, 'GET', `${G('v1beta1')}/g1`);
  assert.equal(asBeta.body.apiVersion, 'example.com/v1beta1');
  assert.match(asBeta.headers.get('warning') ?? '', /is deprecated/);
  const stored = await req(base, 'GET', `${CRDS}/gadgets.example.com`);
  assert.deepEqual(stored.body.status.storedVersions, ['v1']);
  const legacy = await req(base, 'GET', '/apis/example.com');
  assert.deepEqual(legacy.body.versions.map((v: any) => v.version), ['v1', 'v1beta1']);
});

test('a cluster-scoped custom resource', async () => {
  const crd = widgetCrd({ scope: 'Cluster', names: { plural: 'clusterwidgets', singular: 'clusterwidget', kind: 'ClusterWidget', shortNames: [], categories: [] } });
  crd.metadata.name = 'clusterwidgets.example.com';
  await establish(base, crd);
  const c = await req(base, 'POST', '/apis/example.com/v1/clusterwidgets', { apiVersion: 'example.com/v1', kind: 'ClusterWidget', metadata: { name: 'cw' }, spec: {} });
  assert.equal(c.status, 201, c.text);
  assert.equal(c.body.metadata.namespace, undefined);
  assert.equal((await req(base, 'GET', '/apis/example.com/v1/namespaces/default/clusterwidgets/cw')).status, 404);
  await eventually(async () => (await req(base, 'GET', '/apis/example.com/v1/clusterwidgets/cw')).status === 200, 'condition');
});
