// openStore(): the store the API server runs on — the watch cache over SQLite in the data dir,
// or over the in-memory store without one.
import type { Store, WatchCache } from './interface.ts';
import { MemoryStore } from './memory.ts';
import { SqliteStore } from './sqlite.ts';
import { WatchCacheStore } from './watch-cache.ts';
import { openBackendUrl } from './url.ts';

export interface OpenStoreOptions {
  /** SQLite in `<dataDir>/kubesim.db`; undefined = in-memory (nothing survives the process). */
  dataDir?: string;
  /** Events kept per resource in the watch cache window. Default 10,000. */
  watchCacheSize?: number;
  /** Resource prefixes the watch cache keeps nothing of (WatchCacheOptions.uncached). */
  uncached?: Iterable<string>;
  /** SQLite synchronous mode, default 'FULL' (see sqlite.ts for the durability argument). */
  synchronous?: 'FULL' | 'NORMAL';
  /** Periodic compaction of the backend's history (ms). Default 5 minutes; 0 = off. */
  compactionIntervalMs?: number;
  /**
   * A --storage URL (url.ts: memory, sqlite:PATH, postgres://..., etcd://host:port[,...][/prefix]):
   * overrides dataDir's SQLite. Default: SQLite in dataDir, else memory.
   */
  storage?: string;
  /** A --events URL (redis://...) for the PostgreSQL backend. */
  events?: string;
  /** Errors a remote backend recovers from by itself (connection lost, event stream down), for logging. */
  onError?: (err: unknown) => void;
  /** Wraps the backend before the cache goes over it (encryption at rest: EncryptingStore). */
  wrapBackend?: (backend: Store) => Store;
}

/**
 * The backend alone (no cache): SQLite in dataDir with periodic compaction, or memory. For callers
 * that put their own WatchCacheStore over it; do not wrap openStore()'s result in another cache.
 */
export function openBackend(opts: Omit<OpenStoreOptions, 'watchCacheSize' | 'uncached' | 'storage' | 'events'> = {}): Store {
  const compactionIntervalMs = opts.compactionIntervalMs ?? 5 * 60_000;
  return opts.dataDir ? new SqliteStore({ dataDir: opts.dataDir, synchronous: opts.synchronous, compactionIntervalMs }) : new MemoryStore();
}

/** Opens the backend and starts the watch cache over it; close() closes both. */
export async function openStore(opts: OpenStoreOptions = {}): Promise<WatchCacheStore & WatchCache> {
  if (opts.events && !opts.storage) throw new Error('--events applies to --storage postgres://... only');
  const opened = opts.storage ? await openBackendUrl(opts.storage, opts) : openBackend(opts);
  const backend = opts.wrapBackend ? opts.wrapBackend(opened) : opened;
  const cache = new WatchCacheStore(backend, { windowSize: opts.watchCacheSize, uncached: opts.uncached });
  await cache.start();
  return cache;
}
