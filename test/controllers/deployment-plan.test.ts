// Deployment reconcile plans: hash, fenceposts, rolling steps, proportional scaling, revisions,
// cleanup, status and conditions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/types.ts';
import { computeHash, fnv32a, safeEncodeString } from '../../src/controllers/util/hash.ts';
import {
  calculateStatus,
  equalIgnoreHash,
  isScalingEvent,
  maxUnavailable,
  newReplicaSetAnnotations,
  newReplicaSetFor,
  newRSNewReplicas,
  pausedCondition,
  proportionalScale,
  reconcileNewReplicaSet,
  reconcileOldReplicaSets,
  replicaSetsToCleanUp,
  resolveFenceposts,
  rolloutStatus,
  splitReplicaSets,
} from '../../src/controllers/deployment/plan.ts';

const template = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx:1' }] } };

function deploy(replicas: number, strategy: any = {}, extra: any = {}): KubeObject {
  return {
    metadata: { name: 'web', namespace: 'default', uid: 'd-uid', generation: 2, annotations: { team: 'a' }, ...(extra.metadata ?? {}) },
    spec: { replicas, selector: { matchLabels: { app: 'web' } }, template, strategy, progressDeadlineSeconds: 600, revisionHistoryLimit: 10, ...(extra.spec ?? {}) },
    status: extra.status ?? {},
  };
}

function rs(name: string, replicas: number, available: number, o: { created?: string; revision?: number; image?: string; desired?: number; status?: number } = {}): KubeObject {
  return {
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      creationTimestamp: o.created ?? '2024-01-01T00:00:00Z',
      generation: 1,
      annotations: {
        ...(o.revision ? { 'deployment.kubernetes.io/revision': String(o.revision) } : {}),
        ...(o.desired !== undefined ? { 'deployment.kubernetes.io/desired-replicas': String(o.desired) } : {}),
      },
    },
    spec: { replicas, template: { metadata: { labels: { app: 'web', 'pod-template-hash': name } }, spec: { containers: [{ name: 'c', image: o.image ?? 'nginx:0' }] } } },
    status: { replicas: o.status ?? replicas, readyReplicas: available, availableReplicas: available, observedGeneration: 1 },
  };
}

test('pod-template-hash: FNV-32a, SafeEncodeString, stable, changes with template and collisionCount', () => {
  assert.equal(fnv32a(new TextEncoder().encode('')), 0x811c9dc5);
  assert.equal(fnv32a(new TextEncoder().encode('a')), 0xe40c292c);
  assert.match(safeEncodeString('1234567890'), /^[bcdfghjklmnpqrstvwxz2456789]{10}$/);
  const h = computeHash(template);
  assert.equal(h, computeHash(structuredClone(template)));
  assert.equal(h, computeHash({ spec: template.spec, metadata: template.metadata }), 'key order does not matter');
  assert.notEqual(h, computeHash({ ...template, spec: { containers: [{ name: 'c', image: 'nginx:2' }] } }));
  assert.notEqual(h, computeHash(template, 1));
});

test('templates compare equal ignoring the pod-template-hash label and empty defaults', () => {
  const withHash = { metadata: { labels: { app: 'web', 'pod-template-hash': 'abc' } }, spec: { ...template.spec, volumes: [] } };
  assert.ok(equalIgnoreHash(template, withHash));
  assert.ok(!equalIgnoreHash(template, { ...template, spec: { containers: [{ name: 'c', image: 'other' }] } }));
});

test('fenceposts: surge rounds up, unavailable rounds down, both zero makes unavailable 1', () => {
  assert.deepEqual(resolveFenceposts(deploy(10)), { surge: 3, unavailable: 2 }); // 25% of 10
  assert.deepEqual(resolveFenceposts(deploy(3, { type: 'RollingUpdate', rollingUpdate: { maxSurge: '50%', maxUnavailable: '50%' } })), { surge: 2, unavailable: 1 });
  assert.deepEqual(resolveFenceposts(deploy(1, { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: '10%' } })), { surge: 0, unavailable: 1 });
  assert.equal(maxUnavailable(deploy(2, { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 5 } })), 2, 'capped at replicas');
  assert.equal(maxUnavailable(deploy(5, { type: 'Recreate' })), 0);
});

