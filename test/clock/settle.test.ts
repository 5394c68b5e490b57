// VirtualClock.settle(): how many event-loop turns a settle takes. It resolves at the first turn
// at which the process is quiescent (nothing held, no other setImmediate callback queued); while
// other callbacks are queued it turns idleTurns times without activity, as it always did.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../src/clock/index.ts';

/** Runs fn with the global setImmediate counted (the clock's turns are setImmediate callbacks). */
async function countingImmediates<T>(fn: () => Promise<T>): Promise<{ value: T; calls: number }> {
  const real = globalThis.setImmediate;
  let calls = 0;
  globalThis.setImmediate = ((cb: (...a: unknown[]) => void, ...args: unknown[]) => {
    calls++;
    return real(cb, ...args);
  }) as typeof setImmediate;
  try {
    const value = await fn();
    return { value, calls };
  } finally {
    globalThis.setImmediate = real;
  }
}

test('an idle clock settles in one turn, not idleTurns', async () => {
  const c = new VirtualClock({ idleTurns: 8 });
  const { calls } = await countingImmediates(() => c.settle());
  assert.equal(calls, 1);
});

test('work chained through setImmediate (no hold) finishes before settle resolves', async () => {
  const c = new VirtualClock({ idleTurns: 8 });
  let hops = 0;
  const { calls } = await countingImmediates(async () => {
    const chain = (): void => void (++hops < 5 && setImmediate(chain));
    setImmediate(chain);
    await c.settle();
    return hops;
  });
  assert.equal(hops, 5, 'the whole chain ran');
  assert.ok(calls <= 5 + 6, `it stopped turning soon after the chain ended (${calls} setImmediate calls)`);
});

test('while other callbacks stay queued and nothing is active, settle still turns idleTurns times', async () => {
  const c = new VirtualClock({ idleTurns: 8 });
  let hops = 0;
  let stop = false;
  const chain = (): void => void (++hops, stop || setImmediate(chain));
  setImmediate(chain);
  await c.settle();
  const at = hops;
  stop = true;
  assert.ok(at >= 8 && at <= 10, `resolved after the idle turns, not at the first one (${at} hops of the chain ran)`);
});

test('held work keeps settle waiting; released, it resolves', async () => {
  const c = new VirtualClock({ idleTurns: 8 });
  const release = c.hold();
  let done = false;
  const settled = c.settle().then(() => (done = true));
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  assert.equal(done, false);
  release();
  await settled;
  assert.equal(done, true);
});
