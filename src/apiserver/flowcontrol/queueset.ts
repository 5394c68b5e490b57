// One priority level's seats and queues (k8s.io/apiserver/pkg/util/flowcontrol/fairqueuing/queueset,
// simplified): a request executes at once while seats are free and nobody waits; otherwise it joins
// the shortest queue of its flow's shuffle-sharded hand (rejected when that queue is full), and freed
// seats go to the waiting queue that has been served least (virtual-time round robin: a queue that
// becomes busy starts from the least-served busy queue's count, so idling earns no credit). Waiting
// longer than the wait limit is a rejection too. Every request takes one seat.
import { dealHand, flowHash } from './shuffle.ts';

export type RejectReason = 'queue-full' | 'time-out' | 'concurrency-limit' | 'cancelled';

export interface QueuingConfig {
  queues: number;
  handSize: number;
  queueLengthLimit: number;
}

export interface QueueSetConfig {
  concurrencyLimit: number;
  /** undefined = the level rejects instead of queuing (limitResponse.type Reject). */
  queuing?: QueuingConfig;
  waitLimitMs: number;
}

interface Waiter {
  queue: Queue;
  enqueued: number;
  timer: NodeJS.Timeout;
  decide(outcome: RejectReason | undefined): void;
}

interface Queue {
  index: number;
  waiting: Waiter[];
  executing: number;
  served: number;
}

/** The seat of a level without queues (limitResponse Reject). */
const NO_QUEUE = 0;

/** A seat taken by tryStart(), handed back to finish(). */
export type SeatToken = object | typeof NO_QUEUE;

/** How a request left the queue set: admitted (release() frees its seat) or rejected. */
export type Admission = { admitted: true; waitedMs: number; release(): void } | { admitted: false; reason: RejectReason; waitedMs: number };

export class QueueSet {
  executing = 0;
  waitingCount = 0;
  private queues: Queue[] = [];
  /** Hands by schema, then distinguisher; handCount of them in all. */
  private readonly hands = new Map<string, Map<string, number[]>>();
  private handCount = 0;
  private lastPicked = -1;
  /** The highest served count of any queue. */
  private maxServed = 0;

  constructor(
    private cfg: QueueSetConfig,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.resize();
  }

  get config(): QueueSetConfig {
    return this.cfg;
  }

  /** A new configuration: the limit applies at once; waiting requests keep their place (moved if the queue count changed). */
  setConfig(cfg: QueueSetConfig): void {
    const old = this.cfg;
    this.cfg = cfg;
    if ((old.queuing?.queues ?? 0) !== (cfg.queuing?.queues ?? 0) || old.queuing?.handSize !== cfg.queuing?.handSize) this.resize();
    this.dispatch();
  }

  private resize(): void {
    const waiting = this.queues.flatMap((q) => q.waiting);
    const n = this.cfg.queuing?.queues ?? 0;
    this.queues = Array.from({ length: n }, (_, index) => ({ index, waiting: [], executing: 0, served: 0 }));
    this.maxServed = 0;
    this.hands.clear();
    this.handCount = 0;
    waiting.forEach((w, i) => {
      if (n === 0) {
        clearTimeout(w.timer);
        this.waitingCount--;
        w.decide('concurrency-limit');
        return;
      }
      const q = this.queues[i % n];
      w.queue = q;
      q.waiting.push(w);
    });
  }

  /** The flow's hand of queue indexes (cached per schema and distinguisher: two lookups, no key built). */
  handOf(schema: string, distinguisher: string): number[] {
    let bySchema = this.hands.get(schema);
    if (!bySchema) this.hands.set(schema, (bySchema = new Map()));
    let hand = bySchema.get(distinguisher);
    if (!hand) {
      if (++this.handCount > 10_000) {
        this.hands.clear();
        this.handCount = 1;
        this.hands.set(schema, bySchema);
        bySchema.clear();
      }
      hand = dealHand(flowHash(schema, distinguisher), this.queues.length, this.cfg.queuing!.handSize);
      bySchema.set(distinguisher, hand);
    }
    return hand;
  }

  /**
   * admit()'s fast path, for the filter: when a seat is free and nobody waits, takes it at once and
   * returns its token for finish() (no promise, no closure, no Admission); false when the request
   * would have to queue or be rejected (then call admit()).
   */
  tryStart(schema: string, distinguisher: string): SeatToken | false {
    if (this.waitingCount !== 0 || this.executing >= this.cfg.concurrencyLimit) return false;
    const queue = this.cfg.queuing ? this.queues[this.handOf(schema, distinguisher)[0]] : NO_QUEUE;
    this.take(queue);
    return queue;
  }

