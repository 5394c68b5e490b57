// VirtualClock: time stands still while work is held, jumps to the next timer when idle, fires
// timers in (due, creation) order, re-arms intervals, paces against the wall clock when asked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { realClock, seededRandom, VirtualClock } from '../../src/clock/index.ts';

const START = Date.UTC(2026, 0, 1);

test('idle: run() jumps straight to each timer, in due order, then to until', async () => {
  const c = new VirtualClock();
  const seen: [string, number][] = [];
  c.setTimeout(() => seen.push(['b', c.now() - START]), 3_600_000);
  c.setTimeout(() => seen.push(['a', c.now() - START]), 1000);
  const wall = Date.now();
  await c.run(START + 86_400_000);
  assert.deepEqual(seen, [['a', 1000], ['b', 3_600_000]]);
  assert.equal(c.now(), START + 86_400_000);
  assert.ok(Date.now() - wall < 5000, 'a virtual day of two timers takes no real time');
});

test('timers due at the same time fire in creation order; cleared ones never fire', async () => {
  const c = new VirtualClock();
  const seen: string[] = [];
  for (const n of ['x', 'y', 'z']) c.setTimeout(() => seen.push(n), 500);
  const t = c.setTimeout(() => seen.push('cleared'), 100);
  c.clearTimeout(t);
  await c.run(START + 1000);
  assert.deepEqual(seen, ['x', 'y', 'z']);
});

test('intervals re-arm at a fixed rate until cleared', async () => {
  const c = new VirtualClock();
  const at: number[] = [];
  const i = c.setInterval(() => {
    at.push(c.now() - START);
    if (at.length === 4) c.clearInterval(i);
  }, 250);
  await c.run(START + 10_000);
  assert.deepEqual(at, [250, 500, 750, 1000]);
  assert.equal(c.pending, 0);
});

test('a timer set by a firing timer is honoured; sleep() resolves on virtual time', async () => {
  const c = new VirtualClock();
  const seen: number[] = [];
  c.setTimeout(() => {
    seen.push(c.now() - START);
    c.setTimeout(() => seen.push(c.now() - START), 5000);
  }, 1000);
  void (async () => {
    await c.sleep(2000);
    seen.push(-(c.now() - START));
  })();
  await c.run(START + 60_000);
  assert.deepEqual(seen, [1000, -2000, 6000]);
});

test('time does not move while work is held; it moves once the work is released', async () => {
  const c = new VirtualClock();
  let fired = false;
  c.setTimeout(() => (fired = true), 1000);
  const release = c.hold();
  const running = c.run(START + 5000);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(fired, false);
  assert.equal(c.now(), START, 'held: no jump');
  release();
  await running;
  assert.equal(fired, true);
  assert.equal(c.now(), START + 5000);
});

test('work chained through promises and the event loop finishes before the clock jumps', async () => {
  const c = new VirtualClock();
  const log: string[] = [];
  c.setTimeout(() => {
    // a chain of async steps with no timer: all of it runs at t=1s
    void (async () => {
      for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
      log.push(`chain done at ${c.now() - START}`);
    })();
  }, 1000);
  c.setTimeout(() => log.push(`next timer at ${c.now() - START}`), 2000);
  await c.run(START + 3000);
  assert.deepEqual(log, ['chain done at 1000', 'next timer at 2000']);
});

test('a numeric speed paces virtual time against the wall clock', async () => {
  const c = new VirtualClock({ speed: 10 });
  let at = 0;
  c.setTimeout(() => (at = Date.now()), 2000); // 2 s virtual = 200 ms real at 10x
  const wall = Date.now();
  await c.run(START + 2000);
  assert.ok(at - wall >= 150, `paced (${at - wall} ms)`);
});

test('advanceTo fires what is due and moves now()', async () => {
  const c = new VirtualClock();
  let n = 0;
  c.setTimeout(() => n++, 10);
  c.setTimeout(() => n++, 20);
  c.setTimeout(() => n++, 30);
  assert.equal(await c.advanceTo(START + 20), 2);
  assert.equal(n, 2);
  assert.equal(c.now(), START + 20);
  assert.equal(c.nextAt(), START + 30);
});

test('the real clock is node time; its hold is a no-op', async () => {
  assert.ok(Math.abs(realClock.now() - Date.now()) < 1000);
  realClock.hold()();
  const t0 = Date.now();
  await realClock.sleep(20);
  assert.ok(Date.now() - t0 >= 15);
});

test('seededRandom repeats for a seed and differs across seeds; uuids are v4-shaped', () => {
  const a = seededRandom(7);
  const b = seededRandom(7);
  const c = seededRandom(8);
  const xs = [a.uuid(), a.int(1000), a.next()];
  assert.deepEqual([b.uuid(), b.int(1000), b.next()], xs);
  assert.notEqual(c.uuid(), xs[0]);
  assert.match(xs[0] as string, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
});
