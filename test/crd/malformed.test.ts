// The "done when": every malformed custom resource or CRD gets a 4xx Status naming the
// field (causes), and nothing is written. One table row per malformation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, req } from '../apiserver/helpers.ts';
import type { RunningApiServer } from '../../src/apiserver/index.ts';
import { CRDS, WIDGETS as W, establish, widget, widgetCrd } from './helpers.ts';

let srv: RunningApiServer;
let base: string;
before(async () => {
  srv = await startTestServer();
  base = srv.url;
  await establish(base, widgetCrd());
  assert.equal((await req(base, 'POST', W, widget('ok'))).status, 201);
});
after(() => srv.close());

const MERGE = { 'Content-Type': 'application/merge-patch+json' };
const APPLY = { 'Content-Type': 'application/apply-patch+yaml' };
const scale = (replicas: unknown) => ({ apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'ok', namespace: 'default' }, spec: { replicas } });

test('malformed custom resources: 4xx naming each field, nothing written', async () => {
  const cur = (await req(base, 'GET', `${W}/ok`)).body;
  const cases: [string, string, string, unknown, Record<string, string>, number, string[]][] = [
    ['not JSON', 'POST', W, '{bad', {}, 400, []],
    ['kind mismatch', 'POST', W, { ...widget('a'), kind: 'Other' }, {}, 400, []],
    ['apiVersion mismatch', 'POST', W, { ...widget('a'), apiVersion: 'example.com/v9' }, {}, 400, []],
    ['namespace mismatch', 'POST', W, widget('a', {}, { namespace: 'other' }), {}, 400, []],
    ['invalid name', 'POST', W, widget('Bad_Name'), {}, 422, ['metadata.name']],
    ['no name', 'POST', W, { apiVersion: 'example.com/v1', kind: 'Widget', metadata: {}, spec: {} }, {}, 422, ['metadata.name']],
    ['invalid label', 'POST', W, widget('a', {}, { labels: { 'bad key!': 'x' } }), {}, 422, ['metadata.labels']],
    ['spec of the wrong type', 'POST', W, { ...widget('a'), spec: 'x' }, {}, 422, ['spec', '<nil>']],
    ['replicas not an integer', 'POST', W, widget('a', { replicas: 1.5 }), {}, 422, ['spec.replicas', '.spec.replicas', '<nil>']],
    ['replicas beyond int32 (scale path)', 'POST', W, widget('a', { replicas: 2 ** 40 }), {}, 422, ['.spec.replicas']],
    ['enum, through a merge patch', 'PATCH', `${W}/ok`, { spec: { color: 'green' } }, MERGE, 422, ['spec.color']],
    ['apply of bad YAML', 'PATCH', `${W}/ok?fieldManager=t`, 'a: [', APPLY, 400, []],
    ['scale of a string', 'PUT', `${W}/ok/scale`, scale('x'), {}, 422, ['spec.replicas']],
    ['negative scale', 'PUT', `${W}/ok/scale`, scale(-1), {}, 422, ['spec.replicas']],
    ['status of the wrong type', 'PUT', `${W}/ok/status`, { ...cur, status: { replicas: 'x' } }, {}, 422, ['status.replicas', '.status.replicas', '<nil>']],
    ['uid changed', 'PUT', `${W}/ok`, { ...cur, metadata: { ...cur.metadata, uid: 'x' } }, {}, 422, ['metadata.uid']],
  ];
  for (const [name, method, path, body, headers, code, fields] of cases) {
    const r = await req(base, method, path, body, headers);
    assert.equal(r.status, code, `${name}: ${r.text}`);
    assert.equal(r.body?.kind, 'Status', name);
    assert.deepEqual((r.body.details?.causes ?? []).map((c: any) => c.field).filter(Boolean), fields, name);
  }
  assert.equal((await req(base, 'GET', `${W}/a`)).status, 404, 'nothing created');
  assert.equal((await req(base, 'GET', `${W}/ok`)).body.metadata.resourceVersion, cur.metadata.resourceVersion, 'nothing updated');
});

