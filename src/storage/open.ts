// openStore(): the store the API server runs on — the watch cache over SQLite in the data dir,
// or over the in-memory store without one.
import type { Store, WatchCache } from './interface.ts';
import { openEtcd } from './etcd.ts';
import { MemoryStore } from './memory.ts';
import { SqliteStore } from './sqlite.ts';
import { WatchCacheStore } from './watch-cache.ts';

export interface OpenStoreOptions {
  /**
   * Where objects live: `memory`, `sqlite:DIR` (kubesim.db in DIR), or
   * `etcd://host:port[,host:port...][/prefix]`. Default: SQLite in dataDir, else memory.
   */
  storage?: string;
  /** SQLite in `<dataDir>/kubesim.db`; undefined = in-memory (nothing survives the process). */
  dataDir?: string;
  /** Events kept per resource in the watch cache window. Default 10,000. */
  watchCacheSize?: number;
  /** SQLite synchronous mode, default 'FULL' (see sqlite.ts for the durability argument). */
  synchronous?: 'FULL' | 'NORMAL';
  /** Periodic compaction of the backend's history (ms). Default 5 minutes; 0 = off. */
  compactionIntervalMs?: number;
}

/**
 * The backend alone (no cache): SQLite in dataDir with periodic compaction, or memory. For callers
 * that put their own WatchCacheStore over it; do not wrap openStore()'s result in another cache.
 */
export function openBackend(opts: Omit<OpenStoreOptions, 'watchCacheSize'> = {}): Store {
  const compactionIntervalMs = opts.compactionIntervalMs ?? 5 * 60_000;
  if (opts.storage !== undefined) return openStorageUrl(opts.storage, { ...opts, compactionIntervalMs });
  return opts.dataDir ? new SqliteStore({ dataDir: opts.dataDir, synchronous: opts.synchronous, compactionIntervalMs }) : new MemoryStore();
}

/** Opens the backend and starts the watch cache over it; close() closes both. */
export async function openStore(opts: OpenStoreOptions = {}): Promise<WatchCacheStore & WatchCache> {
  const backend = openBackend(opts);
  const cache = new WatchCacheStore(backend, { windowSize: opts.watchCacheSize });
  await cache.start();
  return cache;
}

/** The backend a `--storage` URL names (see OpenStoreOptions.storage). */
export function openStorageUrl(url: string, opts: Omit<OpenStoreOptions, 'watchCacheSize' | 'storage' | 'dataDir'> = {}): Store {
  if (url === 'memory') return new MemoryStore();
  if (url.startsWith('sqlite:')) return new SqliteStore({ dataDir: url.slice('sqlite:'.length), synchronous: opts.synchronous, compactionIntervalMs: opts.compactionIntervalMs });
  if (url.startsWith('etcd://')) return openEtcd(url, { compactionIntervalMs: opts.compactionIntervalMs });
  throw new Error(`unsupported storage ${JSON.stringify(url)}: want memory, sqlite:DIR or etcd://host:port[,host:port...][/prefix]`);
}
