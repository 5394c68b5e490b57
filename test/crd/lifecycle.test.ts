// The CRD itself: malformed CRDs are refused naming the field (nothing written), name conflicts
// keep a CRD from being Established, deletion removes every custom resource first (finalizer,
// Terminating), and CRDs stored in a data dir are served again after a restart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, req } from '../apiserver/helpers.ts';
import { CRDS, WIDGETS, establish, widget, widgetCrd } from './helpers.ts';
import { eventually } from '../helpers/eventually.ts';

const mutate = (f: (c: any) => void) => {
  const c = widgetCrd();
  f(c);
  return c;
};

test('malformed CRDs get a 4xx Status naming the field, and nothing is written', async () => {
  const srv = await startTestServer();
  try {
    const V = 'spec.versions[0]';
    const S = `${V}.schema.openAPIV3Schema`;
    const cases: [string, any, number, string[]][] = [
      ['name must be plural.group', mutate((c) => (c.metadata.name = 'widget.example.com')), 422, ['metadata.name']],
      ['group needs a dot', mutate((c) => ((c.spec.group = 'example'), (c.metadata.name = 'widgets.example'))), 422, ['spec.group']],
      ['scope', mutate((c) => (c.spec.scope = 'Global')), 422, ['spec.scope']],
      ['names', mutate((c) => ((c.spec.names.kind = 'Bad Kind'), (c.spec.names.shortNames = ['Bad']))), 422, ['spec.names.kind', 'spec.names.listKind', 'spec.names.shortNames[0]']],
      ['exactly one storage version', mutate((c) => (c.spec.versions[0].storage = false)), 422, ['spec.versions', 'status.storedVersions']],
      ['unique version names', mutate((c) => c.spec.versions.push({ ...structuredClone(c.spec.versions[0]), storage: false })), 422, ['spec.versions']],
      ['a schema per version', mutate((c) => delete c.spec.versions[0].schema), 422, [`${S}`, `${V}.selectableFields`]],
      ['structural schema', mutate((c) => (c.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.replicas = { description: 'no type' })), 422, [`${S}.properties[spec].properties[replicas].type`]],
      ['CEL rule', mutate((c) => (c.spec.versions[0].schema.openAPIV3Schema.properties.spec['x-kubernetes-validations'] = [{ rule: 'self.min <' }])), 422, [`${S}.properties[spec].x-kubernetes-validations[0].rule`]],
      ['scale paths', mutate((c) => (c.spec.versions[0].subresources.scale.specReplicasPath = 'spec.replicas')), 422, [`${V}.subresources.scale.specReplicasPath`]],
      ['printer column type', mutate((c) => (c.spec.versions[0].additionalPrinterColumns[0].type = 'int')), 422, [`${V}.additionalPrinterColumns[0].type`]],
      ['selectable field', mutate((c) => (c.spec.versions[0].selectableFields = [{ jsonPath: '.spec.nope' }])), 422, [`${V}.selectableFields[0].jsonPath`]],
      ['deprecationWarning on a served version', mutate((c) => (c.spec.versions[0].deprecationWarning = 'old')), 422, [`${V}.deprecationWarning`]],
      ['conversion strategy', mutate((c) => (c.spec.conversion = { strategy: 'Magic' })), 422, ['spec.conversion.strategy']],
      ['webhook conversion without a client config', mutate((c) => (c.spec.conversion = { strategy: 'Webhook', webhook: { conversionReviewVersions: ['v1'] } })), 422, ['spec.conversion.webhookClientConfig']],
      ['protected group', mutate((c) => ((c.spec.group = 'x.k8s.io'), (c.metadata.name = 'widgets.x.k8s.io'))), 422, ['metadata.annotations[api-approved.kubernetes.io]']],
      ['wrong JSON type', mutate((c) => (c.spec.versions = 'v1')), 422, ['spec.versions']],
      ['not an object', '[1,2]', 400, []],
    ];
    for (const [what, body, code, fields] of cases) {
      const r = await req(srv.url, 'POST', CRDS, body);
      assert.equal(r.status, code, `${what}: ${r.text.slice(0, 300)}`);
      assert.equal(r.body.kind, 'Status');
      if (code === 422) {
        assert.deepEqual([...new Set(r.body.details.causes.map((c: any) => c.field))].sort(), [...fields].sort(), `${what}: ${r.body.message}`);
        assert.match(r.body.message, /^CustomResourceDefinition\.apiextensions\.k8s\.io ".*" is invalid: /);
      }
      const list = await req(srv.url, 'GET', CRDS);
      assert.equal(list.body.items.length, 0, `${what}: nothing written`);
    }
  } finally {
    await srv.close();
  }
});

