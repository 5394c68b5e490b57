// --request-timeout: a slow request answers 504 Timeout (Kubernetes' Status) at the deadline, its
// late answer is dropped without harm, ?timeout= shortens the deadline (400 when malformed),
// watches are exempt, and the 3 MiB body limit still answers 413.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startApiServer, type RunningApiServer } from '../../src/apiserver/index.ts';
import { MemoryStore } from '../../src/storage/memory.ts';
import { FaultyStore } from '../../src/storage/faulty.ts';
import { requestDeadlineMs, isLongRunning } from '../../src/apiserver/timeout.ts';
import { eventually } from '../helpers/eventually.ts';
import { registry as builtin } from '../../src/api/registry.ts';
import { attachKindStorage } from '../../src/apiserver/kinds/index.ts';

attachKindStorage(builtin);

let server: RunningApiServer;
const faulty = new FaultyStore(new MemoryStore());
const cm = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { k: 'v' } });
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function request(method: string, path: string, body?: unknown): Promise<{ status: number; json: any; ms: number }> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const text = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const req = http.request(server.url + path, { method, agent, headers: text ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) } : {} }, (res) => {
      let data = '';
      res.on('data', (c) => (data += c));
      res.on('end', () => resolve({ status: res.statusCode!, json: data ? JSON.parse(data) : undefined, ms: performance.now() - t0 }));
    });
    req.on('error', reject);
    req.end(text);
  });
}

before(async () => {
  server = await startApiServer({ store: faulty, requestTimeoutMs: 1000 });
});
after(async () => {
  agent.destroy();
  await server.close();
});

test('a request past --request-timeout answers 504 Timeout; the late answer is dropped', async () => {
  faulty.set({ commitLatencyMs: 2500 });
  const r = await request('POST', '/api/v1/namespaces/default/configmaps', cm('slow'));
  assert.equal(r.status, 504);
  assert.deepEqual(r.json, {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: 'Timeout: request did not complete within the allotted timeout',
    reason: 'Timeout',
    details: {},
    code: 504,
  });
  assert.ok(r.ms < 2400, `answered at the deadline (${Math.round(r.ms)} ms)`);
  // The write itself goes on and lands; its late answer goes nowhere, and the connection still serves.
  faulty.clear();
  await eventually(async () => (await request('GET', '/api/v1/namespaces/default/configmaps/slow')).status === 200, 'the slow create landed', 10_000, 100);
  assert.equal((await request('GET', '/api/v1/namespaces/default/configmaps')).status, 200);
});

test('?timeout= shortens the deadline; a malformed one is 400', async () => {
  faulty.set({ commitLatencyMs: 800 });
  const short = await request('POST', '/api/v1/namespaces/default/configmaps?timeout=100ms', cm('short'));
  assert.equal(short.status, 504);
  assert.ok(short.ms < 750, `${Math.round(short.ms)} ms`);
  // Longer than the server's: the server's applies (the 800 ms commit fits in 1 s).
  assert.equal((await request('POST', '/api/v1/namespaces/default/configmaps?timeout=5m', cm('long'))).status, 201);
  faulty.clear();
  const bad = await request('GET', '/api/v1/namespaces/default/configmaps?timeout=soon');
  assert.equal(bad.status, 400);
  assert.equal(bad.json.message, 'invalid timeout specified in the request URL - time: invalid duration "soon"');
});

test('watches are exempt from the request timeout', async () => {
  const events: string[] = [];
  const res = await new Promise<http.IncomingMessage>((resolve) => http.get(server.url + '/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=0', resolve));
  assert.equal(res.statusCode, 200);
  res.on('data', (c: Buffer) => events.push(...c.toString().split('\n').filter(Boolean)));
  await new Promise((r) => setTimeout(r, 1500));
  await request('POST', '/api/v1/namespaces/default/configmaps', cm('after-deadline'));
  await eventually(() => events.some((e) => e.includes('after-deadline')), 'the watch still streams past the deadline', 10_000);
  res.destroy();
});

test('the 3 MiB body limit still answers 413', async () => {
  const big = JSON.stringify({ ...cm('big'), data: { k: 'x'.repeat(3 * 1024 * 1024 + 10) } });
  const r = await new Promise<number>((resolve, reject) => {
    const req = http.request(server.url + '/api/v1/namespaces/default/configmaps', { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(big) } }, (res) => {
      res.resume();
      resolve(res.statusCode!);
    });
    req.on('error', reject);
    req.end(big);
  });
  assert.equal(r, 413);
});

test('deadline and long-running rules (table)', () => {
  const q = (s: string) => new URLSearchParams(s);
  const cases: [string, number | string][] = [
    ['', 60_000],
    ['timeout=30s', 30_000],
    ['timeout=1m30s', 60_000],
    ['timeout=0s', 60_000],
    ['timeout=-5s', 60_000],
    ['timeout=250ms', 250],
    ['timeout=5', 'invalid timeout specified in the request URL - time: missing unit in duration "5"'],
    ['timeout=5x', 'invalid timeout specified in the request URL - time: unknown unit "x" in duration "5x"'],
  ];
  for (const [query, want] of cases) {
    if (typeof want === 'number') assert.equal(requestDeadlineMs(q(query), 60_000), want, query);
    else assert.throws(() => requestDeadlineMs(q(query), 60_000), (e: Error) => e.message === want, query);
  }
  const pods = builtin.byResource('', 'v1', 'pods')!;
  const services = builtin.byResource('', 'v1', 'services')!;
  assert.equal(isLongRunning({ verb: 'watch' }, pods), true);
  assert.equal(isLongRunning({ verb: 'get', subresource: 'log' }, pods), true);
  assert.equal(isLongRunning({ verb: 'create', subresource: 'exec' }, pods), true);
  assert.equal(isLongRunning({ verb: 'get', subresource: 'proxy' }, services), true);
  assert.equal(isLongRunning({ verb: 'get', subresource: 'status' }, pods), false);
  assert.equal(isLongRunning({ verb: 'list' }, pods), false);
});
