// Read-your-own-writes over an informer cache (src/controllers/util/ownwrites.ts): the write's
// response is read only while the cache still shows a version our writes replaced; the cache
// catching up, someone else's write, or a deletion drops it (a stale overlay would hide changes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/types.ts';
import { OwnWrites } from '../../src/controllers/util/ownwrites.ts';

const rs = (rv: string, replicas: number): KubeObject => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { namespace: 'default', name: 'web', resourceVersion: rv }, status: { replicas } });

test('OwnWrites: which copy a sync reads', async (t) => {
  const cases: { name: string; steps: (w: OwnWrites) => KubeObject; want: string | undefined }[] = [
    { name: 'nothing written: the cache', steps: (w) => w.view('k', rs('1', 1)), want: '1' },
    { name: 'cache still at the replaced version: our write', steps: (w) => (w.record('k', rs('1', 1), rs('1', 1), rs('2', 2)), w.view('k', rs('1', 1))), want: '2' },
    { name: 'cache caught up: the cache', steps: (w) => (w.record('k', rs('1', 1), rs('1', 1), rs('2', 2)), w.view('k', rs('2', 2))), want: '2' },
    { name: 'someone else wrote after us: the cache', steps: (w) => (w.record('k', rs('1', 1), rs('1', 1), rs('2', 2)), w.view('k', rs('3', 7))), want: '3' },
    {
      name: 'two writes before the cache moved: the second',
      steps: (w) => {
        w.record('k', rs('1', 1), rs('1', 1), rs('2', 2));
        const base = w.view('k', rs('1', 1));
        w.record('k', rs('1', 1), base, rs('3', 3));
        return w.view('k', rs('1', 1));
      },
      want: '3',
    },
    {
      name: 'the cache shows our first write of two: the second',
      steps: (w) => {
        w.record('k', rs('1', 1), rs('1', 1), rs('2', 2));
        w.record('k', rs('1', 1), rs('2', 2), rs('3', 3));
        return w.view('k', rs('2', 2));
      },
      want: '3',
    },
    { name: 'a retry after a conflict (fresh GET as base): the retry', steps: (w) => (w.record('k', rs('1', 1), rs('5', 1), rs('6', 2)), w.view('k', rs('1', 1))), want: '6' },
    { name: 'a no-op write (same version back): the cache', steps: (w) => (w.record('k', rs('1', 1), rs('1', 1), rs('1', 1)), w.view('k', rs('1', 1))), want: '1' },
    { name: 'forgotten (deleted): the cache', steps: (w) => (w.record('k', rs('1', 1), rs('1', 1), rs('2', 2)), w.forget('k'), w.view('k', rs('1', 1))), want: '1' },
    { name: 'another key: the cache', steps: (w) => (w.record('k', rs('1', 1), rs('1', 1), rs('2', 2)), w.view('other', rs('1', 1))), want: '1' },
  ];
  for (const c of cases) {
    await t.test(c.name, () => assert.equal(c.steps(new OwnWrites()).metadata.resourceVersion, c.want));
  }
});

test('OwnWrites: an entry is dropped once the cache moves on (no stale overlay, no growth)', () => {
  const w = new OwnWrites();
  w.record('k', rs('1', 1), rs('1', 1), rs('2', 2));
  assert.equal(w.size, 1);
  assert.equal(w.view('k', rs('2', 2)).metadata.resourceVersion, '2');
  assert.equal(w.size, 0);
  // the cache going back to the replaced version later (it cannot, but) shows the cache's copy
  assert.equal(w.view('k', rs('1', 1)).status?.replicas, 1);
});
