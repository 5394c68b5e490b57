// The chaos checkers on hand-written histories: each must pass good histories and catch a
// deliberately injected violation (a lost write, a stale read, a dropped or duplicated event ...).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HistoryRecorder, outcomeOf, type Operation, type ReferenceEvent, type WatcherHistory } from '../../src/chaos/history.ts';
import { checkLostWrites, type FinalState } from '../../src/chaos/lost-writes.ts';
import { checkLinearizability, checkObject, type Verdict } from '../../src/chaos/linearizability.ts';
import { checkWatches, watchViolations } from '../../src/chaos/watch.ts';
import { faultImpact } from '../../src/chaos/faults.ts';

let ids = 0;
/** op(kind, start, end, fields): end null = never answered. */
function op(kind: Operation['kind'], start: number, end: number | null, f: Partial<Operation> = {}): Operation {
  const outcome = f.outcome ?? (end === null ? 'unknown' : 'ok');
  return { id: ++ids, client: 'c', key: 'ns/a', kind, start, end: end ?? undefined, outcome, ...f };
}
const final = (entries: [string, string, string][]): FinalState => new Map(entries.map(([k, value, resourceVersion]) => [k, { value, resourceVersion }]));

test('outcomeOf: 2xx ok, 5xx and no answer unknown, other statuses fail', () => {
  assert.deepEqual([200, 201, 409, 404, 422, 500, 503, undefined].map(outcomeOf), ['ok', 'ok', 'fail', 'fail', 'fail', 'unknown', 'unknown', 'unknown']);
});

test('the recorder stamps start and end on its clock and derives the outcome', () => {
  let t = 0;
  const rec = new HistoryRecorder(() => ++t);
  const o = rec.invoke('c1', 'ns/a', 'cas', { value: 'v2', expected: 'v1' });
  assert.equal(o.outcome, 'unknown');
  rec.done(o, 409);
  assert.deepEqual([o.start, o.end, o.outcome, o.status], [1, 2, 'fail', 409]);
  const w = rec.watcher('w1', 'ns/');
  const s = rec.session(w, '5');
  rec.event(s, 'ADDED', 'ns/a', '6');
  assert.deepEqual(rec.history().watchers[0].sessions[0].events, [{ type: 'ADDED', key: 'ns/a', resourceVersion: '6', at: 3 }]);
});

const lostCases: { name: string; ops: Operation[]; final: FinalState; lost: number; visible?: number; superseded?: number; byUnknown?: number }[] = [
  { name: 'a write visible at the end', ops: [op('create', 0, 1, { value: 'v1', resourceVersion: '5' })], final: final([['ns/a', 'v1', '5']]), lost: 0, visible: 1 },
  {
    name: 'a write superseded by a later acknowledged one',
    ops: [op('create', 0, 1, { value: 'v1', resourceVersion: '5' }), op('update', 2, 3, { value: 'v2', resourceVersion: '7' })],
    final: final([['ns/a', 'v2', '7']]),
    lost: 0,
    visible: 1,
    superseded: 1,
  },
  {
    name: 'a write superseded only by one of unknown outcome that took effect',
    ops: [op('create', 0, 1, { value: 'v1', resourceVersion: '5' }), op('update', 2, null, { value: 'v2' })],
    final: final([['ns/a', 'v2', '9']]),
    lost: 0,
    byUnknown: 1,
  },
  { name: 'LOST: acknowledged, then the object is at an older version', ops: [op('create', 0, 1, { value: 'v1', resourceVersion: '5' }), op('update', 2, 3, { value: 'v2', resourceVersion: '7' })], final: final([['ns/a', 'v1', '5']]), lost: 1, visible: 1 },
  { name: 'LOST: acknowledged create, object gone, no delete', ops: [op('create', 0, 1, { value: 'v1', resourceVersion: '5' })], final: new Map(), lost: 1 },
  { name: 'LOST: a failed (409) later write explains nothing', ops: [op('create', 0, 1, { value: 'v1', resourceVersion: '5' }), op('cas', 2, 3, { value: 'v2', expected: 'v0', outcome: 'fail', status: 409 })], final: final([['ns/a', 'v9', '8']]), lost: 1 },
  { name: 'LOST: same resourceVersion, another value', ops: [op('create', 0, 1, { value: 'v1', resourceVersion: '5' })], final: final([['ns/a', 'vX', '5']]), lost: 1 },
  { name: 'an acknowledged delete supersedes', ops: [op('create', 0, 1, { value: 'v1', resourceVersion: '5' }), op('delete', 2, 3, { resourceVersion: '6' })], final: new Map(), lost: 0, superseded: 1 },
  { name: 'an unanswered write is never counted', ops: [op('create', 0, null, { value: 'v1' })], final: new Map(), lost: 0 },
];

