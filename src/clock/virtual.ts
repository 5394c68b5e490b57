// Discrete-event time. now() stands still while the cluster works; when every component is idle
// (nothing held: no request in flight, every workqueue empty, no store commit pending, and the event
// loop has turned a few times without new activity) the clock jumps to its next timer and fires every
// timer due then, in (due time, creation) order. speed 'max' jumps at once; a number paces the jumps
// against the wall clock (60 = one virtual minute per real second).
import { sleepOn, type Clock, type Timer } from './clock.ts';
import { DueHeap } from './heap.ts';

/** A timer on virtual time: one object a timer (unref/ref are its prototype's, not closures of its own). */
class VTimer implements Timer {
  cancelled = false;
  constructor(
    public at: number,
    public seq: number,
    readonly fn: () => void,
    readonly every: number | undefined,
  ) {}
  unref(): this {
    return this;
  }
  ref(): this {
    return this;
  }
}

/**
 * Called from a setImmediate callback: true when no other (ref'd) setImmediate callback is queued.
 * process.getActiveResourcesInfo() lists one 'Immediate' a queued callback, after the handles,
 * requests and timers. Without it (older Node), never quiescent: the idle turns decide.
 */
const quiescent: () => boolean =
  typeof process.getActiveResourcesInfo === 'function'
    ? () => {
        const active = process.getActiveResourcesInfo();
        return active[active.length - 1] !== 'Immediate';
      }
    : () => false;

/** One settle() in progress: rounds of turns, the activity count its round started from. */
interface Settling {
  resolve: () => void;
  rounds: number;
  turns: number;
  seen: number;
}

export interface VirtualClockOptions {
  /** The virtual epoch ms the run starts at (default 2026-01-01T00:00:00Z). */
  start?: number;
  speed?: 'max' | number;
  /** Event-loop turns without activity that count as idle (default 8). */
  idleTurns?: number;
}


export class VirtualClock implements Clock {
  private t: number;
  private heap = new DueHeap<VTimer>();
  private seq = 0;
  private holds = 0;
  private activity = 0;
  private stopped = false;
  readonly speed: 'max' | number;
  private readonly idleTurns: number;
  /** Timers fired so far (for reports and tests). */
  fired = 0;

