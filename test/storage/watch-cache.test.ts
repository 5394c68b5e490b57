// The watch cache passes the conformance suite (over SQLite and over memory), and serves
// paging, snapshots, bounded windows and read-your-writes as the API server needs them.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/types.ts';
import { StorageError, type Store, type StoreEvent } from '../../src/storage/interface.ts';
import { MemoryStore } from '../../src/storage/memory.ts';
import { SqliteStore } from '../../src/storage/sqlite.ts';
import { WatchCacheStore, bucketPrefix } from '../../src/storage/watch-cache.ts';
import { expectCompacted, runStoreConformance } from './conformance.ts';
import { tempDir } from './helpers.ts';
import { eventually } from '../helpers/eventually.ts';

runStoreConformance('watch cache over sqlite', async () => {
  const tmp = tempDir();
  let store = new WatchCacheStore(new SqliteStore({ dataDir: tmp.dir }));
  await store.start();
  return {
    store,
    reopen: async () => {
      await store.close();
      store = new WatchCacheStore(new SqliteStore({ dataDir: tmp.dir }));
      await store.start();
      return store;
    },
    cleanup: async () => {
      await store.close();
      tmp.remove();
    },
  };
});

runStoreConformance('watch cache over memory', async () => {
  const store = new WatchCacheStore(new MemoryStore());
  await store.start();
  return { store, cleanup: () => store.close() };
});

/** A backend whose watch events arrive a few ms late, like a remote store's. */
class LaggyStore extends MemoryStore {
  override watch(prefix: string, from: number, onEvent: (ev: StoreEvent) => void) {
    return super.watch(prefix, from, (ev) => setTimeout(() => onEvent(ev), 5));
  }
}

/** A backend whose watch streams can be cut, like a remote store's connection. */
class BreakableStore extends MemoryStore {
  private streams = new Set<{ stop: () => void; onError?: (err: StorageError) => void }>();
  override watch(prefix: string, from: number, onEvent: (ev: StoreEvent) => void, onError?: (err: StorageError) => void) {
    const stream = { stop: super.watch(prefix, from, onEvent), onError };
    this.streams.add(stream);
    return () => {
      stream.stop();
      this.streams.delete(stream);
    };
  }
  cut(): void {
    for (const s of this.streams) {
      s.stop();
      s.onError?.(new StorageError('Unavailable', '', 'connection reset'));
    }
    this.streams.clear();
  }
}

const P = '/registry/core/pods/';
const pod = (ns: string, name: string, labels: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: ns, labels },
});

async function cache(opts: ConstructorParameters<typeof WatchCacheStore>[1] = {}, backend: Store = new MemoryStore()) {
  const c = new WatchCacheStore(backend, opts);
  await c.start();
  return c;
}

