// String interning of cached objects: values never change (only which copy of an equal string an
// object holds), the previous version is used without a table lookup, the table stays bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { internStrings, StringTable } from '../../src/client/intern.ts';

const pod = (i: number, image = 'registry.k8s.io/pause:3.9') => ({
  metadata: { name: `web-5d8f7c6b9-${i}`, namespace: 'default', uid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, labels: { app: 'web', 'pod-template-hash': '5d8f7c6b9' } },
  spec: {
    nodeName: 'node-1',
    containers: [{ name: 'app', image, terminationMessagePath: '/dev/termination-log', args: ['--listen=0.0.0.0:8080', 'x'] }],
    tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
  },
  status: { phase: 'Running', conditions: [{ type: 'ContainersReady', status: 'True', lastProbeTime: null }], note: 'x'.repeat(300) },
});

const cases: { name: string; obj: unknown; previous?: unknown }[] = [
  { name: 'a pod, no previous version', obj: pod(1) },
  { name: 'a pod and its previous version', obj: pod(1), previous: pod(1, 'registry.k8s.io/pause:3.10') },
  { name: 'previous of another shape', obj: pod(2), previous: { metadata: 'not an object', spec: [1, 2] } },
  { name: 'arrays of strings and nulls', obj: ['a-long-enough-string', null, ['another-long-string', 3]], previous: ['a-long-enough-string'] },
  { name: 'not an object', obj: 'a-long-enough-string' },
];

for (const c of cases) {
  test(`internStrings leaves every value as it was: ${c.name}`, () => {
    const want = structuredClone(c.obj);
    const table = new StringTable();
    assert.equal(internStrings(c.obj, c.previous, table), c.obj);
    assert.deepEqual(c.obj, want);
  });
}

test('internStrings: strings equal to the previous version need no table entry; short and very long ones are left out', () => {
  const table = new StringTable();
  const first = internStrings(pod(1), undefined, table);
  const entries = table.size;
  // name, uid, image, terminationMessagePath, --listen arg, toleration key, ContainersReady, web-5d8f7c6b9-1
  assert.ok(entries >= 6 && entries <= 8, `table has ${entries}`);
  internStrings(pod(1), first, table);
  assert.equal(table.size, entries, 'an unchanged object adds nothing');
  internStrings(pod(2), undefined, table);
  assert.equal(table.size, entries + 2, 'another pod adds only its own name and uid');
});

test('StringTable: two generations, bounded; a string in use survives a turnover', () => {
  const table = new StringTable(4);
  for (let i = 0; i < 100; i++) {
    table.intern(`unique-string-number-${i}`);
    table.intern('kept-in-use-string');
  }
  assert.ok(table.size <= 8, `size ${table.size}`);
  assert.equal(table.intern('kept-in-use-string'), 'kept-in-use-string');
});