test('a rolling update surges the new ReplicaSet, then scales old ones within maxUnavailable', () => {
  const d = deploy(4, { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } });
  const old = rs('old', 4, 4, { revision: 1 });
  const fresh = rs('new', 0, 0, { revision: 2, created: '2024-01-02T00:00:00Z' });
  // New RS may grow to replicas + surge - current = 1.
  assert.equal(newRSNewReplicas(d, [old, fresh], fresh), 1);
  assert.equal(reconcileNewReplicaSet(d, [old, fresh], fresh), 1);
  // With the new pod not yet available, old may go down by 1 (maxUnavailable) only.
  const fresh1 = rs('new', 1, 0, { revision: 2, created: '2024-01-02T00:00:00Z' });
  assert.deepEqual(reconcileOldReplicaSets(d, fresh1, [old]).map((s) => [s.rs.metadata.name, s.replicas]), [['old', 3]]);
  // Old at 3 (3 available), new 1 unavailable: total 4, minAvailable 3: nothing more to scale down.
  assert.deepEqual(reconcileOldReplicaSets(d, fresh1, [rs('old', 3, 3)]), []);
  // Unhealthy old replicas go first, without counting against availability.
  const sick = rs('sick', 2, 0, { created: '2023-12-31T00:00:00Z' });
  const scales = reconcileOldReplicaSets(d, rs('new', 2, 2), [sick, rs('old', 2, 2)]);
  assert.deepEqual(scales.map((s) => [s.rs.metadata.name, s.replicas]), [['sick', 0], ['old', 1]]);
});

test('new ReplicaSet larger than the Deployment scales down to it', () => {
  const d = deploy(2);
  assert.equal(reconcileNewReplicaSet(d, [rs('n', 5, 5)], rs('n', 5, 5)), 2);
  assert.equal(reconcileNewReplicaSet(d, [rs('n', 2, 2)], rs('n', 2, 2)), undefined);
});

test('splitReplicaSets: the oldest ReplicaSet with the Deployment template is the new one', () => {
  const d = deploy(3);
  const a = rs('a', 1, 1, { image: 'nginx:0' });
  const b = rs('b', 1, 1, { image: 'nginx:1', created: '2024-01-03T00:00:00Z' });
  const { newRS, oldRSs } = splitReplicaSets(d, [b, a]);
  assert.equal(newRS?.metadata.name, 'b');
  assert.deepEqual(oldRSs.map((r) => r.metadata.name), ['a']);
});

test('scaling event: a single active ReplicaSet takes the new size; several scale proportionally', () => {
  const d = deploy(6);
  assert.ok(isScalingEvent(d, [rs('a', 3, 3, { desired: 3 })]));
  assert.ok(!isScalingEvent(d, [rs('a', 6, 6, { desired: 6 })]));
  assert.deepEqual(proportionalScale(d, rs('a', 3, 3), []).map((s) => s.replicas), [6]);

  // 10 → 20 during a rollout: old 6 + new 5 (max 13 = 10 + 3 surge) → allowed 20 + 5 = 25.
  const d20 = deploy(20);
  const old = rs('old', 6, 6, { created: '2024-01-01T00:00:00Z' });
  const fresh = rs('new', 5, 0, { created: '2024-01-02T00:00:00Z' });
  old.metadata.annotations!['deployment.kubernetes.io/max-replicas'] = '13';
  fresh.metadata.annotations!['deployment.kubernetes.io/max-replicas'] = '13';
  const scales = proportionalScale(d20, fresh, [old]);
  const total = scales.reduce((n, s) => n + s.replicas, 0);
  assert.equal(total, 25, 'replicas + maxSurge in total');
  assert.ok(scales.every((s) => s.replicas > 6 || s.rs.metadata.name === 'new'));
});

test('revision annotations: copied from the Deployment, raised on rollback with revision-history', () => {
  const d = deploy(3, {}, { metadata: { annotations: { team: 'a', 'kubectl.kubernetes.io/last-applied-configuration': '{}', 'deployment.kubernetes.io/revision': '4' } } });
  const created = newReplicaSetFor(d, 'h4sh', 1, 5);
  assert.equal(created.metadata.name, 'web-h4sh');
  assert.equal(created.metadata.labels!['pod-template-hash'], 'h4sh');
  assert.deepEqual(created.spec.selector.matchLabels, { app: 'web', 'pod-template-hash': 'h4sh' });
  assert.equal(created.metadata.annotations!['deployment.kubernetes.io/revision'], '5');
  assert.equal(created.metadata.annotations!['team'], 'a');
  assert.equal(created.metadata.annotations!['kubectl.kubernetes.io/last-applied-configuration'], undefined);
  assert.equal(created.metadata.annotations!['deployment.kubernetes.io/desired-replicas'], '3');
  assert.equal(created.metadata.annotations!['deployment.kubernetes.io/max-replicas'], '4');
  assert.deepEqual(created.metadata.ownerReferences![0], { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'd-uid', controller: true, blockOwnerDeletion: true });

  // Rolling back to revision 2 makes it revision 6 and remembers 2.
  const back = rs('r2', 0, 0, { revision: 2 });
  const ann = newReplicaSetAnnotations(d, back, 6, true)!;
  assert.equal(ann['deployment.kubernetes.io/revision'], '6');
  assert.equal(ann['deployment.kubernetes.io/revision-history'], '2');
  // Nothing to change the second time.
  assert.equal(newReplicaSetAnnotations(d, { ...back, metadata: { ...back.metadata, annotations: ann } }, 6, true), undefined);
});

