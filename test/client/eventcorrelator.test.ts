// The EventCorrelator (client-go record package): aggregation of similar events, series (count
// PATCH) of identical ones, and the per source+object spam filter — as tables of event sequences.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COMBINED_PREFIX, EventCorrelator, type CorrelateResult } from '../../src/client/index.ts';
import type { KubeObject } from '../../src/api/types.ts';

let seq = 0;
function ev(o: { object?: string; reason?: string; message?: string; type?: string; component?: string; at: number }): KubeObject {
  const ts = new Date(o.at).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${o.object ?? 'p'}.${(seq++).toString(16)}`, namespace: 'default' },
    involvedObject: { kind: 'Pod', namespace: 'default', name: o.object ?? 'p', uid: `uid-${o.object ?? 'p'}`, apiVersion: 'v1' },
    reason: o.reason ?? 'BackOff',
    message: o.message ?? 'Back-off restarting failed container',
    type: o.type ?? 'Normal',
    source: { component: o.component ?? 'kubelet', host: 'n1' },
    firstTimestamp: ts,
    lastTimestamp: ts,
    count: 1,
  };
}

/** What each result amounts to: skip, create <message>, patch <count>. */
function summary(r: CorrelateResult): string {
  if (r.skip) return 'skip';
  return r.patch ? `patch ${r.patch.count}` : `create ${String(r.event.message)}`;
}

interface Step {
  /** ms since the start */
  at: number;
  object?: string;
  reason?: string;
  message?: string;
  component?: string;
}

const T0 = Date.UTC(2026, 0, 1);
const repeat = <T,>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));

const cases: { name: string; steps: Step[]; want: string[]; opts?: { spamBurst?: number } }[] = [
  { name: 'a first event is created', steps: [{ at: 0 }], want: ['create Back-off restarting failed container'] },
  {
    name: 'identical repeats patch count',
    steps: repeat(3, (i) => ({ at: i * 1000 })),
    want: ['create Back-off restarting failed container', 'patch 2', 'patch 3'],
  },
  {
    name: 'different objects are separate series',
    steps: [{ at: 0, object: 'a' }, { at: 1, object: 'b' }, { at: 2, object: 'a' }],
    want: ['create Back-off restarting failed container', 'create Back-off restarting failed container', 'patch 2'],
  },
  {
    name: 'the 10th similar event (same reason, new message) within 10 min is combined; later ones count on it',
    steps: repeat(12, (i) => ({ at: i * 1000, message: `m${i}` })),
    want: [...repeat(9, (i) => `create m${i}`), `create ${COMBINED_PREFIX}m9`, 'patch 2', 'patch 3'],
  },
  {
    name: 'similar events spread over more than 10 min are not combined',
    steps: repeat(12, (i) => ({ at: i * 601_000, message: `m${i}` })),
    want: repeat(12, (i) => `create m${i}`),
  },
  {
    name: 'different reasons do not aggregate together',
    steps: repeat(12, (i) => ({ at: i, message: `m${i}`, reason: `R${i}` })),
    want: repeat(12, (i) => `create m${i}`),
  },
  {
    name: 'spam filter: burst 25 per source+object, then dropped',
    steps: repeat(27, (i) => ({ at: i, reason: `R${i}` })),
    want: [...repeat(25, () => 'create Back-off restarting failed container'), 'skip', 'skip'],
  },
  {
    name: 'spam filter refills one token per 5 minutes',
    steps: [...repeat(26, (i) => ({ at: i, reason: `R${i}` })), { at: 300_100, reason: 'Rx' }, { at: 300_200, reason: 'Ry' }],
    want: [...repeat(25, () => 'create Back-off restarting failed container'), 'skip', 'create Back-off restarting failed container', 'skip'],
  },
  {
    name: 'spam filter is per source: another component has its own bucket',
    steps: [{ at: 0, reason: 'A' }, { at: 1, reason: 'B' }, { at: 2, reason: 'C', component: 'scheduler' }],
    opts: { spamBurst: 2 },
    want: ['create Back-off restarting failed container', 'create Back-off restarting failed container', 'create Back-off restarting failed container'],
  },
  {
    name: 'a repeat dropped by the filter still counts: the next allowed patch carries the total',
    steps: [{ at: 0 }, { at: 1 }, { at: 2 }, { at: 300_001 }],
    opts: { spamBurst: 2 },
    want: ['create Back-off restarting failed container', 'patch 2', 'skip', 'patch 4'],
  },
];

for (const c of cases) {
  test(`EventCorrelator: ${c.name}`, () => {
    let now = T0;
    const corr = new EventCorrelator({ clock: { now: () => now }, ...c.opts });
    const got = c.steps.map((s) => {
      now = T0 + s.at;
      const r = corr.correlate(ev({ ...s, at: now }));
      if (!r.skip && !r.patch) corr.updateState(r.event);
      return summary(r);
    });
    assert.deepEqual(got, c.want);
  });
}

test('EventCorrelator: a series keeps the first name and firstTimestamp; the patch has count, lastTimestamp, message', () => {
  let now = T0;
  const corr = new EventCorrelator({ clock: { now: () => now } });
  const first = corr.correlate(ev({ at: now }));
  assert.ok(!first.skip);
  corr.updateState(first.event);
  now += 5000;
  const second = corr.correlate(ev({ at: now }));
  assert.ok(!second.skip && second.patch);
  assert.equal(second.event.metadata.name, first.event.metadata.name);
  assert.equal(second.event.firstTimestamp, first.event.firstTimestamp);
  assert.deepEqual(second.patch, { count: 2, lastTimestamp: '2026-01-01T00:00:05Z', message: 'Back-off restarting failed container' });
});

test('EventCorrelator: forget() (the Event is gone) starts a new series', () => {
  const corr = new EventCorrelator({ clock: { now: () => T0 } });
  const first = corr.correlate(ev({ at: T0 }));
  assert.ok(!first.skip);
  corr.forget(first.event);
  assert.equal(summary(corr.correlate(ev({ at: T0 }))), 'create Back-off restarting failed container');
});
