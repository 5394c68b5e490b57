// One timer queue for every simulated pod and node: a binary min-heap of due times driven by a
// single setTimeout, so 10,000 pods with several pending stages cost one OS timer, not 50,000.
// The clock is injectable (src/clock): tests drive a ManualClock and call runDue() themselves;
// under simulation its one timer is a VirtualClock timer.
import { realClock, type Clock, type Timer } from '../clock/index.ts';
import { DueHeap } from '../clock/heap.ts';

interface Entry<K> {
  at: number;
  seq: number;
  key: K;
}

/**
 * Keyed timers: schedule(key, at) replaces any earlier schedule of the same key (the newest wins:
 * stale heap entries are skipped lazily when popped). fire(key) is called once per due key.
 */
export class TimerQueue<K> {
  private heap = new DueHeap<Entry<K>>();
  private current = new Map<K, Entry<K>>();
  private seq = 0;
  private timer: Timer | undefined;
  private timerAt = Infinity;
  private stopped = false;

  constructor(
    private readonly fire: (key: K) => void,
    private readonly clock: Clock = realClock,
    /** false = never arm a real timer (tests call runDue). */
    private readonly autoRun = true,
  ) {}

  get size(): number {
    return this.current.size;
  }

  schedule(key: K, at: number): void {
    const e = { at, seq: this.seq++, key };
    this.current.set(key, e);
    this.heap.push(e);
    this.arm();
  }

  cancel(key: K): void {
    this.current.delete(key);
  }

  /** When key is due, or undefined. */
  dueAt(key: K): number | undefined {
    return this.current.get(key)?.at;
  }

  /** Fires every key due at or before now; returns how many fired. */
  runDue(now = this.clock.now()): number {
    let n = 0;
    while (this.heap.length && this.heap.peek()!.at <= now) {
      const e = this.heap.pop()!;
      if (this.current.get(e.key) !== e) continue; // superseded or cancelled
      this.current.delete(e.key);
      n++;
      try {
        this.fire(e.key);
      } catch {
        // A failing handler must not stop the wheel; handlers log their own errors.
      }
    }
    return n;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(): void {
    if (!this.autoRun || this.stopped) return;
    // Drop stale heads so we don't wake up for nothing.
    while (this.heap.length && this.current.get(this.heap.peek()!.key) !== this.heap.peek()) this.heap.pop();
    const next = this.heap.peek()?.at ?? Infinity;
    if (next >= this.timerAt && this.timer) return;
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
    if (next === Infinity) return;
    this.timerAt = next;
    const delay = Math.max(0, Math.min(next - this.clock.now(), 2 ** 31 - 1));
    this.timer = this.clock.setTimeout(this.onTimer, delay);
    this.timer.unref?.();
  }

  /** The queue's one clock timer fired (one function for the queue's life, not a closure an arming). */
  private readonly onTimer = (): void => {
    this.timer = undefined;
    this.timerAt = Infinity;
    this.runDue();
    this.arm();
  };
}
