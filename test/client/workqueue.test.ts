// Workqueue semantics (dedup, no concurrent processing of one item, delayed and rate-limited adds,
// shutdown and drain, metrics) and the rate limiters behind it, with an injectable clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import {
  RateLimitingQueue,
  TokenBucket,
  ItemExponentialFailureRateLimiter,
  BucketRateLimiter,
  MaxOfRateLimiter,
  defaultControllerRateLimiter,
  type Clock,
} from '../../src/client/index.ts';
import { eventually } from '../helpers/eventually.ts';

class FakeClock implements Pick<Clock, 'now'> {
  t = 1_000_000;
  now(): number {
    return this.t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

test('add deduplicates an item while it is queued', async () => {
  const q = new RateLimitingQueue<string>();
  q.add('a');
  q.add('b');
  q.add('a');
  assert.equal(q.len(), 2);
  assert.deepEqual(await q.get(), { item: 'a', shutdown: false });
  assert.deepEqual(await q.get(), { item: 'b', shutdown: false });
  assert.equal(q.len(), 0);
});

test('an item being processed is not handed out again until done(); re-added then requeued', async () => {
  const q = new RateLimitingQueue<string>();
  q.add('a');
  const first = await q.get();
  assert.equal(first.item, 'a');
  q.add('a'); // while processing
  assert.equal(q.len(), 0, 'not queued while processing');
  let second: string | undefined;
  void q.get().then((r) => (second = r.item));
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(second, undefined, 'a second worker must not get the item in flight');
  q.done('a');
  await eventually(() => second === 'a', 'condition');
  q.done('a');
  assert.equal(q.len(), 0);
});

test('done() of an item that was not re-added does not requeue it', async () => {
  const q = new RateLimitingQueue<string>();
  q.add('x');
  await q.get();
  q.done('x');
  assert.equal(q.len(), 0);
});

test('get() waits for an add; waiting workers each get distinct items', async () => {
  const q = new RateLimitingQueue<string>();
  const got: string[] = [];
  const w1 = q.get().then((r) => got.push(r.item!));
  const w2 = q.get().then((r) => got.push(r.item!));
  q.add('a');
  q.add('b');
  q.add('a');
  await Promise.all([w1, w2]);
  assert.deepEqual(got.sort(), ['a', 'b']);
});

test('addAfter delays the add; the earliest pending delay wins; duplicates collapse', async () => {
  const q = new RateLimitingQueue<string>();
  const t0 = Date.now();
  q.addAfter('a', 200);
  q.addAfter('a', 30);
  q.addAfter('a', 100);
  assert.equal(q.len(), 0);
  const r = await q.get();
  const waited = Date.now() - t0;
  assert.equal(r.item, 'a');
  assert.ok(waited >= 25 && waited < 190, `waited ${waited} ms`);
  q.done('a');
  await new Promise((r) => setTimeout(r, 250));
  assert.equal(q.len(), 0, 'the later delays were merged into the earliest');
});

test('addRateLimited backs off exponentially per item; forget resets; numRequeues counts', async () => {
  const limiter = new ItemExponentialFailureRateLimiter<string>(5, 1000 * 1000);
  const q = new RateLimitingQueue<string>({ rateLimiter: limiter });
  assert.equal(q.numRequeues('k'), 0);
  q.addRateLimited('k');
  q.addRateLimited('k');
  assert.equal(q.numRequeues('k'), 2);
  const r = await q.get();
  assert.equal(r.item, 'k');
  q.done('k');
  q.forget('k');
  assert.equal(q.numRequeues('k'), 0);
  q.shutDown();
});

test('ItemExponentialFailureRateLimiter: 5ms doubling to the 1000 s cap, per item', () => {
  const l = new ItemExponentialFailureRateLimiter<string>(5, 1000 * 1000);
  assert.deepEqual([l.when('a'), l.when('a'), l.when('a'), l.when('a')], [5, 10, 20, 40]);
  assert.equal(l.when('b'), 5, 'items back off independently');
  for (let i = 0; i < 40; i++) l.when('a');
  assert.equal(l.when('a'), 1000 * 1000);
  l.forget('a');
  assert.equal(l.when('a'), 5);
});

test('TokenBucket: burst immediately, then qps; refills with time; unlimited when qps is 0 or Infinity', () => {
  const c = new FakeClock();
  const b = new TokenBucket(10, 3, c);
  assert.deepEqual([b.reserve(), b.reserve(), b.reserve()], [0, 0, 0]);
  assert.equal(Math.round(b.reserve()), 100, 'fourth token in 1/qps');
  assert.equal(Math.round(b.reserve()), 200, 'waiters queue up');
  c.advance(1000);
  assert.equal(b.tryTake(), true);
  assert.equal(new TokenBucket(0, 1, c).reserve(), 0);
  const inf = new TokenBucket(Infinity, 1, c);
  for (let i = 0; i < 1000; i++) assert.equal(inf.reserve(), 0);
});

test('default controller rate limiter = max(per-item 5ms.., bucket 10 qps burst 100)', () => {
  const c = new FakeClock();
  const l = defaultControllerRateLimiter<string>(c);
  // 100 distinct items within the burst: per-item delay 5 ms each.
  for (let i = 0; i < 100; i++) assert.equal(l.when(`i${i}`), 5);
  // burst exhausted: the bucket dominates (100 ms per token at 10 qps).
  assert.equal(Math.round(l.when('x')), 100);
  const m = new MaxOfRateLimiter<string>(new ItemExponentialFailureRateLimiter(1, 10), new BucketRateLimiter(new TokenBucket(1, 1, c)));
  assert.equal(m.numRequeues('z'), 0);
  m.when('z');
  assert.equal(m.numRequeues('z'), 1);
});

test('shutDown: waiting getters get shutdown; queued items still handed out; adds ignored', async () => {
  const q = new RateLimitingQueue<string>();
  q.add('a');
  q.shutDown();
  q.add('b');
  assert.deepEqual(await q.get(), { item: 'a', shutdown: false });
  assert.deepEqual(await q.get(), { item: undefined, shutdown: true });
  const q2 = new RateLimitingQueue<string>();
  const waiting = q2.get();
  q2.shutDown();
  assert.deepEqual(await waiting, { item: undefined, shutdown: true });
});

test('shutDownWithDrain waits for in-flight and queued items to be done', async () => {
  const q = new RateLimitingQueue<string>();
  q.add('a');
  q.add('b');
  const a = await q.get();
  let drained = false;
  const d = q.shutDownWithDrain().then(() => (drained = true));
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(drained, false);
  q.done(a.item!);
  const b = await q.get();
  assert.equal(b.item, 'b');
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(drained, false, 'b still in flight');
  q.done('b');
  await d;
  assert.equal(drained, true);
});

test('metrics: depth, adds, retries, queue latency and work duration per queue name', async () => {
  const reg = new Registry();
  const q = new RateLimitingQueue<string>({ name: 'test-q', metricsRegistry: reg, rateLimiter: new ItemExponentialFailureRateLimiter(1, 1) });
  q.add('a');
  q.add('b');
  q.add('a');
  const depth = await reg.getSingleMetric('workqueue_depth')!.get();
  assert.equal(depth.values.find((v) => v.labels.name === 'test-q')?.value, 2);
  const r = await q.get();
  q.done(r.item!);
  q.addRateLimited('c');
  const adds = await reg.getSingleMetric('workqueue_adds_total')!.get();
  assert.equal(adds.values.find((v) => v.labels.name === 'test-q')?.value, 2);
  const retries = await reg.getSingleMetric('workqueue_retries_total')!.get();
  assert.equal(retries.values.find((v) => v.labels.name === 'test-q')?.value, 1);
  const lat = await reg.getSingleMetric('workqueue_queue_duration_seconds')!.get();
  assert.equal(lat.values.find((v: any) => v.metricName === 'workqueue_queue_duration_seconds_count' && v.labels.name === 'test-q')?.value, 1);
  const work = await reg.getSingleMetric('workqueue_work_duration_seconds')!.get();
  assert.equal(work.values.find((v: any) => v.metricName === 'workqueue_work_duration_seconds_count' && v.labels.name === 'test-q')?.value, 1);
  q.shutDown();
});
