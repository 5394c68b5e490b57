// Through HTTP: a CRD whose schema tightens after objects exist. Existing objects show the new
// defaults on GET/LIST/WATCH without a write (defaulting on read); an update leaving an invalid
// field unchanged passes (ratcheting; a failing CEL rule on an unchanged value is a Warning), while
// changing it to another invalid value gets Kubernetes' 422 naming the field.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, req, watch } from '../apiserver/helpers.ts';
import type { RunningApiServer } from '../../src/apiserver/index.ts';
import { CRDS, establish } from './helpers.ts';
import { eventually } from '../helpers/eventually.ts';
import { MemoryStore } from '../../src/storage/index.ts';
import { objectKey } from '../../src/storage/interface.ts';

const GIZMOS = '/apis/example.com/v1/namespaces/default/gizmos';
let srv: RunningApiServer;
const backend = new MemoryStore();
let base: string;

function crd(spec: Record<string, unknown>): any {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'gizmos.example.com' },
    spec: {
      group: 'example.com',
      scope: 'Namespaced',
      names: { plural: 'gizmos', singular: 'gizmo', kind: 'Gizmo' },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', ...spec } } } } }],
    },
  };
}

const loose = { properties: { name: { type: 'string' }, size: { type: 'string' }, count: { type: 'integer' }, legacy: { type: 'string' } } };
const strict = {
  properties: {
    name: { type: 'string', maxLength: 3 },
    size: { type: 'string', pattern: '^[0-9]+cm$' },
    count: { type: 'integer', 'x-kubernetes-validations': [{ rule: 'self < 10', message: 'count must be below 10' }] },
    color: { type: 'string', default: 'red' },
  },
};

before(async () => {
  srv = await startTestServer({ store: backend });
  base = srv.url;
  await establish(base, crd(loose));
  const c = await req(base, 'POST', GIZMOS, { apiVersion: 'example.com/v1', kind: 'Gizmo', metadata: { name: 'g1' }, spec: { name: 'toolong', size: '3m', count: 11, legacy: 'x' } });
  assert.equal(c.status, 201, c.text);
  const cur = (await req(base, 'GET', `${CRDS}/gizmos.example.com`)).body;
  const u = await req(base, 'PUT', `${CRDS}/gizmos.example.com`, { ...cur, spec: crd(strict).spec });
  assert.equal(u.status, 200, u.text);
});
after(() => srv.close());

test('existing objects are read through the new schema on GET, LIST and WATCH, without a write: a new default shows, a dropped field is gone', async () => {
  await eventually(async () => (await req(base, 'GET', `${GIZMOS}/g1`)).body?.spec?.color === 'red', 'GET shows the new default', 5000);
  const got = await req(base, 'GET', `${GIZMOS}/g1`);
  assert.deepEqual(got.body.spec, { name: 'toolong', size: '3m', count: 11, color: 'red' });
  assert.equal((await backend.get(objectKey('example.com', 'gizmos', 'default', 'g1')))?.object.spec?.legacy, 'x', 'storage still holds what was written');
  const list = await req(base, 'GET', GIZMOS);
  assert.equal(list.body.items[0].spec.color, 'red');
  const w = await watch(base, `${GIZMOS}?watch=true&resourceVersion=0`);
  try {
    await eventually(() => w.events.some((e: any) => e.type === 'ADDED' && e.object.spec.color === 'red'), 'watch shows the default', 5000);
  } finally {
    w.close();
  }
});

test('ratcheting: unchanged invalid fields pass (CEL failures warn); a changed invalid field gets a 422', async () => {
  await eventually(async () => (await req(base, 'GET', `${GIZMOS}/g1`)).body?.spec?.color === 'red', 'strict schema served', 5000);
  const cur = (await req(base, 'GET', `${GIZMOS}/g1`)).body;
  // only a label changes: name, size and count are invalid under the new schema but unchanged
  const ok = await req(base, 'PUT', `${GIZMOS}/g1`, { ...cur, metadata: { ...cur.metadata, labels: { touched: 'yes' } } });
  assert.equal(ok.status, 200, ok.text);
  assert.match(ok.headers.get('warning') ?? '', /spec\.count: Invalid value: \\"integer\\": count must be below 10/);
  const cases: [string, Record<string, unknown>, string, string][] = [
    ['size', { size: '4m' }, 'spec.size', "Invalid value: \"4m\": spec.size in body should match '^[0-9]+cm$'"],
    ['name', { name: 'toolong2' }, 'spec.name', 'Too long: may not be more than 3 bytes'],
    ['count (CEL)', { count: 12 }, 'spec.count', 'Invalid value: "integer": count must be below 10'],
  ];
  for (const [name, change, field, detail] of cases) {
    const latest = (await req(base, 'GET', `${GIZMOS}/g1`)).body;
    const r = await req(base, 'PUT', `${GIZMOS}/g1`, { ...latest, spec: { ...latest.spec, ...change } });
    assert.equal(r.status, 422, `${name}: ${r.text}`);
    assert.equal(r.body.message, `Gizmo.example.com "g1" is invalid: ${field}: ${detail}`, name);
    assert.deepEqual(r.body.details.causes.map((c: any) => c.field), [field], name);
  }
  const after = (await req(base, 'GET', `${GIZMOS}/g1`)).body;
  assert.deepEqual([after.spec.name, after.spec.size, after.spec.count], ['toolong', '3m', 11], 'nothing written');
  // fixing one field while the others stay as they were passes
  const fixed = await req(base, 'PUT', `${GIZMOS}/g1`, { ...after, spec: { ...after.spec, size: '4cm' } });
  assert.equal(fixed.status, 200, fixed.text);
  // metadata's immutable fields: one cause each (not once from the schema and once from the server)
  const latest = (await req(base, 'GET', `${GIZMOS}/g1`)).body;
  const uid = await req(base, 'PUT', `${GIZMOS}/g1`, { ...latest, metadata: { ...latest.metadata, uid: 'x' } });
  assert.equal(uid.status, 422, uid.text);
  assert.equal(uid.body.message, 'Gizmo.example.com "g1" is invalid: metadata.uid: Invalid value: "x": field is immutable');
  // a new object gets no ratcheting
  const c = await req(base, 'POST', GIZMOS, { apiVersion: 'example.com/v1', kind: 'Gizmo', metadata: { name: 'g2' }, spec: { name: 'toolong' } });
  assert.equal(c.status, 422, c.text);
  assert.equal(c.body.message, 'Gizmo.example.com "g2" is invalid: spec.name: Too long: may not be more than 3 bytes');
});