test('malformed CRDs: 422 naming each field, nothing written', async () => {
  const crd = (f: (c: any) => void) => {
    const c = structuredClone(widgetCrd({ names: { plural: 'gadgets', singular: 'gadget', kind: 'Gadget', shortNames: [], categories: [] } }));
    c.metadata.name = 'gadgets.example.com';
    f(c);
    return c;
  };
  const S = (c: any) => c.spec.versions[0].schema.openAPIV3Schema.properties.spec;
  const P = 'spec.versions[0].schema.openAPIV3Schema.properties[spec]';
  const cases: [string, unknown, number, string[]][] = [
    ['not JSON', '{x', 400, []],
    ['no group', crd((c) => delete c.spec.group), 422, ['metadata.name', 'spec.group']],
    ['name is not plural.group', crd((c) => (c.metadata.name = 'x.example.com')), 422, ['metadata.name']],
    ['names missing', crd((c) => delete c.spec.names), 422, ['spec.names.plural', 'spec.names.singular', 'spec.names.kind', 'spec.names.listKind']],
    ['bad scope', crd((c) => (c.spec.scope = 'Galaxy')), 422, ['spec.scope']],
    ['spec of the wrong type', crd((c) => (c.spec = 'x')), 422, ['spec']],
    ['no versions', crd((c) => (c.spec.versions = [])), 422, ['spec.versions', 'status.storedVersions']],
    ['two storage versions', crd((c) => c.spec.versions.push({ ...c.spec.versions[0], name: 'v2' })), 422, ['spec.versions', 'status.storedVersions']],
    ['schema not an object', crd((c) => (c.spec.versions[0].schema = 'x')), 422, ['spec.versions[0].schema']],
    ['non-structural: no type', crd((c) => delete S(c).properties.size.type), 422, [`${P}.properties[size].type`]],
    ['default of the wrong type', crd((c) => (S(c).properties.replicas.default = 'x')), 422, [`${P}.properties[replicas].default`]],
    ['CEL that does not compile', crd((c) => (S(c)['x-kubernetes-validations'][0].rule = 'self.min <')), 422, [`${P}.x-kubernetes-validations[0].rule`]],
    ['invalid pattern', crd((c) => (S(c).properties.size.pattern = '((')), 422, [`${P}.properties[size].pattern`]],
    ['map list without keys', crd((c) => (S(c).properties.tags['x-kubernetes-list-type'] = 'map')), 422, [`${P}.properties[tags].x-kubernetes-list-map-keys`, `${P}.properties[tags].items.type`]],
    ['webhook conversion without config', crd((c) => (c.spec.conversion = { strategy: 'Webhook' })), 422, ['spec.conversion.webhookClientConfig', 'spec.conversion.conversionReviewVersions']],
    ['printer column path', crd((c) => (c.spec.versions[0].additionalPrinterColumns[0].jsonPath = '{{')), 422, ['spec.versions[0].additionalPrinterColumns[0].JSONPath']],
    ['selectable field not in the schema', crd((c) => (c.spec.versions[0].selectableFields = [{ jsonPath: '.spec.nope' }])), 422, ['spec.versions[0].selectableFields[0].jsonPath']],
    ['scale path', crd((c) => (c.spec.versions[0].subresources.scale.specReplicasPath = 'spec.replicas')), 422, ['spec.versions[0].subresources.scale.specReplicasPath']],
  ];
  for (const [name, body, code, fields] of cases) {
    const r = await req(base, 'POST', CRDS, body);
    assert.equal(r.status, code, `${name}: ${r.text}`);
    assert.deepEqual((r.body.details?.causes ?? []).map((c: any) => c.field).filter(Boolean), fields, name);
  }
  assert.equal((await req(base, 'GET', `${CRDS}/gadgets.example.com`)).status, 404, 'nothing written');
});
