// Events are kept out of the watch cache (Kubernetes' DefaultWatchCacheSizes: events 0) and served
// from the storage backend — over memory and over SQLite, core/v1 and events.k8s.io/v1: GET, LIST
// with field selectors, limit/continue at a snapshot, resourceVersion=0, 410 for a compacted
// continue or watch, WATCH from a resourceVersion and from now.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import type { RunningApiServer } from '../../src/apiserver/index.ts';
import type { Store } from '../../src/storage/interface.ts';
import { MemoryStore } from '../../src/storage/memory.ts';
import { SqliteStore } from '../../src/storage/sqlite.ts';
import { tempDir } from '../storage/helpers.ts';
import { startTestServer, req, watch } from './helpers.ts';

const CORE = '/api/v1/namespaces/default/events';
const V1 = '/apis/events.k8s.io/v1/namespaces/default/events';
const coreEvent = (name: string, pod: string) => ({
  apiVersion: 'v1',
  kind: 'Event',
  metadata: { name },
  involvedObject: { kind: 'Pod', namespace: 'default', name: pod },
  reason: 'Scheduled',
  message: `about ${pod}`,
  type: 'Normal',
});
const v1Event = (name: string, pod: string) => ({
  apiVersion: 'events.k8s.io/v1',
  kind: 'Event',
  metadata: { name },
  eventTime: '2026-01-01T00:00:00.000000Z',
  reportingController: 'kubesim.io/test',
  reportingInstance: 'test-1',
  action: 'Binding',
  reason: 'Scheduled',
  type: 'Normal',
  regarding: { kind: 'Pod', namespace: 'default', name: pod },
});
const names = (body: any) => body.items.map((o: any) => o.metadata.name);

const cleanups: (() => Promise<void> | void)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

const backends: [string, () => Store][] = [
  ['memory', () => new MemoryStore()],
  [
    'sqlite',
    () => {
      const tmp = tempDir();
      cleanups.push(() => tmp.remove());
      return new SqliteStore({ dataDir: tmp.dir });
    },
  ],
];

for (const [kind, make] of backends) {
  describe(`events from the ${kind} backend`, () => {
    let srv: RunningApiServer;
    let backend: Store;
    test('start', async () => {
      backend = make();
      srv = await startTestServer({ store: backend });
      cleanups.push(() => srv.close());
    });

    test('GET, LIST with field selectors, resourceVersion=0, Table', async () => {
      const base = srv.url;
      for (const [n, p] of [['e1', 'p1'], ['e2', 'p2'], ['e3', 'p1']]) assert.equal((await req(base, 'POST', CORE, coreEvent(n, p))).status, 201);
      const one = await req(base, 'GET', `${CORE}/e1`);
      assert.equal(one.status, 200);
      assert.equal(one.body.involvedObject.name, 'p1');
      assert.equal((await req(base, 'GET', `${CORE}/nope`)).status, 404);
      const sel = await req(base, 'GET', `${CORE}?fieldSelector=involvedObject.name%3Dp1,involvedObject.kind%3DPod`);
      assert.deepEqual(names(sel.body), ['e1', 'e3']);
      assert.deepEqual(names((await req(base, 'GET', `/api/v1/events?resourceVersion=0`)).body), ['e1', 'e2', 'e3']);
      const table = await req(base, 'GET', CORE, undefined, { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' });
      assert.equal(table.body.rows.length, 3);
      assert.equal((await req(base, 'POST', V1, v1Event('n1', 'p9'))).status, 201);
      const v1 = await req(base, 'GET', `${V1}?fieldSelector=regarding.name%3Dp9`);
      assert.deepEqual(names(v1.body), ['n1']);
      assert.equal(v1.body.items[0].regarding.name, 'p9');
    });

    test('limit/continue pages one snapshot; a compacted continue is 410 Gone', async () => {
      const base = srv.url;
      const first = await req(base, 'GET', `${CORE}?limit=2`);
      assert.deepEqual(names(first.body), ['e1', 'e2']);
      assert.equal(first.body.metadata.remainingItemCount, 1);
      assert.equal((await req(base, 'DELETE', `${CORE}/e3`)).status, 200);
      assert.equal((await req(base, 'POST', CORE, coreEvent('e4', 'p4'))).status, 201);
      const second = await req(base, 'GET', `${CORE}?limit=2&continue=${encodeURIComponent(first.body.metadata.continue)}`);
      assert.equal(second.status, 200);
      assert.deepEqual(names(second.body), ['e3']);
      assert.equal(second.body.metadata.resourceVersion, first.body.metadata.resourceVersion);
      assert.deepEqual(names((await req(base, 'GET', CORE)).body), ['e1', 'e2', 'e4']);
      await backend.compact(Number((await req(base, 'GET', CORE)).body.metadata.resourceVersion));
      const gone = await req(base, 'GET', `${CORE}?limit=2&continue=${encodeURIComponent(first.body.metadata.continue)}`);
      assert.equal(gone.status, 410);
      assert.equal(gone.body.reason, 'Expired');
    });

    test('WATCH from a resourceVersion and from now; a compacted resourceVersion is 410 Gone', async () => {
      const base = srv.url;
      const rv = (await req(base, 'GET', CORE)).body.metadata.resourceVersion;
      assert.equal((await req(base, 'POST', CORE, coreEvent('w1', 'p1'))).status, 201);
      const fromRv = await watch(base, `${CORE}?watch=true&resourceVersion=${rv}&fieldSelector=involvedObject.name%3Dp1`);
      const fromNow = await watch(base, `${CORE}?watch=true`);
      cleanups.push(() => fromRv.close(), () => fromNow.close());
      await fromRv.waitFor(1);
      await fromNow.waitFor(4); // ADDED for e1, e2, e4, w1
      assert.equal((await req(base, 'DELETE', `${CORE}/w1`)).status, 200);
      assert.equal((await req(base, 'POST', CORE, coreEvent('w2', 'p2'))).status, 201);
      const a = await fromRv.waitFor(2);
      assert.deepEqual(a.map((e) => [e.type, e.object.metadata.name]), [['ADDED', 'w1'], ['DELETED', 'w1']]);
      const b = await fromNow.waitFor(6);
      assert.deepEqual(b.slice(4).map((e) => [e.type, e.object.metadata.name]), [['DELETED', 'w1'], ['ADDED', 'w2']]);
      await backend.compact(Number((await req(base, 'GET', CORE)).body.metadata.resourceVersion));
      const old = await watch(base, `${CORE}?watch=true&resourceVersion=${rv}`);
      const [err] = await old.waitFor(1);
      assert.equal(err.type, 'ERROR');
      assert.equal(err.object.code, 410);
      old.close();
    });
  });
}