  /** Gives back the seat of a tryStart() token (once: the caller keeps track). */
  finish(token: SeatToken): void {
    this.executing--;
    if (token !== NO_QUEUE) (token as Queue).executing--;
    this.dispatch();
  }

  /**
   * Admits one request of a flow (flow = schema + distinguisher). Resolves at once when a seat is free
   * or the request is rejected, else when a seat frees up, the wait limit passes or cancel() is called.
   */
  admit(schema: string, distinguisher: string, onCancel?: (cancel: () => void) => void): Admission | Promise<Admission> {
    const started = this.now();
    const seat = this.tryStart(schema, distinguisher);
    if (seat !== false) return this.admitted(seat, started);
    const q = this.cfg.queuing;
    if (!q) return { admitted: false, reason: 'concurrency-limit', waitedMs: 0 };
    const hand = this.handOf(schema, distinguisher);
    let queue = this.queues[hand[0]];
    for (const i of hand) {
      const c = this.queues[i];
      if (c.waiting.length + c.executing < queue.waiting.length + queue.executing) queue = c;
    }
    if (queue.waiting.length >= q.queueLengthLimit) return { admitted: false, reason: 'queue-full', waitedMs: 0 };
    return new Promise<Admission>((resolve) => {
      const w: Waiter = {
        queue,
        enqueued: started,
        timer: setTimeout(() => this.drop(w, 'time-out'), this.cfg.waitLimitMs),
        decide: (outcome) => {
          const waitedMs = this.now() - started;
          if (outcome) resolve({ admitted: false, reason: outcome, waitedMs });
          else resolve(this.start(w.queue, started));
        },
      };
      this.lift(queue);
      queue.waiting.push(w);
      this.waitingCount++;
      onCancel?.(() => this.drop(w, 'cancelled'));
      this.dispatch();
    });
  }

  /**
   * A queue that becomes busy starts from the least-served busy queue's count: idling earns no
   * credit. When no queue is busy, from the most-served queue's count: service while nobody else
   * wanted a seat costs no credit either (Kubernetes' virtual time stands still while the level is
   * idle). Otherwise a flow that ran alone for a while (bob's 100 GETs before alice's flood) would
   * wait behind as many of the next flow's requests.
   */
  private lift(queue: Queue): void {
    if (queue.waiting.length > 0 || queue.executing > 0) return;
    const min = this.minServedBusy();
    queue.served = Math.max(queue.served, min === Infinity ? this.maxServed : min);
  }

  private take(queue: Queue | typeof NO_QUEUE): void {
    if (queue !== NO_QUEUE) {
      this.lift(queue);
      queue.served++;
      if (queue.served > this.maxServed) this.maxServed = queue.served;
      queue.executing++;
    }
    this.executing++;
  }

  private start(queue: Queue, started: number): Admission {
    this.take(queue);
    return this.admitted(queue, started);
  }

  /** The Admission of a seat already taken: release() gives it back once. */
  private admitted(token: SeatToken, started: number): Admission {
    let done = false;
    return {
      admitted: true,
      waitedMs: this.now() - started,
      release: () => {
        if (done) return;
        done = true;
        this.finish(token);
      },
    };
  }

  private drop(w: Waiter, reason: RejectReason): void {
    const i = w.queue.waiting.indexOf(w);
    if (i < 0) return;
    w.queue.waiting.splice(i, 1);
    this.waitingCount--;
    clearTimeout(w.timer);
    w.decide(reason);
  }

  /** The least served count of a busy queue (waiting or executing); Infinity when none is busy. */
  private minServedBusy(): number {
    // nothing executes or waits: no queue is busy (the usual case of an idle level, without the scan)
    if (this.executing === 0 && this.waitingCount === 0) return Infinity;
    let min = Infinity;
    for (const q of this.queues) if (q.waiting.length > 0 || q.executing > 0) min = Math.min(min, q.served);
    return min;
  }

  /** Hands free seats to the least-served waiting queues (ties: round robin from the last pick). */
  private dispatch(): void {
    while (this.waitingCount > 0 && this.executing < this.cfg.concurrencyLimit) {
      let best: Queue | undefined;
      const n = this.queues.length;
      for (let k = 1; k <= n; k++) {
        const q = this.queues[(this.lastPicked + k) % n];
        if (q.waiting.length > 0 && (!best || q.served < best.served)) best = q;
      }
      if (!best) return;
      this.lastPicked = best.index;
      const w = best.waiting.shift()!;
      this.waitingCount--;
      clearTimeout(w.timer);
      w.decide(undefined);
    }
  }

  /** Rejects everything waiting (the level went away or the server stops). */
  drain(reason: RejectReason = 'cancelled'): void {
    for (const q of this.queues) for (const w of [...q.waiting]) this.drop(w, reason);
  }
}