describe('watch cache', () => {
  test('bucketPrefix groups keys by resource', () => {
    assert.equal(bucketPrefix('/registry/core/pods/ns/a'), '/registry/core/pods/');
    assert.equal(bucketPrefix('/registry/core/nodes/n1'), '/registry/core/nodes/');
    assert.equal(bucketPrefix('/registry/apps/deployments/'), '/registry/apps/deployments/');
  });

  test('read your writes even when the backend delivers events late', async () => {
    const c = await cache({}, new LaggyStore());
    try {
      const e = await c.create(`${P}ns/a`, pod('ns', 'a'));
      assert.equal(c.cachedRevision(), e.modRevision);
      assert.deepEqual((await c.list(P)).items.map((x) => x.key), [`${P}ns/a`]);
      const u = await c.update(`${P}ns/a`, pod('ns', 'a', { x: 'y' }), e.modRevision);
      assert.equal((await c.get(`${P}ns/a`))!.modRevision, u.modRevision);
      await c.delete(`${P}ns/a`);
      assert.equal(await c.get(`${P}ns/a`), undefined);
    } finally {
      await c.close();
    }
  });

  test('objects handed out are frozen and carry their JSON', async () => {
    const c = await cache();
    try {
      const e = await c.create(`${P}ns/a`, pod('ns', 'a', { app: 'web' }));
      const got = (await c.get(`${P}ns/a`))!;
      assert.equal(got.json, JSON.stringify(got.object));
      assert.throws(() => {
        (got.object.metadata.labels as Record<string, string>).app = 'changed';
      }, TypeError);
      assert.equal(e.object.metadata.labels!.app, 'web');
      const page = await c.listPage(P, {});
      assert.equal(page.entries![0].json, JSON.stringify(page.items[0]));
    } finally {
      await c.close();
    }
  });

  test('listPage: filter before limit, afterKey, lastKey and remaining', async () => {
    const c = await cache();
    try {
      for (let i = 0; i < 10; i++) await c.create(`${P}ns/p${i}`, pod('ns', `p${i}`, { odd: String(i % 2 === 1) }));
      await c.create(`${P}other/q`, pod('other', 'q'));
      const first = await c.listPage(`${P}ns/`, { limit: 4 });
      assert.deepEqual(first.items.map((o) => o.metadata.name), ['p0', 'p1', 'p2', 'p3']);
      assert.equal(first.lastKey, `${P}ns/p3`);
      assert.equal(first.remaining, 6);
      const rest = await c.listPage(`${P}ns/`, { limit: 6, afterKey: first.lastKey, exactRevision: first.revision });
      assert.deepEqual(rest.items.map((o) => o.metadata.name), ['p4', 'p5', 'p6', 'p7', 'p8', 'p9']);
      assert.equal(rest.lastKey, undefined, 'no continue on the last page');
      const odd = await c.listPage(`${P}ns/`, { limit: 2, filter: (o) => o.metadata.labels?.odd === 'true' });
      assert.deepEqual(odd.items.map((o) => o.metadata.name), ['p1', 'p3']);
      assert.equal(odd.lastKey, `${P}ns/p3`);
      assert.equal(odd.remaining, undefined, 'unknown with a filter, as in Kubernetes');
      const lastOdd = await c.listPage(`${P}ns/`, { limit: 2, afterKey: `${P}ns/p5`, filter: (o) => o.metadata.labels?.odd === 'true' });
      assert.deepEqual(lastOdd.items.map((o) => o.metadata.name), ['p7', 'p9']);
      assert.equal(lastOdd.lastKey, undefined, 'no further match, no continue');
      assert.equal((await c.listPage(P, {})).items.length, 11, 'all namespaces');
      assert.equal((await c.listPage('/registry/', {})).items.length, 11, 'a prefix wider than a resource');
    } finally {
      await c.close();
    }
  });

  test('exactRevision rebuilds the snapshot from the window', async () => {
    const c = await cache();
    try {
      for (let i = 0; i < 5; i++) await c.create(`${P}ns/p${i}`, pod('ns', `p${i}`));
      const r = c.cachedRevision();
      await c.update(`${P}ns/p1`, pod('ns', 'p1', { changed: 'yes' }));
      await c.delete(`${P}ns/p2`);
      await c.create(`${P}ns/p5`, pod('ns', 'p5'));
      await c.create(`${P}ns/p00`, pod('ns', 'p00'));
      const snap = await c.listPage(`${P}ns/`, { exactRevision: r });
      assert.equal(snap.revision, r);
      assert.deepEqual(
        snap.items.map((o) => [o.metadata.name, o.metadata.resourceVersion, o.metadata.labels]),
        [0, 1, 2, 3, 4].map((i) => [`p${i}`, String(i + 1), {}]),
      );
      assert.deepEqual(snap.entries!.map((e) => e.json), snap.items.map((o) => JSON.stringify(o)));
      const page2 = await c.listPage(`${P}ns/`, { exactRevision: r, afterKey: `${P}ns/p1`, limit: 2 });
      assert.deepEqual(page2.items.map((o) => o.metadata.name), ['p2', 'p3']);
      assert.equal(page2.lastKey, `${P}ns/p3`);
      assert.equal(page2.remaining, 1);
      const now = await c.listPage(`${P}ns/`, {});
      assert.deepEqual(now.items.map((o) => o.metadata.name), ['p0', 'p00', 'p1', 'p3', 'p4', 'p5']);
    } finally {
      await c.close();
    }
  });

  test('the window is bounded per resource: older watches and snapshots get Compacted', async () => {
    const c = await cache({ windowSize: 5 });
    try {
      const revs: number[] = [];
      for (let i = 0; i < 8; i++) revs.push((await c.create(`${P}ns/p${i}`, pod('ns', `p${i}`))).modRevision);
      for (let i = 0; i < 20; i++) await c.create(`/registry/core/configmaps/ns/c${i}`, pod('ns', `c${i}`));
      // 8 pod events, window 5: events up to revs[2] were evicted.
      assert.throws(
        () => c.watch(P, revs[1], () => {}),
        (err: unknown) => err instanceof StorageError && err.code === 'Compacted' && err.revision === revs[2],
      );
      const seen: number[] = [];
      const stop = c.watch(P, revs[2], (ev) => seen.push(ev.revision));
      assert.deepEqual(seen, revs.slice(3), 'the configmap writes did not evict pod history');
      stop();
      await assert.rejects(c.listPage(P, { exactRevision: revs[1] }), (err: unknown) => (err as StorageError).code === 'Compacted');
      assert.equal((await c.listPage(P, { exactRevision: revs[2] })).items.length, 3);
      assert.throws(() => c.watch('/registry/', revs[1], () => {}), (err: unknown) => (err as StorageError).code === 'Compacted');
    } finally {
      await c.close();
    }
  });

  test('a wide watch merges resources in revision order', async () => {
    const c = await cache();
    try {
      const from = c.cachedRevision();
      for (let i = 0; i < 6; i++) await c.create(`/registry/${i % 2 ? 'core/pods' : 'apps/deployments'}/ns/x${i}`, pod('ns', `x${i}`));
      const seen: number[] = [];
      const stop = c.watch('/registry/', from, (ev) => seen.push(ev.revision));
      await c.create(`${P}ns/late`, pod('ns', 'late'));
      stop();
      assert.deepEqual(seen, [1, 2, 3, 4, 5, 6, 7].map((n) => from + n));
    } finally {
      await c.close();
    }
  });

  test('a revision newer than the cache waits, then fails with TooLargeResourceVersion', async () => {
    const c = await cache({ waitTimeoutMs: 100 });
    try {
      await c.create(`${P}ns/a`, pod('ns', 'a'));
      const r = c.cachedRevision();
      await assert.rejects(c.listPage(P, { minRevision: r + 5 }), (err: unknown) => {
        return err instanceof StorageError && err.code === 'TooLargeResourceVersion' && err.revision === r;
      });
      const waiting = c.listPage(P, { minRevision: r + 1 });
      await c.create(`${P}ns/b`, pod('ns', 'b'));
      assert.equal((await waiting).items.length, 2);
    } finally {
      await c.close();
    }
  });

  test('a lost backend stream ends the watches, then the cache relists and follows again', async () => {
    const backend = new BreakableStore();
    const c = await cache({}, backend);
    try {
      const a = await c.create(`${P}ns/a`, pod('ns', 'a'));
      let ended: StorageError | undefined;
      c.watch(P, a.modRevision, () => {}, (err) => (ended = err));
      backend.cut();
      assert.equal(ended?.code, 'Unavailable', 'watchers learn their stream ended');
      const missed = await backend.create(`${P}ns/missed`, pod('ns', 'missed')); // while the cache is resyncing
      await eventually(() => c.cachedRevision() >= missed.modRevision, 'the cache to relist', 20_000, 2);
      assert.ok(await c.get(`${P}ns/missed`), 'the relist picked up the write made meanwhile');
      await expectCompacted(c, P, 0); // valid before the cut: the relist starts a new history
      const seen: number[] = [];
      c.watch(P, c.cachedRevision(), (ev) => seen.push(ev.revision));
      const b = await c.create(`${P}ns/b`, pod('ns', 'b'));
      assert.deepEqual(seen, [b.modRevision], 'the cache follows the backend again');
    } finally {
      await c.close();
    }
  });

  test('start mirrors an existing backend; history before the start is Compacted', async () => {
    const tmp = tempDir();
    const backend = new SqliteStore({ dataDir: tmp.dir });
    try {
      for (let i = 0; i < 3; i++) await backend.create(`${P}ns/p${i}`, pod('ns', `p${i}`));
      const c = await cache({}, backend);
      assert.equal(c.cachedRevision(), 3);
      assert.deepEqual((await c.list(P)).items.map((e) => [e.key, e.modRevision, e.createRevision]), [0, 1, 2].map((i) => [`${P}ns/p${i}`, i + 1, i + 1]));
      assert.throws(() => c.watch(P, 1, () => {}), (err: unknown) => (err as StorageError).code === 'Compacted');
      const seen: StoreEvent[] = [];
      c.watch(P, 3, (ev) => seen.push(ev));
      await backend.update(`${P}ns/p0`, pod('ns', 'p0', { direct: 'write' })); // a write not through the cache
      await eventually(() => seen.length === 1, 'the backend write reaching the cache', 20_000, 2);
      assert.equal(seen[0].type, 'MODIFIED');
      assert.equal(seen[0].prevObject!.metadata.resourceVersion, '1');
      assert.equal((await c.get(`${P}ns/p0`))!.createRevision, 1);
      await c.close();
    } finally {
      await backend.close();
      tmp.remove();
    }
  });
});

