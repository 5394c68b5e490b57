// SharedInformer against a fake wire-protocol server (full control over watches, compaction and
// failures): paged list then watch, handlers, late handlers, indexers, listers, reconnect from the
// last resourceVersion (bookmarks included), relist on 410 delivering only differences, resync,
// and the factory's sharing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  Client,
  SharedInformer,
  SharedInformerFactory,
  DeletedFinalStateUnknown,
  metaNamespaceKey,
  type ResourceRef,
  type KubeObjectLike,
} from './helpers.ts';
import { FakeApiServer } from './fakeserver.ts';
import { eventually } from '../helpers/eventually.ts';

const CM: ResourceRef = { group: '', version: 'v1', plural: 'configmaps', namespaced: true, kind: 'ConfigMap' };
const PODS: ResourceRef = { group: '', version: 'v1', plural: 'pods', namespaced: true, kind: 'Pod' };
const COLL = 'v1/configmaps';

let fake: FakeApiServer;
let client: Client;
before(async () => {
  fake = await new FakeApiServer().start();
  client = new Client({ server: fake.url, qps: 0 });
});
after(async () => {
  client.close();
  await fake.close();
});

function recorder() {
  const log: string[] = [];
  return {
    log,
    handler: {
      onAdd: (o: KubeObjectLike) => log.push(`add ${metaNamespaceKey(o)} ${o.metadata.resourceVersion}`),
      onUpdate: (old: KubeObjectLike, o: KubeObjectLike) => log.push(`update ${metaNamespaceKey(o)} ${old.metadata.resourceVersion}->${o.metadata.resourceVersion}`),
      onDelete: (o: KubeObjectLike | DeletedFinalStateUnknown<KubeObjectLike>) =>
        log.push(o instanceof DeletedFinalStateUnknown ? `delete-unknown ${o.key}` : `delete ${metaNamespaceKey(o)}`),
    },
  };
}

function clearCollection(coll: string) {
  for (const [k, o] of [...fake.objects]) if (k.startsWith(coll + '|')) fake.remove(coll, o.metadata.namespace, o.metadata.name);
}

test('paged initial list, then watch from the list resourceVersion with bookmarks; handlers see adds, updates, deletes', async () => {
  clearCollection(COLL);
  for (let i = 0; i < 5; i++) fake.put(COLL, { metadata: { name: `c${i}`, namespace: 'a' } });
  const reqStart = fake.requests.length;
  const inf = new SharedInformer(client, CM, { pageSize: 2 });
  const r = recorder();
  inf.addEventHandler(r.handler);
  assert.equal(inf.hasSynced(), false);
  inf.start();
  assert.equal(await inf.waitForCacheSync(), true);
  const reqs = fake.requests.slice(reqStart).map((x) => new URL(x.url, 'http://x'));
  const lists = reqs.filter((u) => u.searchParams.get('watch') !== 'true');
  assert.equal(lists.length, 3, '5 items in pages of 2');
  assert.ok(lists.every((u) => u.searchParams.get('limit') === '2'));
  assert.equal(lists[1].searchParams.get('continue') !== null, true);
  await eventually(() => fake.watches.size === 1, 'watch open');
  const w = fake.requests.slice(reqStart).map((x) => new URL(x.url, 'http://x')).find((u) => u.searchParams.get('watch') === 'true')!;
  assert.equal(w.searchParams.get('allowWatchBookmarks'), 'true');
  assert.equal(w.searchParams.get('resourceVersion'), inf.lastSyncResourceVersion());
  await eventually(() => r.log.length === 5, 'initial adds');
  const c1 = fake.put(COLL, { metadata: { name: 'c1', namespace: 'a' }, data: { x: '1' } });
  fake.remove(COLL, 'a', 'c2');
  fake.put(COLL, { metadata: { name: 'new', namespace: 'b' } });
  await eventually(() => r.log.length === 8, 'watch events');
  const c1Before = r.log.find((l) => l.startsWith('add a/c1'))!.split(' ')[2];
  assert.deepEqual(r.log.slice(5), [`update a/c1 ${c1Before}->${c1.metadata.resourceVersion}`, 'delete a/c2', `add b/new ${fake.rv}`]);
  assert.equal(inf.lister.get('a', 'c2'), undefined);
  assert.equal(inf.lister.list().length, 5);
  assert.equal(inf.lister.list(undefined, 'b').length, 1);
  await inf.stop();
  await eventually(() => fake.watches.size === 0, 'stop closes the watch');
});

