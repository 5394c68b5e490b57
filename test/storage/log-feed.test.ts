// LogFeed: events from any source (own commits, a stream, log reads) reach watchers once, in
// revision order; gaps wait, then are filled from the log; a log compacted past the feed ends
// the watchers with Compacted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StorageError, StoreEvent } from '../../src/storage/interface.ts';
import { LogFeed, logEvent, type LogSlice } from '../../src/storage/log-feed.ts';
import { eventually } from '../helpers/eventually.ts';

const P = '/registry/core/configmaps/';
const ev = (rev: number, key = `${P}ns/k${rev}`): StoreEvent =>
  logEvent('ADDED', key, rev, JSON.stringify({ metadata: { name: `k${rev}`, resourceVersion: String(rev) } }));

/** A fake database log: revisions 1..revision, compacted below `compacted`. */
function fakeLog(revision: number, compacted = 0) {
  const db = { revision, compacted, reads: 0 };
  const read = async (after: number, limit: number): Promise<LogSlice> => {
    db.reads++;
    const events: StoreEvent[] = [];
    for (let r = Math.max(after, db.compacted) + 1; r <= db.revision && events.length < limit; r++) events.push(ev(r));
    return { events, compacted: db.compacted, revision: db.revision };
  };
  return { db, read };
}

test('events offered out of order, twice, or already delivered reach the watcher once, in order', async () => {
  const cases: { name: string; offers: number[]; want: number[] }[] = [
    { name: 'in order', offers: [1, 2, 3], want: [1, 2, 3] },
    { name: 'reversed', offers: [3, 2, 1], want: [1, 2, 3] },
    { name: 'duplicates', offers: [1, 1, 2, 1, 3, 2], want: [1, 2, 3] },
    { name: 'a late revision', offers: [2, 3, 4, 1, 5], want: [1, 2, 3, 4, 5] },
  ];
  for (const c of cases) {
    const { read } = fakeLog(0);
    const feed = new LogFeed(read, 0, { gapFillMs: 60_000 });
    const seen: number[] = [];
    feed.watch(P, 0, (e) => seen.push(e.revision));
    for (const r of c.offers) feed.offer(ev(r));
    assert.deepEqual(seen, c.want, c.name);
    feed.close({ code: 'Unavailable' } as StorageError);
  }
});

test('a gap still open after gapFillMs is filled from the log (an event the transport lost)', async () => {
  const { db, read } = fakeLog(3);
  const feed = new LogFeed(read, 0, { gapFillMs: 20 });
  const seen: number[] = [];
  feed.watch(P, 0, (e) => seen.push(e.revision));
  feed.offer(ev(1));
  feed.offer(ev(3)); // 2 never arrives through the transport
  assert.deepEqual(seen, [1]);
  await eventually(() => seen.length === 3, 'the gap filled', 2_000, 5);
  assert.deepEqual(seen, [1, 2, 3]);
  assert.ok(db.reads >= 1);
  feed.close({ code: 'Unavailable' } as StorageError);
});

test('a watcher from an older revision gets the log first, then live events, without gap or repeat', async () => {
  const { db, read } = fakeLog(5);
  const feed = new LogFeed(read, 5, { gapFillMs: 60_000 });
  const seen: number[] = [];
  feed.watch(`${P}ns/`, 2, (e) => seen.push(e.revision));
  db.revision = 6;
  feed.offer(ev(6)); // arrives while the history is read: held behind it
  feed.offer(ev(7, '/registry/core/secrets/ns/x')); // other prefix: skipped
  await eventually(() => seen.length === 4, 'history then live', 2_000, 5);
  assert.deepEqual(seen, [3, 4, 5, 6]);
  feed.close({ code: 'Unavailable' } as StorageError);
});

test('history compacted past the watcher or the feed ends watchers with Compacted', async () => {
  const { db, read } = fakeLog(10, 6);
  const feed = new LogFeed(read, 10, { gapFillMs: 60_000 });
  const errs: StorageError[] = [];
  feed.watch(P, 3, () => {}, (e) => errs.push(e));
  await eventually(() => errs.length === 1, 'Compacted for the old watcher', 2_000, 5);
  assert.equal(errs[0].code, 'Compacted');
  assert.equal(errs[0].revision, 6);
  // The feed itself falls behind a compaction (e.g. a long Redis outage): every watcher ends, the feed restarts.
  const live: StorageError[] = [];
  feed.watch(P, 10, () => {}, (e) => live.push(e));
  db.revision = 20;
  db.compacted = 15;
  await feed.fill();
  assert.equal(live[0]?.code, 'Compacted');
  assert.equal(feed.delivered, 20);
  feed.close({ code: 'Unavailable' } as StorageError);
});
