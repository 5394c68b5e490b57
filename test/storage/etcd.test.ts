// The etcd backend on a private etcd: the storage conformance suite, etcd specifics (key layout,
// progress notifications, the watch cache over it) and two stores on one etcd (the shared
// multi-writer suite over stores and over watch caches, plus an etcd-specific one).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EtcdStore, parseEtcdUrl } from '../../src/storage/etcd.ts';
import { mapEtcdError, prefixRangeEnd } from '../../src/storage/etcd-client.ts';
import { StorageError, type Store, type StoreEvent } from '../../src/storage/interface.ts';
import { WatchCacheStore } from '../../src/storage/watch-cache.ts';
import { openStore } from '../../src/storage/open.ts';
import { expectCompacted, runStoreConformance } from './conformance.ts';
import { runMultiWriterSuite } from './multi-writer.ts';
import { etcdMissing, startEtcd, type EtcdCluster } from './etcd-harness.ts';
import { eventually } from '../helpers/eventually.ts';

const missing = etcdMissing();
let etcd: EtcdCluster | undefined;
let n = 0;
const fresh = (): string => `/t${process.pid}-${n++}`;

test('etcd URLs and error mapping (no server needed)', () => {
  for (const [url, endpoints, prefix] of [
    ['etcd://127.0.0.1:2379', ['http://127.0.0.1:2379'], ''],
    ['etcd://a:1,b:2,c:3', ['http://a:1', 'http://b:2', 'http://c:3'], ''],
    ['etcd://a:1,b:2/cluster-1/', ['http://a:1', 'http://b:2'], '/cluster-1'],
  ] as const) {
    assert.deepEqual(parseEtcdUrl(url), { endpoints, prefix }, url);
  }
  assert.throws(() => parseEtcdUrl('postgres://x'), /invalid etcd storage URL/);
  assert.equal(Buffer.from(prefixRangeEnd('/registry/'), 'base64').toString(), '/registry0');
  assert.equal(prefixRangeEnd(''), 'AA==');
  for (const [status, body, code] of [
    [400, { code: 11, message: 'etcdserver: mvcc: required revision has been compacted' }, 'Compacted'],
    [400, { code: 11, message: 'etcdserver: mvcc: required revision is a future revision' }, 'TooLargeResourceVersion'],
    [503, { code: 14, message: 'etcdserver: leader changed' }, 'Unavailable'],
    [500, { code: 2, message: 'etcdserver: request timed out' }, 'Unavailable'],
  ] as const) {
    const err = mapEtcdError(status, body);
    assert.ok(err instanceof StorageError && err.code === code, `${body.message} → ${code}, got ${err}`);
  }
  assert.ok(!(mapEtcdError(400, { code: 3, message: 'etcdserver: key is not provided' }) instanceof StorageError));
});

test('no member answers: requests fail with Unavailable, a watch ends with it after watchRetryMs', async () => {
  const s = new EtcdStore({ endpoints: ['http://127.0.0.1:1', 'http://127.0.0.1:2'], requestTimeoutMs: 500, watchRetryMs: 300 });
  try {
    for (const call of [() => s.get('/registry/core/configmaps/ns/a'), () => s.create('/registry/core/configmaps/ns/a', { metadata: { name: 'a' } })]) {
      await assert.rejects(call(), (err: unknown) => err instanceof StorageError && err.code === 'Unavailable');
    }
    let ended: StorageError | undefined;
    s.watch('/registry/', 0, () => {}, (err) => (ended = err));
    await eventually(() => ended, 'the watch gives up', 10_000);
    assert.equal(ended!.code, 'Unavailable');
  } finally {
    await s.close();
  }
});

