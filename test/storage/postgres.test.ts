// The PostgreSQL backend on a private server: conformance with Redis Stream events and with
// LISTEN/NOTIFY, the multi-writer suite, and recovery from Redis and PostgreSQL restarts.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/types.ts';
import type { StorageError, Store, StoreEvent } from '../../src/storage/interface.ts';
import { PostgresStore, type PostgresStoreOptions } from '../../src/storage/postgres.ts';
import { WatchCacheStore } from '../../src/storage/watch-cache.ts';
import { eventually } from '../helpers/eventually.ts';
import { startPostgres, startRedis } from '../helpers/services.ts';
import { runStoreConformance } from './conformance.ts';
import { runMultiWriterSuite } from './multi-writer.ts';

const pgServer = await startPostgres();
const redis = pgServer ? await startRedis() : undefined;
after(async () => {
  await redis?.stop();
  await pgServer?.stop();
});

let schemas = 0;
const quiet = { onError: () => {} };

function open(schema: string, extra: Partial<PostgresStoreOptions> = {}): Promise<PostgresStore> {
  return PostgresStore.open({ url: pgServer!.url, schema, poolSize: 4, ...quiet, ...extra });
}

const transports: [string, () => Partial<PostgresStoreOptions> | undefined][] = [
  ['postgres + redis stream', () => (redis ? { events: redis.url } : undefined)],
  ['postgres + listen/notify', () => ({})],
];

if (!pgServer) {
  test('postgres backend', (t) => t.skip('initdb/pg_ctl not found'));
} else {
  for (const [name, events] of transports) {
    const ev = events();
    if (!ev) {
      process.stdout.write(`SKIP ${name}: redis-server not found\n`);
      continue;
    }
    runStoreConformance(name, async () => {
      const schema = `c${++schemas}_${process.pid}`;
      let store: Store = await open(schema, ev);
      return {
        store,
        reopen: async () => {
          await store.close();
          store = await open(schema, ev);
          return store;
        },
        cleanup: () => store.close(),
      };
    });
    runMultiWriterSuite(name, async () => {
      const schema = `m${++schemas}_${process.pid}`;
      const a = await open(schema, ev);
      const b = await open(schema, ev);
      return { a, b, cleanup: async () => void (await Promise.all([a.close(), b.close()])) };
    });
  }
  // As the API servers use it: the watch cache over the store, alone and two of them on one database.
  const ev = redis ? { events: redis.url } : {};
  const via = redis ? 'redis stream' : 'listen/notify';
  runStoreConformance(`watch cache over postgres + ${via}`, async () => {
    const store = new WatchCacheStore(await open(`wc${++schemas}_${process.pid}`, ev));
    await store.start();
    return { store, cleanup: () => store.close() };
  });
  runMultiWriterSuite(`two watch caches over postgres + ${via}`, async () => {
    const schema = `wm${++schemas}_${process.pid}`;
    const [a, b] = [new WatchCacheStore(await open(schema, ev)), new WatchCacheStore(await open(schema, ev))];
    await Promise.all([a.start(), b.start()]);
    return { a, b, cleanup: async () => void (await Promise.all([a.close(), b.close()])) };
  });
  describe('postgres: failures heal', () => {
    const obj = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'ns' } });
    const P = '/registry/core/configmaps/';

    test('a Redis restart loses no event and reorders none (the gap is filled from the log)', { skip: !redis && 'redis-server not found' }, async () => {
      const schema = `r${++schemas}_${process.pid}`;
      const a = await open(schema, { events: redis!.url, pollMs: 300 });
      const b = await open(schema, { events: redis!.url, pollMs: 300 });
      try {
        const from = await a.currentRevision();
        const seen: StoreEvent[][] = [[], []];
        const errors: StorageError[] = [];
        const stops = [a, b].map((s, i) => s.watch(P, from, (e) => seen[i].push(e), (e) => errors.push(e)));
        const acked: number[] = [];
        let stop = false;
        const writer = (async () => {
          for (let i = 0; !stop || i < 20; i++) {
            const s = i % 2 ? b : a;
            acked.push((await s.create(`${P}ns/k${i}`, obj(`k${i}`))).modRevision);
            await new Promise((r) => setTimeout(r, 10));
          }
        })();
        await eventually(() => acked.length >= 10, 'writes before the restart', 10_000, 5);
        await redis!.restart();
        await eventually(() => acked.length >= 40, 'writes after the restart', 20_000, 5);
        stop = true;
        await writer;
        await eventually(() => seen[0].length >= acked.length && seen[1].length >= acked.length, 'every event on both instances', 20_000, 10);
        stops.forEach((s) => s());
        const want = [...acked].sort((x, y) => x - y);
        assert.deepEqual(seen[0].map((e) => e.revision), want);
        assert.deepEqual(seen[1].map((e) => e.revision), want);
        assert.deepEqual(errors, []);
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    });

    for (const [tname, events] of transports) {
      test(`${tname}: while PostgreSQL is down calls fail with Unavailable; afterwards every acknowledged write is there`, { skip: !events() && 'redis-server not found' }, async () => {
        const schema = `d${++schemas}_${process.pid}`;
        const s = await open(schema, { pollMs: 200, ...events() });
        try {
          const from = await s.currentRevision();
          const seen: number[] = [];
          s.watch(P, from, (e) => seen.push(e.revision));
          const acked: string[] = [];
          for (let i = 0; i < 5; i++) acked.push((await s.create(`${P}ns/a${i}`, obj(`a${i}`))).key);
          pgServer.pgStop();
          try {
            await assert.rejects(s.create(`${P}ns/down`, obj('down')), (err: StorageError) => err.code === 'Unavailable');
            await assert.rejects(s.get(`${P}ns/a0`), (err: StorageError) => err.code === 'Unavailable');
          } finally {
            pgServer.pgStart();
          }
          const e = await eventually(() => s.create(`${P}ns/after`, obj('after')).catch(() => undefined), 'a write after the restart', 20_000, 200);
          acked.push(e.key);
          const listed = await s.list(P);
          for (const k of acked) assert.ok(listed.items.some((i) => i.key === k), `${k} survived`);
          await eventually(() => seen.length === 6, 'the watch continues after the restart', 10_000, 20);
          assert.deepEqual(seen, [from + 1, from + 2, from + 3, from + 4, from + 5, e.modRevision]);
        } finally {
          await s.close();
        }
      });
    }
  });
}