for (const c of lostCases) {
  test(`lost writes: ${c.name}`, () => {
    const r = checkLostWrites(c.ops, c.final);
    assert.equal(r.lost, c.lost, JSON.stringify(r));
    assert.equal(r.violations.length, c.lost);
    if (c.visible !== undefined) assert.equal(r.visible, c.visible);
    if (c.superseded !== undefined) assert.equal(r.superseded, c.superseded);
    if (c.byUnknown !== undefined) assert.equal(r.supersededByUnknown, c.byUnknown);
    assert.equal(r.acknowledged, r.visible + r.superseded + r.supersededByUnknown + r.lost);
  });
}

const linCases: { name: string; ops: Operation[]; verdict: Verdict }[] = [
  { name: 'sequential create, cas, read', ops: [op('create', 0, 1, { value: 'a' }), op('cas', 2, 3, { expected: 'a', value: 'b' }), op('read', 4, 5, { read: 'b' })], verdict: 'linearizable' },
  { name: 'concurrent read may see either value', ops: [op('create', 0, 1, { value: 'a' }), op('cas', 2, 10, { expected: 'a', value: 'b' }), op('read', 3, 4, { read: 'b' }), op('read', 5, 6, { read: 'b' })], verdict: 'linearizable' },
  { name: 'STALE READ: old value after a completed cas', ops: [op('create', 0, 1, { value: 'a' }), op('cas', 2, 3, { expected: 'a', value: 'b' }), op('read', 4, 5, { read: 'a' })], verdict: 'violation' },
  { name: 'READ GOES BACK: b then a between concurrent reads', ops: [op('create', 0, 1, { value: 'a' }), op('cas', 2, 20, { expected: 'a', value: 'b' }), op('read', 3, 4, { read: 'b' }), op('read', 5, 6, { read: 'a' })], verdict: 'violation' },
  {
    name: 'TWO CAS WINNERS on the same expected value',
    ops: [op('create', 0, 1, { value: 'a' }), op('cas', 2, 5, { expected: 'a', value: 'b' }), op('cas', 2, 5, { expected: 'a', value: 'c' }), op('read', 6, 7, { read: 'c' })],
    verdict: 'violation',
  },
  { name: 'a cas that lost (409) while another won', ops: [op('create', 0, 1, { value: 'a' }), op('cas', 2, 5, { expected: 'a', value: 'b' }), op('cas', 2, 5, { expected: 'a', value: 'c', outcome: 'fail', status: 409 }), op('read', 6, 7, { read: 'b' })], verdict: 'linearizable' },
  { name: 'WRONG 409: a cas refused although the value matched', ops: [op('create', 0, 1, { value: 'a' }), op('cas', 2, 3, { expected: 'a', value: 'b', outcome: 'fail', status: 409 })], verdict: 'violation' },
  { name: 'an unanswered write that took effect', ops: [op('create', 0, 1, { value: 'a' }), op('update', 2, null, { value: 'b' }), op('read', 10, 11, { read: 'b' })], verdict: 'linearizable' },
  { name: 'an unanswered write that did not take effect', ops: [op('create', 0, 1, { value: 'a' }), op('update', 2, null, { value: 'b' }), op('read', 10, 11, { read: 'a' })], verdict: 'linearizable' },
  { name: 'a 422 says nothing about the object', ops: [op('create', 0, 1, { value: 'a' }), op('create', 2, 3, { value: 'x', outcome: 'fail', status: 422 }), op('delete', 4, 5), op('create', 6, 7, { value: 'b' })], verdict: 'linearizable' },
  { name: 'CREATE OVER A LIVE OBJECT', ops: [op('create', 0, 1, { value: 'a' }), op('create', 2, 3, { value: 'b' })], verdict: 'violation' },
  { name: 'READ AFTER DELETE sees the object', ops: [op('create', 0, 1, { value: 'a' }), op('delete', 2, 3), op('read', 4, 5, { read: 'a' })], verdict: 'violation' },
];

