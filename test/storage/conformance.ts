// The storage conformance suite: every backend (memory, SQLite, the watch cache, and later
// PostgreSQL and etcd) must pass it. Backend-agnostic: only the Store interface is used, and
// watch events are awaited by polling (a remote backend may deliver them asynchronously).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/types.ts';
import { StorageError, type Store, type StoreEvent } from '../../src/storage/interface.ts';
import { eventually } from '../helpers/eventually.ts';

export interface StoreUnderTest {
  store: Store;
  cleanup(): Promise<void>;
  /** Closes the store and opens a new one on the same data (durable backends only). */
  reopen?(): Promise<Store>;
}

function obj(name: string, extra: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'ns' }, ...extra };
}

async function rejectsWith(p: Promise<unknown>, code: string): Promise<StorageError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof StorageError, `expected StorageError, got ${err}`);
    assert.equal(err.code, code, err.message);
    return err;
  }
  assert.fail(`expected ${code}, the call succeeded`);
}

/**
 * Asserts a watch from `from` fails with Compacted (and the oldest available revision, if given):
 * thrown at once, or through onError for backends that learn it from a remote stream.
 */
export async function expectCompacted(s: Store, prefix: string, from: number, oldest?: number): Promise<void> {
  let err: unknown;
  let stop: (() => void) | undefined;
  try {
    stop = s.watch(prefix, from, () => {}, (e) => (err = e));
  } catch (e) {
    err = e;
  }
  if (stop) {
    await eventually(() => err !== undefined, `Compacted for a watch from ${from}`, 3_000, 2);
    stop();
  }
  assert.ok(err instanceof StorageError, `expected StorageError, got ${err}`);
  assert.equal(err.code, 'Compacted', err.message);
  if (oldest !== undefined) assert.equal(err.revision, oldest, 'Compacted names the oldest available revision');
}

function collector(store: Store, prefix: string, from: number): { events: StoreEvent[]; stop(): void } {
  const events: StoreEvent[] = [];
  const stop = store.watch(prefix, from, (ev) => events.push(ev));
  return { events, stop };
}

