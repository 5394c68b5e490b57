// Server-side apply: create when absent, field ownership in managedFields, conflicts, force, removal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyPatch } from '../../src/apiserver/patch/index.ts';
import { StatusError } from '../../src/api/errors.ts';
import { deployment, rt } from './fixtures.ts';

const cfg = (replicas: number, extra: Record<string, string> = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', labels: { app: 'web', ...extra } },
  spec: { replicas, template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }] } } },
});
const ssa = (cur: any, body: unknown, manager = 'kubectl', force = false) => applyPatch('apply', cur, typeof body === 'string' ? body : JSON.stringify(body), rt, { fieldManager: manager, force }) as any;

test('apply of an absent object creates it with an Apply managedFields entry', () => {
  const out = ssa(undefined, cfg(3));
  assert.equal(out.spec.replicas, 3);
  const [e] = out.metadata.managedFields;
  assert.equal(e.manager, 'kubectl');
  assert.equal(e.operation, 'Apply');
  assert.equal(e.fieldsType, 'FieldsV1');
  assert.deepEqual(e.fieldsV1['f:spec']['f:template']['f:spec']['f:containers']['k:{"name":"nginx"}'], { '.': {}, 'f:name': {}, 'f:image': {} });
});

test('YAML bodies are accepted', () => {
  const out = ssa(undefined, 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 7\n');
  assert.equal(out.spec.replicas, 7);
});

test('re-apply merges into the live object and keeps fields of others', () => {
  const live = ssa(undefined, cfg(3));
  live.metadata.uid = 'u';
  live.status = { replicas: 3 };
  const out = ssa(live, cfg(4));
  assert.equal(out.spec.replicas, 4);
  assert.equal(out.metadata.uid, 'u');
  assert.deepEqual(out.status, { replicas: 3 });
});

test('a field another manager set to a different value is a 409 conflict naming field and manager', () => {
  const live = ssa(undefined, cfg(3), 'alice');
  assert.throws(
    () => ssa(live, cfg(5), 'bob'),
    (e: unknown) => {
      assert.ok(e instanceof StatusError);
      assert.equal(e.code, 409);
      assert.equal(e.reason, 'Conflict');
      assert.equal(e.message, 'Apply failed with 1 conflict: conflict with "alice": .spec.replicas');
      assert.deepEqual(e.details?.causes, [{ reason: 'FieldManagerConflict', message: 'conflict with "alice"', field: '.spec.replicas' }]);
      return true;
    },
  );
  // Same value: shared ownership, no conflict.
  const shared = ssa(live, cfg(3), 'bob');
  assert.equal(shared.metadata.managedFields.length, 2);
});

test('conflicts with an Update manager name its apiVersion; force takes the field over', () => {
  const live = applyPatch('merge', ssa(undefined, cfg(3)), '{"spec":{"replicas":9}}', rt, { fieldManager: 'kubectl-scale' }) as any;
  assert.throws(() => ssa(live, cfg(3)), /conflict with "kubectl-scale" using apps\/v1: \.spec\.replicas/);
  const forced = ssa(live, cfg(3), 'kubectl', true);
  assert.equal(forced.spec.replicas, 3);
  assert.equal(forced.metadata.managedFields.some((m: any) => m.manager === 'kubectl-scale'), false);
});

test('fields dropped from the applied configuration are removed unless someone else owns them', () => {
  const live = ssa(undefined, cfg(3, { tier: 'fe', team: 'x' }));
  const withOther = applyPatch('merge', live, '{"metadata":{"labels":{"team":"y"}}}', rt, { fieldManager: 'kubectl-label' }) as any;
  const out = ssa(withOther, cfg(3));
  assert.deepEqual(out.metadata.labels, { app: 'web', team: 'y' });
});

test('apply without fieldManager is 422 like the apiserver', () => {
  assert.throws(() => applyPatch('apply', deployment(), '{}', rt), (e: any) => e.code === 422 && /fieldManager: Required value: is required for apply patch/.test(e.message));
});

test('ordinary writes: the writer takes over the fields it changed; removed fields leave every set', async () => {
  const { trackUpdate } = await import('../../src/apiserver/patch/index.ts');
  const created = structuredClone(deployment());
  delete created.metadata.managedFields;
  trackUpdate(undefined, created, rt, 'kubectl-create');
  const [c0] = created.metadata.managedFields;
  assert.equal(c0.manager, 'kubectl-create');
  assert.ok(c0.fieldsV1['f:spec']['f:template']['f:spec']['f:containers']['k:{"name":"sidecar"}']['.']);
  assert.equal(c0.fieldsV1['f:status'], undefined, 'status is not owned through the main resource');

  const next = structuredClone(created);
  next.spec.replicas = 9;
  delete next.metadata.labels;
  trackUpdate(created, next, rt, 'kubectl-scale');
  const byName = Object.fromEntries(next.metadata.managedFields.map((m: any) => [m.manager, m.fieldsV1]));
  assert.deepEqual(byName['kubectl-scale'], { 'f:spec': { 'f:replicas': {} } });
  assert.equal(byName['kubectl-create']['f:spec']['f:replicas'], undefined, 'taken over');
  assert.equal(byName['kubectl-create']['f:metadata']['f:labels'], undefined, 'removed field left the set');
  assert.ok(byName['kubectl-create']['f:metadata']['f:finalizers']);

  const st = structuredClone(next);
  st.status = { replicas: 9, readyReplicas: 1 };
  trackUpdate(next, st, rt, 'deployment-controller', 'status');
  const ctl = st.metadata.managedFields.find((m: any) => m.manager === 'deployment-controller');
  assert.equal(ctl.subresource, 'status');
  assert.deepEqual(ctl.fieldsV1, { 'f:status': { 'f:replicas': {}, 'f:readyReplicas': {} } });
});
