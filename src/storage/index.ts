// The storage layer's public surface: backends, the watch cache, and openStore() that wires them.
export * from './interface.ts';
export { MemoryStore, type MemoryStoreOptions } from './memory.ts';
export { WatchCacheStore, type WatchCacheOptions } from './watch-cache.ts';
export { SqliteStore, type SqliteStoreOptions } from './sqlite.ts';
export { startPeriodicCompaction, type PeriodicCompaction, type PeriodicCompactionOptions } from './compaction.ts';
export { openBackend, openStore, type OpenStoreOptions } from './open.ts';
export { EtcdStore, openEtcd, parseEtcdUrl, type EtcdStoreOptions } from './etcd.ts';
export { registerStorageMetrics, resourceLabel } from './metrics.ts';
export { PostgresStore, type PostgresStoreOptions } from './postgres.ts';
export { openBackendUrl, parseStorageUrl, type StorageUrl } from './url.ts';
export { EncryptingStore, loadEncryptionConfiguration, parseEncryptionConfiguration, type EncryptionConfiguration } from './encryption/index.ts';
export { FaultyStore, followFaultsFile, parseStoreFaults, type StoreFaults } from './faulty.ts';
