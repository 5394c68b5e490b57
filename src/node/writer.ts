// The node pool's outgoing writes: one queue per priority (leases first — a late heartbeat makes a
// node NotReady —, then node status, pod status, events last), bounded concurrency, an optional
// QPS budget for the whole pool, and de-duplication by key (a pod whose status changed five times
// while queued is written once, with its latest state, since the job reads the state when it runs).
//
// Priorities are shares, not a strict order: the next write comes from the non-empty queues by
// smooth weighted round robin (SHARES), so a lease is still taken first when it waits alongside
// the others, but when the leases of thousands of nodes keep their queue full, pod status and
// events still get their share (real kubelets are independent clients: one node's heartbeat never
// blocks another node's pod status). A lease that waits is renewed late, not lost (its key is
// queued once), and a renewal carries the time it is written. A write enqueued `urgent` (a lease
// whose node has gone half its lease duration without a renewal) goes before everything else, moved
// out of its queue if it already waited there.
import { realClock, type Clock } from '../clock/index.ts';
import { TokenBucket } from '../client/index.ts';

export enum Priority {
  Lease = 0,
  Node = 1,
  Pod = 2,
  Event = 3,
}

type Job = () => Promise<void>;

/** Each priority's share of the writes while every queue has work (Lease, Node, Pod, Event). */
export const SHARES: readonly number[] = [8, 2, 5, 1];

/** Writes in flight for a pool of `nodes` nodes: 32, growing by one per 20 nodes up to 256. Pure. */
export function defaultWriteConcurrency(nodes: number): number {
  return Math.min(256, Math.max(32, Math.ceil(nodes / 20)));
}

/**
 * Smooth weighted round robin (nginx's): every non-empty queue gains its weight, the one with the
 * most credit (the lowest priority number on a tie) is picked and pays the sum of the weights that
 * took part. Empty queues keep no credit. Returns the picked priority, or -1 when all are empty;
 * updates `credit`. Pure but for `credit`.
 */
export function pickPriority(pending: readonly number[], credit: number[], shares: readonly number[] = SHARES): number {
  let best = -1;
  let total = 0;
  for (let p = 0; p < pending.length; p++) {
    if (pending[p] <= 0) {
      credit[p] = 0;
      continue;
    }
    credit[p] += shares[p];
    total += shares[p];
    if (best < 0 || credit[p] > credit[best]) best = p;
  }
  if (best >= 0) credit[best] -= total;
  return best;
}

/** De-duplicates writes: a string, or an object compared by identity (a pod's entry, a node's timer). */
export type WriteKey = string | object;

interface Item {
  key?: WriteKey;
  job: Job;
  prio: Priority;
  /** Moved to the urgent queue: skipped where it was. */
  moved?: boolean;
  urgent?: boolean;
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
  /** Shares per priority (default SHARES). */
  shares?: readonly number[];
}

export class Writer {
  private readonly queues: Item[][] = [[], [], [], []];
  private readonly heads = [0, 0, 0, 0];
  /** Round-robin credit per priority (pickPriority). */
  private readonly credit = [0, 0, 0, 0];
  private readonly counts = [0, 0, 0, 0];
  private queuedTotal = 0;
  private readonly queued = new Map<WriteKey, Item>();
  /** Served before the shared queues, in order. */
  private urgent: Item[] = [];
  private urgentHead = 0;
  private readonly running = new Set<WriteKey>();
  /** Keys enqueued again while running: re-run once they finish. */
  private readonly again = new Map<WriteKey, { prio: Priority; job: Job; urgent: boolean }>();
  private inflight = 0;
  private waiting = false;
  private readonly bucket?: TokenBucket;
  readonly concurrency: number;
  private readonly maxEvents: number;
  private idleWaiters: (() => void)[] = [];
  private stopped = false;
  readonly stats = { done: 0, failed: 0, droppedEvents: 0, donePerPriority: [0, 0, 0, 0], urgent: 0 };

