// The client's 429 retry honours Retry-After on its own clock (an injected one here, so the test
// measures the wait instead of sleeping): requests, watches and log streams are sent again after
// the seconds the server asked for; as client-go's checkWait, a 5xx with the header is retried too
// and an answer without it is the caller's.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, type ResourceRef } from '../../src/client/index.ts';
import { realClock, type Clock } from '../../src/clock/index.ts';

const CM: ResourceRef = { group: '', version: 'v1', plural: 'configmaps', namespaced: true, kind: 'ConfigMap' };
const PODS: ResourceRef = { group: '', version: 'v1', plural: 'pods', namespaced: true, kind: 'Pod' };

/** A clock whose sleep() moves its now() forward at once and records the wait. */
class SteppingClock implements Clock {
  t = Date.UTC(2026, 0, 1);
  readonly waits: number[] = [];
  now = () => this.t;
  setTimeout = realClock.setTimeout;
  clearTimeout = realClock.clearTimeout;
  setInterval = realClock.setInterval;
  clearInterval = realClock.clearInterval;
  hold = realClock.hold;
  sleep = async (ms: number): Promise<void> => {
    this.waits.push(ms);
    this.t += ms;
  };
}

const clock = new SteppingClock();
/** Each request as the server saw it, with the client's clock at its arrival. */
const seen: { url: string; at: number }[] = [];
/** How many 429s (with this Retry-After) the next requests get, per path prefix. */
const throttle = new Map<string, { times: number; retryAfter?: string }>();
/** The code the throttled answers carry. */
let status = 429;
let server: http.Server;
let url = '';

before(async () => {
  server = http.createServer((req, res) => {
    seen.push({ url: req.url!, at: clock.now() });
    req.resume();
    const path = req.url!.split('?')[0];
    const t = throttle.get(path);
    if (t && t.times > 0) {
      t.times--;
      const headers: Record<string, string> = { 'Content-Type': 'application/json' };
      if (t.retryAfter !== undefined) headers['Retry-After'] = t.retryAfter;
      res.writeHead(status, headers);
      const reason = status === 429 ? 'TooManyRequests' : 'ServiceUnavailable';
      res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'Too many requests, please try again later.', reason, code: status }));
      return;
    }
    if (req.url!.includes('watch=true')) {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(`${JSON.stringify({ type: 'ADDED', object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'w', namespace: 'default', resourceVersion: '5' } } })}\n`);
      return;
    }
    if (path.endsWith('/log')) {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('line 1\n');
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'default', resourceVersion: '3' } }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(async () => {
  await new Promise((r) => server.close(r));
});

function fresh(): { c: Client; from: number } {
  seen.length = 0;
  clock.waits.length = 0;
  return { c: new Client({ server: url, qps: 0, clock }), from: clock.now() };
}

test('GET: 429 with Retry-After: 1, then 200 — the second attempt comes 1 s later on the client clock', async () => {
  const { c, from } = fresh();
  throttle.set('/api/v1/namespaces/default/configmaps/a', { times: 1, retryAfter: '1' });
  const got = await c.resource(CM).get('a', { namespace: 'default' });
  assert.equal(got.metadata.name, 'a');
  assert.equal(seen.length, 2, 'one 429 and one retry');
  assert.deepEqual(clock.waits, [1000]);
  assert.equal(seen[0].at, from);
  assert.ok(seen[1].at - seen[0].at >= 1000, `the retry came ${seen[1].at - seen[0].at} ms later`);
  c.close();
});

test('Retry-After per answer: 2 s then 0 s; the cap and the retry budget bound the waits', async () => {
  const { c } = fresh();
  throttle.set('/api/v1/namespaces/default/configmaps/a', { times: 1, retryAfter: '2' });
  await c.resource(CM).get('a', { namespace: 'default' });
  throttle.set('/api/v1/namespaces/default/configmaps/a', { times: 1, retryAfter: '0' });
  await c.resource(CM).get('a', { namespace: 'default' });
  assert.deepEqual(clock.waits, [2000, 0]);
  c.close();
  const capped = new Client({ server: url, qps: 0, clock, maxRetries: 2, maxRetryAfterSeconds: 5 });
  clock.waits.length = 0;
  throttle.set('/api/v1/namespaces/default/configmaps/a', { times: 3, retryAfter: '3600' });
  await assert.rejects(capped.resource(CM).get('a', { namespace: 'default' }), (e: any) => e.code === 429 && e.reason === 'TooManyRequests');
  assert.deepEqual(clock.waits, [5000, 5000], 'two retries, each capped at 5 s');
  capped.close();
});

test('without Retry-After a 429 is the caller\'s at once (a PodDisruptionBudget refusing an eviction), as client-go does', async () => {
  const { c } = fresh();
  throttle.set('/api/v1/namespaces/default/configmaps/a', { times: 1 });
  await assert.rejects(c.resource(CM).get('a', { namespace: 'default' }), (e: any) => e.code === 429);
  assert.equal(seen.length, 1);
  assert.deepEqual(clock.waits, []);
  c.close();
});

test('a 5xx with Retry-After is retried too; one without is the caller\'s', async () => {
  const { c } = fresh();
  status = 503;
  try {
    throttle.set('/api/v1/namespaces/default/configmaps/a', { times: 1, retryAfter: '1' });
    await c.resource(CM).get('a', { namespace: 'default' });
    assert.equal(seen.length, 2);
    assert.deepEqual(clock.waits, [1000]);
    throttle.set('/api/v1/namespaces/default/configmaps/a', { times: 1 });
    await assert.rejects(c.resource(CM).get('a', { namespace: 'default' }), (e: any) => e.code === 503);
    assert.equal(seen.length, 3);
  } finally {
    status = 429;
  }
  c.close();
});

test('writes are retried the same way (the server refused them before doing anything)', async () => {
  const { c } = fresh();
  throttle.set('/api/v1/namespaces/default/configmaps', { times: 1, retryAfter: '1' });
  await c.resource(CM).create({ metadata: { name: 'a', namespace: 'default' } });
  assert.equal(seen.length, 2);
  assert.deepEqual(clock.waits, [1000]);
  c.close();
});

test('a watch answered 429 is opened again after Retry-After', async () => {
  const { c } = fresh();
  throttle.set('/api/v1/namespaces/default/configmaps', { times: 2, retryAfter: '1' });
  const w = await c.resource(CM).watch({ namespace: 'default' });
  const events = [];
  for await (const ev of w) events.push(ev);
  assert.deepEqual(events.map((e) => e.type), ['ADDED']);
  assert.equal(seen.length, 3);
  assert.deepEqual(clock.waits, [1000, 1000]);
  assert.ok(seen[2].at - seen[0].at >= 2000);
  c.close();
});

test('a followed log stream answered 429 is opened again after Retry-After', async () => {
  const { c } = fresh();
  throttle.set('/api/v1/namespaces/default/pods/p/log', { times: 1, retryAfter: '1' });
  const stream = await c.resource(PODS).logStream('p', { namespace: 'default', follow: true });
  let text = '';
  for await (const chunk of stream) text += chunk;
  assert.equal(text, 'line 1\n');
  assert.deepEqual(clock.waits, [1000]);
  c.close();
});
