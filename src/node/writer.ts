// The node pool's outgoing writes: one queue per priority (leases first — a late heartbeat makes a
// node NotReady —, then node status, pod status, events last), bounded concurrency, an optional
// QPS budget for the whole pool, and de-duplication by key (a pod whose status changed five times
// while queued is written once, with its latest state, since the job reads the state when it runs).
import { realClock, type Clock } from '../clock/index.ts';
import { TokenBucket } from '../client/index.ts';

export enum Priority {
  Lease = 0,
  Node = 1,
  Pod = 2,
  Event = 3,
}

type Job = () => Promise<void>;

/** De-duplicates writes: a string, or an object compared by identity (a pod's entry, a node's timer). */
export type WriteKey = string | object;

interface Item {
  key?: WriteKey;
  job: Job;
}

export interface WriterOptions {
  concurrency?: number;
  /** Requests per second for the whole pool (0/undefined = only the client's own limit). */
  qps?: number;
  /** The token bucket's clock and its wait timers (default real time). */
  clock?: Clock;
  burst?: number;
  /** Max queued events; beyond it the oldest are dropped. */
  maxQueuedEvents?: number;
  onError?: (e: unknown, key?: WriteKey) => void;
}

export class Writer {
  private readonly queues: Item[][] = [[], [], [], []];
  private readonly heads = [0, 0, 0, 0];
  private readonly queued = new Set<WriteKey>();
  private readonly running = new Set<WriteKey>();
  /** Keys enqueued again while running: re-run once they finish. */
  private readonly again = new Map<WriteKey, { prio: Priority; job: Job }>();
  private inflight = 0;
  private waiting = false;
  private readonly bucket?: TokenBucket;
  private readonly concurrency: number;
  private readonly maxEvents: number;
  private idleWaiters: (() => void)[] = [];
  private stopped = false;
  readonly stats = { done: 0, failed: 0, droppedEvents: 0 };

  constructor(private readonly opts: WriterOptions = {}) {
    this.concurrency = opts.concurrency ?? 32;
    this.maxEvents = opts.maxQueuedEvents ?? 20_000;
    if (opts.qps && opts.qps > 0 && opts.qps !== Infinity) this.bucket = new TokenBucket(opts.qps, opts.burst ?? Math.max(10, opts.qps), opts.clock);
  }

  enqueue(prio: Priority, key: WriteKey | undefined, job: Job): void {
    if (this.stopped) return;
    if (key !== undefined) {
      if (this.running.has(key)) {
        this.again.set(key, { prio, job });
        return;
      }
      if (this.queued.has(key)) return;
      this.queued.add(key);
    }
    const q = this.queues[prio];
    q.push({ key, job });
    if (prio === Priority.Event && q.length - this.heads[prio] > this.maxEvents) {
      this.heads[prio]++;
      this.stats.droppedEvents++;
    }
    this.pump();
  }

  /** Pending (not yet started) writes per priority. */
  pending(): number[] {
    return this.queues.map((q, i) => q.length - this.heads[i]);
  }

  get inFlight(): number {
    return this.inflight;
  }

  private take(): Item | undefined {
    for (let p = 0; p < 4; p++) {
      const q = this.queues[p];
      if (this.heads[p] < q.length) {
        const it = q[this.heads[p]++];
        if (this.heads[p] > 4096 && this.heads[p] * 2 > q.length) {
          this.queues[p] = q.slice(this.heads[p]);
          this.heads[p] = 0;
        }
        return it;
      }
    }
    return undefined;
  }

  private pump(): void {
    while (!this.stopped && !this.waiting && this.inflight < this.concurrency) {
      if (this.bucket && this.pending().every((n) => n === 0)) break;
      if (this.bucket) {
        const delay = this.bucket.reserve();
        if (delay > 0) {
          // Our token is reserved; start the next job when it is due.
          this.waiting = true;
          (this.opts.clock ?? realClock).setTimeout(() => {
            this.waiting = false;
            this.runNext();
            this.pump();
          }, delay).unref?.();
          return;
        }
      }
      if (!this.runNext()) break;
    }
    if (this.inflight === 0 && this.pending().every((n) => n === 0)) {
      const w = this.idleWaiters;
      this.idleWaiters = [];
      for (const f of w) f();
    }
  }

  private runNext(): boolean {
    const it = this.take();
    if (!it) return false;
    if (it.key !== undefined) {
      this.queued.delete(it.key);
      this.running.add(it.key);
    }
    this.inflight++;
    it.job().then(
      () => {
        this.stats.done++;
      },
      (e) => {
        this.stats.failed++;
        this.opts.onError?.(e, it.key);
      },
    ).finally(() => {
      this.inflight--;
      if (it.key !== undefined) {
        this.running.delete(it.key);
        const again = this.again.get(it.key);
        if (again) {
          this.again.delete(it.key);
          this.enqueue(again.prio, it.key, again.job);
        }
      }
      this.pump();
    });
    return true;
  }

  /** Resolves when nothing is queued or running. */
  idle(): Promise<void> {
    if (this.inflight === 0 && this.pending().every((n) => n === 0)) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  stop(): void {
    this.stopped = true;
    const w = this.idleWaiters;
    this.idleWaiters = [];
    for (const f of w) f();
  }
}
