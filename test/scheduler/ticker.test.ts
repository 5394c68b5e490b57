// OnDemandTicker (src/scheduler/ticker.ts): ticks where a setInterval started with it would fire,
// armed only while there is work.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../src/clock/index.ts';
import { OnDemandTicker, nextTick } from '../../src/scheduler/ticker.ts';

test('nextTick: the first start + k·period strictly after now', () => {
  const cases: [start: number, period: number, now: number, want: number][] = [
    [0, 1000, 0, 1000],
    [0, 1000, 1, 1000],
    [0, 1000, 999, 1000],
    [0, 1000, 1000, 2000],
    [500, 1000, 2600, 3500],
    [500, 30_000, 500, 30_500],
  ];
  for (const [start, period, now, want] of cases) assert.equal(nextTick(start, period, now), want, `${start} ${period} ${now}`);
});

test('OnDemandTicker: fires on the interval grid only while run() says work is left', async () => {
  const clock = new VirtualClock({ start: 0 });
  const fired: number[] = [];
  let left = 0;
  const t = new OnDemandTicker(clock, 1000, () => (fired.push(clock.now()), --left > 0));
  await clock.advanceTo(2500);
  assert.deepEqual(fired, [], 'not armed: no ticks');
  left = 2;
  t.arm();
  t.arm(); // idempotent
  await clock.advanceTo(10_000);
  assert.deepEqual(fired, [3000, 4000]);
  left = 1;
  t.arm();
  t.stop();
  await clock.advanceTo(20_000);
  assert.deepEqual(fired, [3000, 4000], 'stopped');
});
