// Resources the watch cache keeps nothing of (WatchCacheOptions.uncached; Kubernetes' watch cache
// size 0, events by default): get, list (filters, paging at a snapshot, resourceVersion rules) and
// watch go to the backend, over memory and SQLite; the other resources stay cached.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/types.ts';
import { StorageError, type Store, type StoreEvent } from '../../src/storage/interface.ts';
import { MemoryStore } from '../../src/storage/memory.ts';
import { SqliteStore } from '../../src/storage/sqlite.ts';
import { WatchCacheStore } from '../../src/storage/watch-cache.ts';
import { runStoreConformance } from './conformance.ts';
import { tempDir } from './helpers.ts';

const EVENTS = '/registry/core/events/';
const PODS = '/registry/core/pods/';

// The Store contract holds for resources passed through (conformance uses these prefixes).
const CONFORMANCE_PREFIXES = ['/registry/core/configmaps/', '/registry/core/secrets/', '/registry/core/nothing/'];
runStoreConformance('watch cache, uncached resources, over memory', async () => {
  const store = new WatchCacheStore(new MemoryStore(), { uncached: CONFORMANCE_PREFIXES });
  await store.start();
  return { store, cleanup: () => store.close() };
});
runStoreConformance('watch cache, uncached resources, over sqlite', async () => {
  const tmp = tempDir();
  let store = new WatchCacheStore(new SqliteStore({ dataDir: tmp.dir }), { uncached: CONFORMANCE_PREFIXES });
  await store.start();
  return {
    store,
    reopen: async () => {
      await store.close();
      store = new WatchCacheStore(new SqliteStore({ dataDir: tmp.dir }), { uncached: CONFORMANCE_PREFIXES });
      await store.start();
      return store;
    },
    cleanup: async () => {
      await store.close();
      tmp.remove();
    },
  };
});

const ev = (ns: string, name: string, about: string, reason = 'Pulled'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Event',
  metadata: { namespace: ns, name },
  involvedObject: { kind: 'Pod', namespace: ns, name: about },
  reason,
});
const pod = (ns: string, name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { namespace: ns, name } });
const names = (items: KubeObject[]) => items.map((o) => o.metadata.name);

const backends: [string, () => { backend: Store; cleanup: () => void }][] = [
  ['memory', () => ({ backend: new MemoryStore(), cleanup: () => {} })],
  [
    'sqlite',
    () => {
      const tmp = tempDir();
      return { backend: new SqliteStore({ dataDir: tmp.dir }), cleanup: () => tmp.remove() };
    },
  ],
];

