// The one wait helper of the test suite: poll a condition until it holds, with a deadline, never
// sleep-and-hope. `fn` may be sync or async; a thrown error counts as "not yet" (the last one is
// reported if the deadline passes).
export type Truthy<T> = Exclude<T, false | null | undefined | 0 | ''>;

/** Polls fn every `everyMs` until it returns a truthy value (returned), or throws once `timeoutMs` pass. */
export function eventually<T>(fn: () => T | Promise<T>, what: string, timeoutMs = 20_000, everyMs = 50): Promise<Truthy<T>> {
  return poll(fn, { now: Date.now, pause: () => new Promise((r) => setTimeout(r, everyMs)) }, timeoutMs, () => `timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** What eventuallyVirtual needs of a VirtualClock (src/clock): its time and a way to move it. */
export interface SteppedClock {
  now(): number;
  advanceTo(at: number): Promise<number>;
}

/**
 * eventually on virtual time: between polls the clock moves `everyMs` of virtual time (firing
 * every timer due and letting the work they start finish); the deadline is `timeoutMs` virtual.
 * A cluster on a VirtualClock waits for nothing real, so a test of its timers takes CPU time only.
 */
export function eventuallyVirtual<T>(clock: SteppedClock, fn: () => T | Promise<T>, what: string, timeoutMs = 60_000, everyMs = 100): Promise<Truthy<T>> {
  return poll(fn, { now: () => clock.now(), pause: () => clock.advanceTo(clock.now() + everyMs) }, timeoutMs, () => `not within ${timeoutMs} virtual ms: ${what}`);
}

/** The one polling loop: fn until truthy, pausing between tries, failing past the deadline with the last answer. */
async function poll<T>(fn: () => T | Promise<T>, time: { now(): number; pause(): Promise<unknown> }, timeoutMs: number, failure: () => string): Promise<Truthy<T>> {
  const deadline = time.now() + timeoutMs;
  let last: unknown;
  let lastErr: unknown;
  for (;;) {
    try {
      last = await fn();
      if (last) return last as Truthy<T>;
    } catch (e) {
      lastErr = e;
    }
    if (time.now() >= deadline) {
      const value = lastErr !== undefined ? String(lastErr) : JSON.stringify(last)?.slice(0, 500);
      throw new Error(`${failure()}; last: ${value}`);
    }
    await time.pause();
  }
}

/** Awaits work that waits on timers (stopping a pool, closing a server), moving virtual time while it runs. */
export async function whileVirtual<T>(clock: SteppedClock, work: Promise<T>): Promise<T> {
  let done = false;
  void work.then(
    () => (done = true),
    () => (done = true),
  );
  while (!done) {
    await clock.advanceTo(clock.now() + 1000);
    // advanceTo with nothing due resolves at once: give the event loop (I/O, immediates) a turn
    await new Promise((r) => setImmediate(r));
  }
  return work;
}