test('a late handler first gets synthetic adds of the cache, then live events, in order', async () => {
  clearCollection(COLL);
  for (let i = 0; i < 3; i++) fake.put(COLL, { metadata: { name: `l${i}`, namespace: 'a' } });
  const inf = new SharedInformer(client, CM);
  inf.start();
  await inf.waitForCacheSync();
  const r = recorder();
  const reg = inf.addEventHandler(r.handler);
  fake.put(COLL, { metadata: { name: 'l0', namespace: 'a' }, data: { v: '2' } });
  await eventually(() => r.log.length === 4, 'synthetic adds + update');
  assert.deepEqual(r.log.slice(0, 3).map((l) => l.split(' ')[0]), ['add', 'add', 'add']);
  assert.match(r.log[3], /^update a\/l0 /);
  await eventually(() => reg.hasSynced(), 'registration synced');
  reg.remove();
  fake.put(COLL, { metadata: { name: 'l1', namespace: 'a' }, data: { v: '2' } });
  await eventually(() => (inf.lister.get('a', 'l1') as any)?.data?.v === '2', 'cache updated');
  await new Promise((r) => setImmediate(r));
  assert.equal(r.log.length, 4, 'a removed handler gets nothing more');
  await inf.stop();
});

test('indexers: namespace index, custom index (pods by spec.nodeName) kept current across updates and deletes; lister selectors', async () => {
  const coll = 'v1/pods';
  fake.put(coll, { metadata: { name: 'p1', namespace: 'a', labels: { app: 'web', tier: 'fe' } }, spec: { nodeName: 'n1' } });
  fake.put(coll, { metadata: { name: 'p2', namespace: 'a', labels: { app: 'db' } }, spec: { nodeName: 'n1' } });
  fake.put(coll, { metadata: { name: 'p3', namespace: 'b', labels: { app: 'web' } }, spec: {} });
  const factory = new SharedInformerFactory(client);
  const inf = factory.informerFor(PODS, { indexers: { byNode: (p) => (p.spec?.nodeName ? [p.spec.nodeName] : []) } });
  factory.start();
  assert.equal(await factory.waitForCacheSync(), true);
  const names = (xs: KubeObjectLike[]) => xs.map((x) => x.metadata.name).sort();
  assert.deepEqual(names(inf.indexer.byIndex('byNode', 'n1')), ['p1', 'p2']);
  assert.deepEqual(names(inf.indexer.byIndex('namespace', 'b')), ['p3']);
  fake.put(coll, { metadata: { name: 'p2', namespace: 'a', labels: { app: 'db' } }, spec: { nodeName: 'n2' } });
  fake.put(coll, { metadata: { name: 'p3', namespace: 'b', labels: { app: 'web' } }, spec: { nodeName: 'n1' } });
  fake.remove(coll, 'a', 'p1');
  await eventually(() => !inf.lister.get('a', 'p1'), 'delete seen');
  assert.deepEqual(names(inf.indexer.byIndex('byNode', 'n1')), ['p3']);
  assert.deepEqual(names(inf.indexer.byIndex('byNode', 'n2')), ['p2']);
  assert.deepEqual(names(inf.lister.list('app=web')), ['p3']);
  assert.deepEqual(names(inf.lister.list({ matchExpressions: [{ key: 'app', operator: 'In', values: ['web', 'db'] }] })), ['p2', 'p3']);
  assert.deepEqual(names(inf.lister.list({ app: 'db' }, 'a')), ['p2']);
  assert.deepEqual(names(inf.lister.list('app!=web')), ['p2']);
  // the same index registered again (same code) by another component is accepted; a different one is not
  inf.addIndexers({ byNode: (p) => (p.spec?.nodeName ? [p.spec.nodeName] : []) });
  assert.throws(() => inf.addIndexers({ byNode: (p) => [p.metadata.name!] }), /indexer conflict: byNode/);
  // an index added after sync indexes what is cached
  inf.addIndexers({ byApp: (p) => [p.metadata.labels?.app ?? ''] });
  assert.deepEqual(names(inf.indexer.byIndex('byApp', 'web')), ['p3']);
  await factory.shutdown();
});