test('cleanup keeps revisionHistoryLimit old ReplicaSets and never deletes one with replicas', () => {
  const d = deploy(1, {}, { spec: { revisionHistoryLimit: 1 } });
  const olds = [rs('r1', 0, 0, { revision: 1, status: 0 }), rs('r2', 1, 1, { revision: 2 }), rs('r3', 0, 0, { revision: 3, status: 0 })];
  assert.deepEqual(replicaSetsToCleanUp(d, olds).map((r) => r.metadata.name), ['r1']);
});

test('status: counts, Available condition, Progressing through a rollout to NewReplicaSetAvailable', () => {
  const now = Date.parse('2024-01-01T00:10:00Z');
  const d = deploy(3, {}, { status: { replicas: 3, updatedReplicas: 0, availableReplicas: 3, readyReplicas: 3 } });
  const old = rs('old', 2, 2);
  const fresh = rs('new', 2, 1);
  const s = rolloutStatus(d, [old, fresh], fresh, now);
  assert.deepEqual(
    [s.replicas, s.updatedReplicas, s.readyReplicas, s.availableReplicas, s.unavailableReplicas, s.observedGeneration],
    [4, 2, 3, 3, 1, 2],
  );
  const avail = s.conditions.find((c: any) => c.type === 'Available');
  assert.equal(avail.reason, 'MinimumReplicasAvailable');
  const prog = s.conditions.find((c: any) => c.type === 'Progressing');
  assert.deepEqual([prog.status, prog.reason, prog.message], ['True', 'ReplicaSetUpdated', 'ReplicaSet "new" is progressing.']);

  const done = rolloutStatus({ ...d, status: s }, [rs('old', 0, 0, { status: 0 }), rs('new', 3, 3)], rs('new', 3, 3), now);
  const p2 = done.conditions.find((c: any) => c.type === 'Progressing');
  assert.deepEqual([p2.reason, p2.message], ['NewReplicaSetAvailable', 'ReplicaSet "new" has successfully progressed.']);
});

test('no progress past progressDeadlineSeconds gives ProgressDeadlineExceeded', () => {
  const start = Date.parse('2024-01-01T00:00:00Z');
  const d = deploy(3, {}, { spec: { progressDeadlineSeconds: 60 }, status: { replicas: 1, updatedReplicas: 1, availableReplicas: 0, readyReplicas: 0, conditions: [{ type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: 'x', lastUpdateTime: '2024-01-01T00:00:00Z', lastTransitionTime: '2024-01-01T00:00:00Z' }] } });
  const stuck = rs('new', 1, 0);
  const early = rolloutStatus(d, [stuck], stuck, start + 30_000).conditions.find((c: any) => c.type === 'Progressing');
  assert.equal(early.reason, 'ReplicaSetUpdated');
  const late = rolloutStatus(d, [stuck], stuck, start + 61_000).conditions.find((c: any) => c.type === 'Progressing');
  assert.deepEqual([late.status, late.reason, late.message], ['False', 'ProgressDeadlineExceeded', 'ReplicaSet "new" has timed out progressing.']);
});

test('Available=False below replicas - maxUnavailable', () => {
  const s = calculateStatus(deploy(4), [rs('a', 4, 2)], rs('a', 4, 2), Date.now());
  const c = s.conditions.find((x: any) => x.type === 'Available');
  assert.deepEqual([c.status, c.reason], ['False', 'MinimumReplicasUnavailable']);
});

test('pause and resume set the Progressing condition to Unknown with DeploymentPaused / DeploymentResumed', () => {
  const paused = deploy(1, {}, { spec: { paused: true } });
  assert.equal(pausedCondition(paused, Date.now())?.reason, 'DeploymentPaused');
  const resumed = deploy(1, {}, { status: { conditions: [{ type: 'Progressing', status: 'Unknown', reason: 'DeploymentPaused' }] } });
  assert.equal(pausedCondition(resumed, Date.now())?.reason, 'DeploymentResumed');
  assert.equal(pausedCondition(deploy(1), Date.now()), undefined);
});

test('an old ReplicaSet whose status still shows pods it is deleting does not count them as available', () => {
  const d = deploy(4, { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } });
  // Just scaled from 4 to 3; its status still says 4 available. New RS: 1 pod, not available yet.
  const old = rs('old', 3, 4, { status: 4 });
  const fresh = rs('new', 2, 0, { created: '2024-01-02T00:00:00Z' });
  assert.deepEqual(reconcileOldReplicaSets(d, fresh, [old]), [], 'available = min(4, 3) = 3 = minAvailable: nothing more');
});
