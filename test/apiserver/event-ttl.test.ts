// --event-ttl: Events (core/v1 and events.k8s.io/v1) are deleted once the TTL since their last write
// has passed on the API server's clock (here a VirtualClock moved by hand); watchers see DELETED;
// other kinds are kept; 0 keeps Events. The expiry arithmetic is table-driven.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { VirtualClock } from '../../src/clock/index.ts';
import { DEFAULT_EVENT_TTL_MS, type RunningApiServer } from '../../src/apiserver/index.ts';
import { expiresAt, expiryGrainMs, ExpiryQueue } from '../../src/apiserver/rest/expiry.ts';
import { StorageError } from '../../src/storage/interface.ts';
import { startTestServer, req, watch, configMap } from './helpers.ts';

const servers: RunningApiServer[] = [];
after(() => Promise.all(servers.map((s) => s.close())));

const T0 = Date.UTC(2026, 0, 1);

test('expiry grain and time: min(5% of the TTL, 1 minute), rounded up', () => {
  const cases: [ttlMs: number, now: number, grain: number, at: number][] = [
    [3_600_000, T0, 60_000, T0 + 3_600_000],
    [3_600_000, T0 + 1, 60_000, T0 + 3_660_000],
    [60_000, T0 + 1, 3_000, T0 + 63_000],
    [10, T0 + 3, 1, T0 + 13],
    [100 * 3_600_000, T0, 60_000, T0 + 360_000_000],
  ];
  for (const [ttl, now, grain, at] of cases) {
    assert.equal(expiryGrainMs(ttl), grain, `grain of ${ttl}`);
    assert.equal(expiresAt(now, ttl), at, `expiry of a write at ${now} with ${ttl}`);
  }
});

test('ExpiryQueue: a later write postpones, a delete forgets, a lost race is ignored', async () => {
  const clock = new VirtualClock({ start: T0 });
  const deletes: [string, number | undefined][] = [];
  const store = {
    delete: async (key: string, rev?: number) => {
      deletes.push([key, rev]);
      if (key === 'raced') throw new StorageError('Conflict', key);
      return { key, object: { metadata: {} }, modRevision: 0, createRevision: 0 };
    },
  };
  const q = new ExpiryQueue(store, clock, 1000);
  q.written('a', 1);
  q.written('b', 2);
  q.written('raced', 3);
  q.written('gone', 4);
  await clock.advanceTo(T0 + 500);
  q.written('b', 5); // postponed to T0 + 1500
  q.deleted('gone');
  await clock.advanceTo(T0 + 1000);
  assert.deepEqual(deletes, [['a', 1], ['raced', 3]]);
  assert.equal(q.size, 1);
  await clock.advanceTo(T0 + 1500);
  assert.deepEqual(deletes.at(-1), ['b', 5]);
  assert.equal(q.size, 0);
  await q.stop();
});

const coreEvent = (name: string) => ({
  apiVersion: 'v1',
  kind: 'Event',
  metadata: { name },
  involvedObject: { kind: 'Pod', namespace: 'default', name: 'p' },
  reason: 'Pulled',
  message: 'pulled',
  type: 'Normal',
  count: 1,
});
const v1Event = (name: string) => ({
  apiVersion: 'events.k8s.io/v1',
  kind: 'Event',
  metadata: { name },
  eventTime: '2026-01-01T00:00:00.000000Z',
  reportingController: 'default-scheduler',
  reportingInstance: 'default-scheduler-x',
  action: 'Binding',
  reason: 'Scheduled',
  regarding: { kind: 'Pod', namespace: 'default', name: 'p' },
  type: 'Normal',
});
const CORE = '/api/v1/namespaces/default/events';
const V1 = '/apis/events.k8s.io/v1/namespaces/default/events';

test('Events expire --event-ttl after their last write, on the server clock; watchers see DELETED', async () => {
  const clock = new VirtualClock({ start: T0 });
  const srv = await startTestServer({ clock, eventTtlMs: 60_000 });
  servers.push(srv);
  const base = srv.url;
  for (const [path, body] of [[CORE, coreEvent('e1')], [CORE, coreEvent('e2')], [V1, v1Event('s1')]] as const) {
    assert.equal((await req(base, 'POST', path, body)).status, 201);
  }
  assert.equal((await req(base, 'POST', '/api/v1/namespaces/default/configmaps', configMap('kept'))).status, 201);
  const rv = (await req(base, 'GET', CORE)).body.metadata.resourceVersion;
  const w = await watch(base, `${CORE}?watch=true&resourceVersion=${rv}`);

  await clock.advanceTo(T0 + 30_000);
  // a second occurrence of e2 (the kubelet's count++): its TTL starts again
  const e2 = (await req(base, 'GET', `${CORE}/e2`)).body;
  assert.equal((await req(base, 'PUT', `${CORE}/e2`, { ...e2, count: 2 })).status, 200);

  await clock.advanceTo(T0 + 61_000);
  assert.equal((await req(base, 'GET', `${CORE}/e1`)).status, 404);
  assert.equal((await req(base, 'GET', `${V1}/s1`)).status, 404);
  assert.equal((await req(base, 'GET', `${CORE}/e2`)).status, 200);
  assert.equal((await req(base, 'GET', '/api/v1/namespaces/default/configmaps/kept')).status, 200);

  await clock.advanceTo(T0 + 30_000 + 61_500);
  assert.equal((await req(base, 'GET', `${CORE}/e2`)).status, 404);
  const events = await w.waitFor(3);
  w.close();
  assert.deepEqual(
    events.map((e) => `${e.type}:${e.object.metadata.name}`),
    ['MODIFIED:e2', 'DELETED:e1', 'DELETED:e2'],
  );
  assert.equal(events[2].object.count, 2);
});

test('--event-ttl 0 keeps Events; the default is one hour', async () => {
  assert.equal(DEFAULT_EVENT_TTL_MS, 3_600_000);
  for (const [eventTtlMs, after, gone] of [[0, 10 * 3_600_000, false], [undefined, 3_600_000 + 60_000, true], [undefined, 3_500_000, false]] as const) {
    const clock = new VirtualClock({ start: T0 });
    const srv = await startTestServer({ clock, ...(eventTtlMs === undefined ? {} : { eventTtlMs }) });
    servers.push(srv);
    assert.equal((await req(srv.url, 'POST', CORE, coreEvent('e'))).status, 201);
    await clock.advanceTo(T0 + after);
    assert.equal((await req(srv.url, 'GET', `${CORE}/e`)).status, gone ? 404 : 200, `ttl ${eventTtlMs ?? 'default'} after ${after} ms`);
  }
});
