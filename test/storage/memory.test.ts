// The in-memory backend passes the storage conformance suite.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StorageError } from '../../src/storage/interface.ts';
import { MemoryStore } from '../../src/storage/memory.ts';
import { runStoreConformance } from './conformance.ts';

runStoreConformance('memory', async () => {
  const store = new MemoryStore();
  return { store, cleanup: () => store.close() };
});

test('memory history is bounded: beyond historyLimit the oldest events are compacted', async () => {
  const s = new MemoryStore({ historyLimit: 5 });
  for (let i = 0; i < 8; i++) await s.create(`/registry/core/configmaps/ns/c${i}`, { metadata: { name: `c${i}` } });
  assert.throws(() => s.watch('/', 2, () => {}), (err: unknown) => err instanceof StorageError && err.code === 'Compacted' && err.revision === 3);
  const seen: number[] = [];
  s.watch('/', 3, (ev) => seen.push(ev.revision))();
  assert.deepEqual(seen, [4, 5, 6, 7, 8]);
  await s.close();
});
