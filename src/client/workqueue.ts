// The workqueue of client-go: an item is queued at most once (dedup while queued), never handed
// to two workers at once (re-added while processing = queued again after done()), with delayed
// adds and rate-limited requeues, and a shutdown that can drain.
import type { Registry } from 'prom-client';
import { realClock, type Clock, type Timer } from '../clock/index.ts';
import { defaultControllerRateLimiter, type RateLimiter } from './ratelimit.ts';
import { workqueueMetrics } from './metrics.ts';

export interface QueueOptions<T> {
  /** Metrics label; unnamed queues report no metrics. */
  name?: string;
  rateLimiter?: RateLimiter<T>;
  metricsRegistry?: Registry;
  /** Delayed adds and the default rate limiter's bucket run on it; a non-empty queue holds it (default real). */
  clock?: Clock;
}

export interface QueueItem<T> {
  item: T;
  shutdown: false;
}
export interface QueueShutdown {
  item: undefined;
  shutdown: true;
}

export class RateLimitingQueue<T = string> {
  readonly name?: string;
  private readonly queue: T[] = [];
  private head = 0;
  private readonly dirty = new Set<T>();
  private readonly processing = new Set<T>();
  private readonly waiters: ((r: QueueItem<T> | QueueShutdown) => void)[] = [];
  private readonly delayed = new Map<T, { readyAt: number; timer: Timer }>();
  private readonly addedAt = new Map<T, number>();
  private readonly startedAt = new Map<T, number>();
  private drainWaiters: (() => void)[] = [];
  private shuttingDown = false;
  private readonly rateLimiter: RateLimiter<T>;
  private readonly metrics?: ReturnType<typeof workqueueMetrics>;
  private readonly clock: Clock;
  /** Held while items wait for a worker that exists or are being processed (virtual time's idleness). */
  private release: (() => void) | undefined;
  private hasWorkers = false;

  constructor(opts: QueueOptions<T> = {}) {
    this.name = opts.name;
    this.clock = opts.clock ?? realClock;
    this.rateLimiter = opts.rateLimiter ?? defaultControllerRateLimiter<T>(this.clock);
    if (opts.name) this.metrics = workqueueMetrics(opts.metricsRegistry);
  }

  /** Queues the item unless it is already queued; if it is being processed it is queued again after done(). */
  add(item: T): void {
    if (this.shuttingDown || this.dirty.has(item)) return;
    this.metrics?.adds.inc({ name: this.name });
    this.dirty.add(item);
    this.addedAt.set(item, performance.now());
    if (this.processing.has(item)) return;
    this.push(item);
  }

  private push(item: T): void {
    const w = this.waiters.shift();
    if (w) {
      this.hand(item, w);
      return;
    }
    this.queue.push(item);
    this.metrics?.depth.set({ name: this.name }, this.len());
    this.updateHold();
  }

  private updateHold(): void {
    const busy = this.processing.size > 0 || (this.hasWorkers && this.len() > 0);
    if (busy && !this.release) this.release = this.clock.hold();
    else if (!busy && this.release) {
      this.release();
      this.release = undefined;
    }
  }

  private hand(item: T, resolve: (r: QueueItem<T>) => void): void {
    this.dirty.delete(item);
    this.processing.add(item);
    const now = performance.now();
    const added = this.addedAt.get(item);
    this.addedAt.delete(item);
    if (this.metrics && added !== undefined) this.metrics.latency.observe({ name: this.name }, (now - added) / 1000);
    this.startedAt.set(item, now);
    this.updateHold();
    resolve({ item, shutdown: false });
  }

  /** Items waiting (not counting those being processed or delayed). */
  len(): number {
    return this.queue.length - this.head;
  }

  /** Waits for an item; {shutdown: true} once the queue is shut down and empty. Call done(item) after processing. */
  get(): Promise<QueueItem<T> | QueueShutdown> {
    this.hasWorkers = true;
    if (this.len() > 0) {
      const item = this.queue[this.head++];
      if (this.head > 1024 && this.head * 2 > this.queue.length) {
        this.queue.splice(0, this.head);
        this.head = 0;
      }
      this.metrics?.depth.set({ name: this.name }, this.len());
      return new Promise((resolve) => this.hand(item, resolve));
    }
    if (this.shuttingDown) return Promise.resolve({ item: undefined, shutdown: true });
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Marks the item processed; if it was re-added meanwhile, it is queued again now. */
  done(item: T): void {
    if (!this.processing.delete(item)) return;
    const started = this.startedAt.get(item);
    this.startedAt.delete(item);
    if (this.metrics && started !== undefined) this.metrics.workDuration.observe({ name: this.name }, (performance.now() - started) / 1000);
    if (this.dirty.has(item)) this.push(item);
    this.updateHold();
    this.checkDrained();
  }

  /** Adds the item after a delay (the earliest pending delay wins). */
  addAfter(item: T, delayMs: number): void {
    if (this.shuttingDown) return;
    if (!(delayMs > 0)) {
      this.add(item);
      return;
    }
    const readyAt = this.clock.now() + delayMs;
    const cur = this.delayed.get(item);
    if (cur && cur.readyAt <= readyAt) return;
    if (cur) this.clock.clearTimeout(cur.timer);
    const timer = this.clock.setTimeout(() => {
      this.delayed.delete(item);
      this.add(item);
    }, delayMs);
    this.delayed.set(item, { readyAt, timer });
  }

  /** Requeues after the rate limiter's delay (per-item exponential backoff, overall token bucket). */
  addRateLimited(item: T): void {
    this.metrics?.retries.inc({ name: this.name });
    this.addAfter(item, this.rateLimiter.when(item));
  }

  /** The item succeeded: reset its backoff. */
  forget(item: T): void {
    this.rateLimiter.forget(item);
  }

  numRequeues(item: T): number {
    return this.rateLimiter.numRequeues(item);
  }

  isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /** Stops accepting items; waiting get() calls resolve with shutdown; queued items are still handed out. */
  shutDown(): void {
    this.shuttingDown = true;
    for (const d of this.delayed.values()) this.clock.clearTimeout(d.timer);
    this.delayed.clear();
    for (const w of this.waiters.splice(0)) w({ item: undefined, shutdown: true });
    this.hasWorkers = false;
    this.updateHold();
    this.checkDrained();
  }

  /** shutDown(), then waits until every queued and in-flight item is done. */
  shutDownWithDrain(): Promise<void> {
    this.shutDown();
    if (this.processing.size === 0 && this.len() === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  private checkDrained(): void {
    if (this.shuttingDown && this.processing.size === 0 && this.len() === 0) {
      for (const d of this.drainWaiters.splice(0)) d();
    }
  }
}
