// The SQLite backend passes the storage conformance suite, with and without group commit.
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
