// What the benchmarks share: command-line flags, and timing a condition with a deadline.

/** The value after `--name` on the command line, or `def`. */
export function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls check until it holds and returns the milliseconds that took; throws after timeoutMs. */
export async function until(what: string, check: () => Promise<boolean>, timeoutMs: number, everyMs = 250): Promise<number> {
  const t0 = performance.now();
  while (performance.now() - t0 < timeoutMs) {
    if (await check().catch(() => false)) return performance.now() - t0;
    await sleep(everyMs);
  }
  throw new Error(`timed out: ${what}`);
}
