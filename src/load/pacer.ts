// Issues calls at a steady rate (open loop: a slow answer does not slow the schedule), with a cap
// on calls in flight so a stalled server cannot make the generator grow without bound.
import { sleep } from '../client/index.ts';

/** How many ticks are due by `elapsedMs` at `qps` (tick 0 at time 0) minus those already issued. */
export function ticksDue(elapsedMs: number, qps: number, issued: number): number {
  return Math.max(0, Math.floor((elapsedMs * qps) / 1000) + 1 - issued);
}

export interface PaceOptions {
  qps: number;
  /** Stop issuing after this long (ms). */
  durationMs: number;
  signal?: AbortSignal;
  maxInflight?: number;
  /** Stop early when this says so (e.g. density's plan is exhausted). */
  done?: () => boolean;
}

export interface PaceResult {
  issued: number;
  /** Ticks dropped because maxInflight calls were still waiting. */
  skipped: number;
}

/** Calls tick(seq) at the rate; resolves when the duration is over (calls may still be in flight: await drain()). */
export class Pacer {
  inflight = 0;
  private waiters: (() => void)[] = [];

  async run(o: PaceOptions, tick: (seq: number) => Promise<unknown>): Promise<PaceResult> {
    const t0 = performance.now();
    const max = o.maxInflight ?? 500;
    let issued = 0;
    let skipped = 0;
    while (!o.signal?.aborted && !o.done?.()) {
      const elapsed = performance.now() - t0;
      if (elapsed >= o.durationMs) break;
      for (let n = ticksDue(elapsed, o.qps, issued + skipped); n > 0 && !o.done?.(); n--) {
        if (this.inflight >= max) {
          skipped++;
          continue;
        }
        const seq = issued++;
        this.inflight++;
        tick(seq)
          .catch(() => {})
          .finally(() => {
            this.inflight--;
            if (this.inflight === 0) for (const w of this.waiters.splice(0)) w();
          });
      }
      const next = ((issued + skipped) * 1000) / o.qps;
      await sleep(Math.max(1, Math.min(next - (performance.now() - t0), o.durationMs - (performance.now() - t0), 250)), o.signal).catch(() => {});
    }
    return { issued, skipped };
  }

  /** Resolves once no call is in flight (or after timeoutMs). */
  drain(timeoutMs = 30_000): Promise<void> {
    if (this.inflight === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const t = setTimeout(resolve, timeoutMs);
      this.waiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }
}
