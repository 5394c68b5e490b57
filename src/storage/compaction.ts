// Periodic compaction, like the apiserver's: every interval, compact history up to the revision
// seen at the previous tick, so at least one interval of history stays available to watches.
import type { Store } from './interface.ts';

export interface PeriodicCompaction {
  stop(): void;
}

export interface PeriodicCompactionOptions {
  /** Default 5 minutes, as kube-apiserver's --etcd-compaction-interval. */
  intervalMs?: number;
  onError?: (err: unknown) => void;
}

export function startPeriodicCompaction(store: Pick<Store, 'compact' | 'currentRevision'>, opts: PeriodicCompactionOptions = {}): PeriodicCompaction {
  let last: number | undefined;
  let running = false;
  const timer = setInterval(async () => {
    if (running) return;
    running = true;
    try {
      const now = await store.currentRevision();
      if (last !== undefined && last > 0) await store.compact(last);
      last = now;
    } catch (err) {
      opts.onError?.(err);
    } finally {
      running = false;
    }
  }, opts.intervalMs ?? 5 * 60_000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
