// The disruption controller's decisions (pkg/controller/disruption): pods selected, expected count
// and desired healthy per spec, disrupted pods and their timeout, healthy count, status and condition.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/types.ts';
import { countHealthyPods, disruptedPodMap, expectedPodCount, failSafeStatus, pdbStatus, podsForPdb, DELETION_TIMEOUT_MS, type ScaleFinder } from '../../src/controllers/disruption/plan.ts';

const pod = (name: string, o: { ready?: boolean; owner?: string; deleting?: boolean; labels?: Record<string, string>; ns?: string } = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name,
    namespace: o.ns ?? 'default',
    labels: o.labels ?? { app: 'web' },
    ...(o.owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: o.owner, uid: `uid-${o.owner}`, controller: true }] } : {}),
    ...(o.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
  },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }] },
});
const pdb = (spec: any, status: any = {}, generation = 1): KubeObject => ({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'b', namespace: 'default', generation }, spec, status });
const scales: Record<string, number> = { 'uid-rs1': 4, 'uid-rs2': 2 };
const find: ScaleFinder = (ref) => (ref.uid in scales ? { uid: ref.uid, scale: scales[ref.uid] } : undefined);

test('a PDB selects pods of its namespace; an empty selector all, none nothing', () => {
  const pods = [pod('a'), pod('b', { labels: { app: 'db' } }), pod('c', { ns: 'other' })];
  assert.deepEqual(podsForPdb(pdb({ selector: { matchLabels: { app: 'web' } } }), pods).map((p) => p.metadata.name), ['a']);
  assert.deepEqual(podsForPdb(pdb({ selector: {} }), pods).map((p) => p.metadata.name), ['a', 'b']);
  assert.deepEqual(podsForPdb(pdb({}), pods), []);
});

test('expected pods and desired healthy per spec', () => {
  const pods = [pod('a', { owner: 'rs1' }), pod('b', { owner: 'rs1' }), pod('c', { owner: 'rs2' })];
  const cases: [string, any, number, number][] = [
    ['integer minAvailable counts the pods', { minAvailable: 2 }, 3, 2],
    ['percent minAvailable rounds up over the controllers scale', { minAvailable: '50%' }, 6, 3],
    ['maxUnavailable integer', { maxUnavailable: 1 }, 6, 5],
    ['maxUnavailable percent rounds up (fewer healthy needed)', { maxUnavailable: '10%' }, 6, 5],
    ['maxUnavailable above the scale: 0 desired', { maxUnavailable: 10 }, 6, 0],
    ['neither', {}, 0, 0],
  ];
  for (const [name, spec, expectedCount, desiredHealthy] of cases) {
    const e = expectedPodCount(pdb(spec), pods, find);
    assert.deepEqual([e.expectedCount, e.desiredHealthy], [expectedCount, desiredHealthy], name);
  }
  assert.deepEqual(expectedPodCount(pdb({ maxUnavailable: 1 }), [pod('bare')], find).unmanagedPods, ['bare']);
  assert.throws(() => expectedPodCount(pdb({ maxUnavailable: 1 }), [pod('x', { owner: 'gone' })], find), /found no controllers for pod "x"/);
});

test('recent evictions count as disrupted until the pod goes or 2 minutes pass', () => {
  const now = Date.parse('2026-01-01T00:10:00Z');
  const recent = new Date(now - 30_000).toISOString();
  const old = new Date(now - DELETION_TIMEOUT_MS - 1000).toISOString();
  const b = pdb({ maxUnavailable: 1 }, { disruptedPods: { a: recent, b: old, c: recent, gone: recent } });
  const pods = [pod('a'), pod('b'), pod('c', { deleting: true }), pod('d'), pod('e', { ready: false })];
  const d = disruptedPodMap(b, pods, now);
  assert.deepEqual(d.disruptedPods, { a: recent });
  assert.deepEqual(d.notDeleted, ['b']);
  assert.equal(d.recheckAt, Date.parse(recent) + DELETION_TIMEOUT_MS);
  // healthy: b and d (a is disrupted, c deleting, e not ready)
  assert.equal(countHealthyPods(pods, d.disruptedPods, now), 2);
});

test('status: disruptionsAllowed and the DisruptionAllowed condition; no write when nothing changed', () => {
  const now = '2026-01-01T00:00:00Z';
  const cases: [string, number, number, number, number, string, string][] = [
    ['room for one', 3, 2, 3, 1, 'True', 'SufficientPods'],
    ['exactly at the budget', 2, 2, 3, 0, 'False', 'InsufficientPods'],
    ['below it', 1, 2, 3, 0, 'False', 'InsufficientPods'],
    ['no pods expected yet', 3, 0, 0, 0, 'False', 'InsufficientPods'],
  ];
  for (const [name, healthy, desired, expected, allowed, status, reason] of cases) {
    const st = pdbStatus(pdb({ maxUnavailable: 1 }, {}, 3), healthy, desired, expected, {}, now);
    assert.deepEqual(
      st,
      { observedGeneration: 3, disruptionsAllowed: allowed, currentHealthy: healthy, desiredHealthy: desired, expectedPods: expected, conditions: [{ type: 'DisruptionAllowed', status, observedGeneration: 3, lastTransitionTime: now, reason, message: '' }] },
      name,
    );
    assert.equal(pdbStatus(pdb({ maxUnavailable: 1 }, st, 3), healthy, desired, expected, {}, '2026-01-01T00:05:00Z'), undefined, `${name}: unchanged`);
  }
  const failed = failSafeStatus(pdb({ maxUnavailable: 1 }, { disruptionsAllowed: 2, observedGeneration: 1 }), 'found no controllers for pod "x"', now);
  assert.equal(failed.disruptionsAllowed, 0);
  assert.deepEqual(failed.conditions, [{ type: 'DisruptionAllowed', status: 'False', observedGeneration: 1, lastTransitionTime: now, reason: 'SyncFailed', message: 'found no controllers for pod "x"' }]);
});
