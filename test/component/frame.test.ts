// src/component: the frame the scheduler and controller-manager run in — health, metrics, routes,
// work at once or only while holding the Lease, stop in reverse.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry, Gauge } from 'prom-client';
import { startApiServer } from '../../src/apiserver/index.ts';
import { Client, LEASES } from '../../src/client/index.ts';
import { isHealthPath, matchRoute, runComponent, statusReply, type Route } from '../../src/component/index.ts';
import { silentLogger } from '../../src/log/index.ts';

const routes: Route[] = [
  { path: '/debug/status', handle: (_, ctx) => ({ code: 200, body: { leading: ctx.isLeader(), identity: ctx.identity } }) },
  { path: /^\/debug\/item\/([^/]+)\/([^/]+)$/, handle: (p) => (p[0] === 'ns' ? { code: 200, body: p } : statusReply(404, 'NotFound', `no item ${p.join('/')}`)) },
  { path: '/boom', handle: () => Promise.reject(new Error('kaput')) },
];

test('isHealthPath: the three health endpoints and their sub-paths', () => {
  const cases: [string, boolean][] = [
    ['/healthz', true],
    ['/livez', true],
    ['/readyz', true],
    ['/healthz/ping', true],
    ['/readyz/leaderElection', true],
    ['/healthzx', false],
    ['/metrics', false],
    ['/', false],
  ];
  for (const [path, want] of cases) assert.equal(isHealthPath(path), want, path);
});

test('matchRoute: exact paths, patterns with decoded groups, no match', () => {
  const cases: [string, string | RegExp | undefined, string[] | undefined][] = [
    ['/debug/status', '/debug/status', []],
    ['/debug/status/', undefined, undefined],
    ['/debug/item/ns/a%2Fb', routes[1].path, ['ns', 'a/b']],
    ['/debug/item/ns', undefined, undefined],
    ['/nope', undefined, undefined],
  ];
  for (const [path, route, params] of cases) {
    const m = matchRoute(routes, path);
    assert.equal(m?.route.path, route, path);
    assert.deepEqual(m?.params, params, path);
  }
});

test('runComponent without a lease: works at once, serves health, metrics, routes and Status errors, stops in order', async () => {
  const registry = new Registry();
  new Gauge({ name: 'frame_test_gauge', help: 'x', registers: [registry] }).set(3);
  const calls: string[] = [];
  const c = await runComponent({
    name: 'test',
    client: new Client({ server: 'http://127.0.0.1:1' }),
    logger: silentLogger,
    metricsRegistry: registry,
    identity: 'me',
    port: 0,
    routes,
    start: () => void calls.push('start'),
    onStartedLeading: (signal) => void calls.push(`started:${signal === undefined}`),
    stop: async () => void calls.push('stop'),
  });
  try {
    assert.deepEqual(calls, ['start', 'started:true']);
    assert.equal(c.isLeader(), true);
    assert.equal(c.identity, 'me');
    const get = async (p: string) => {
      const r = await fetch(`${c.url}${p}`);
      return { code: r.status, type: r.headers.get('content-type'), text: await r.text() };
    };
    for (const p of ['/healthz', '/livez', '/readyz?verbose', '/healthz/ping']) assert.deepEqual(await get(p), { code: 200, type: 'text/plain', text: 'ok' }, p);
    assert.match((await get('/metrics')).text, /frame_test_gauge 3/);
    assert.deepEqual(JSON.parse((await get('/debug/status')).text), { leading: true, identity: 'me' });
    assert.deepEqual(JSON.parse((await get('/debug/item/ns/x')).text), ['ns', 'x']);
    const cases: [string, number, string, string][] = [
      ['/debug/item/other/x', 404, 'NotFound', 'no item other/x'],
      ['/nope', 404, 'NotFound', 'the path /nope is not served'],
      ['/boom', 500, 'InternalError', 'kaput'],
    ];
    for (const [p, code, reason, message] of cases) {
      const r = await get(p);
      assert.equal(r.code, code, p);
      assert.deepEqual(JSON.parse(r.text), { kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message }, p);
    }
  } finally {
    await c.stop();
  }
  assert.deepEqual(calls, ['start', 'started:true', 'stop']);
  await assert.rejects(fetch(`${c.url}/healthz`));
  await c.stop(); // idempotent
});

test('runComponent with a lease: works only while leading, releases the lease on stop', async () => {
  const api = await startApiServer({ port: 0, logger: silentLogger });
  const client = new Client({ server: api.url, qps: Infinity });
  const calls: string[] = [];
  const registry = new Registry();
  try {
    const c = await runComponent({
      name: 'test',
      client,
      logger: silentLogger,
      metricsRegistry: registry,
      identity: 'frame-a',
      lease: { namespace: 'kube-system', name: 'frame-test', leaseDurationSeconds: 2, renewDeadlineSeconds: 1.5, retryPeriodSeconds: 0.2 },
      onStartedLeading: (signal) => void calls.push(`started:${signal instanceof AbortSignal}`),
      onStoppedLeading: () => void calls.push('stopped'),
      onNewLeader: (id) => void calls.push(`leader:${id}`),
      stop: async () => void calls.push('stop'),
    });
    const deadline = Date.now() + 10_000;
    while (!c.isLeader() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(c.isLeader(), true);
    assert.ok(calls.includes('started:true'), calls.join());
    assert.ok(calls.includes('leader:frame-a'), calls.join());
    assert.match(await registry.metrics(), /leader_election_master_status\{name="frame-test"\} 1/);
    const lease = (await client.resource(LEASES).get('frame-test', { namespace: 'kube-system' })) as any;
    assert.equal(lease.spec.holderIdentity, 'frame-a');
    await c.stop();
    assert.equal(c.isLeader(), false);
    assert.deepEqual(calls.slice(-2), ['stopped', 'stop']);
    const released = (await client.resource(LEASES).get('frame-test', { namespace: 'kube-system' })) as any;
    assert.notEqual(released.spec.holderIdentity, 'frame-a');
  } finally {
    client.close();
    await api.close();
  }
});

test('runComponent rejects bad lease durations before serving anything', async () => {
  await assert.rejects(
    runComponent({
      name: 'test',
      client: new Client({ server: 'http://127.0.0.1:1' }),
      logger: silentLogger,
      metricsRegistry: new Registry(),
      lease: { namespace: 'kube-system', name: 'x', leaseDurationSeconds: 1, renewDeadlineSeconds: 2 },
      port: 0,
      onStartedLeading: () => assert.fail('must not start'),
    }),
    /leaseDuration must be greater than renewDeadline/,
  );
});
