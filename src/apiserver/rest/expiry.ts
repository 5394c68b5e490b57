// Objects that expire a fixed time after their last write — Kubernetes' registry Store TTLFunc,
// kept by etcd leases there (Events: --event-ttl, default 1h). A kind opts in with RestHooks.ttlMs;
// this follows every write of such a kind in the store and deletes the object (compare-and-swap on
// the revision of that write) once the TTL has passed on the API server's clock, so watchers see
// DELETED and `kubesim simulate` expires them in virtual time. Like an etcd lease expiry the
// delete bypasses admission and audit. Objects found at start count as written then (etcd keeps
// a lease across restarts; kubesim's stores keep no write times), so they live at most one TTL more.
import type { Clock, Timer } from '../../clock/index.ts';
import type { Logger } from 'pino';
import { resourcePrefix, StorageError, type Store, type Unsubscribe } from '../../storage/interface.ts';
import type { ApiCore } from './scope.ts';

/**
 * Expiry times are rounded up to this grain (as etcd3's lease manager reuses one lease for writes
 * close together: min(5% of the TTL, 1 minute)), so an object lives between ttl and ttl + grain.
 */
export function expiryGrainMs(ttlMs: number): number {
  return Math.max(1, Math.min(Math.ceil(ttlMs * 0.05), 60_000));
}

/** When an object written at `now` expires: now + ttl, rounded up to the grain. */
export function expiresAt(now: number, ttlMs: number): number {
  const g = expiryGrainMs(ttlMs);
  return Math.ceil((now + ttlMs) / g) * g;
}

/** The keys of one prefix by expiry bucket; a write moves its key to a later bucket. */
export class ExpiryQueue {
  /** key → revision of its last write and the bucket it waits in. */
  private readonly latest = new Map<string, { revision: number; at: number }>();
  /** bucket time → keys; created in time order (the TTL is fixed and the clock only moves on). */
  private readonly buckets = new Map<number, Set<string>>();
  private timer: Timer | undefined;
  private armedAt = Infinity;
  private stopped = false;
  private sweeping: Promise<void> | undefined;

  constructor(
    private readonly store: Pick<Store, 'delete'>,
    private readonly clock: Clock,
    private readonly ttlMs: number,
    private readonly logger?: Logger,
  ) {}

  /** Keys waiting to expire. */
  get size(): number {
    return this.latest.size;
  }

  written(key: string, revision: number): void {
    if (this.stopped) return;
    const at = expiresAt(this.clock.now(), this.ttlMs);
    const prev = this.latest.get(key);
    if (prev && prev.at !== at) this.buckets.get(prev.at)?.delete(key);
    this.latest.set(key, { revision, at });
    let b = this.buckets.get(at);
    if (!b) this.buckets.set(at, (b = new Set()));
    b.add(key);
    this.arm(at);
  }

  deleted(key: string): void {
    const prev = this.latest.get(key);
    if (!prev) return;
    this.latest.delete(key);
    this.buckets.get(prev.at)?.delete(key);
  }

  stop(): Promise<void> {
    this.stopped = true;
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    return this.sweeping ?? Promise.resolve();
  }

  private arm(at: number): void {
    if (this.stopped || at >= this.armedAt) return;
    this.clock.clearTimeout(this.timer);
    this.armedAt = at;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.armedAt = Infinity;
      this.sweeping ??= this.sweep().finally(() => (this.sweeping = undefined));
    }, Math.max(0, at - this.clock.now()));
    this.timer.unref?.();
  }

  /** Deletes every key whose bucket is due, then waits for the next bucket. */
  private async sweep(): Promise<void> {
    const release = this.clock.hold();
    try {
      for (const [at, keys] of this.buckets) {
        if (this.stopped) return;
        if (at > this.clock.now()) break;
        this.buckets.delete(at);
        for (const key of keys) {
          const e = this.latest.get(key);
          if (!e || e.at !== at) continue;
          this.latest.delete(key);
          await this.store.delete(key, e.revision).catch((err) => {
            // written again meanwhile (its own expiry follows) or already gone
            if (err instanceof StorageError && (err.code === 'Conflict' || err.code === 'KeyNotFound')) return;
            this.logger?.warn({ err, key }, 'expiring an object failed');
          });
        }
      }
      const next = this.buckets.keys().next();
      if (!next.done) this.arm(next.value);
    } finally {
      release();
    }
  }
}

/**
 * Starts expiry for every kind of the registry whose storage hooks give a TTL (RestHooks.ttlMs),
 * one queue per storage prefix. Resolves once the objects present are scheduled.
 */
export async function startObjectExpiry(core: ApiCore): Promise<{ stop(): Promise<void> }> {
  const stops: (() => Promise<void>)[] = [];
  const prefixes = new Set<string>();
  for (const rt of core.registry.all()) {
    const ttl = rt.rest?.ttlMs?.(core);
    const prefix = resourcePrefix(rt.group, rt.plural);
    if (ttl === undefined || !(ttl > 0) || prefixes.has(prefix)) continue;
    prefixes.add(prefix);
    const q = new ExpiryQueue(core.store, core.clock, ttl, core.logger);
    const { items, revision } = await core.store.list(prefix);
    for (const e of items) q.written(e.key, e.modRevision);
    const unwatch: Unsubscribe = core.store.watch(prefix, revision, (ev) => {
      if (ev.type === 'DELETED') q.deleted(ev.key);
      else q.written(ev.key, ev.revision);
    });
    stops.push(() => {
      unwatch();
      return q.stop();
    });
  }
  return { stop: async () => void (await Promise.all(stops.map((s) => s()))) };
}