if (missing) {
  console.log('SKIP etcd storage tests: no `etcd` binary on PATH (apt-get install etcd-server)');
  test('etcd backend', (t) => t.skip('etcd is not installed'));
} else {
  before(async () => {
    etcd = await startEtcd(1);
  });
  after(async () => {
    await etcd?.close();
  });

  runStoreConformance('etcd', async () => {
    const prefix = fresh();
    let store: Store = new EtcdStore({ endpoints: etcd!.endpoints, prefix });
    return {
      store,
      reopen: async () => {
        await store.close();
        store = new EtcdStore({ endpoints: etcd!.endpoints, prefix });
        return store;
      },
      cleanup: () => store.close(),
    };
  });

  runStoreConformance('watch cache over etcd', async () => {
    const store = new WatchCacheStore(new EtcdStore({ endpoints: etcd!.endpoints, prefix: fresh() }));
    await store.start();
    return { store, cleanup: () => store.close() };
  });

  runMultiWriterSuite('etcd', async () => {
    const prefix = fresh();
    const [a, b] = [new EtcdStore({ endpoints: etcd!.endpoints, prefix }), new EtcdStore({ endpoints: etcd!.endpoints, prefix })];
    return { a, b, cleanup: async () => void (await Promise.all([a.close(), b.close()])) };
  });
  runMultiWriterSuite('two watch caches over etcd', async () => {
    const prefix = fresh();
    const [a, b] = [new WatchCacheStore(new EtcdStore({ endpoints: etcd!.endpoints, prefix })), new WatchCacheStore(new EtcdStore({ endpoints: etcd!.endpoints, prefix }))];
    await Promise.all([a.start(), b.start()]);
    return { a, b, cleanup: async () => void (await Promise.all([a.close(), b.close()])) };
  });

  describe('etcd specifics', () => {
    test('keys are the store keys under the prefix, values carry no resourceVersion', async () => {
      const prefix = fresh();
      const s = new EtcdStore({ endpoints: etcd!.endpoints, prefix });
      try {
        const e = await s.create('/registry/core/configmaps/ns/a', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'ns', resourceVersion: '999' } });
        const raw = await s.client.post<{ kvs?: { key: string; value: string; mod_revision: string }[] }>('/v3/kv/range', {
          key: Buffer.from(`${prefix}/registry/core/configmaps/ns/a`).toString('base64'),
        });
        assert.equal(raw.kvs?.length, 1);
        assert.equal(Number(raw.kvs![0].mod_revision), e.modRevision);
        const stored = JSON.parse(Buffer.from(raw.kvs![0].value, 'base64').toString());
        assert.equal(stored.metadata.resourceVersion, undefined);
        assert.equal(e.object.metadata.resourceVersion, String(e.modRevision));
      } finally {
        await s.close();
      }
    });

    test('progress notifications report the revision the watch has reached', async () => {
      const s = new EtcdStore({ endpoints: etcd!.endpoints, prefix: fresh() });
      const other = new EtcdStore({ endpoints: etcd!.endpoints, prefix: fresh() });
      try {
        const from = await s.currentRevision();
        const progress: number[] = [];
        const events: StoreEvent[] = [];
        const stop = s.watch('/registry/', from, (ev) => events.push(ev), undefined, (rev) => progress.push(rev));
        const written = await other.create('/registry/core/configmaps/ns/x', { metadata: { name: 'x' } });
        await eventually(() => progress.some((r) => r >= written.modRevision), 'a progress notification past the foreign write', 10_000);
        stop();
        assert.equal(events.length, 0, 'writes under another prefix are not events');
      } finally {
        await s.close();
        await other.close();
      }
    });
  });

  test('the watch cache over etcd reaches the etcd revision through progress notifications', async () => {
    const c = new WatchCacheStore(new EtcdStore({ endpoints: etcd!.endpoints, prefix: fresh() }));
    const other = new EtcdStore({ endpoints: etcd!.endpoints, prefix: fresh() });
    try {
      await c.start();
      const foreign = await other.create('/registry/core/configmaps/ns/x', { metadata: { name: 'x' } });
      const page = await c.listPage('/registry/', { minRevision: foreign.modRevision });
      assert.ok(page.revision >= foreign.modRevision);
      assert.equal(page.items.length, 0);
    } finally {
      await c.close();
      await other.close();
    }
  });

  test('openStore({ storage: etcd://... }) runs the watch cache over etcd, with periodic compaction', async () => {
    const hostPorts = etcd!.endpoints.map((e) => e.replace('http://', '')).join(',');
    const prefix = fresh();
    const c = await openStore({ storage: `etcd://${hostPorts}${prefix}`, compactionIntervalMs: 100 });
    const raw = new EtcdStore({ endpoints: etcd!.endpoints, prefix });
    try {
      const a = await c.create('/registry/core/configmaps/ns/a', { metadata: { name: 'a', namespace: 'ns' } });
      assert.equal((await raw.get('/registry/core/configmaps/ns/a'))!.modRevision, a.modRevision, 'written to etcd under the prefix');
      await c.update('/registry/core/configmaps/ns/a', { metadata: { name: 'a', namespace: 'ns' }, data: { v: '2' } });
      await eventually(async () => {
        try {
          await expectCompacted(raw, '/registry/', a.modRevision - 1);
          return true;
        } catch {
          return false;
        }
      }, 'the periodic compaction reached the first write', 10_000, 100);
    } finally {
      await c.close();
      await raw.close();
    }
  });

  describe('etcd: two stores on one etcd (multi-writer)', () => {
    test('concurrent writers: one revision order, no lost update, identical watch sequences', async () => {
      const prefix = fresh();
      const a = new EtcdStore({ endpoints: etcd!.endpoints, prefix });
      const b = new EtcdStore({ endpoints: etcd!.endpoints, prefix });
      const P = '/registry/core/configmaps/';
      try {
        const start = await a.currentRevision();
        const seenA: StoreEvent[] = [];
        const seenB: StoreEvent[] = [];
        const stopA = a.watch(P, start, (ev) => seenA.push(ev));
        const stopB = b.watch(P, start, (ev) => seenB.push(ev));
        const counter = `${P}ns/counter`;
        await a.create(counter, { metadata: { name: 'counter' }, data: { n: '0' } });
        const acked: number[] = [];
        const incr = async (s: Store, times: number) => {
          for (let i = 0; i < times; i++) {
            for (;;) {
              const e = (await s.get(counter))!;
              const n = Number((e.object.data as { n: string }).n) + 1;
              try {
                acked.push((await s.update(counter, { metadata: { name: 'counter' }, data: { n: String(n) } }, e.modRevision)).modRevision);
                break;
              } catch (err) {
                if ((err as StorageError).code !== 'Conflict') throw err;
              }
            }
          }
        };
        const creates = async (s: Store, tag: string) => {
          for (let i = 0; i < 20; i++) acked.push((await s.create(`${P}${tag}/k${i}`, { metadata: { name: `k${i}` } })).modRevision);
        };
        await Promise.all([incr(a, 25), incr(b, 25), incr(a, 25), incr(b, 25), creates(a, 'a'), creates(b, 'b')]);
        assert.equal(((await b.get(counter))!.object.data as { n: string }).n, '100', 'no lost update');
        assert.equal(new Set(acked).size, acked.length, 'every acknowledged write has its own revision');
        await eventually(() => seenA.length >= acked.length + 1 && seenB.length >= acked.length + 1, 'every write on both watches', 20_000);
        stopA();
        stopB();
        const seq = (evs: StoreEvent[]) => evs.map((e) => `${e.revision} ${e.type} ${e.key} ${e.object.metadata.resourceVersion}`);
        assert.deepEqual(seq(seenA), seq(seenB), 'both stores see one sequence');
        const revs = seenA.map((e) => e.revision);
        for (let i = 1; i < revs.length; i++) assert.ok(revs[i] > revs[i - 1], `revision order at ${i}`);
        assert.deepEqual(revs.slice(1), [...acked].sort((x, y) => x - y), 'exactly the acknowledged writes, in revision order');
      } finally {
        await a.close();
        await b.close();
      }
    });
  });
}