test('the factory shares one informer per resource and options', () => {
  const f = new SharedInformerFactory(client);
  assert.equal(f.informerFor(CM), f.informerFor(CM));
  assert.notEqual(f.informerFor(CM), f.informerFor(CM, { namespace: 'x' }));
  assert.notEqual(f.informerFor(CM), f.informerFor(PODS));
  assert.equal(f.informerFor(CM, { labelSelector: 'a=b' }), f.informerFor(CM, { labelSelector: 'a=b' }));
});

test('watch cut: reconnects from the last seen resourceVersion (bookmarks too), no event lost or repeated', async () => {
  clearCollection(COLL);
  fake.put(COLL, { metadata: { name: 'r0', namespace: 'a' } });
  const inf = new SharedInformer(client, CM, { backoffInitialMs: 20 });
  const r = recorder();
  inf.addEventHandler(r.handler);
  inf.start();
  await inf.waitForCacheSync();
  await eventually(() => fake.watches.size === 1, 'watch');
  for (let round = 0; round < 5; round++) {
    fake.put(COLL, { metadata: { name: `r${round}`, namespace: 'a' }, data: { round: String(round) } });
    await eventually(() => inf.lastSyncResourceVersion() === String(fake.rv), 'event seen');
    const before = fake.requests.length;
    fake.cutWatches();
    fake.put(COLL, { metadata: { name: `x${round}`, namespace: 'a' } }); // written while disconnected
    await eventually(() => inf.lister.get('a', `x${round}`) !== undefined, 'reconnected and caught up');
    const rewatch = fake.requests.slice(before).map((x) => new URL(x.url, 'http://x')).find((u) => u.searchParams.get('watch') === 'true')!;
    assert.equal(rewatch.searchParams.get('resourceVersion'), String(fake.rv - 1), 'resumes from the last seen version');
  }
  // bookmarks advance the resume point even without events for this resource
  fake.put('v1/secrets', { metadata: { name: 's', namespace: 'a' } });
  await eventually(() => inf.lastSyncResourceVersion() === String(fake.rv), 'bookmark advanced rv');
  await eventually(() => r.log.length === 11, 'all events');
  assert.equal(new Set(r.log).size, r.log.length, 'no duplicate notifications');
  assert.equal(r.log.filter((l) => l.startsWith('add')).length, 10);
  assert.equal(r.log.filter((l) => l.startsWith('update')).length, 1);
  await inf.stop();
});

test('410 Expired: relist delivers only the differences (deletes as DeletedFinalStateUnknown)', async () => {
  for (const asHttp of [false, true]) {
    clearCollection(COLL);
    fake.expiredAsHttp = asHttp;
    fake.put(COLL, { metadata: { name: 'same', namespace: 'a' } });
    fake.put(COLL, { metadata: { name: 'changed', namespace: 'a' } });
    fake.put(COLL, { metadata: { name: 'gone', namespace: 'a' } });
    const inf = new SharedInformer(client, CM, { backoffInitialMs: 20 });
    const r = recorder();
    inf.addEventHandler(r.handler);
    inf.start();
    await inf.waitForCacheSync();
    await eventually(() => r.log.length === 3 && fake.watches.size === 1, 'synced and watching');
    // refuse watches while the world changes and history is compacted past the informer
    fake.failNext.push({ match: (q) => q.url.includes('watch=true'), code: 500, reason: 'InternalError', message: 'down', times: 1 });
    fake.cutWatches();
    const changed = fake.put(COLL, { metadata: { name: 'changed', namespace: 'a' }, data: { v: '2' } });
    fake.remove(COLL, 'a', 'gone');
    const added = fake.put(COLL, { metadata: { name: 'added', namespace: 'a' } });
    fake.compact();
    await eventually(() => r.log.length === 6, 'relist differences');
    assert.deepEqual(r.log.slice(3).sort(), [`add a/added ${added.metadata.resourceVersion}`, 'delete-unknown a/gone', `update a/changed ${r.log.find((l) => l.startsWith('add a/changed'))!.split(' ')[2]}->${changed.metadata.resourceVersion}`].sort());
    assert.deepEqual(inf.indexer.listKeys().sort(), ['a/added', 'a/changed', 'a/same']);
    await inf.stop();
  }
  fake.expiredAsHttp = false;
});