test('stats count objects, window events and watchers per resource', async () => {
  const c = await cache({ windowSize: 3 });
  try {
    for (let i = 0; i < 5; i++) await c.create(`${P}ns/p${i}`, pod('ns', `p${i}`));
    await c.delete(`${P}ns/p0`);
    const stop = c.watch(`${P}ns/`, c.cachedRevision(), () => {});
    const pods = c.stats().resources.find((r) => r.prefix === P)!;
    assert.deepEqual(pods, { prefix: P, objects: 4, windowEvents: 3, watchers: 1 });
    stop();
  } finally {
    await c.close();
  }
});

test('listPage at past revisions matches a reference model under random writes (paged, filtered)', async () => {
  const c = await cache({ windowSize: 100_000 });
  try {
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const model = new Map<string, KubeObject>();
    const snapshots: { revision: number; state: Map<string, KubeObject> }[] = [];
    for (let step = 0; step < 1500; step++) {
      const key = `${P}ns${rand(3)}/p${rand(60)}`;
      const [, , , , ns, name] = key.split('/');
      const o = pod(ns, name, { color: ['red', 'blue'][rand(2)] });
      const cur = model.get(key);
      if (!cur) model.set(key, (await c.create(key, o)).object);
      else if (rand(4) === 0) {
        await c.delete(key);
        model.delete(key);
      } else model.set(key, (await c.update(key, o)).object);
      if (step % 50 === 0) snapshots.push({ revision: c.cachedRevision(), state: new Map(model) });
    }
    for (const { revision, state } of snapshots) {
      for (const prefix of [P, `${P}ns1/`]) {
        for (const filter of [undefined, (o: KubeObject) => o.metadata.labels?.color === 'red']) {
          const expected = [...state.entries()]
            .filter(([k, o]) => k.startsWith(prefix) && (!filter || filter(o)))
            .sort(([a], [b]) => (a < b ? -1 : 1));
          // Walk all pages as continue tokens would.
          const got: [string, KubeObject][] = [];
          let afterKey: string | undefined;
          const limit = 1 + rand(25);
          for (;;) {
            const pg = await c.listPage(prefix, { exactRevision: revision, afterKey, limit, filter });
            assert.equal(pg.revision, revision);
            pg.entries!.forEach((e, i) => got.push([e.key, pg.items[i]]));
            if (!filter && pg.lastKey) assert.equal(pg.remaining, expected.length - got.length, 'remaining');
            if (!pg.lastKey) break;
            afterKey = pg.lastKey;
          }
          assert.deepEqual(got.map(([k, o]) => [k, o.metadata.resourceVersion]), expected.map(([k, o]) => [k, o.metadata.resourceVersion]), `rev ${revision} ${prefix}`);
        }
      }
    }
  } finally {
    await c.close();
  }
});

