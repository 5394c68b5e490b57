// A periodic flush that runs only while it has work: the ticks fall where a setInterval started at
// the same moment would fire them (start + k·period), but no timer is armed while the queue it
// flushes is empty. Under virtual time an always-armed 1 s interval is 60 clock jumps a minute for
// nothing; a flush of an empty queue does nothing, so skipping those ticks changes no outcome.
import type { Clock, Timer } from '../clock/index.ts';

export class OnDemandTicker {
  private readonly start: number;
  private timer?: Timer;
  private stopped = false;

  /** `run` flushes and says whether work is left (then the next tick is armed). */
  constructor(
    private readonly clock: Clock,
    private readonly periodMs: number,
    private readonly run: () => boolean,
  ) {
    this.start = clock.now();
  }

  /** There is work: make sure the next tick is armed. */
  arm(): void {
    if (this.timer || this.stopped) return;
    const now = this.clock.now();
    const next = nextTick(this.start, this.periodMs, now);
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      if (!this.stopped && this.run()) this.arm();
    }, next - now);
    this.timer.unref?.();
  }

  stop(): void {
    this.stopped = true;
    this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}

/** The first tick start + k·period (k ≥ 1) strictly after now. */
export function nextTick(start: number, periodMs: number, now: number): number {
  const k = Math.max(1, Math.floor((now - start) / periodMs) + 1);
  return start + k * periodMs;
}
