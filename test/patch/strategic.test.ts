// Strategic merge patch against the behaviour documented by Kubernetes
// (apimachinery strategicpatch, "Update API Objects in Place Using kubectl patch").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyPatch } from '../../src/apiserver/patch/index.ts';
import { StatusError } from '../../src/api/errors.ts';
import { deployment, rt } from './fixtures.ts';

const smp = (obj: any, patch: unknown) => applyPatch('strategic', obj, JSON.stringify(patch), rt) as any;
const containers = (o: any) => o.spec.template.spec.containers;

test('containers merge by name: the patched one changes, the others stay', () => {
  const out = smp(deployment(), { spec: { template: { spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] } } } });
  assert.equal(containers(out).length, 2);
  assert.equal(containers(out)[0].image, 'nginx:1.27');
  assert.deepEqual(containers(out)[0].args, ['-x', '-y']);
  assert.equal(containers(out)[1].image, 'busybox');
});

test('a new element of a keyed list goes before the server-only ones (docs: kubectl patch adds patch-demo-ctr-2 first)', () => {
  const out = smp(deployment(), { spec: { template: { spec: { containers: [{ name: 'redis', image: 'redis' }] } } } });
  assert.deepEqual(containers(out).map((c: any) => c.name), ['redis', 'nginx', 'sidecar']);
});

test('patched elements take the patch order, interleaved with server-only ones by live position', () => {
  const d = deployment();
  d.spec.template.spec.containers.push({ name: 'third', image: 'x' });
  const out = smp(d, { spec: { template: { spec: { containers: [{ name: 'sidecar' }, { name: 'nginx' }] } } } });
  assert.deepEqual(containers(out).map((c: any) => c.name), ['sidecar', 'nginx', 'third']);
  const fin = smp(deployment(), { metadata: { finalizers: ['c'] } });
  assert.deepEqual(fin.metadata.finalizers, ['c', 'a', 'b']);
});

test('the original is not mutated', () => {
  const d = deployment();
  smp(d, { spec: { replicas: 5 } });
  assert.equal(d.spec.replicas, 2);
});

test('nested keyed lists (env by name) merge inside a merged element', () => {
  const out = smp(deployment(), { spec: { template: { spec: { containers: [{ name: 'nginx', env: [{ name: 'B', value: '3' }, { name: 'C', value: '4' }] }] } } } });
  assert.deepEqual(containers(out)[0].env, [
    { name: 'A', value: '1' },
    { name: 'B', value: '3' },
    { name: 'C', value: '4' },
  ]);
});

test('lists without a merge strategy (args, tolerations) are replaced', () => {
  const out = smp(deployment(), { spec: { template: { spec: { containers: [{ name: 'nginx', args: ['-z'] }] } } } });
  assert.deepEqual(containers(out)[0].args, ['-z']);
});

test('$patch: delete removes the element with that key', () => {
  const out = smp(deployment(), { spec: { template: { spec: { containers: [{ name: 'sidecar', $patch: 'delete' }] } } } });
  assert.deepEqual(containers(out).map((c: any) => c.name), ['nginx']);
});

test('$patch: replace in a list replaces the whole list', () => {
  const out = smp(deployment(), { spec: { template: { spec: { containers: [{ name: 'only', image: 'x' }, { $patch: 'replace' }] } } } });
  assert.deepEqual(containers(out), [{ name: 'only', image: 'x' }]);
});

test('$patch: replace in a map replaces the map; $patch: delete empties it', () => {
  const out = smp(deployment(), { spec: { selector: { $patch: 'replace', matchLabels: { tier: 'fe' } } } });
  assert.deepEqual(out.spec.selector, { matchLabels: { tier: 'fe' } });
  const del = smp(deployment(), { metadata: { labels: { $patch: 'delete' } } });
  assert.deepEqual(del.metadata.labels, {});
});

test('null deletes a field; nested null deletes inside a merged element', () => {
  const out = smp(deployment(), { metadata: { labels: { app: null } }, spec: { template: { spec: { containers: [{ name: 'nginx', args: null }] } } } });
  assert.deepEqual(out.metadata.labels, {});
  assert.equal('args' in containers(out)[0], false);
});

test('primitive lists with merge strategy (finalizers) are unioned; $deleteFromPrimitiveList removes', () => {
  const out = smp(deployment(), { metadata: { finalizers: ['b', 'c'] } });
  assert.deepEqual(out.metadata.finalizers, ['a', 'b', 'c']);
  const del = smp(deployment(), { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } });
  assert.deepEqual(del.metadata.finalizers, ['b']);
});

test('$setElementOrder orders the merged list (what kubectl apply and set image send)', () => {
  const out = smp(deployment(), {
    spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'nginx' }], containers: [{ name: 'nginx', image: 'nginx:2' }] } } },
  });
  assert.deepEqual(containers(out).map((c: any) => c.name), ['sidecar', 'nginx']);
  assert.equal(containers(out)[1].image, 'nginx:2');
});

test('$retainKeys drops the keys not listed (volume source switch)', () => {
  const out = smp(deployment(), { spec: { template: { spec: { volumes: [{ name: 'data', hostPath: { path: '/x' }, $retainKeys: ['hostPath', 'name'] }] } } } });
  assert.deepEqual(out.spec.template.spec.volumes, [{ name: 'data', hostPath: { path: '/x' } }]);
});

test('directives inside a field absent from the original are processed, not stored', () => {
  const d = deployment();
  delete d.spec.template.spec.volumes;
  const out = smp(d, { spec: { template: { spec: { volumes: [{ name: 'v', emptyDir: {} }, { name: 'gone', $patch: 'delete' }] } } } });
  assert.deepEqual(out.spec.template.spec.volumes, [{ name: 'v', emptyDir: {} }]);
});

function rejects(fn: () => unknown, code: number, message: string) {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof StatusError);
    assert.equal(e.code, code);
    assert.equal(e.message, message);
    return true;
  });
}

test('bad strategic patches answer 400 with apimachinery text', () => {
  rejects(() => applyPatch('strategic', deployment(), '{x', rt), 400, "invalid character 'x' looking for beginning of object key string");
  rejects(() => applyPatch('strategic', deployment(), '{"a":1 x}', rt), 400, "invalid character 'x' after object key:value pair");
  rejects(() => applyPatch('strategic', deployment(), '[1]', rt), 400, 'json: cannot unmarshal array into Go value of type map[string]interface {}');
  rejects(() => smp(deployment(), { spec: { template: { spec: { containers: [{ image: 'x' }] } } } }), 400, 'map: map[image:x] does not contain declared merge key: name');
  rejects(() => smp(deployment(), { spec: { $patch: 'explode' } }), 400, 'unknown patch type: explode in map: map[$patch:explode]');
  rejects(() => smp(deployment(), { metadata: { '$deleteFromPrimitiveList/finalizers': 'a' } }), 400, 'invalid patch format of primitive list');
});

test('$retainKeys that does not cover the patch content is 400; $patch: merge in a list is refused', () => {
  rejects(() => smp(deployment(), { spec: { template: { spec: { volumes: [{ name: 'data', hostPath: {}, $retainKeys: ['name'] }] } } } }), 400, 'invalid patch format of retainKeys');
  rejects(() => smp(deployment(), { spec: { template: { spec: { containers: [{ name: 'nginx', $patch: 'merge' }] } } } }), 400, 'merging lists cannot yet be specified in the patch');
});
