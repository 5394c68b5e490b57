// The SQLite backend passes the storage conformance suite, with and without group commit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SqliteStore } from '../../src/storage/sqlite.ts';
import type { Store } from '../../src/storage/interface.ts';
import { runStoreConformance } from './conformance.ts';
import { tempDir } from './helpers.ts';

for (const groupCommit of [true, false]) {
  runStoreConformance(`sqlite (groupCommit=${groupCommit})`, async () => {
    const tmp = tempDir();
    let store: Store = new SqliteStore({ dataDir: tmp.dir, groupCommit });
    return {
      store,
      reopen: async () => {
        await store.close();
        store = new SqliteStore({ dataDir: tmp.dir, groupCommit });
        return store;
      },
      cleanup: async () => {
        await store.close();
        tmp.remove();
      },
    };
  });
}

test('group commit: writes issued in one turn share one transaction, each with its own outcome', async () => {
  const tmp = tempDir();
  const s = new SqliteStore({ dataDir: tmp.dir });
  try {
    await s.create('/registry/core/configmaps/ns/taken', { metadata: { name: 'taken' } });
    const before = s.stats();
    const results = await Promise.allSettled([
      ...Array.from({ length: 49 }, (_, i) => s.create(`/registry/core/configmaps/ns/c${i}`, { metadata: { name: `c${i}` } })),
      s.create('/registry/core/configmaps/ns/taken', { metadata: { name: 'taken' } }),
    ]);
    const after = s.stats();
    assert.equal(after.commits - before.commits, 1, 'one transaction for the batch');
    assert.equal(after.maxBatch, 50);
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 49);
    assert.equal(((results[49] as PromiseRejectedResult).reason as { code: string }).code, 'KeyExists');
    const revs = results.slice(0, 49).map((r) => (r as PromiseFulfilledResult<{ modRevision: number }>).value.modRevision);
    assert.deepEqual(revs, Array.from({ length: 49 }, (_, i) => before.revision + 1 + i), 'revisions in call order, none taken by the failure');
  } finally {
    await s.close();
    tmp.remove();
  }
});
