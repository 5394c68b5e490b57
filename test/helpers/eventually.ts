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