for (const c of linCases) {
  test(`linearizability: ${c.name}`, () => {
    assert.equal(checkObject(c.ops).verdict, c.verdict);
  });
}

test('linearizability: past its budget the answer is unknown, not a verdict', () => {
  // Many concurrent writes and a read nobody wrote: a violation, but only exhaustive search shows it.
  const ops = [op('create', 0, 1, { value: 'v0' })];
  for (let i = 0; i < 14; i++) ops.push(op('update', 2, 100, { value: `w${i}` }));
  ops.push(op('read', 101, 102, { read: 'nobody' }));
  assert.equal(checkObject(ops, { budget: 50 }).verdict, 'unknown');
  assert.equal(checkObject(ops.slice(0, 6).concat(ops.at(-1)!), { budget: 1_000_000 }).verdict, 'violation');
});

test('linearizability report counts per object', () => {
  const good = [op('create', 0, 1, { key: 'ns/a', value: 'a' }), op('read', 2, 3, { key: 'ns/a', read: 'a' })];
  const bad = [op('create', 0, 1, { key: 'ns/b', value: 'a' }), op('read', 2, 3, { key: 'ns/b', read: 'zz' })];
  const r = checkLinearizability([...good, ...bad]);
  assert.deepEqual([r.objects, r.linearizable, r.violations, r.unknown], [2, 1, 1, 0]);
  assert.equal(r.details.find((d) => d.key === 'ns/b')?.verdict, 'violation');
});

const ref: ReferenceEvent[] = [
  { type: 'ADDED', key: 'ns/a', resourceVersion: '10' },
  { type: 'ADDED', key: 'ns/b', resourceVersion: '11' },
  { type: 'MODIFIED', key: 'ns/a', resourceVersion: '12' },
  { type: 'DELETED', key: 'ns/b', resourceVersion: '13' },
  { type: 'ADDED', key: 'other/x', resourceVersion: '14' },
  { type: 'MODIFIED', key: 'ns/a', resourceVersion: '15' },
];
type Ev = [WatcherHistory['sessions'][number]['events'][number]['type'], string, string];
type Session = { from: string; events: Ev[]; end?: 'gone' | 'closed' | 'open'; relist?: [string, [string, string][]] };
function watcher(sessions: Session[], caughtUp = false, prefix = 'ns/'): WatcherHistory {
  return {
    name: 'w',
    prefix,
    caughtUp,
    sessions: sessions.map((s) => ({
      from: s.from,
      end: s.end ?? 'closed',
      events: s.events.map(([type, key, resourceVersion]) => ({ type, key, resourceVersion, at: 0 })),
      ...(s.relist && { relist: { resourceVersion: s.relist[0], items: s.relist[1].map(([key, resourceVersion]) => ({ key, resourceVersion })) } }),
    })),
  };
}
/** An API server restart after 12: the watch is cut, the resume from 12 gets 410, the watcher relists at `at`. */
const restart = (at: string, items: [string, string][]): Session[] => [
  { from: '9', events: all.slice(0, 3) },
  { from: '12', events: [], end: 'gone', relist: [at, items] },
];
const all: Ev[] = [['ADDED', 'ns/a', '10'], ['ADDED', 'ns/b', '11'], ['MODIFIED', 'ns/a', '12'], ['DELETED', 'ns/b', '13'], ['MODIFIED', 'ns/a', '15']];