test('a CRD whose names another CRD of the group uses is not Established', async () => {
  const srv = await startTestServer();
  try {
    await establish(srv.url, widgetCrd());
    const other = widgetCrd({ names: { plural: 'gizmos', singular: 'gizmo', kind: 'Gizmo', shortNames: ['wd'], categories: [] } });
    other.metadata.name = 'gizmos.example.com';
    assert.equal((await req(srv.url, 'POST', CRDS, other)).status, 201);
    const crd = await eventually(async () => {
      const c = (await req(srv.url, 'GET', `${CRDS}/gizmos.example.com`)).body;
      return c.status?.conditions?.length ? c : undefined;
    }, 'condition');
    const cond = (t: string) => crd.status.conditions.find((c: any) => c.type === t);
    assert.deepEqual([cond('NamesAccepted').status, cond('NamesAccepted').reason, cond('NamesAccepted').message], ['False', 'ShortNamesConflict', '"wd" is already in use']);
    assert.deepEqual([cond('Established').status, cond('Established').reason], ['False', 'NotAccepted']);
    assert.equal((await req(srv.url, 'GET', '/apis/example.com/v1/gizmos')).status, 404);
    // dropping the conflicting short name lets it in
    crd.spec.names.shortNames = ['gz'];
    assert.equal((await req(srv.url, 'PUT', `${CRDS}/gizmos.example.com`, crd)).status, 200);
    await eventually(async () => (await req(srv.url, 'GET', '/apis/example.com/v1/gizmos')).status === 200, 'condition');
  } finally {
    await srv.close();
  }
});

test('deleting a CRD deletes its custom resources first (finalizers respected), then stops serving them', async () => {
  const srv = await startTestServer();
  const base = srv.url;
  try {
    await establish(base, widgetCrd());
    await req(base, 'POST', WIDGETS, widget('plain'));
    await req(base, 'POST', WIDGETS, widget('held', {}, { finalizers: ['example.com/hold'] }));
    const del = await req(base, 'DELETE', `${CRDS}/widgets.example.com`);
    assert.equal(del.status, 200);
    assert.ok(del.body.metadata.finalizers.includes('customresourcecleanup.apiextensions.k8s.io'));
    assert.equal(del.body.status.conditions.find((c: any) => c.type === 'Terminating').reason, 'InstanceDeletionPending');
    await eventually(async () => (await req(base, 'GET', `${WIDGETS}/plain`)).status === 404, 'plain widget gone', 5000);
    const held = (await req(base, 'GET', `${WIDGETS}/held`)).body;
    assert.ok(held.metadata.deletionTimestamp, 'held widget is terminating');
    const crd = (await req(base, 'GET', `${CRDS}/widgets.example.com`)).body;
    assert.deepEqual(
      crd.status.conditions.find((c: any) => c.type === 'Terminating'),
      { ...crd.status.conditions.find((c: any) => c.type === 'Terminating'), status: 'True', reason: 'InstanceDeletionInProgress', message: 'CustomResource deletion is in progress' },
    );
    const create = await req(base, 'POST', WIDGETS, widget('late'));
    assert.equal(create.status, 403);
    assert.equal(create.body.message, 'widgets.example.com "late" is forbidden: create not allowed while custom resource definition is terminating');
    await req(base, 'PATCH', `${WIDGETS}/held`, { metadata: { finalizers: null } }, { 'content-type': 'application/merge-patch+json' });
    await eventually(async () => (await req(base, 'GET', `${CRDS}/widgets.example.com`)).status === 404, 'CRD gone', 5000);
    assert.equal((await req(base, 'GET', WIDGETS)).status, 404);
    assert.equal((await req(base, 'GET', '/apis/example.com/v1')).status, 404);
    const groups = await req(base, 'GET', '/apis');
    assert.ok(!groups.body.groups.some((g: any) => g.name === 'example.com'));
  } finally {
    await srv.close();
  }
});

