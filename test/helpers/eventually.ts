// The one wait helper of the test suite: poll a condition until it holds, with a deadline, never
// sleep-and-hope. `fn` may be sync or async; a thrown error counts as "not yet" (the last one is
// reported if the deadline passes).
export type Truthy<T> = Exclude<T, false | null | undefined | 0 | ''>;

/** Polls fn every `everyMs` until it returns a truthy value (returned), or throws once `timeoutMs` pass. */
export async function eventually<T>(fn: () => T | Promise<T>, what: string, timeoutMs = 20_000, everyMs = 50): Promise<Truthy<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  let lastErr: unknown;
  for (;;) {
    try {
      last = await fn();
      if (last) return last as Truthy<T>;
    } catch (e) {
      lastErr = e;
    }
    if (Date.now() >= deadline) {
      const value = lastErr !== undefined ? String(lastErr) : JSON.stringify(last)?.slice(0, 500);
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${value}`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
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
export async function eventuallyVirtual<T>(clock: SteppedClock, fn: () => T | Promise<T>, what: string, timeoutMs = 60_000, everyMs = 100): Promise<Truthy<T>> {
  const deadline = clock.now() + timeoutMs;
  let last: unknown;
  let lastErr: unknown;
  for (;;) {
    try {
      last = await fn();
      if (last) return last as Truthy<T>;
    } catch (e) {
      lastErr = e;
    }
    if (clock.now() >= deadline) {
      const value = lastErr !== undefined ? String(lastErr) : JSON.stringify(last)?.slice(0, 500);
      throw new Error(`not within ${timeoutMs} virtual ms: ${what}; last: ${value}`);
    }
    await clock.advanceTo(clock.now() + everyMs);
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