const watchCases: { name: string; w: WatcherHistory; expect: Partial<Record<'dropped' | 'duplicated' | 'wentBack' | 'badResumes' | 'unknownEvents' | 'gone' | 'badRelists', number>> }[] = [
  { name: 'one session sees everything', w: watcher([{ from: '9', events: all }], true), expect: {} },
  { name: 'resumed exactly after the last version seen', w: watcher([{ from: '9', events: all.slice(0, 2) }, { from: '11', events: all.slice(2) }], true), expect: {} },
  { name: 'resumed after a bookmark', w: watcher([{ from: '9', events: [...all.slice(0, 2), ['BOOKMARK', '', '14']] }, { from: '14', events: all.slice(4) }], true), expect: {} },
  { name: '410 then a relist from a newer version', w: watcher([{ from: '9', events: all.slice(0, 1) }, { from: '10', events: [], end: 'gone' }, { from: '13', events: all.slice(4) }], true), expect: { gone: 1 } },
  { name: 'DROPPED: an event in the middle', w: watcher([{ from: '9', events: [all[0], all[1], all[3], all[4]] }]), expect: { dropped: 1 } },
  { name: 'DROPPED: the first event after from', w: watcher([{ from: '9', events: all.slice(1) }]), expect: { dropped: 1 } },
  { name: 'DROPPED: the tail, for a watcher that caught up', w: watcher([{ from: '9', events: all.slice(0, 3) }], true), expect: { dropped: 2 } },
  { name: 'a lagging watcher that did not claim to catch up', w: watcher([{ from: '9', events: all.slice(0, 3) }]), expect: {} },
  { name: 'DUPLICATED: the same event twice', w: watcher([{ from: '9', events: [all[0], all[1], all[1], ...all.slice(2)] }]), expect: { duplicated: 1 } },
  { name: 'WENT BACK: a bookmark lower than an event', w: watcher([{ from: '9', events: [all[0], all[1], ['BOOKMARK', '', '10'], ...all.slice(2)] }]), expect: { wentBack: 1 } },
  { name: 'BAD RESUME: resumed from an older version replays (duplicates)', w: watcher([{ from: '9', events: all.slice(0, 3) }, { from: '10', events: all.slice(1) }]), expect: { badResumes: 1, duplicated: 2 } },
  { name: 'BAD RESUME: resumed from a newer version skips events', w: watcher([{ from: '9', events: all.slice(0, 2) }, { from: '13', events: all.slice(4) }]), expect: { badResumes: 1 } },
  { name: 'PHANTOM: an event the store never wrote', w: watcher([{ from: '9', events: [...all, ['MODIFIED', 'ns/a', '16']] }]), expect: { unknownEvents: 1 } },
  { name: 'WRONG TYPE at a known version', w: watcher([{ from: '9', events: [all[0], ['MODIFIED', 'ns/b', '11'], ...all.slice(2)] }]), expect: { unknownEvents: 1, dropped: 1 } },
  { name: 'across a restart: 410, a relist that matches the store, the watch from its version', w: watcher([...restart('13', [['ns/a', '12']]), { from: '13', events: all.slice(4) }], true), expect: { gone: 1 } },
  { name: 'across a restart: the restarted server serves the resume (no 410)', w: watcher([{ from: '9', events: all.slice(0, 3) }, { from: '12', events: all.slice(3) }], true), expect: {} },
  { name: 'DROPPED across a restart: the resume is answered but skips an event', w: watcher([{ from: '9', events: all.slice(0, 3) }, { from: '12', events: all.slice(4) }], true), expect: { dropped: 1 } },
  { name: 'DROPPED across a restart: an event after the relist', w: watcher([...restart('13', [['ns/a', '12']]), { from: '13', events: [] }], true), expect: { gone: 1, dropped: 1 } },
  { name: 'REORDERED across a restart: after the relist', w: watcher([...restart('11', [['ns/a', '10'], ['ns/b', '11']]).map((x, i) => (i === 0 ? { ...x, events: all.slice(0, 2) } : { ...x, from: '11' })), { from: '11', events: [all[3], all[2], all[4]] }], true), expect: { gone: 1, wentBack: 1, dropped: 1 } },
  { name: 'BAD RELIST: an object missing from the list', w: watcher([...restart('12', [['ns/a', '12']]), { from: '12', events: all.slice(3) }], true), expect: { gone: 1, badRelists: 1 } },
  { name: 'BAD RELIST: an object at an old version', w: watcher([...restart('13', [['ns/a', '10']]), { from: '13', events: all.slice(4) }], true), expect: { gone: 1, badRelists: 1 } },
  { name: 'WENT BACK: a relist older than what the watcher saw', w: watcher([...restart('11', [['ns/a', '10'], ['ns/b', '11']]), { from: '11', events: all.slice(3) }], true), expect: { gone: 1, wentBack: 1 } },
  { name: 'BAD RESUME: not from the relist\'s version', w: watcher([...restart('13', [['ns/a', '12']]), { from: '14', events: all.slice(4) }], true), expect: { gone: 1, badResumes: 1 } },
  { name: 'out of order: a lower version after a higher one', w: watcher([{ from: '9', events: [all[0], all[2], all[1], ...all.slice(3)] }]), expect: { wentBack: 1, dropped: 1 } },
];

