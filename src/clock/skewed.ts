// A skewed clock for chaos runs: another clock's time moved by `offsetMs` and run at `rate` (1.01 =
// 1% fast), as a component on a machine with a wrong or drifting clock would see it. Timers keep
// the component's notion of time: a 1 s timer on a clock running at rate 2 fires after 0.5 s real.
import type { Clock, Timer } from './clock.ts';
import { sleepOn } from './clock.ts';

export interface SkewOptions {
  /** Added to the base clock's time (negative = behind). */
  offsetMs?: number;
  /** Speed relative to the base clock (> 0; default 1). */
  rate?: number;
}

export class SkewedClock implements Clock {
  private readonly anchor: number;
  private readonly offsetMs: number;
  private readonly rate: number;
  constructor(
    private readonly base: Clock,
    o: SkewOptions = {},
  ) {
    this.offsetMs = o.offsetMs ?? 0;
    this.rate = o.rate ?? 1;
    if (!(this.rate > 0) || !Number.isFinite(this.offsetMs)) throw new Error(`a skewed clock needs rate > 0 and a finite offset (got rate ${o.rate}, offset ${o.offsetMs})`);
    this.anchor = base.now();
  }

  now(): number {
    return Math.round(this.anchor + (this.base.now() - this.anchor) * this.rate + this.offsetMs);
  }

  private real(ms: number): number {
    return Math.max(0, ms / this.rate);
  }

  setTimeout(fn: () => void, ms: number): Timer {
    return this.base.setTimeout(fn, this.real(ms));
  }
  clearTimeout(t: Timer | undefined): void {
    this.base.clearTimeout(t);
  }
  setInterval(fn: () => void, ms: number): Timer {
    return this.base.setInterval(fn, this.real(ms));
  }
  clearInterval(t: Timer | undefined): void {
    this.base.clearInterval(t);
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, ms, signal);
  }
  hold(): () => void {
    return this.base.hold();
  }
}
