// sessionAffinity: ClientIP on Services: kube-proxy's endpoint choice (pure, table-driven) and a
// caller pod whose connections all reach one replica while another caller may reach another.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { affinityTimeoutMs, pickEndpoint, type AffinityTable, type Endpoint } from '../../src/node/process/affinity.ts';
import { eventually, getPod, kubeletLog, nodePod, PODS, runtimeCluster } from './helpers.ts';

const SERVICES = { group: '', version: 'v1', plural: 'services', namespaced: true };
const ENDPOINTS = { group: '', version: 'v1', plural: 'endpoints', namespaced: true };

test('affinity timeout: ClientIP only, default 10800 s', () => {
  const cases: [any, number | undefined][] = [
    [{ spec: {} }, undefined],
    [{ spec: { sessionAffinity: 'None' } }, undefined],
    [{ spec: { sessionAffinity: 'ClientIP' } }, 10_800_000],
    [{ spec: { sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } } } }, 60_000],
  ];
  for (const [svc, want] of cases) assert.equal(affinityTimeoutMs(svc), want, JSON.stringify(svc.spec));
});

test('pickEndpoint: a client sticks to its endpoint until the timeout or until it is not ready', () => {
  const a: Endpoint = ['10.128.0.2', 8080];
  const b: Endpoint = ['10.128.0.3', 8080];
  const table: AffinityTable = new Map();
  let r = 0;
  const random = () => r;
  assert.deepEqual(pickEndpoint([a, b], '127.128.0.9', 1000, table, 0, random), a);
  r = 0.9; // a fresh choice would be b
  assert.deepEqual(pickEndpoint([a, b], '127.128.0.9', 1000, table, 500, random), a, 'within the timeout');
  assert.deepEqual(pickEndpoint([a, b], '127.128.0.9', 1000, table, 1400, random), a, 'each connection refreshes the timeout');
  assert.deepEqual(pickEndpoint([a, b], '127.128.0.8', 1000, table, 1400, random), b, 'another client chooses afresh');
  assert.deepEqual(pickEndpoint([a, b], '127.128.0.9', 1000, table, 2500, random), b, 'expired: chosen afresh');
  r = 0;
  assert.deepEqual(pickEndpoint([a], '127.128.0.8', 1000, table, 2500, random), a, 'its endpoint is gone: another');
  assert.equal(pickEndpoint([], '127.128.0.8', 1000, table, 2500, random), undefined);
  assert.deepEqual(pickEndpoint([a, b], '127.128.0.7', undefined, table, 0, () => 0.9), b, 'no affinity: random');
  assert.equal(table.has('127.128.0.7'), false);
});

test('a ClientIP Service sends every connection of a caller pod to one replica', async () => {
  const c = await runtimeCluster();
  try {
    const server = 'require("http").createServer((q, s) => s.end(process.env.HOSTNAME)).listen(8080, () => console.log("listening"))';
    const ips: string[] = [];
    for (const name of ['sticky-a', 'sticky-b', 'sticky-c']) {
      const p = nodePod(name, server);
      p.metadata.labels = { app: 'sticky' };
      await c.client.resource(PODS).create(p);
    }
    for (const name of ['sticky-a', 'sticky-b', 'sticky-c']) {
      await eventually(async () => ((await kubeletLog(c.pool, name)) === 'listening\n' ? true : undefined), `${name} listening`);
      ips.push((await getPod(c.client, name)).status.podIP);
    }
    await c.client.resource(SERVICES).create({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'sticky', namespace: 'default' },
      spec: { selector: { app: 'sticky' }, sessionAffinity: 'ClientIP', ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
    });
    await c.client.resource(ENDPOINTS).create({
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'sticky', namespace: 'default' },
      subsets: [{ addresses: ips.map((ip) => ({ ip })), ports: [{ name: 'http', port: 8080 }] }],
    });
    const caller = `
      const http = require('http');
      const get = (u) => new Promise((ok, ko) => http.get(u, { agent: false }, (r) => { let b = ''; r.on('data', (d) => (b += d)); r.on('end', () => ok(b)); }).on('error', ko));
      (async () => {
        const seen = new Set();
        for (let i = 0; i < 20; i++) seen.add(await get('http://sticky/'));
        console.log([...seen].sort().join(','));
      })().catch((e) => { console.error(e.message); process.exit(2); });`;
    await c.client.resource(PODS).create(nodePod('sticky-caller', caller, { restartPolicy: 'Never' }));
    const p = await eventually(async () => {
      const p = await getPod(c.client, 'sticky-caller');
      return p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed' ? p : undefined;
    }, 'caller done', 30_000);
    const log = await kubeletLog(c.pool, 'sticky-caller');
    assert.equal(p.status.phase, 'Succeeded', log);
    assert.match(log, /^sticky-[abc]\n$/, 'one replica answered all 20 connections');
  } finally {
    await c.close();
  }
});
