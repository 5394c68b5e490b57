// Done-when, bounded: one user floods LISTs over loopback while another user's GETs all succeed; the
// flooder gets 429s with Retry-After and the X-Kubernetes-PF-* headers. Small limits make it
// deterministic: a "tenants" level with 2 seats and short queues holds alice and bob (ByUser flows).
// Also the max-inflight filter (APF off) and long-running watches holding a seat only at their start.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http, { type IncomingMessage } from 'node:http';
import { startApiServer, type Authenticator, type Authorizer, type RunningApiServer, type UserInfo } from '../../src/apiserver/index.ts';
import { maxInFlight } from '../../src/apiserver/flowcontrol/filter.ts';
import { dealHand, flowHash } from '../../src/apiserver/flowcontrol/shuffle.ts';
import type { RequestInfo } from '../../src/apiserver/routing.ts';
import { eventually } from '../helpers/eventually.ts';
import { Client } from '../../src/client/index.ts';
import { req } from '../apiserver/helpers.ts';

const USERS: Record<string, UserInfo> = {
  'admin-token': { username: 'admin', groups: ['system:masters', 'system:authenticated'] },
  'alice-token': { username: 'alice', groups: ['system:authenticated'] },
  'bob-token': { username: 'bob', groups: ['system:authenticated'] },
  'carol-token': { username: 'carol', groups: ['system:authenticated'] },
};
/** Bearer tokens → users (a test stand-in for the token authenticators). */
const tokens: Authenticator = {
  name: 'test-tokens',
  authenticate: (r: IncomingMessage) => USERS[(r.headers.authorization ?? '').replace(/^Bearer /, '')],
};
/**
 * Stands in for request work: alice's LISTs take 20 ms inside their seat (an in-process server
 * otherwise answers each request before it reads the next, and nothing would ever queue).
 */
const slowLists: Authorizer = {
  name: 'slow-lists',
  authorize: async (a) => {
    if (a.user.username === 'alice' && a.info.verb === 'list') await new Promise((r) => setTimeout(r, 20));
    if (a.user.username === 'carol' && a.info.verb === 'list') await new Promise((r) => setTimeout(r, 300));
    return 'allow' as const;
  },
};
const as = (who: string) => ({ Authorization: `Bearer ${who}-token` });
const FC = '/apis/flowcontrol.apiserver.k8s.io/v1';
const QUEUING = { queues: 16, handSize: 2, queueLengthLimit: 10 };

