// Storage gauges for an API server's /metrics, read from the stores' stats() at scrape time.
import client, { type Registry } from 'prom-client';
import type { Store } from './interface.ts';
import { SqliteStore } from './sqlite.ts';
import { WatchCacheStore } from './watch-cache.ts';

/** `/registry/apps/deployments/` → `deployments.apps`, `/registry/core/pods/` → `pods` (Kubernetes' label). */
export function resourceLabel(prefix: string): string {
  const [, , group, plural] = prefix.split('/');
  if (plural === undefined || plural === '') return prefix;
  return group === 'core' ? plural : `${plural}.${group}`;
}

/**
 * Registers apiserver_storage_objects{resource}, kubesim_watch_cache_window_events{resource} and,
 * over SQLite, kubesim_storage_commits / kubesim_storage_writes / kubesim_storage_max_batch.
 */
export function registerStorageMetrics(registry: Registry, store: Store): void {
  const cache = store instanceof WatchCacheStore ? store : undefined;
  const backend = cache ? cache.backend : store;
  if (cache) {
    new client.Gauge({
      name: 'apiserver_storage_objects',
      help: 'Number of stored objects at the time of last check split by kind.',
      labelNames: ['resource'],
      registers: [registry],
      collect() {
        this.reset();
        for (const r of cache.stats().resources) this.set({ resource: resourceLabel(r.prefix) }, r.objects);
      },
    });
    new client.Gauge({
      name: 'kubesim_watch_cache_window_events',
      help: 'Events held in the watch cache window, per resource.',
      labelNames: ['resource'],
      registers: [registry],
      collect() {
        this.reset();
        for (const r of cache.stats().resources) this.set({ resource: resourceLabel(r.prefix) }, r.windowEvents);
      },
    });
  }
  if (backend instanceof SqliteStore) {
    const stat = (name: string, help: string, pick: (s: ReturnType<SqliteStore['stats']>) => number) =>
      new client.Gauge({
        name,
        help,
        registers: [registry],
        collect() {
          this.set(pick(backend.stats()));
        },
      });
    stat('kubesim_storage_commits', 'SQLite transactions committed (each one fsync with synchronous=FULL).', (s) => s.commits);
    stat('kubesim_storage_writes', 'Writes applied; writes / commits = the mean group-commit batch.', (s) => s.writes);
    stat('kubesim_storage_max_batch', 'Largest group-commit batch so far.', (s) => s.maxBatch);
    stat('kubesim_storage_compacted_revision', 'Revision at or below which history was compacted.', (s) => s.compacted);
  }
}
