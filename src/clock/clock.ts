// The one clock every component reads: now(), timers, intervals and sleep. Real time by default;
// `kubesim simulate` passes a VirtualClock (./virtual.ts) so hours of cluster life run in seconds.
// hold() is how a component tells a virtual clock it is busy (a request in flight, a queue not empty):
// the virtual clock only jumps to its next timer when nothing is held. On the real clock it is a no-op.

/** What setTimeout/setInterval return; NodeJS.Timeout satisfies it. */
export interface Timer {
  unref?(): unknown;
  ref?(): unknown;
}

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  setTimeout(fn: () => void, ms: number): Timer;
  clearTimeout(t: Timer | undefined): void;
  setInterval(fn: () => void, ms: number): Timer;
  clearInterval(t: Timer | undefined): void;
  /** Resolves after ms; rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Marks work in progress until the returned release is called (idempotent). */
  hold(): () => void;
}

const noop = () => {};

/** sleep() on any clock's setTimeout/clearTimeout. */
export function sleepOn(clock: Pick<Clock, 'setTimeout' | 'clearTimeout'>, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason ?? new Error('aborted'));
    const onAbort = () => {
      clock.clearTimeout(t);
      reject(signal!.reason ?? new Error('aborted'));
    };
    const t = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The wall clock and node's own timers. */
export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (t) => clearTimeout(t as NodeJS.Timeout | undefined),
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (t) => clearInterval(t as NodeJS.Timeout | undefined),
  sleep: (ms, signal) => sleepOn(realClock, ms, signal),
  hold: () => noop,
};

/**
 * A clock tests move by hand: now() is what advance() made it; its timers are node's real ones (the
 * node pool's TimerQueue tests call runDue themselves). For timers on virtual time, use VirtualClock.
 */
export class ManualClock implements Clock {
  constructor(public t = Date.UTC(2026, 0, 1)) {}
  now(): number {
    return this.t;
  }
  advance(ms: number): number {
    this.t += ms;
    return this.t;
  }
  setTimeout = realClock.setTimeout;
  clearTimeout = realClock.clearTimeout;
  setInterval = realClock.setInterval;
  clearInterval = realClock.clearInterval;
  sleep = realClock.sleep;
  hold = realClock.hold;
}