  constructor(opts: VirtualClockOptions = {}) {
    this.t = opts.start ?? Date.UTC(2026, 0, 1);
    this.speed = opts.speed ?? 'max';
    this.idleTurns = opts.idleTurns ?? 8;
  }

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): Timer {
    return this.add(fn, ms, undefined);
  }

  setInterval(fn: () => void, ms: number): Timer {
    return this.add(fn, ms, Math.max(1, ms));
  }

  clearTimeout(t: Timer | undefined): void {
    if (t instanceof VTimer) t.cancelled = true;
  }

  clearInterval(t: Timer | undefined): void {
    this.clearTimeout(t);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, ms, signal);
  }

  hold(): () => void {
    this.holds++;
    this.activity++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holds--;
      this.activity++;
    };
  }

  /** Work in progress right now. */
  get busy(): number {
    return this.holds;
  }

  /** Live timers. */
  get pending(): number {
    return this.heap.items.filter((t) => !t.cancelled).length;
  }

  /** When the next live timer is due, or undefined. */
  nextAt(): number | undefined {
    this.dropCancelled();
    return this.heap.peek()?.at;
  }

  /**
   * Resolves once nothing is held and the event loop has turned idleTurns times with no activity.
   * The turns are a chain of setImmediate callbacks (one promise a settle, not one a turn: settle runs
   * after every jump of the clock); each round notes the activity count, then turns idleTurns times.
   * It resolves sooner, at any turn, when the process is quiescent (nothing held and no other
   * setImmediate callback queued; microtasks have run before a setImmediate callback): then nothing
   * is left to run before the next jump, and the remaining turns would only spin the event loop (it
   * was 8 or more turns a jump, each one an epoll call; the same jumps at the same points either way).
   */
  settle(): Promise<void> {
    return new Promise<void>((resolve) => this.round({ resolve, rounds: 0, turns: 0, seen: 0 }));
  }

  // settle()'s steps: methods and two callbacks made once per clock, the state in one object a
  // settle (closures a settle, each named by tsx's keepNames, were a third of a jump's cost).
  private round(s: Settling): void {
    s.seen = this.activity;
    s.turns = 0;
    // Long-held work is waiting on real I/O (a kubelet scrape): stop spinning the event loop.
    if (s.rounds > 64 && this.holds > 0) setTimeout(this.onFirstTurn, 1, s);
    else this.firstTurn(s);
  }

  private firstTurn(s: Settling): void {
    if (this.idleTurns > 0) setImmediate(this.onTurn, s);
    else this.check(s);
  }

  private turn(s: Settling): void {
    if (this.holds === 0 && quiescent()) return s.resolve();
    if (++s.turns < this.idleTurns) setImmediate(this.onTurn, s);
    else this.check(s);
  }

  private check(s: Settling): void {
    if (this.holds === 0 && s.seen === this.activity) return s.resolve();
    s.rounds++;
    this.round(s);
  }

  private readonly onTurn = (s: Settling): void => this.turn(s);
  private readonly onFirstTurn = (s: Settling): void => this.firstTurn(s);

  /** Fires every timer due at or before `at` (moving now() there), then settles. Returns how many fired. */
  async advanceTo(at: number): Promise<number> {
    let n = 0;
    for (;;) {
      this.dropCancelled();
      const head = this.heap.peek();
      if (!head || head.at > at) break;
      this.t = Math.max(this.t, head.at);
      n += this.fireDue();
      await this.settle();
    }
    this.t = Math.max(this.t, at);
    return n;
  }

  /**
   * Runs the event loop on virtual time until `until` (epoch ms) or stop(): settle, jump to the next
   * timer (paced when speed is a number), fire what is due, repeat. With no timer left, time jumps to until.
   */
  async run(until: number): Promise<void> {
    this.stopped = false;
    while (!this.stopped) {
      await this.settle();
      const next = this.nextAt();
      if (next === undefined || next > until) {
        if (this.speed !== 'max') await this.pace(until);
        this.t = Math.max(this.t, until);
        return;
      }
      if (this.speed !== 'max') {
        await this.pace(next);
        if (this.nextAt() !== next) continue; // something earlier arrived while we waited
      }
      this.t = Math.max(this.t, next);
      this.fireDue();
    }
  }

  stop(): void {
    this.stopped = true;
  }

  /** Waits on the wall clock for (target - now) / speed, moving now() along, until target or new timers. */
  private async pace(target: number): Promise<void> {
    const speed = this.speed as number;
    const wall0 = Date.now();
    const v0 = this.t;
    while (!this.stopped) {
      const v = Math.min(target, v0 + (Date.now() - wall0) * speed);
      this.t = Math.max(this.t, v);
      if (v >= target) return;
      const seen = this.activity;
      await new Promise((r) => setTimeout(r, Math.min(50, (target - v) / speed)));
      if (seen !== this.activity) {
        await this.settle();
        const n = this.nextAt();
        if (n !== undefined && n < target) return;
      }
    }
  }

  private add(fn: () => void, ms: number, every: number | undefined): VTimer {
    const d = Number.isFinite(ms) && ms > 0 ? ms : 0;
    const timer = new VTimer(this.t + d, this.seq++, fn, every);
    this.heap.push(timer);
    this.activity++;
    return timer;
  }

  /** Fires every live timer due at or before now, in order; intervals are re-armed. */
  private fireDue(): number {
    let n = 0;
    for (;;) {
      this.dropCancelled();
      const head = this.heap.peek();
      if (!head || head.at > this.t) return n;
      this.heap.pop();
      if (head.every !== undefined) {
        head.at += head.every;
        head.seq = this.seq++;
        this.heap.push(head);
      }
      n++;
      this.fired++;
      this.activity++;
      try {
        head.fn();
      } catch (e) {
        queueMicrotask(() => {
          throw e;
        });
      }
    }
  }

  private dropCancelled(): void {
    while (this.heap.peek()?.cancelled) this.heap.pop();
  }
}