test('resync re-delivers every cached object as onUpdate(obj, obj) per handler period', async () => {
  clearCollection(COLL);
  fake.put(COLL, { metadata: { name: 's1', namespace: 'a' } });
  const inf = new SharedInformer(client, CM);
  let resyncs = 0;
  let plain = 0;
  inf.addEventHandler({ onUpdate: (o, n) => { if (o === n) resyncs++; } }, 100);
  inf.addEventHandler({ onUpdate: () => plain++ });
  inf.start();
  await inf.waitForCacheSync();
  await eventually(() => resyncs >= 2, 'two resyncs');
  assert.equal(plain, 0, 'a handler without resync gets none');
  await inf.stop();
});

test('errors back off and retry; a forbidden list recovers when the server does', async () => {
  clearCollection(COLL);
  fake.put(COLL, { metadata: { name: 'e1', namespace: 'a' } });
  fake.failNext.push({ match: (q) => q.url.startsWith('/api/v1/configmaps') && !q.url.includes('watch'), code: 503, reason: 'ServiceUnavailable', message: 'not ready', times: 3 });
  const inf = new SharedInformer(client, CM, { backoffInitialMs: 10 });
  inf.start();
  assert.equal(await inf.waitForCacheSync(AbortSignal.timeout(10_000)), true);
  assert.ok(inf.lister.get('a', 'e1'));
  await inf.stop();
  const ac = new AbortController();
  const never = new SharedInformer(new Client({ server: 'http://127.0.0.1:1', qps: 0 }), CM, { backoffInitialMs: 10 });
  never.start();
  const p = never.waitForCacheSync(ac.signal);
  ac.abort();
  assert.equal(await p, false);
  await never.stop();
});

test('a watch that keeps ending without progress (server cuts the replay) leads to a relist, not a loop', async () => {
  clearCollection(COLL);
  for (let i = 0; i < 5; i++) fake.put(COLL, { metadata: { name: `np${i}`, namespace: 'a' } });
  const inf = new SharedInformer(client, CM, { backoffInitialMs: 10, backoffMaxMs: 50 });
  const r = recorder();
  inf.addEventHandler(r.handler);
  inf.start();
  await inf.waitForCacheSync();
  await eventually(() => fake.watches.size === 1 && r.log.length === 5, 'watching');
  fake.failNext.push({ match: (q) => q.url.includes('watch=true'), code: 500, reason: 'InternalError', message: 'down', times: 1 });
  fake.cutWatches();
  for (let round = 0; round < 10; round++) for (let i = 0; i < 5; i++) fake.put(COLL, { metadata: { name: `np${i}`, namespace: 'a' }, data: { round: String(round) } });
  fake.maxReplay = 10; // the 50-event replay is cut every time
  try {
    await eventually(() => inf.lastSyncResourceVersion() === String(fake.rv) && r.log.length === 10, 'relisted to the final state');
    assert.deepEqual(r.log.slice(5).map((l) => l.split(' ')[0]), ['update', 'update', 'update', 'update', 'update'], 'one update per changed object');
    assert.ok(inf.indexer.list().every((o) => (o as any).data?.round === '9'));
  } finally {
    fake.maxReplay = Infinity;
    await inf.stop();
  }
});
