// openStore(): the store the API server runs on — the watch cache over SQLite in the data dir,
// or over the in-memory store without one.
import type { WatchCache } from './interface.ts';
import { MemoryStore } from './memory.ts';
import { SqliteStore } from './sqlite.ts';
import { WatchCacheStore } from './watch-cache.ts';

export interface OpenStoreOptions {
  /** SQLite in `<dataDir>/kubesim.db`; undefined = in-memory (nothing survives the process). */
  dataDir?: string;
  /** Events kept per resource in the watch cache window. Default 10,000. */
  watchCacheSize?: number;
  /** SQLite synchronous mode, default 'FULL' (see sqlite.ts for the durability argument). */
  synchronous?: 'FULL' | 'NORMAL';
  /** Periodic compaction of the backend's history (ms). Default 5 minutes; 0 = off. */
  compactionIntervalMs?: number;
}

/** Opens the backend and starts the watch cache over it; close() closes both. */
export async function openStore(opts: OpenStoreOptions = {}): Promise<WatchCacheStore & WatchCache> {
  const compactionIntervalMs = opts.compactionIntervalMs ?? 5 * 60_000;
  const backend = opts.dataDir
    ? new SqliteStore({ dataDir: opts.dataDir, synchronous: opts.synchronous, compactionIntervalMs })
    : new MemoryStore();
  const cache = new WatchCacheStore(backend, { windowSize: opts.watchCacheSize });
  await cache.start();
  return cache;
}