describe('watch cache over a shared backend (several API servers)', () => {
  test('a watch from a revision the cache has not reached yet delivers only what follows it', async () => {
    const backend = new LaggyStore();
    const c = await cache({}, backend);
    try {
      // Written through "another API server": the backend has them, this cache not yet.
      const revs: number[] = [];
      for (let i = 0; i < 3; i++) revs.push((await backend.create(`${P}ns/p${i}`, pod('ns', `p${i}`))).modRevision);
      assert.ok(c.cachedRevision() < revs[1], 'the cache lags behind');
      const events: StoreEvent[] = [];
      const stop = c.watch(P, revs[1], (ev) => events.push(ev));
      await eventually(() => c.cachedRevision() === revs[2], 'the cache catches up');
      const later = await backend.create(`${P}ns/p3`, pod('ns', 'p3'));
      await eventually(() => events.length === 2, 'the events after the watch revision');
      stop();
      assert.deepEqual(events.map((e) => e.revision), [revs[2], later.modRevision]);
    } finally {
      await c.close();
    }
  });

  test('progress from the backend moves the cache to that revision without an event', async () => {
    let progress: ((rev: number) => void) | undefined;
    class ProgressStore extends MemoryStore {
      override watch(prefix: string, from: number, onEvent: (ev: StoreEvent) => void, onError?: (err: StorageError) => void, onProgress?: (rev: number) => void) {
        progress = onProgress;
        return super.watch(prefix, from, onEvent, onError);
      }
    }
    const c = await cache({}, new ProgressStore());
    try {
      const a = await c.create(`${P}ns/a`, pod('ns', 'a'));
      const waiting = c.listPage(P, { minRevision: a.modRevision + 5 });
      progress!(a.modRevision + 5);
      const page = await waiting;
      assert.equal(page.revision, a.modRevision + 5);
      assert.equal(c.cachedRevision(), a.modRevision + 5);
      progress!(a.modRevision + 2); // older progress changes nothing
      assert.equal(c.cachedRevision(), a.modRevision + 5);
      assert.deepEqual(page.items.map((o) => o.metadata.name), ['a']);
    } finally {
      await c.close();
    }
  });
});