export function runStoreConformance(name: string, makeStore: () => Promise<StoreUnderTest>): void {
  describe(`${name}: storage conformance`, () => {
    async function withStore(fn: (s: Store, t: StoreUnderTest) => Promise<void>): Promise<void> {
      const t = await makeStore();
      try {
        await fn(t.store, t);
      } finally {
        await t.cleanup();
      }
    }
    const P = '/registry/core/configmaps/';

    test('create, get and list by prefix', () =>
      withStore(async (s) => {
        const input = obj('a', { data: { k: 'v' } });
        const a = await s.create(`${P}ns/a`, input);
        input.metadata.name = 'changed-after-create';
        const b = await s.create(`${P}ns/b`, obj('b'));
        await s.create(`${P}other/c`, obj('c'));
        await s.create('/registry/core/secrets/ns/a', obj('a'));
        assert.equal(a.createRevision, a.modRevision);
        assert.equal(a.object.metadata.resourceVersion, String(a.modRevision));
        const got = await s.get(`${P}ns/a`);
        assert.ok(got);
        assert.equal(got.modRevision, a.modRevision);
        assert.equal(got.object.metadata.name, 'a', 'the store keeps its own copy of what it was given');
        assert.deepEqual(got.object.data, { k: 'v' });
        assert.equal(got.object.metadata.resourceVersion, String(a.modRevision));
        assert.equal(await s.get(`${P}ns/missing`), undefined);
        const ns = await s.list(`${P}ns/`);
        assert.deepEqual(ns.items.map((e) => e.key), [`${P}ns/a`, `${P}ns/b`]);
        assert.ok(ns.revision >= b.modRevision);
        const all = await s.list(P);
        assert.deepEqual(all.items.map((e) => e.key), [`${P}ns/a`, `${P}ns/b`, `${P}other/c`]);
        assert.equal((await s.list('/registry/core/nothing/')).items.length, 0);
      }));

    test('create of a live key fails with KeyExists and consumes no revision', () =>
      withStore(async (s) => {
        await s.create(`${P}ns/a`, obj('a'));
        const rev = await s.currentRevision();
        await rejectsWith(s.create(`${P}ns/a`, obj('a')), 'KeyExists');
        assert.equal(await s.currentRevision(), rev);
      }));

    test('CAS update: the current revision wins, a stale one gets Conflict', () =>
      withStore(async (s) => {
        const a = await s.create(`${P}ns/a`, obj('a', { data: { v: '1' } }));
        const u = await s.update(`${P}ns/a`, obj('a', { data: { v: '2' } }), a.modRevision);
        assert.ok(u.modRevision > a.modRevision);
        assert.equal(u.createRevision, a.createRevision);
        assert.equal(u.object.metadata.resourceVersion, String(u.modRevision));
        const err = await rejectsWith(s.update(`${P}ns/a`, obj('a', { data: { v: '3' } }), a.modRevision), 'Conflict');
        assert.equal(err.revision, u.modRevision, 'Conflict carries the current revision');
        assert.deepEqual((await s.get(`${P}ns/a`))!.object.data, { v: '2' });
        await rejectsWith(s.update(`${P}ns/missing`, obj('missing'), 1), 'KeyNotFound');
        await rejectsWith(s.update(`${P}ns/missing`, obj('missing')), 'KeyNotFound');
      }));

    test('update without an expected revision is unconditional', () =>
      withStore(async (s) => {
        await s.create(`${P}ns/a`, obj('a'));
        await s.update(`${P}ns/a`, obj('a', { data: { v: '2' } }));
        const u = await s.update(`${P}ns/a`, obj('a', { data: { v: '3' } }));
        const got = await s.get(`${P}ns/a`);
        assert.equal(got!.modRevision, u.modRevision);
        assert.deepEqual(got!.object.data, { v: '3' });
      }));

    test('CAS delete: stale revision conflicts, the right one deletes and returns the last state', () =>
      withStore(async (s) => {
        const a = await s.create(`${P}ns/a`, obj('a', { data: { v: '1' } }));
        const u = await s.update(`${P}ns/a`, obj('a', { data: { v: '2' } }), a.modRevision);
        await rejectsWith(s.delete(`${P}ns/a`, a.modRevision), 'Conflict');
        assert.ok(await s.get(`${P}ns/a`), 'a conflicting delete deletes nothing');
        const d = await s.delete(`${P}ns/a`, u.modRevision);
        assert.ok(d.modRevision > u.modRevision);
        assert.equal(d.object.metadata.resourceVersion, String(d.modRevision));
        assert.deepEqual(d.object.data, { v: '2' });
        assert.equal(await s.get(`${P}ns/a`), undefined);
        await rejectsWith(s.delete(`${P}ns/a`), 'KeyNotFound');
        const again = await s.create(`${P}ns/a`, obj('a'));
        assert.ok(again.createRevision > d.modRevision, 'a re-created key starts a new life');
      }));

    test('one revision counter for the whole store, strictly increasing across keys', () =>
      withStore(async (s) => {
        const revs: number[] = [];
        for (let i = 0; i < 10; i++) revs.push((await s.create(`/registry/g${i % 3}/things/ns/k${i}`, obj(`k${i}`))).modRevision);
        revs.push((await s.update(`/registry/g0/things/ns/k0`, obj('k0'))).modRevision);
        revs.push((await s.delete(`/registry/g1/things/ns/k1`)).modRevision);
        for (let i = 1; i < revs.length; i++) assert.equal(revs[i], revs[i - 1] + 1, `revisions ${revs.join(',')}`);
        assert.equal(await s.currentRevision(), revs[revs.length - 1]);
      }));

    test('CAS race: of concurrent updates from the same revision exactly one wins', () =>
      withStore(async (s) => {
        let cur = await s.create(`${P}ns/race`, obj('race'));
        for (let round = 0; round < 5; round++) {
          const results = await Promise.allSettled(
            Array.from({ length: 20 }, (_, i) => s.update(`${P}ns/race`, obj('race', { data: { by: String(i) } }), cur.modRevision)),
          );
          const won = results.filter((r) => r.status === 'fulfilled');
          assert.equal(won.length, 1, `round ${round}: ${won.length} winners`);
          for (const r of results) if (r.status === 'rejected') assert.equal((r.reason as StorageError).code, 'Conflict');
          cur = (won[0] as PromiseFulfilledResult<typeof cur>).value;
        }
      }));

    test('read-modify-write with retry on Conflict loses no update', () =>
      withStore(async (s) => {
        const key = `${P}ns/counter`;
        await s.create(key, obj('counter', { data: { n: '0' } }));
        let acked = 0;
        const worker = async () => {
          for (let i = 0; i < 10; i++) {
            for (;;) {
              const e = (await s.get(key))!;
              const n = Number((e.object.data as { n: string }).n) + 1;
              try {
                await s.update(key, obj('counter', { data: { n: String(n) } }), e.modRevision);
                acked++;
                break;
              } catch (err) {
                if ((err as StorageError).code !== 'Conflict') throw err;
              }
            }
          }
        };
        await Promise.all(Array.from({ length: 10 }, worker));
        assert.equal(acked, 100);
        assert.equal(((await s.get(key))!.object.data as { n: string }).n, '100');
      }));

    test('watch under concurrent writers: every write once, in revision order, no gaps', () =>
      withStore(async (s) => {
        const start = await s.currentRevision();
        const w = collector(s, P, start);
        const other = collector(s, `${P}w3/`, start);
        const acked: number[] = [];
        const writer = async (id: number) => {
          for (let i = 0; i < 30; i++) {
            const key = `${P}w${id}/k${i % 5}`;
            const e = await s.get(key);
            const r = !e
              ? await s.create(key, obj(`k${i}`))
              : i % 7 === 0
                ? await s.delete(key, e.modRevision).catch(() => undefined)
                : await s.update(key, obj(`k${i}`, { data: { i: String(i) } })).catch(() => undefined);
            if (r) acked.push(r.modRevision);
          }
        };
        await Promise.all(Array.from({ length: 8 }, (_, id) => writer(id)));
        await s.create('/registry/core/secrets/ns/unrelated', obj('unrelated'));
        await eventually(() => w.events.length >= acked.length, `${acked.length} events`, 20_000, 2);
        w.stop();
        other.stop();
        const revs = w.events.map((e) => e.revision);
        for (let i = 1; i < revs.length; i++) assert.ok(revs[i] > revs[i - 1], `out of order at ${i}: ${revs[i - 1]} then ${revs[i]}`);
        assert.deepEqual(revs, [...acked].sort((a, b) => a - b), 'exactly the acknowledged writes');
        const final = await s.currentRevision();
        assert.equal(revs[revs.length - 1], final - 1, 'the last pod write precedes the unrelated one');
        assert.ok(other.events.length > 0 && other.events.every((e) => e.key.startsWith(`${P}w3/`)));
        for (const e of w.events) {
          assert.equal(e.object.metadata.resourceVersion, String(e.revision));
          assert.ok(['ADDED', 'MODIFIED', 'DELETED'].includes(e.type));
        }
      }));

    test('watch from an old revision replays history, then continues live', () =>
      withStore(async (s) => {
        const from = await s.currentRevision();
        const a = await s.create(`${P}ns/a`, obj('a', { data: { v: '1' } }));
        const u = await s.update(`${P}ns/a`, obj('a', { data: { v: '2' } }), a.modRevision);
        const d = await s.delete(`${P}ns/a`);
        await s.create('/registry/core/secrets/ns/x', obj('x'));
        const w = collector(s, P, from);
        await eventually(() => w.events.length >= 3, '3 replayed events', 20_000, 2);
        assert.deepEqual(
          w.events.map((e) => [e.type, e.revision]),
          [
            ['ADDED', a.modRevision],
            ['MODIFIED', u.modRevision],
            ['DELETED', d.modRevision],
          ],
        );
        assert.deepEqual(w.events[1].object.data, { v: '2' });
        if (w.events[1].prevObject) assert.deepEqual(w.events[1].prevObject.data, { v: '1' });
        assert.equal(w.events[2].object.metadata.resourceVersion, String(d.modRevision), 'DELETED carries the delete revision');
        const mid = collector(s, P, u.modRevision);
        const b = await s.create(`${P}ns/b`, obj('b'));
        await eventually(() => w.events.length >= 4 && mid.events.length >= 2, 'live events', 20_000, 2);
        assert.deepEqual(mid.events.map((e) => e.revision), [d.modRevision, b.modRevision]);
        assert.equal(w.events[3].revision, b.modRevision);
        w.stop();
        mid.stop();
        await s.create(`${P}ns/c`, obj('c'));
        await new Promise((r) => setTimeout(r, 20));
        assert.equal(w.events.length, 4, 'no delivery after unsubscribe');
      }));

    test('a callback that writes during its replay still sees every event once, in order', () =>
      withStore(async (s) => {
        const from = await s.currentRevision();
        for (let i = 0; i < 3; i++) await s.create(`${P}ns/k${i}`, obj(`k${i}`));
        const events: StoreEvent[] = [];
        const written: Promise<unknown>[] = [];
        const stop = s.watch(P, from, (ev) => {
          events.push(ev);
          if (events.length === 1) written.push(s.create(`${P}ns/from-callback`, obj('from-callback')));
        });
        await Promise.all(written);
        await eventually(() => events.length >= 4, '3 replayed events and the one written from the callback', 20_000, 2);
        await new Promise((r) => setTimeout(r, 20));
        stop();
        assert.deepEqual(events.map((e) => e.revision), [from + 1, from + 2, from + 3, from + 4]);
        assert.equal(events[3].key, `${P}ns/from-callback`);
      }));

    test('list then watch from the list revision has no gap', () =>
      withStore(async (s) => {
        for (let i = 0; i < 5; i++) await s.create(`${P}ns/k${i}`, obj(`k${i}`));
        const writes = (async () => {
          const revs: number[] = [];
          for (let i = 5; i < 25; i++) revs.push((await s.create(`${P}ns/k${i}`, obj(`k${i}`))).modRevision);
          return revs;
        })();
        const listed = await s.list(P);
        const w = collector(s, P, listed.revision);
        const revs = await writes;
        const after = revs.filter((r) => r > listed.revision);
        await eventually(() => w.events.length >= after.length, 'events after the list', 20_000, 2);
        w.stop();
        assert.deepEqual(w.events.map((e) => e.revision), after);
        const keys = new Set([...listed.items.map((e) => e.key), ...w.events.map((e) => e.key)]);
        assert.equal(keys.size, 25, 'list plus watch see every object');
      }));

    test('compaction: watch from before it fails with Compacted, from it replays the rest', () =>
      withStore(async (s) => {
        const base = await s.currentRevision();
        const revs: number[] = [];
        for (let i = 0; i < 6; i++) revs.push((await s.create(`${P}ns/k${i}`, obj(`k${i}`))).modRevision);
        const upd = await s.update(`${P}ns/k0`, obj('k0', { data: { v: '2' } }));
        await s.compact(revs[3]);
        await expectCompacted(s, P, revs[3] - 1, revs[3]);
        await expectCompacted(s, P, base);
        const w = collector(s, P, revs[3]);
        await eventually(() => w.events.length >= 3, 'events after the compacted revision', 20_000, 2);
        w.stop();
        assert.deepEqual(w.events.map((e) => e.revision), [revs[4], revs[5], upd.modRevision]);
        assert.equal((await s.list(P)).items.length, 6, 'compaction keeps live objects');
        assert.equal((await s.get(`${P}ns/k0`))!.modRevision, upd.modRevision);
        await s.compact(revs[1]); // an older compaction is a no-op
        await expectCompacted(s, P, revs[2]);
      }));

    test('closing the store ends its watches through onError, and further calls fail', async () => {
      const t = await makeStore();
      let ended: StorageError | undefined;
      let events = 0;
      t.store.watch(P, await t.store.currentRevision(), () => events++, (err) => (ended = err));
      await t.store.create(`${P}ns/a`, obj('a'));
      await eventually(() => events === 1, 'the event before close', 20_000, 2);
      await t.store.close();
      try {
        await eventually(() => ended !== undefined, 'onError after close', 20_000, 2);
        assert.equal(ended!.code, 'Unavailable');
        await rejectsWith(t.store.get(`${P}ns/a`), 'Unavailable');
        await rejectsWith(t.store.create(`${P}ns/b`, obj('b')), 'Unavailable');
      } finally {
        await t.cleanup();
      }
    });

    test('reopen restores every object, its revisions, the counter and the compaction', async (t) => {
      const sut = await makeStore();
      if (!sut.reopen) {
        await sut.cleanup();
        t.skip('not a durable backend');
        return;
      }
      try {
        const s = sut.store;
        const a = await s.create(`${P}ns/a`, obj('a'));
        const b = await s.create(`${P}ns/b`, obj('b', { data: { v: '1' } }));
        const b2 = await s.update(`${P}ns/b`, obj('b', { data: { v: '2' } }), b.modRevision);
        const c = await s.create(`${P}ns/c`, obj('c'));
        await s.delete(`${P}ns/c`, c.modRevision);
        await s.compact(b2.modRevision);
        const before = await s.list('');
        const rev = await s.currentRevision();
        const r = await sut.reopen();
        assert.equal(await r.currentRevision(), rev);
        const after = await r.list('');
        assert.deepEqual(
          after.items.map((e) => [e.key, e.modRevision, e.createRevision, e.object]),
          before.items.map((e) => [e.key, e.modRevision, e.createRevision, e.object]),
        );
        assert.equal((await r.get(`${P}ns/a`))!.modRevision, a.modRevision);
        assert.equal(await r.get(`${P}ns/c`), undefined);
        await expectCompacted(r, P, b.modRevision);
        const next = await r.create(`${P}ns/d`, obj('d'));
        assert.equal(next.modRevision, rev + 1, 'the counter continues where it stopped');
      } finally {
        await sut.cleanup();
      }
    });
  });
}
