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

/** The environment variable a component process reads its clock skew from (chaos runs set it). */
export const CLOCK_SKEW_ENV = 'KUBESIM_CLOCK_SKEW';

/** `offsetMs=-120000,rate=1.02` (either part may be left out) → SkewOptions; throws naming the bad part. */
export function parseSkew(text: string): SkewOptions {
  const o: SkewOptions = {};
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [k, v, ...rest] = part.split('=');
    const n = Number(v);
    if (rest.length || v === undefined || v.trim() === '' || !Number.isFinite(n)) throw new Error(`${CLOCK_SKEW_ENV}: "${part}" must be offsetMs=<ms> or rate=<number>`);
    if (k === 'offsetMs') o.offsetMs = n;
    else if (k === 'rate') {
      if (!(n > 0)) throw new Error(`${CLOCK_SKEW_ENV}: rate must be > 0 (got ${v})`);
      o.rate = n;
    } else throw new Error(`${CLOCK_SKEW_ENV}: unknown "${k}" (offsetMs, rate)`);
  }
  return o;
}

/** The SkewOptions as parseSkew reads them. */
export function formatSkew(o: SkewOptions): string {
  return [o.offsetMs !== undefined && `offsetMs=${o.offsetMs}`, o.rate !== undefined && `rate=${o.rate}`].filter(Boolean).join(',');
}
