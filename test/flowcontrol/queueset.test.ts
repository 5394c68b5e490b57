// One priority level's queue set: immediate execution while seats are free, queue-full and
// concurrency-limit rejections, fair dispatch across flows, the wait limit, cancellation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { QueueSet, type Admission } from '../../src/apiserver/flowcontrol/queueset.ts';

const admitted = (a: Admission) => {
  assert.ok(a.admitted, 'admitted');
  return a.release;
};

test('executes at once while seats are free; then queues up to the hand\'s queue limits, then rejects queue-full', async () => {
  const qs = new QueueSet({ concurrencyLimit: 2, waitLimitMs: 60_000, queuing: { queues: 4, handSize: 1, queueLengthLimit: 3 } });
  const r1 = admitted((await qs.admit('s', 'alice')) as Admission);
  const r2 = admitted((await qs.admit('s', 'alice')) as Admission);
  const waiting = [qs.admit('s', 'alice'), qs.admit('s', 'alice'), qs.admit('s', 'alice')];
  assert.ok(waiting.every((w) => w instanceof Promise));
  assert.equal(qs.waitingCount, 3);
  const full = await qs.admit('s', 'alice');
  assert.deepEqual({ ...full, waitedMs: 0 }, { admitted: false, reason: 'queue-full', waitedMs: 0 });
  r1();
  r1(); // a second release is a no-op
  const first = await waiting[0];
  assert.ok(first.admitted);
  assert.equal(qs.executing, 2);
  assert.equal(qs.waitingCount, 2);
  r2();
  if (first.admitted) first.release();
  for (const w of waiting.slice(1)) {
    const a = await w;
    if (a.admitted) a.release();
  }
  assert.equal(qs.executing, 0);
});

test('a Reject level rejects over its limit (concurrency-limit)', async () => {
  const qs = new QueueSet({ concurrencyLimit: 1, waitLimitMs: 1000 });
  const r = admitted((await qs.admit('catch-all', 'x')) as Admission);
  const no = (await qs.admit('catch-all', 'y')) as Admission;
  assert.equal(no.admitted ? '' : no.reason, 'concurrency-limit');
  r();
  admitted((await qs.admit('catch-all', 'y')) as Admission)();
});

test('fair queuing: a second flow gets every other seat while a heavy flow has a long backlog', async () => {
  const qs = new QueueSet({ concurrencyLimit: 1, waitLimitMs: 60_000, queuing: { queues: 64, handSize: 2, queueLengthLimit: 100 } });
  const order: string[] = [];
  const running: (() => void)[] = [];
  const go = (flow: string) => {
    const a = qs.admit('s', flow);
    void Promise.resolve(a).then((x) => {
      if (x.admitted) {
        order.push(flow);
        running.push(x.release);
      }
    });
  };
  go('flood');
  for (let i = 0; i < 50; i++) go('flood');
  for (let i = 0; i < 5; i++) go('light');
  await new Promise((r) => setImmediate(r));
  // release one by one and record who is served
  for (let i = 0; i < 20; i++) {
    running.shift()!();
    await new Promise((r) => setImmediate(r));
  }
  const served = order.slice(1, 21);
  const light = served.map((f, i) => (f === 'light' ? i : -1)).filter((i) => i >= 0);
  assert.equal(light.length, 5, `light served ${light.length} of 5 in ${served.join(',')}`);
  assert.ok(light[4] < 12, `light flow finished within its fair share (positions ${light})`);
  qs.drain();
});

test('the wait limit rejects with time-out; cancel() rejects with cancelled', async () => {
  const qs = new QueueSet({ concurrencyLimit: 1, waitLimitMs: 50, queuing: { queues: 8, handSize: 2, queueLengthLimit: 10 } });
  const r = admitted((await qs.admit('s', 'a')) as Admission);
  const t = await qs.admit('s', 'a');
  assert.equal(t.admitted ? '' : t.reason, 'time-out');
  assert.ok(t.waitedMs >= 45, `waited ${t.waitedMs} ms`);
  let cancel: () => void = () => {};
  const c = qs.admit('s', 'b', (f) => (cancel = f));
  cancel();
  const got = await c;
  assert.equal(got.admitted ? '' : got.reason, 'cancelled');
  assert.equal(qs.waitingCount, 0);
  r();
  assert.equal(qs.executing, 0);
});