let server: RunningApiServer;
before(async () => {
  // server concurrency limit 15: the tenants level (30 shares of 275) gets ceil(15*30/275) = 2 seats
  server = await startApiServer({ enablePriorityAndFairness: true, maxRequestsInflight: 10, maxMutatingRequestsInflight: 5, pipeline: { authenticators: [tokens], authorizers: [slowLists] } });
  const admin = as('admin');
  const created = [
    await req(server.url, 'POST', `${FC}/prioritylevelconfigurations`, { apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'PriorityLevelConfiguration', metadata: { name: 'tenants' }, spec: { type: 'Limited', limited: { nominalConcurrencyShares: 30, limitResponse: { type: 'Queue', queuing: QUEUING } } } }, admin),
    await req(server.url, 'POST', `${FC}/flowschemas`, {
      apiVersion: 'flowcontrol.apiserver.k8s.io/v1',
      kind: 'FlowSchema',
      metadata: { name: 'tenants' },
      spec: {
        priorityLevelConfiguration: { name: 'tenants' },
        matchingPrecedence: 1000,
        distinguisherMethod: { type: 'ByUser' },
        rules: [{ subjects: [{ kind: 'User', user: { name: 'alice' } }, { kind: 'User', user: { name: 'bob' } }], resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'], namespaces: ['*'], clusterScope: true }] }],
      },
    }, admin),
    await req(server.url, 'POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'bobs' }, data: { a: 'b' } }, admin),
  ];
  for (const r of created) assert.equal(r.status, 201, r.text);
});
after(() => server.close());

test('alice and bob are different flows with different hands of the tenants queues', () => {
  const a = dealHand(flowHash('tenants', 'alice'), QUEUING.queues, QUEUING.handSize);
  const b = dealHand(flowHash('tenants', 'bob'), QUEUING.queues, QUEUING.handSize);
  assert.ok(b.some((q) => !a.includes(q)), `bob's hand ${b} is not inside alice's ${a}`);
});

test('a LIST flood from alice gets 429s with Retry-After and PF headers while every GET of bob succeeds', async () => {
  const uids = Object.fromEntries(
    await Promise.all(['flowschemas', 'prioritylevelconfigurations'].map(async (p) => [p, (await req(server.url, 'GET', `${FC}/${p}/tenants`, undefined, as('admin'))).body.metadata.uid])),
  );
  const deadline = Date.now() + 5000;
  let sent = 0;
  let ok = 0;
  const rejected: Response[] = [];
  let count429 = 0;
  let stop = false;
  const flooder = async () => {
    while (!stop && sent < 4000 && Date.now() < deadline) {
      sent++;
      const r = await fetch(`${server.url}/api/v1/namespaces/default/configmaps`, { headers: as('alice') });
      if (r.status === 429) {
        count429++;
        if (rejected.length < 1) rejected.push(r);
        else await r.arrayBuffer();
      } else {
        assert.equal(r.status, 200);
        ok++;
        await r.arrayBuffer();
      }
    }
  };
  // bob has a keep-alive connection of his own (the flood's 200 connections are fetch's pool)
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const bobGet = () =>
    new Promise<{ status: number; ms: number }>((resolve, reject) => {
      const t0 = performance.now();
      http
        .get(`${server.url}/api/v1/namespaces/default/configmaps/bobs`, { agent, headers: as('bob') }, (r) => {
          r.resume();
          r.on('end', () => resolve({ status: r.statusCode ?? 0, ms: performance.now() - t0 }));
        })
        .on('error', reject);
    });
  const bob = [await bobGet()];
  const flood = Promise.all(Array.from({ length: 200 }, flooder));
  while (Date.now() < deadline - 500 && (bob.length < 20 || rejected.length === 0)) bob.push(await bobGet());
  stop = true;
  await flood;
  agent.destroy();
  assert.ok(count429 > 0, `alice got no 429 in ${sent} requests`);
  assert.ok(ok > 0, 'alice got some answers too');
  assert.ok(bob.length >= 5, `bob made ${bob.length} GETs: ${JSON.stringify(bob)}; alice sent ${sent}, ok ${ok}, 429 ${count429}`);
  assert.deepEqual(bob.filter((b) => b.status !== 200), [], 'every GET of bob succeeded');
  const r = rejected[0];
  assert.equal(r.headers.get('retry-after'), '1');
  assert.equal(r.headers.get('x-kubernetes-pf-flowschema-uid'), uids.flowschemas);
  assert.equal(r.headers.get('x-kubernetes-pf-prioritylevel-uid'), uids.prioritylevelconfigurations);
  const status = (await r.json()) as any;
  assert.deepEqual({ code: status.code, reason: status.reason, message: status.message, details: status.details }, { code: 429, reason: 'TooManyRequests', message: 'Too many requests, please try again later.', details: { retryAfterSeconds: 1 } });
  const metrics = await (await fetch(`${server.url}/metrics`, { headers: as('admin') })).text();
  assert.match(metrics, /apiserver_flowcontrol_rejected_requests_total\{flow_schema="tenants",priority_level="tenants",reason="queue-full"\} [1-9]/);
  assert.match(metrics, /apiserver_flowcontrol_dispatched_requests_total\{priority_level="tenants",flow_schema="tenants"\} [1-9]/);
  assert.match(metrics, /apiserver_flowcontrol_nominal_limit_seats\{priority_level="tenants"\} 2/);
  // every seat is back once the flood is over
  await eventually(async () => /apiserver_flowcontrol_current_executing_requests\{priority_level="tenants",flow_schema="tenants"\} 0\n/.test(await (await fetch(`${server.url}/metrics`, { headers: as('admin') })).text()), 'no tenants request executing', 10_000);
});

test('a watch holds its seat only until it starts', async () => {
  const watches = await Promise.all(
    Array.from({ length: 6 }, async () => {
      const c = new AbortController();
      const r = await fetch(`${server.url}/api/v1/namespaces/default/configmaps?watch=1`, { headers: as('alice'), signal: c.signal });
      assert.equal(r.status, 200);
      return c;
    }),
  );
  // six open watches, two seats: bob is still served at once
  const r = await req(server.url, 'GET', '/api/v1/namespaces/default/configmaps/bobs', undefined, as('bob'));
  assert.equal(r.status, 200);
  for (const c of watches) c.abort();
});

test('the client waits out a 429 (Retry-After) and its retry succeeds', async () => {
  // carol has a Reject level of one seat; her slow LIST holds it while her client GETs
  const admin = as('admin');
  const mk = [
    await req(server.url, 'POST', `${FC}/prioritylevelconfigurations`, { apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'PriorityLevelConfiguration', metadata: { name: 'solo' }, spec: { type: 'Limited', limited: { nominalConcurrencyShares: 1, limitResponse: { type: 'Reject' } } } }, admin),
    await req(server.url, 'POST', `${FC}/flowschemas`, { apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'FlowSchema', metadata: { name: 'solo' }, spec: { priorityLevelConfiguration: { name: 'solo' }, matchingPrecedence: 900, rules: [{ subjects: [{ kind: 'User', user: { name: 'carol' } }], resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'], namespaces: ['*'], clusterScope: true }] }] } }, admin),
  ];
  for (const r of mk) assert.equal(r.status, 201, r.text);
  const rejected = async () => Number(/apiserver_flowcontrol_rejected_requests_total\{flow_schema="solo",priority_level="solo",reason="concurrency-limit"\} (\d+)/.exec(await (await fetch(`${server.url}/metrics`, { headers: as('admin') })).text())?.[1] ?? 0);
  const slow = fetch(`${server.url}/api/v1/namespaces/default/configmaps`, { headers: as('carol') });
  await new Promise((r) => setTimeout(r, 50));
  const client = new Client({ server: server.url, token: 'carol-token', qps: 0 });
  const t0 = performance.now();
  const cm = await client.resource({ group: '', version: 'v1', plural: 'configmaps', namespaced: true, kind: 'ConfigMap' }).get('bobs', { namespace: 'default' });
  assert.equal(cm.metadata.name, 'bobs');
  assert.ok(performance.now() - t0 >= 900, 'the retry came after Retry-After: 1');
  assert.ok((await rejected()) >= 1, 'the first try was rejected');
  const done = await slow;
  await done.arrayBuffer();
  assert.equal(done.status, 200);
  client.close();
});

const info = (verb: RequestInfo['verb'], subresource?: string): RequestInfo => ({ verb, group: '', version: 'v1', resource: 'pods', namespace: 'default', subresource, path: '/' });
const fakeReq = (url = '/') => ({ url }) as IncomingMessage;

test('max-inflight (APF off): separate read-only and mutating limits; system:masters and long-running requests pass', () => {
  const l = maxInFlight(2, 1);
  const alice = USERS['alice-token'];
  const admit = (verb: RequestInfo['verb'], user = alice, sub?: string, url?: string) => l.admit({ user, info: info(verb, sub), req: fakeReq(url) }) as (() => void) | undefined;
  const r1 = admit('get')!;
  const r2 = admit('list')!;
  assert.throws(() => admit('get'), (e: any) => e.code === 429 && e.message === 'Too many requests, please try again later.' && e.details.retryAfterSeconds === 1);
  const m1 = admit('create')!;
  assert.throws(() => admit('delete'), (e: any) => e.code === 429);
  assert.equal(admit('get', USERS['admin-token']), undefined, 'system:masters is not limited');
  assert.equal(admit('watch'), undefined, 'watch is long-running');
  assert.equal(admit('get', alice, 'log', '/api/v1/namespaces/default/pods/p/log?follow=true'), undefined, 'logs -f is long-running');
  assert.equal(admit('create', alice, 'exec'), undefined, 'exec is long-running');
  r1();
  r1();
  assert.deepEqual(l.inFlight(), { readOnly: 1, mutating: 1 });
  admit('get')!();
  r2();
  m1();
  assert.deepEqual(l.inFlight(), { readOnly: 0, mutating: 0 });
});

test('max-inflight over HTTP: a flood past --max-requests-inflight gets 429 with Retry-After', async () => {
  const s = await startApiServer({ maxRequestsInflight: 1, maxMutatingRequestsInflight: 1, pipeline: { authenticators: [tokens], authorizers: [slowLists] } });
  try {
    const got = await eventually(async () => {
      const rs = await Promise.all(Array.from({ length: 30 }, () => fetch(`${s.url}/api/v1/namespaces/default/configmaps`, { headers: as('alice') })));
      await Promise.all(rs.map((r) => r.arrayBuffer()));
      return rs.find((r) => r.status === 429);
    }, 'a 429', 10_000);
    assert.equal(got.headers.get('retry-after'), '1');
    assert.equal(got.headers.get('x-kubernetes-pf-flowschema-uid'), null, 'no APF headers without APF');
  } finally {
    await s.close();
  }
});
