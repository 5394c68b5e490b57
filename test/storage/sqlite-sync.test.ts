// synchronous=FULL: the WAL fsync runs off the event loop, and a write is acknowledged (and its event
// published) only once the fsync that covers it returns. The fsync is injected here, so the test
// decides when the disk "answers".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SqliteStore } from '../../src/storage/sqlite.ts';
import type { StoreEvent } from '../../src/storage/interface.ts';
import type { KubeObject } from '../../src/api/types.ts';
import { tempDir } from './helpers.ts';
import { eventually } from '../helpers/eventually.ts';

const cm = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { a: name } });

function heldSyncs() {
  const calls: { file: string; done: (err: Error | null) => void }[] = [];
  return { calls, syncWal: (file: string, done: (err: Error | null) => void) => void calls.push({ file, done }) };
}

test('a FULL write is acknowledged and published only after its WAL fsync returns', async () => {
  const tmp = tempDir();
  const held = heldSyncs();
  const store = new SqliteStore({ dataDir: tmp.dir, syncWal: held.syncWal });
  try {
    const seen: StoreEvent[] = [];
    store.watch('/cm/', 0, (ev) => seen.push(ev));
    let acked = false;
    const write = store.create('/cm/a', cm('a')).then((e) => ((acked = true), e));
    await eventually(() => held.calls.length === 1, 'the fsync was started');
    assert.match(held.calls[0].file, /kubesim\.db-wal$/);
    await new Promise((r) => setImmediate(r));
    assert.equal(acked, false, 'not acknowledged before the fsync returned');
    assert.equal(seen.length, 0, 'no event before the fsync returned');
    held.calls[0].done(null);
    const entry = await write;
    assert.equal(acked, true);
    assert.deepEqual(
      seen.map((e) => [e.type, e.key, e.revision]),
      [['ADDED', '/cm/a', entry.modRevision]],
    );
  } finally {
    held.calls.forEach((c) => c.done(null));
    await store.close();
  }
});

test('writes committed while an fsync runs share the next one, in revision order', async () => {
  const tmp = tempDir();
  const held = heldSyncs();
  const store = new SqliteStore({ dataDir: tmp.dir, syncWal: held.syncWal });
  try {
    const seen: number[] = [];
    store.watch('/cm/', 0, (ev) => seen.push(ev.revision));
    const first = store.create('/cm/a', cm('a'));
    await eventually(() => held.calls.length === 1, 'the first fsync was started');
    // Three more batches (one per event-loop turn) while the first fsync is held.
    const later: Promise<unknown>[] = [];
    for (const n of ['b', 'c', 'd']) {
      later.push(store.create(`/cm/${n}`, cm(n)));
      await new Promise((r) => setImmediate(r));
      await new Promise((r) => setImmediate(r));
    }
    assert.equal(held.calls.length, 1, 'one fsync at a time');
    held.calls[0].done(null);
    await first;
    await eventually(() => held.calls.length === 2, 'the batches that waited share one fsync');
    assert.deepEqual(seen, [1], 'only the first batch is published so far');
    held.calls[1].done(null);
    await Promise.all(later);
    assert.deepEqual(seen, [1, 2, 3, 4]);
  } finally {
    held.calls.forEach((c) => c.done(null));
    await store.close();
  }
});

test('a watch started while a batch awaits its fsync gets that batch once', async () => {
  const tmp = tempDir();
  const held = heldSyncs();
  const store = new SqliteStore({ dataDir: tmp.dir, syncWal: held.syncWal });
  try {
    const w = store.create('/cm/a', cm('a'));
    await eventually(() => held.calls.length === 1, 'the fsync was started');
    const { revision } = await store.list('/cm/');
    const fromZero: number[] = [];
    const fromList: number[] = [];
    store.watch('/cm/', 0, (ev) => fromZero.push(ev.revision));
    store.watch('/cm/', revision, (ev) => fromList.push(ev.revision));
    held.calls[0].done(null);
    await w;
    const b = store.create('/cm/b', cm('b'));
    await eventually(() => held.calls.length === 2, 'the second fsync was started');
    held.calls[1].done(null);
    await b;
    assert.deepEqual(fromZero, [1, 2], 'replayed once, not sent again when published');
    assert.deepEqual(fromList, [2], 'a watch from the list revision starts after it');
  } finally {
    held.calls.forEach((c) => c.done(null));
    await store.close();
  }
});

test('a failed fsync fails its writes but keeps the event stream whole', async () => {
  const tmp = tempDir();
  const held = heldSyncs();
  const store = new SqliteStore({ dataDir: tmp.dir, syncWal: held.syncWal });
  try {
    const seen: number[] = [];
    store.watch('/cm/', 0, (ev) => seen.push(ev.revision));
    const w = store.create('/cm/a', cm('a'));
    await eventually(() => held.calls.length === 1, 'the fsync was started');
    held.calls[0].done(new Error('EIO: i/o error'));
    await assert.rejects(w, (err: Error) => /storage sync failed: EIO/.test(err.message));
    assert.deepEqual(seen, [1]);
  } finally {
    held.calls.forEach((c) => c.done(null));
    await store.close();
  }
});

test('close answers the writes whose fsync is still running', async () => {
  const tmp = tempDir();
  const held = heldSyncs();
  const store = new SqliteStore({ dataDir: tmp.dir, syncWal: held.syncWal });
  const w = store.create('/cm/a', cm('a'));
  await eventually(() => held.calls.length === 1, 'the fsync was started');
  const closing = store.close();
  held.calls[0].done(null);
  await closing;
  assert.equal((await w).modRevision, 1);
  const reopened = new SqliteStore({ dataDir: tmp.dir, synchronous: 'NORMAL' });
  try {
    assert.equal((await reopened.get('/cm/a'))?.modRevision, 1);
  } finally {
    await reopened.close();
  }
});

test('the default fsync (thread pool) acknowledges writes', async () => {
  const tmp = tempDir();
  const store = new SqliteStore({ dataDir: tmp.dir });
  try {
    const entries = await Promise.all(Array.from({ length: 50 }, (_, i) => store.create(`/cm/${i}`, cm(String(i)))));
    assert.deepEqual(
      entries.map((e) => e.modRevision).sort((a, b) => a - b),
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
    assert.equal((await store.list('/cm/')).items.length, 50);
  } finally {
    await store.close();
  }
});
