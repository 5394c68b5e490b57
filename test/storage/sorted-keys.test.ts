// SortedKeys behaves like a sorted array of unique strings under random inserts and removes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SortedKeys, bound } from '../../src/storage/sorted-keys.ts';

test('SortedKeys matches a sorted array under random inserts and removes', () => {
  let seed = 42;
  const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
  const keys = new SortedKeys();
  let ref: string[] = [];
  for (let step = 0; step < 20_000; step++) {
    const k = `/registry/core/pods/ns${rand(7)}/p${rand(3000)}`;
    if (rand(3) === 0) {
      keys.remove(k);
      ref = ref.filter((x) => x !== k);
    } else {
      keys.insert(k);
      if (!ref.includes(k)) ref.splice(bound(ref, k, true), 0, k);
    }
    if (step % 2000 === 0 || step === 19_999) {
      assert.equal(keys.size, ref.length);
      assert.deepEqual([...keys], ref);
      for (const probe of ['/registry/core/pods/ns3/', '/registry/core/pods/ns3/p15', ref[rand(ref.length)] ?? 'x', '~', '']) {
        assert.equal(keys.rank(probe, true), bound(ref, probe, true), `rank(${probe}, true)`);
        assert.equal(keys.rank(probe, false), bound(ref, probe, false), `rank(${probe}, false)`);
        const r = bound(ref, probe, true);
        assert.deepEqual([...keys.from(r)].slice(0, 5), ref.slice(r, r + 5));
      }
    }
  }
});
