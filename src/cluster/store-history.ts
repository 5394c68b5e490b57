// The events a data dir's store holds under a key prefix after a revision, read while no API server
// owns the database (SQLite is opened by one process at a time): a chaos run reads them while the
// API server it killed is down, so its watch check can read the store's order across the restart
// (the new API server's watch cache starts at the current revision and answers older watches 410).
import { openBackend } from '../storage/open.ts';

export interface StoreHistory {
  events: { type: 'ADDED' | 'MODIFIED' | 'DELETED'; key: string; revision: number }[];
  /** The store's revision when read (the revision the next API server's watch cache starts at). */
  revision: number;
}

export async function readStoreHistory(dataDir: string, keyPrefix: string, fromRevision: number): Promise<StoreHistory> {
  const store = openBackend({ dataDir, compactionIntervalMs: 0 });
  try {
    const events: StoreHistory['events'] = [];
    const unwatch = store.watch(keyPrefix, fromRevision, (ev) => events.push({ type: ev.type, key: ev.key, revision: ev.revision }));
    unwatch(); // the history is replayed before watch() returns
    const { revision } = await store.list(keyPrefix);
    return { events, revision };
  } finally {
    await store.close();
  }
}