test('setConfig: a larger limit dispatches waiting requests at once', async () => {
  const qs = new QueueSet({ concurrencyLimit: 1, waitLimitMs: 60_000, queuing: { queues: 8, handSize: 2, queueLengthLimit: 10 } });
  admitted((await qs.admit('s', 'a')) as Admission);
  const w = qs.admit('s', 'b');
  qs.setConfig({ concurrencyLimit: 2, waitLimitMs: 60_000, queuing: { queues: 8, handSize: 2, queueLengthLimit: 10 } });
  assert.ok((await w).admitted);
  assert.equal(qs.executing, 2);
});

test('a light flow sending one request at a time gets its fair share behind a flood that keeps both queues of its hand full (bench/apf.ts): at most two seat turns, however much it was served before the flood', async () => {
  // tenants as bench/apf.ts configures it: 1 seat, 16 queues, hand 2, queue length 10
  const qs = new QueueSet({ concurrencyLimit: 1, waitLimitMs: 60_000, queuing: { queues: 16, handSize: 2, queueLengthLimit: 10 } });
  const running: (() => void)[] = [];
  let bobServed = false;
  const admitAlice = () => {
    const a = qs.admit('tenants', 'alice');
    if (!(a instanceof Promise)) {
      if (a.admitted) running.push(a.release);
      return;
    }
    void a.then((x) => x.admitted && running.push(x.release));
  };
  const tick = () => new Promise((r) => setImmediate(r));
  // before the flood, bob alone: his requests run at once, one after the other (uncontended service
  // must not count against him once alice arrives)
  for (let i = 0; i < 100; i++) {
    const a = qs.admit('tenants', 'bob');
    assert.ok(!(a instanceof Promise) && a.admitted);
    a.release();
  }
  // alice fills her seat and both her queues (the rest of her 400 in flight are rejected queue-full)
  for (let i = 0; i < 30; i++) admitAlice();
  await tick();
  const turns: number[] = [];
  for (let round = 0; round < 50; round++) {
    bobServed = false;
    void Promise.resolve(qs.admit('tenants', 'bob')).then((x) => {
      assert.ok(x.admitted);
      bobServed = true;
      running.push(x.release);
    });
    await tick();
    let n = 0;
    while (!bobServed) {
      running.shift()!();
      n++;
      for (let i = 0; i < 5; i++) admitAlice(); // alice refills what was freed
      await tick();
      assert.ok(n <= 3, `bob still waiting after ${n} seat turns (round ${round})`);
    }
    turns.push(n);
    // bob's request finishes before he sends the next one
    const bob = running.pop()!;
    bob();
    await tick();
  }
  // alice's two queues and bob's one share the seat round robin: bob's request is served once the
  // holder is done and at most one more of alice's has run (the very first round, a three-way tie, two).
  assert.ok(turns[0] <= 3 && Math.max(...turns.slice(1)) <= 2, `bob waited ${turns.join(',')} seat turns`);
  qs.drain();
});

test('tryStart takes a free seat at once (false once the level is full or someone waits); finish gives it back and dispatches', async () => {
  const qs = new QueueSet({ concurrencyLimit: 1, waitLimitMs: 60_000, queuing: { queues: 4, handSize: 2, queueLengthLimit: 5 } });
  const seat = qs.tryStart('s', 'alice');
  assert.notEqual(seat, false);
  assert.equal(qs.executing, 1);
  assert.equal(qs.tryStart('s', 'bob'), false, 'no free seat');
  const waiting = qs.admit('s', 'bob');
  assert.ok(waiting instanceof Promise);
  if (seat !== false) qs.finish(seat);
  const got = await waiting;
  assert.ok(got.admitted, 'the waiting request got the freed seat');
  assert.equal(qs.executing, 1);
  if (got.admitted) got.release();
  assert.equal(qs.executing, 0);
  // a Reject level (no queues) has seats too
  const reject = new QueueSet({ concurrencyLimit: 1, waitLimitMs: 1000 });
  const r = reject.tryStart('catch-all', 'x');
  assert.notEqual(r, false);
  assert.equal(reject.tryStart('catch-all', 'y'), false);
  if (r !== false) reject.finish(r);
  assert.equal(reject.executing, 0);
});