  constructor(private readonly opts: WriterOptions = {}) {
    this.concurrency = opts.concurrency ?? 32;
    this.maxEvents = opts.maxQueuedEvents ?? 20_000;
    if (opts.qps && opts.qps > 0 && opts.qps !== Infinity) this.bucket = new TokenBucket(opts.qps, opts.burst ?? Math.max(10, opts.qps), opts.clock);
  }

  enqueue(prio: Priority, key: WriteKey | undefined, job: Job, urgent = false): void {
    if (this.stopped) return;
    if (key !== undefined) {
      if (this.running.has(key)) {
        this.again.set(key, { prio, job, urgent: urgent || (this.again.get(key)?.urgent ?? false) });
        return;
      }
      const waiting = this.queued.get(key);
      if (waiting) {
        if (urgent && !waiting.urgent) this.moveToUrgent(waiting);
        return;
      }
    }
    const it: Item = { key, job, prio, urgent };
    if (key !== undefined) this.queued.set(key, it);
    if (urgent) {
      this.urgent.push(it);
      this.queuedTotal++;
      this.pump();
      return;
    }
    const q = this.queues[prio];
    q.push(it);
    this.counts[prio]++;
    this.queuedTotal++;
    if (prio === Priority.Event && this.counts[prio] > this.maxEvents) this.dropOldestEvent();
    this.pump();
  }

  /** A queued write becomes urgent: a copy goes to the urgent queue, the original is skipped. */
  private moveToUrgent(it: Item): void {
    it.moved = true;
    this.counts[it.prio]--;
    const copy: Item = { key: it.key, job: it.job, prio: it.prio, urgent: true };
    if (it.key !== undefined) this.queued.set(it.key, copy);
    this.urgent.push(copy);
  }

  private dropOldestEvent(): void {
    const q = this.queues[Priority.Event];
    while (this.heads[Priority.Event] < q.length) {
      const it = q[this.heads[Priority.Event]++];
      if (it.moved) continue;
      if (it.key !== undefined) this.queued.delete(it.key);
      this.counts[Priority.Event]--;
      this.queuedTotal--;
      this.stats.droppedEvents++;
      return;
    }
  }

  /** Pending (not yet started) writes per priority. */
  pending(): number[] {
    const out = [...this.counts];
    for (let i = this.urgentHead; i < this.urgent.length; i++) out[this.urgent[i].prio]++;
    return out;
  }

  get inFlight(): number {
    return this.inflight;
  }

  private take(): Item | undefined {
    if (this.urgentHead < this.urgent.length) {
      const it = this.urgent[this.urgentHead++];
      if (this.urgentHead === this.urgent.length) {
        this.urgent = [];
        this.urgentHead = 0;
      }
      this.queuedTotal--;
      this.stats.urgent++;
      return it;
    }
    const p = pickPriority(this.counts, this.credit, this.opts.shares);
    if (p < 0) return undefined;
    const q = this.queues[p];
    let it = q[this.heads[p]++];
    while (it.moved) it = q[this.heads[p]++];
    this.counts[p]--;
    this.queuedTotal--;
    if (this.heads[p] > 4096 && this.heads[p] * 2 > q.length) {
      this.queues[p] = q.slice(this.heads[p]);
      this.heads[p] = 0;
    } else if (this.counts[p] === 0) {
      q.length = 0;
      this.heads[p] = 0;
    }
    return it;
  }

  private pump(): void {
    while (!this.stopped && !this.waiting && this.inflight < this.concurrency) {
      if (this.bucket && this.queuedTotal === 0) break;
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
    if (this.inflight === 0 && this.queuedTotal === 0) {
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
        this.stats.donePerPriority[it.prio]++;
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
          this.enqueue(again.prio, it.key, again.job, again.urgent);
        }
      }
      this.pump();
    });
    return true;
  }

  /** Resolves when nothing is queued or running. */
  idle(): Promise<void> {
    if (this.inflight === 0 && this.queuedTotal === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  stop(): void {
    this.stopped = true;
    const w = this.idleWaiters;
    this.idleWaiters = [];
    for (const f of w) f();
  }
}
