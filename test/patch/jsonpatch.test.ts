// JSON patch (RFC 6902) and JSON merge patch (RFC 7386) with the API server's error answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyPatch } from '../../src/apiserver/patch/index.ts';
import { StatusError } from '../../src/api/errors.ts';
import { deployment, rt } from './fixtures.ts';

const jp = (obj: any, ops: unknown) => applyPatch('json', obj, JSON.stringify(ops), rt) as any;

test('add, remove, replace, move, copy, test', () => {
  const out = jp(deployment(), [
    { op: 'test', path: '/spec/replicas', value: 2 },
    { op: 'replace', path: '/spec/replicas', value: 3 },
    { op: 'add', path: '/metadata/labels/tier', value: 'fe' },
    { op: 'add', path: '/spec/template/spec/containers/0/args/-', value: '-z' },
    { op: 'add', path: '/spec/template/spec/containers/0/args/0', value: '-first' },
    { op: 'remove', path: '/spec/template/spec/containers/1' },
    { op: 'copy', from: '/metadata/labels/app', path: '/metadata/labels/copied' },
    { op: 'move', from: '/metadata/labels/tier', path: '/metadata/labels/moved' },
  ]);
  assert.equal(out.spec.replicas, 3);
  assert.deepEqual(out.metadata.labels, { app: 'web', copied: 'web', moved: 'fe' });
  assert.deepEqual(out.spec.template.spec.containers[0].args, ['-first', '-x', '-y', '-z']);
  assert.equal(out.spec.template.spec.containers.length, 1);
});

test('JSON pointer escaping: ~1 is "/" and ~0 is "~"', () => {
  const out = jp(deployment(), [
    { op: 'add', path: '/metadata/annotations', value: {} },
    { op: 'add', path: '/metadata/annotations/example.com~1a~0b', value: 'v' },
  ]);
  assert.deepEqual(out.metadata.annotations, { 'example.com/a~b': 'v' });
});

function rejects(fn: () => unknown, code: number, message: string, cause?: string) {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof StatusError);
    assert.equal(e.code, code);
    assert.equal(e.message, message);
    if (cause !== undefined) assert.equal((e as any).libraryMessage, cause);
    if (cause !== undefined) assert.equal(e.toStatus().details?.causes, undefined);
    return true;
  });
}

const REJECTED = 'the server rejected our request due to an error in our request';

test('operations that do not apply are 422 with the json-patch library text as the cause', () => {
  rejects(() => jp(deployment(), [{ op: 'add', path: '/spec/x/y', value: 1 }]), 422, REJECTED, 'add operation does not apply: doc is missing path: "/spec/x/y": missing value');
  rejects(() => jp(deployment(), [{ op: 'remove', path: '/spec/nope' }]), 422, REJECTED, "error in remove for path: '/spec/nope': Unable to remove nonexistent key: nope: missing value");
  rejects(() => jp(deployment(), [{ op: 'replace', path: '/spec/x/y', value: 1 }]), 422, REJECTED, 'replace operation does not apply: doc is missing path: /spec/x/y: missing value');
  rejects(() => jp(deployment(), [{ op: 'test', path: '/spec/replicas', value: 9 }]), 422, REJECTED, 'testing value /spec/replicas failed: test failed');
  rejects(() => jp(deployment(), [{ op: 'explode', path: '/spec' }]), 422, REJECTED, 'Unexpected kind: explode');
  rejects(() => jp(deployment(), [{ op: 'add', path: '/spec/template/spec/containers/9', value: {} }]), 422, REJECTED, "error in add for path: '/spec/template/spec/containers/9': Unable to access invalid index: 9: invalid index referenced");
});

test('a failing operation leaves nothing half-applied', () => {
  const d = deployment();
  assert.throws(() => jp(d, [{ op: 'replace', path: '/spec/replicas', value: 7 }, { op: 'test', path: '/spec/replicas', value: 2 }]));
  assert.equal(d.spec.replicas, 2);
});

test('malformed JSON patch documents are 400', () => {
  rejects(() => applyPatch('json', deployment(), '[{"op":', rt), 400, 'unexpected end of JSON input');
  rejects(() => applyPatch('json', deployment(), '{"op":"add"}', rt), 400, 'json: cannot unmarshal object into Go value of type jsonpatch.Patch');
});

test('merge patch: objects merge recursively, null deletes, lists replace', () => {
  const out = applyPatch('merge', deployment(), JSON.stringify({ metadata: { labels: { app: null, tier: 'fe' } }, spec: { template: { spec: { containers: [{ name: 'only' }] } } } }), rt) as any;
  assert.deepEqual(out.metadata.labels, { tier: 'fe' });
  assert.deepEqual(out.spec.template.spec.containers, [{ name: 'only' }]);
  assert.equal(out.spec.replicas, 2);
});

test('bad merge patches are 400', () => {
  rejects(() => applyPatch('merge', deployment(), 'nope', rt), 400, 'Invalid JSON Patch');
  rejects(() => applyPatch('merge', deployment(), '[1,2]', rt), 400, 'json: cannot unmarshal array into Go value of type map[string]interface {}');
});

test('non-apply patches with a fieldManager record an Update entry for the changed fields', () => {
  const out = applyPatch('merge', deployment(), '{"spec":{"replicas":4}}', rt, { fieldManager: 'kubectl-scale' }) as any;
  const e = out.metadata.managedFields.find((m: any) => m.manager === 'kubectl-scale');
  assert.equal(e.operation, 'Update');
  assert.deepEqual(e.fieldsV1, { 'f:spec': { 'f:replicas': {} } });
});