for (const c of watchCases) {
  test(`watch: ${c.name}`, () => {
    const r = checkWatches(ref, [c.w]);
    const got = { dropped: r.dropped, duplicated: r.duplicated, wentBack: r.wentBack, badResumes: r.badResumes, unknownEvents: r.unknownEvents, gone: r.gone, badRelists: r.badRelists };
    assert.deepEqual(got, { dropped: 0, duplicated: 0, wentBack: 0, badResumes: 0, unknownEvents: 0, gone: 0, badRelists: 0, ...c.expect }, r.violations.join('\n'));
    assert.equal(watchViolations(r) === 0, !Object.entries(c.expect).some(([k, v]) => k !== 'gone' && v > 0));
  });
}

/**
 * A history from a real register: each operation takes effect at a point inside its interval
 * (concurrent clients, random overlaps), a few answers are lost (unknown).
 */
function simulated(n: number, seed: number): Operation[] {
  let a = seed;
  const rand = () => ((a = (a * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  let value: string | undefined = undefined;
  const ops: Operation[] = [];
  for (let i = 0; i < n; i++) {
    const point = i * 10;
    const start = point - Math.floor(rand() * 25);
    const end = point + Math.floor(rand() * 25);
    const r = rand();
    let o: Operation;
    if (value === undefined) {
      o = op('create', start, end, { value: `v${i}` });
      value = `v${i}`;
    } else if (r < 0.4) o = op('read', start, end, { read: value });
    else if (r < 0.8) {
      const expected = rand() < 0.7 ? value : 'stale';
      const won = expected === value;
      o = op('cas', start, end, { expected, value: `v${i}`, outcome: won ? 'ok' : 'fail', status: won ? 200 : 409 });
      if (won) value = `v${i}`;
    } else {
      o = op('update', start, end, { value: `v${i}` });
      value = `v${i}`;
    }
    if (o.kind !== 'read' && rand() < 0.05) {
      o.outcome = 'unknown';
      o.end = undefined;
      o.status = 503;
    }
    ops.push(o);
  }
  return ops;
}

test('linearizability: simulated register histories pass; one corrupted read fails', () => {
  for (let seed = 1; seed <= 20; seed++) {
    const ops = simulated(300, seed);
    assert.equal(checkObject(ops).verdict, 'linearizable', `seed ${seed}`);
    const reads = ops.filter((o) => o.kind === 'read');
    const bad = ops.map((o) => (o === reads[Math.floor(reads.length / 2)] ? { ...o, read: 'never-written' } : o));
    assert.equal(checkObject(bad).verdict, 'violation', `seed ${seed} corrupted`);
  }
});

test('linearizability: 20,000 operations on one object, no deep recursion', () => {
  const ops = simulated(20_000, 7);
  const t = performance.now();
  assert.equal(checkObject(ops, { budget: 1_000_000 }).verdict, 'linearizable');
  assert.ok(performance.now() - t < 20_000);
});

test('faultImpact: detected at the first unanswered request after the start, recovered at the first ok after the last one', () => {
  const ops = [
    op('read', 900, 950),
    op('cas', 1000, 1400, { outcome: 'unknown', status: 503 }),
    op('read', 1100, null),
    op('cas', 2500, 2600, { outcome: 'unknown', status: 503 }),
    op('read', 2700, 2750),
    op('read', 9000, null),
  ];
  assert.deepEqual(faultImpact({ fault: 'kill -9 apiserver', at: 1000, healedAt: 2000 }, ops), { detectedAfterMs: 100, recoveredAfterMs: 750 });
  assert.deepEqual(faultImpact({ fault: 'partition node-0', at: 100, healedAt: 200 }, [op('read', 150, 160)]), {}, 'not felt by the recorder');
  assert.deepEqual(faultImpact({ fault: 'storage failCommits=EIO', at: 1000 }, ops.slice(0, 2)), { detectedAfterMs: 400 }, 'not healed: no recovery');
  // Overlapping faults: a failure counts for the latest fault started before it.
  const first = { fault: 'kill -9 scheduler', at: 500, healedAt: 2400 };
  const second = { fault: 'kill -9 apiserver', at: 1000, healedAt: 2000 };
  assert.deepEqual(faultImpact(first, ops, [first, second]), {});
  assert.deepEqual(faultImpact(second, ops, [first, second]), { detectedAfterMs: 100, recoveredAfterMs: 750 });
});
