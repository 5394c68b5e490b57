// A three-member etcd cluster on loopback: with one member stopped, the store (and the watch cache
// over it) keeps serving through the other endpoints, and its watch resumes without a gap.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { EtcdStore } from '../../src/storage/etcd.ts';
import { StorageError, type Store, type StoreEntry, type StoreEvent } from '../../src/storage/interface.ts';
import { WatchCacheStore } from '../../src/storage/watch-cache.ts';
import { etcdMissing, startEtcd, type EtcdCluster } from './etcd-harness.ts';
import { eventually } from '../helpers/eventually.ts';

const P = '/registry/core/configmaps/';

/**
 * A create as a client does it across a member failure: a write whose outcome is unknown
 * (Unavailable: a leader lost mid-request) is looked up, and retried if it did not happen.
 */
async function createRetrying(s: Store, key: string): Promise<StoreEntry> {
  let unknownOutcome = false;
  for (;;) {
    try {
      return await s.create(key, { metadata: { name: key.split('/').pop()! } });
    } catch (err) {
      if (!(err instanceof StorageError)) throw err;
      // KeyExists after an unknown outcome: the earlier attempt did commit (we are the only writer).
      if (err.code === 'KeyExists' && unknownOutcome) return eventually(() => s.get(key), `${key} after KeyExists`);
      if (err.code !== 'Unavailable') throw err;
      unknownOutcome = true;
      const there = await s.get(key).catch(() => undefined);
      if (there) return there;
    }
  }
}

if (etcdMissing()) {
  console.log('SKIP etcd cluster tests: no `etcd` binary on PATH (apt-get install etcd-server)');
  test('etcd cluster', (t) => t.skip('etcd is not installed'));
} else {
  let cluster: EtcdCluster;
  before(async () => {
    cluster = await startEtcd(3);
  });
  after(async () => {
    await cluster?.close();
  });

  // Member 0 (the one every client talks to first) goes away: SIGTERM in the first round; the
  // cluster is started anew for SIGKILL (two of three members left = still a quorum each time).
  for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
  test(`one member stopped (${signal}): writes, reads, watches and the watch cache go on through the others`, async () => {
    if (signal === 'SIGKILL') {
      await cluster.close();
      cluster = await startEtcd(3);
    }
    const store = new EtcdStore({ endpoints: cluster.endpoints, prefix: '/cluster-test' });
    const cache = new WatchCacheStore(new EtcdStore({ endpoints: cluster.endpoints, prefix: '/cluster-test' }));
    await cache.start();
    try {
      const start = await store.currentRevision();
      const events: StoreEvent[] = [];
      let ended: unknown;
      const stop = store.watch(P, start, (ev) => events.push(ev), (err) => (ended = err));
      const acked: number[] = [];
      for (let i = 0; i < 10; i++) acked.push((await store.create(`${P}ns/before-${i}`, { metadata: { name: `before-${i}` } })).modRevision);
      await eventually(() => events.length === 10, 'events before the stop');
      assert.equal(store.client.endpoint(), cluster.endpoints[0]);
      await cluster.stop(0, signal);
      for (let i = 0; i < 10; i++) acked.push((await createRetrying(store, `${P}ns/after-${i}`)).modRevision);
      const viaCache = await createRetrying(cache, `${P}ns/via-cache`);
      acked.push(viaCache.modRevision);
      const e = (await store.get(`${P}ns/after-3`))!;
      acked.push((await store.update(`${P}ns/after-3`, { metadata: { name: 'after-3' }, data: { v: '2' } }, e.modRevision)).modRevision);
      await eventually(() => events.length === acked.length, `all ${acked.length} events on the resumed watch`, 20_000);
      stop();
      assert.notEqual(store.client.endpoint(), cluster.endpoints[0], 'the store moved to another member');
      assert.equal(ended, undefined, 'the watch did not end: it resumed on another member');
      assert.deepEqual(events.map((ev) => ev.revision), acked, 'every write once, in order, across the stop');
      assert.equal((await store.list(P)).items.length, 21);
      await eventually(async () => (await cache.list(P)).items.length === 21, 'the watch cache has every object');
      assert.equal((await cache.get(`${P}ns/after-3`))!.modRevision, acked[acked.length - 1]);
    } finally {
      await store.close();
      await cache.close();
    }
  });
  }
}