for (const [kind, make] of backends) {
  describe(`uncached events over ${kind}`, () => {
    async function open(extra: Record<string, unknown> = {}) {
      const { backend, cleanup } = make();
      // Objects written before the cache starts are not loaded into it either.
      await backend.create(`${EVENTS}a/e0`, ev('a', 'e0', 'p0'));
      const cache = new WatchCacheStore(backend, { uncached: [EVENTS], waitTimeoutMs: 200, ...extra });
      await cache.start();
      return { cache, backend, done: async () => (await cache.close(), cleanup()) };
    }

    test('kept out of the cache; get and list read the backend; pods stay cached', async () => {
      const { cache, done } = await open();
      try {
        await cache.create(`${EVENTS}a/e1`, ev('a', 'e1', 'p1'));
        await cache.create(`${PODS}a/p1`, pod('a', 'p1'));
        const prefixes = cache.stats().resources.map((r) => r.prefix);
        assert.deepEqual(prefixes, [PODS]);
        assert.equal((await cache.get(`${EVENTS}a/e1`))?.object.metadata.name, 'e1');
        assert.equal((await cache.get(`${EVENTS}a/e0`))?.object.metadata.name, 'e0');
        assert.equal(await cache.get(`${EVENTS}a/missing`), undefined);
        const page = await cache.listPage(`${EVENTS}a/`, {});
        assert.deepEqual(names(page.items), ['e0', 'e1']);
        assert.equal(page.revision, cache.cachedRevision());
        assert.ok(page.entries!.every((e) => typeof e.json === 'string' && Object.isFrozen(e.object)), 'entries carry json, objects frozen');
        const about = await cache.listPage(EVENTS, { filter: (o) => (o.involvedObject as any).name === 'p1' });
        assert.deepEqual(names(about.items), ['e1']);
        assert.deepEqual(names((await cache.list(EVENTS)).items.map((e) => e.object)), ['e0', 'e1']);
      } finally {
        await done();
      }
    });

    test('limit/continue pages a snapshot: writes between pages do not show; a compacted snapshot is Compacted', async () => {
      const { cache, done } = await open();
      try {
        for (const n of ['e1', 'e2', 'e3', 'e4']) await cache.create(`${EVENTS}a/${n}`, ev('a', n, 'p'));
        const first = await cache.listPage(EVENTS, { limit: 2 });
        assert.deepEqual(names(first.items), ['e0', 'e1']);
        assert.equal(first.remaining, 3);
        const e2 = (await cache.get(`${EVENTS}a/e2`))!;
        await cache.update(`${EVENTS}a/e2`, { ...ev('a', 'e2', 'p'), reason: 'Changed' });
        await cache.delete(`${EVENTS}a/e3`);
        await cache.create(`${EVENTS}a/e25`, ev('a', 'e25', 'p'));
        const second = await cache.listPage(EVENTS, { limit: 2, exactRevision: first.revision, afterKey: first.lastKey });
        assert.deepEqual(names(second.items), ['e2', 'e3']);
        assert.equal(second.revision, first.revision);
        assert.equal(second.items[0].reason, 'Pulled');
        assert.equal(second.items[0].metadata.resourceVersion, e2.object.metadata.resourceVersion);
        const third = await cache.listPage(EVENTS, { limit: 2, exactRevision: first.revision, afterKey: second.lastKey });
        assert.deepEqual(names(third.items), ['e4']);
        assert.equal(third.lastKey, undefined);
        // The current state: the writes in between are there.
        assert.deepEqual(names((await cache.listPage(EVENTS, {})).items), ['e0', 'e1', 'e2', 'e25', 'e4']);
        await cache.compact(cache.cachedRevision());
        await assert.rejects(cache.listPage(EVENTS, { limit: 2, exactRevision: first.revision, afterKey: first.lastKey }), (e: unknown) => e instanceof StorageError && e.code === 'Compacted');
      } finally {
        await done();
      }
    });

    test('a resourceVersion newer than the store waits, then is TooLargeResourceVersion', async () => {
      const { cache, done } = await open();
      try {
        const rev = cache.cachedRevision();
        await assert.rejects(cache.listPage(EVENTS, { minRevision: rev + 5 }), (e: unknown) => e instanceof StorageError && e.code === 'TooLargeResourceVersion');
        assert.equal((await cache.listPage(EVENTS, { minRevision: rev })).revision, rev);
      } finally {
        await done();
      }
    });

    test('watch from a revision replays, from now gets live events, too old is Compacted; pods unaffected', async () => {
      const { cache, done } = await open();
      try {
        const from = cache.cachedRevision();
        await cache.create(`${EVENTS}a/e1`, ev('a', 'e1', 'p'));
        await cache.create(`${PODS}a/p1`, pod('a', 'p1'));
        await cache.update(`${EVENTS}a/e1`, { ...ev('a', 'e1', 'p'), reason: 'Again' });
        const replayed: StoreEvent[] = [];
        const stop1 = cache.watch(EVENTS, from, (e) => replayed.push(e));
        assert.deepEqual(replayed.map((e) => [e.type, e.key]), [['ADDED', `${EVENTS}a/e1`], ['MODIFIED', `${EVENTS}a/e1`]]);
        assert.equal(replayed[1].prevObject?.reason, 'Pulled');
        assert.ok(replayed.every((e) => typeof e.json === 'string'));
        const live: StoreEvent[] = [];
        const wide: StoreEvent[] = [];
        const stop2 = cache.watch(`${EVENTS}a/`, cache.cachedRevision(), (e) => live.push(e));
        const stop3 = cache.watch('/registry/', cache.cachedRevision(), (e) => wide.push(e));
        const pods: StoreEvent[] = [];
        const stop4 = cache.watch(PODS, from, (e) => pods.push(e));
        await cache.delete(`${EVENTS}a/e1`);
        await cache.create(`${EVENTS}b/e9`, ev('b', 'e9', 'p'));
        assert.deepEqual(live.map((e) => e.type), ['DELETED']);
        assert.deepEqual(wide.map((e) => e.key), [`${EVENTS}a/e1`, `${EVENTS}b/e9`]);
        assert.deepEqual(replayed.length, 4);
        assert.deepEqual(pods.map((e) => e.key), [`${PODS}a/p1`]);
        // A revision ahead of the store: only events after it.
        const ahead: StoreEvent[] = [];
        const stop5 = cache.watch(EVENTS, cache.cachedRevision() + 1, (e) => ahead.push(e));
        await cache.create(`${EVENTS}b/x1`, ev('b', 'x1', 'p'));
        await cache.create(`${EVENTS}b/x2`, ev('b', 'x2', 'p'));
        assert.deepEqual(ahead.map((e) => e.object.metadata.name), ['x2']);
        for (const s of [stop1, stop2, stop3, stop4, stop5]) s();
        await cache.compact(cache.cachedRevision());
        assert.throws(() => cache.watch(EVENTS, from, () => {}), (e: unknown) => e instanceof StorageError && e.code === 'Compacted');
      } finally {
        await done();
      }
    });
  });
}

test('bookmarks: an uncached prefix on a shared backend bookmarks only what its own watch delivered', async () => {
  const mem = new MemoryStore();
  // A shared backend (etcd, PostgreSQL): an uncached watch is its own backend stream, behind the cache.
  const shared = new Proxy(mem, { get: (t, k) => (k === 'shared' ? true : Reflect.get(t, k, t)) }) as unknown as Store;
  const store = new WatchCacheStore(shared, { uncached: [EVENTS], closeBackend: false });
  await store.start();
  const local = new WatchCacheStore(new MemoryStore(), { uncached: [EVENTS] });
  await local.start();
  try {
    for (const s of [store, local]) await s.create(`${PODS}default/p`, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' } } as KubeObject);
    assert.equal(store.bookmarkRevision(EVENTS), 0, 'shared backend, uncached: no revision beyond the delivered events');
    assert.equal(store.bookmarkRevision(PODS), store.cachedRevision());
    assert.equal(local.bookmarkRevision(EVENTS), local.cachedRevision(), 'local backend: delivered in the write, the cache revision holds');
  } finally {
    await store.close();
    await local.close();
    await mem.close();
  }
});