test('CRDs and their objects survive a restart on the same data dir', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-crd-'));
  try {
    let srv = await startTestServer({ dataDir: dir });
    await establish(srv.url, widgetCrd());
    assert.equal((await req(srv.url, 'POST', WIDGETS, widget('kept', { replicas: 3 }))).status, 201);
    await srv.close();
    srv = await startTestServer({ dataDir: dir });
    try {
      const r = await req(srv.url, 'GET', `${WIDGETS}/kept`);
      assert.equal(r.status, 200, 'served as soon as the server is ready');
      assert.equal(r.body.spec.replicas, 3);
    } finally {
      await srv.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('versions added, moved to storage or no longer served change discovery and OpenAPI live', async () => {
  const srv = await startTestServer();
  const base = srv.url;
  try {
    await establish(base, widgetCrd());
    await req(base, 'POST', WIDGETS, widget('w', { replicas: 2 }));
    const crd = (await req(base, 'GET', `${CRDS}/widgets.example.com`)).body;
    const v2 = { ...structuredClone(crd.spec.versions[0]), name: 'v2', storage: true };
    crd.spec.versions[0].storage = false;
    crd.spec.versions.push(v2);
    const up = await req(base, 'PUT', `${CRDS}/widgets.example.com`, crd);
    assert.equal(up.status, 200, up.text);
    assert.deepEqual(up.body.status.storedVersions, ['v1', 'v2']);
    await eventually(async () => (await req(base, 'GET', '/apis/example.com/v2/namespaces/default/widgets/w')).body?.apiVersion === 'example.com/v2', 'v2 served', 5000);
    const index = await req(base, 'GET', '/openapi/v3');
    assert.ok(index.body.paths['apis/example.com/v2']);
    const created = await req(base, 'POST', '/apis/example.com/v1/namespaces/default/widgets', widget('new'));
    assert.equal(created.body.apiVersion, 'example.com/v1');
    const latest = (await req(base, 'GET', `${CRDS}/widgets.example.com`)).body;
    latest.spec.versions[0].served = false;
    assert.equal((await req(base, 'PUT', `${CRDS}/widgets.example.com`, latest)).status, 200);
    await eventually(async () => (await req(base, 'GET', '/apis/example.com/v1')).status === 404, 'v1 no longer served', 5000);
    const group = await req(base, 'GET', '/apis/example.com');
    assert.deepEqual(group.body.versions.map((v: any) => v.version), ['v2']);
    assert.equal((await req(base, 'GET', '/apis/example.com/v2/namespaces/default/widgets/new')).body.apiVersion, 'example.com/v2');
  } finally {
    await srv.close();
  }
});

test('keys JSONSchemaProps lacks are unknown fields of the CRD (Strict 400, Warn warns and drops)', async () => {
  const srv = await startTestServer();
  try {
    const crd = mutate((c) => (c.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.replicas.tpye = 'integer'));
    const strict = await req(srv.url, 'POST', `${CRDS}?fieldValidation=Strict`, crd);
    assert.equal(strict.status, 400);
    assert.equal(strict.body.message, 'CustomResourceDefinition in version "v1" cannot be handled as a CustomResourceDefinition: strict decoding error: unknown field "spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.replicas.tpye"');
    const warn = await req(srv.url, 'POST', CRDS, crd);
    assert.equal(warn.status, 201);
    assert.match(warn.headers.get('warning') ?? '', /unknown field \\"spec\.versions\[0\]\.schema\.openAPIV3Schema\.properties\.spec\.properties\.replicas\.tpye\\"/);
    assert.equal(warn.body.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.replicas.tpye, undefined);
  } finally {
    await srv.close();
  }
});
