// The load mix's schedule and the choice of a concrete call; churn, density plan and pacing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { churnStep, densityPlan, forget, LOAD_MIX, resolveAction, schedule, seededRandom, type MixState } from '../../src/load/mix.ts';
import { ticksDue } from '../../src/load/pacer.ts';

test('schedule: each entry in proportion to its weight, heavy ones spread out', () => {
  const w = [{ weight: 3 }, { weight: 1 }, { weight: 1 }];
  assert.deepEqual(schedule(w, 5), [0, 1, 0, 2, 0]);
  const total = LOAD_MIX.reduce((s, e) => s + e.weight, 0);
  const counts = new Map<number, number>();
  for (const i of schedule(LOAD_MIX, total * 4)) counts.set(i, (counts.get(i) ?? 0) + 1);
  LOAD_MIX.forEach((e, i) => assert.equal(counts.get(i), e.weight * 4, `${e.op} ${e.kind}`));
  assert.deepEqual(schedule([], 3), []);
});

test('the mix has creates, scales, deletes, GETs and both LIST scopes of the four kinds', () => {
  const ops = new Set(LOAD_MIX.map((e) => `${e.op}${e.scope ? `/${e.scope}` : ''}`));
  for (const op of ['create', 'scale', 'delete', 'get', 'list/namespace', 'list/cluster']) assert.ok(ops.has(op), op);
  assert.deepEqual([...new Set(LOAD_MIX.map((e) => e.kind))].sort(), ['configmaps', 'deployments', 'secrets', 'services']);
});

const state = (live: Partial<MixState['live']> = {}, capPerKind = 5): MixState => ({
  namespaces: ['a', 'b'],
  live: { deployments: [], services: [], configmaps: [], secrets: [], ...live },
  capPerKind,
  maxReplicas: 3,
});
const fixed = (x: number) => () => x;

test('resolveAction: the call for an operation given what exists', () => {
  const one = { deployments: [{ namespace: 'a', name: 'd-1' }] };
  const cases: [string, Parameters<typeof resolveAction>[0], MixState, number, object][] = [
    ['create in the seq-th namespace, replicas 1..max', { op: 'create', kind: 'deployments', weight: 1 }, state(), 3, { verb: 'POST', namespace: 'b', name: 'deploy-3', replicas: 2 }],
    ['create at the cap deletes the oldest', { op: 'create', kind: 'deployments', weight: 1 }, state(one, 1), 4, { verb: 'DELETE', namespace: 'a', name: 'd-1' }],
    ['scale with nothing live creates', { op: 'scale', kind: 'deployments', weight: 1 }, state(), 0, { verb: 'POST', name: 'deploy-0' }],
    ['scale patches replicas 0..max', { op: 'scale', kind: 'deployments', weight: 1 }, state(one), 0, { verb: 'PATCH', name: 'd-1', replicas: 2 }],
    ['get of a live object', { op: 'get', kind: 'deployments', weight: 1 }, state(one), 0, { verb: 'GET', name: 'd-1', scope: 'resource' }],
    ['delete with nothing live creates (no replicas for non-deployments)', { op: 'delete', kind: 'secrets', weight: 1 }, state(), 1, { verb: 'POST', name: 'secret-1', namespace: 'b' }],
    ['namespace list', { op: 'list', kind: 'services', scope: 'namespace', weight: 1 }, state(), 2, { verb: 'LIST', scope: 'namespace', namespace: 'a' }],
    ['cluster list', { op: 'list', kind: 'configmaps', scope: 'cluster', weight: 1 }, state(), 2, { verb: 'LIST', scope: 'cluster' }],
  ];
  for (const [what, e, s, seq, want] of cases) {
    const a = resolveAction(e, s, seq, fixed(0.5));
    for (const [k, v] of Object.entries(want)) assert.equal((a as any)[k], v, `${what}: ${k}`);
  }
  assert.equal((resolveAction({ op: 'create', kind: 'secrets', weight: 1 }, state(), 0, fixed(0.5)) as any).replicas, undefined);
});

test('forget: an issued delete is never picked again', () => {
  const s = state({ configmaps: [{ namespace: 'a', name: 'x' }, { namespace: 'b', name: 'y' }] });
  forget(s, { verb: 'DELETE', kind: 'configmaps', scope: 'resource', namespace: 'a', name: 'x' });
  assert.deepEqual(s.live.configmaps, [{ namespace: 'b', name: 'y' }]);
  forget(s, { verb: 'GET', kind: 'configmaps', scope: 'resource', namespace: 'b', name: 'y' });
  assert.equal(s.live.configmaps.length, 1);
});

test('seededRandom is reproducible and in [0, 1)', () => {
  const a = seededRandom(7);
  const b = seededRandom(7);
  const xs = Array.from({ length: 1000 }, () => a());
  assert.deepEqual(xs.slice(0, 5), Array.from({ length: 5 }, () => b()));
  assert.ok(xs.every((x) => x >= 0 && x < 1));
});

test('churnStep keeps a window of pods; densityPlan splits the pods into Deployments and namespaces', () => {
  assert.deepEqual([0, 2, 3, 4].map((n) => churnStep(n, 3)), ['create', 'create', 'delete', 'delete']);
  assert.deepEqual(densityPlan(6, 2), [
    { namespace: 0, name: 'density-0', replicas: 2 },
    { namespace: 0, name: 'density-1', replicas: 2 },
    { namespace: 0, name: 'density-2', replicas: 2 },
  ]);
  const big = densityPlan(150_000, 30);
  assert.equal(big.length, 5000);
  assert.equal(big.reduce((s, d) => s + d.replicas, 0), 150_000);
  assert.equal(big[big.length - 1].namespace, 49);
  assert.deepEqual(densityPlan(5, 2).map((d) => d.replicas), [2, 2, 1]);
  assert.deepEqual(densityPlan(0, 2), []);
});

test('ticksDue: the open-loop schedule', () => {
  assert.equal(ticksDue(0, 20, 0), 1, 'tick 0 at time 0');
  assert.equal(ticksDue(1000, 20, 1), 20);
  assert.equal(ticksDue(1000, 20, 30), 0, 'never negative');
  assert.equal(ticksDue(4999, 20, 0), 100);
});
