// Compaction: SQLite deletes large histories in chunks while writes go on; periodic compaction
// keeps the last interval of history and forgets what is older.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StorageError, type Store } from '../../src/storage/interface.ts';
import { MemoryStore } from '../../src/storage/memory.ts';
import { SqliteStore } from '../../src/storage/sqlite.ts';
import { startPeriodicCompaction } from '../../src/storage/compaction.ts';

import { tempDir } from './helpers.ts';
import { eventually } from '../helpers/eventually.ts';

const isCompacted = (s: Store, from: number) => {
  try {
    s.watch('/', from, () => {})();
    return false;
  } catch (err) {
    return err instanceof StorageError && err.code === 'Compacted';
  }
};

test('sqlite compacts a history larger than one chunk while writes continue', async () => {
  const tmp = tempDir();
  const s = new SqliteStore({ dataDir: tmp.dir, synchronous: 'NORMAL' });
  try {
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < 12_000; i++) writes.push(s.create(`/registry/core/configmaps/ns/c${i}`, { metadata: { name: `c${i}` } }));
    await Promise.all(writes);
    const upTo = 11_000;
    const compaction = s.compact(upTo);
    assert.ok(isCompacted(s, upTo - 1), 'the floor rises before the rows are gone');
    const during = await s.update('/registry/core/configmaps/ns/c0', { metadata: { name: 'c0' }, data: { v: '2' } });
    await compaction;
    const seen: number[] = [];
    s.watch('/registry/', upTo, (ev) => seen.push(ev.revision))();
    assert.equal(seen.length, 1000 + 1, 'history after the compacted revision stays');
    assert.equal(seen[0], upTo + 1);
    assert.equal(seen[seen.length - 1], during.modRevision);
    assert.equal((await s.list('/registry/')).items.length, 12_000);
  } finally {
    await s.close();
    tmp.remove();
  }
});

for (const [name, make] of [
  ['memory', () => ({ store: new MemoryStore() as Store, remove: () => {} })],
  [
    'sqlite',
    () => {
      const tmp = tempDir();
      return { store: new SqliteStore({ dataDir: tmp.dir }) as Store, remove: tmp.remove };
    },
  ],
] as const) {
  test(`periodic compaction keeps the last interval of history (${name})`, async () => {
    const { store, remove } = make();
    const periodic = startPeriodicCompaction(store, { intervalMs: 30 });
    try {
      const first = await store.create('/registry/core/configmaps/ns/a', { metadata: { name: 'a' } });
      let n = 0;
      await eventually(() => isCompacted(store, first.modRevision - 1), 'the first write to be compacted away', 10_000, 2);
      // Keep writing: the newest revision stays watchable.
      const last = await store.update('/registry/core/configmaps/ns/a', { metadata: { name: 'a' }, data: { n: String(++n) } });
      assert.equal(isCompacted(store, last.modRevision - 1), false, 'the last interval is kept');
    } finally {
      periodic.stop();
      await store.close();
      remove();
    }
  });
}
