// The multi-writer suite for shared backends (PostgreSQL, etcd): two store instances on one
// database committing concurrently see one revision order, lose no update, and deliver identical
// watch sequences.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/types.ts';
import type { StorageError, Store, StoreEvent } from '../../src/storage/interface.ts';
import { eventually } from '../helpers/eventually.ts';

export interface StorePair {
  a: Store;
  b: Store;
  cleanup(): Promise<void>;
}

function obj(name: string, data: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'ns' }, data };
}

function collect(s: Store, prefix: string, from: number): { events: StoreEvent[]; errors: StorageError[]; stop(): void } {
  const events: StoreEvent[] = [];
  const errors: StorageError[] = [];
  const stop = s.watch(prefix, from, (ev) => events.push(ev), (err) => errors.push(err));
  return { events, errors, stop };
}

const P = '/registry/core/configmaps/';
const sig = (evs: StoreEvent[]) => evs.map((e) => `${e.revision}:${e.type}:${e.key}:${e.object.metadata.resourceVersion}`);

export function runMultiWriterSuite(name: string, makePair: () => Promise<StorePair>): void {
  describe(`${name}: multi-writer`, () => {
    async function withPair(fn: (p: StorePair) => Promise<void>): Promise<void> {
      const p = await makePair();
      try {
        await fn(p);
      } finally {
        await p.cleanup();
      }
    }

    test('concurrent writers on two instances: one gap-free revision order, identical watch sequences', () =>
      withPair(async ({ a, b }) => {
        const from = await a.currentRevision();
        const wa = collect(a, P, from);
        const wb = collect(b, P, from);
        const acked: number[] = [];
        const writer = async (s: Store, id: number) => {
          for (let i = 0; i < 25; i++) {
            const key = `${P}ns/w${id}-${i % 4}`;
            const e = await s.get(key);
            const r = e ? await s.update(key, obj(`w${id}`, { i: String(i) }), e.modRevision) : await s.create(key, obj(`w${id}`));
            acked.push(r.modRevision);
          }
        };
        await Promise.all([0, 1, 2, 3].map((id) => writer(id % 2 ? b : a, id)));
        const sorted = [...acked].sort((x, y) => x - y);
        assert.deepEqual(sorted, Array.from({ length: acked.length }, (_, i) => from + 1 + i), 'every write took its own revision, none skipped');
        await eventually(() => wa.events.length >= acked.length && wb.events.length >= acked.length, 'both watches caught up', 20_000, 5);
        wa.stop();
        wb.stop();
        assert.deepEqual(wa.events.map((e) => e.revision), sorted);
        assert.deepEqual(sig(wa.events), sig(wb.events), 'both instances deliver the same sequence');
        assert.deepEqual(wa.errors, []);
        assert.equal(await a.currentRevision(), await b.currentRevision());
      }));

    test('read-modify-write from both instances with retry on Conflict loses no update', () =>
      withPair(async ({ a, b }) => {
        const key = `${P}ns/counter`;
        await a.create(key, obj('counter', { n: '0' }));
        const worker = async (s: Store) => {
          for (let i = 0; i < 15; i++) {
            for (;;) {
              const e = (await s.get(key))!;
              const n = Number((e.object.data as { n: string }).n) + 1;
              try {
                await s.update(key, obj('counter', { n: String(n) }), e.modRevision);
                break;
              } catch (err) {
                if ((err as StorageError).code !== 'Conflict') throw err;
              }
            }
          }
        };
        await Promise.all([a, b, a, b].map(worker));
        assert.equal(((await b.get(key))!.object.data as { n: string }).n, '60');
        assert.equal(((await a.get(key))!.object.data as { n: string }).n, '60');
      }));

    test('a write on one instance is read, listed and watched on the other at the same revision', () =>
      withPair(async ({ a, b }) => {
        const w = collect(b, P, await b.currentRevision());
        const c = await a.create(`${P}ns/x`, obj('x'));
        assert.equal((await b.get(`${P}ns/x`))!.modRevision, c.modRevision);
        const listed = await b.list(P);
        assert.ok(listed.revision >= c.modRevision);
        await eventually(() => w.events.length === 1, 'the event on the other instance', 10_000, 5);
        w.stop();
        assert.equal(w.events[0].revision, c.modRevision);
        const stale = await b.update(`${P}ns/x`, obj('x', { v: '2' }), c.modRevision);
        await assert.rejects(a.update(`${P}ns/x`, obj('x', { v: '3' }), c.modRevision), (err: StorageError) => err.code === 'Conflict' && err.revision === stale.modRevision);
      }));
  });
}
