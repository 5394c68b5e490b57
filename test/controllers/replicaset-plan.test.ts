// ReplicaSet reconcile plans: claim, create/delete counts, deletion ranking, status, expectations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/types.ts';
import { claimObjects } from '../../src/controllers/util/owner.ts';
import { planReplicas, replicaSetStatus, BurstReplicas } from '../../src/controllers/replicaset/plan.ts';
import { podsToDelete } from '../../src/controllers/util/ranking.ts';
import { podFromTemplate } from '../../src/controllers/util/pod.ts';
import { Expectations, slowStartBatch } from '../../src/controllers/expectations.ts';

const rs: KubeObject = {
  metadata: { name: 'web', namespace: 'default', uid: 'rs-uid', generation: 3 },
  spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web', tier: 'fe' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
};

let seq = 0;
function pod(o: { name?: string; node?: string; phase?: string; ready?: boolean; readySince?: string; created?: string; labels?: Record<string, string>; owner?: string; restarts?: number }): KubeObject {
  const name = o.name ?? `p${++seq}`;
  return {
    metadata: {
      name,
      namespace: 'default',
      uid: `uid-${name}`,
      labels: o.labels ?? { app: 'web', tier: 'fe' },
      creationTimestamp: o.created ?? '2024-01-01T00:00:00Z',
      ownerReferences: o.owner === undefined ? [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'rs-uid', controller: true }] : o.owner ? [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'x', uid: o.owner, controller: true }] : [],
    },
    spec: { nodeName: o.node },
    status: {
      phase: o.phase ?? 'Running',
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True', lastTransitionTime: o.readySince ?? '2024-01-01T00:00:00Z' }],
      containerStatuses: [{ restartCount: o.restarts ?? 0 }],
    },
  };
}

const matchesWeb = (p: KubeObject) => p.metadata.labels?.app === 'web';

test('claim adopts matching orphans, releases owned pods that stop matching, ignores pods of other controllers', () => {
  const owned = pod({ name: 'owned' });
  const stray = pod({ name: 'stray', labels: { app: 'other' } });
  const orphan = pod({ name: 'orphan', owner: '' });
  const orphanOther = pod({ name: 'orphan2', owner: '', labels: { app: 'db' } });
  const foreign = pod({ name: 'foreign', owner: 'someone-else' });
  const plan = claimObjects(rs, [owned, stray, orphan, orphanOther, foreign], matchesWeb);
  assert.deepEqual(plan.owned.map((p) => p.metadata.name), ['owned', 'orphan']);
  assert.deepEqual(plan.adopt.map((p) => p.metadata.name), ['orphan']);
  assert.deepEqual(plan.release.map((p) => p.metadata.name), ['stray']);
});

test('a ReplicaSet being deleted adopts nothing', () => {
  const deleting = { ...rs, metadata: { ...rs.metadata, deletionTimestamp: '2024-01-01T00:00:00Z' } };
  assert.deepEqual(claimObjects(deleting, [pod({ owner: '' })], matchesWeb).adopt, []);
});

test('planReplicas creates the missing pods, capped at BurstReplicas', () => {
  assert.deepEqual(planReplicas(3, [pod({})], [], Date.now()), { action: 'create', count: 2 });
  assert.deepEqual(planReplicas(10_000, [], [], Date.now()), { action: 'create', count: BurstReplicas });
  assert.deepEqual(planReplicas(1, [pod({})], [], Date.now()), { action: 'none' });
});

test('pods to delete: unassigned, then pending, then not ready, then doubled-up, then newest', () => {
  const now = Date.parse('2024-01-02T00:00:00Z');
  const running = pod({ name: 'running', node: 'n1' });
  const unassigned = pod({ name: 'unassigned', phase: 'Pending', ready: false });
  const pending = pod({ name: 'pending', node: 'n2', phase: 'Pending', ready: false });
  const notReady = pod({ name: 'notready', node: 'n3', ready: false });
  const order = podsToDelete([running, notReady, pending, unassigned], [], 4, now).map((p) => p.metadata.name);
  assert.deepEqual(order, ['running', 'notready', 'pending', 'unassigned']); // n >= len: all, unsorted
  const first3 = podsToDelete([running, notReady, pending, unassigned], [], 3, now).map((p) => p.metadata.name);
  assert.deepEqual(first3, ['unassigned', 'pending', 'notready']);

  // Doubled up on a node goes before alone; among equals the newer pod goes first.
  const a = pod({ name: 'alone', node: 'n1', created: '2024-01-01T10:00:00Z' });
  const b1 = pod({ name: 'double-old', node: 'n2', created: '2024-01-01T01:00:00Z' });
  const b2 = pod({ name: 'double-new', node: 'n2', created: '2024-01-01T02:00:00Z' });
  assert.deepEqual(podsToDelete([a, b1, b2], [a, b1, b2], 1, now).map((p) => p.metadata.name), ['double-new']);
  assert.deepEqual(podsToDelete([a, b1, b2], [a, b1, b2], 2, now).map((p) => p.metadata.name), ['double-new', 'double-old']);

  // Ready for a shorter time goes first; higher restart count first.
  const young = pod({ name: 'young', node: 'x', readySince: '2024-01-01T23:59:00Z' });
  const old = pod({ name: 'old', node: 'y', readySince: '2024-01-01T00:00:00Z' });
  assert.deepEqual(podsToDelete([old, young], [], 1, now).map((p) => p.metadata.name), ['young']);
  const crashy = pod({ name: 'crashy', node: 'x', restarts: 5 });
  const calm = pod({ name: 'calm', node: 'y' });
  assert.deepEqual(podsToDelete([calm, crashy], [], 1, now).map((p) => p.metadata.name), ['crashy']);
});

test('status counts replicas, fully labeled, ready and available (minReadySeconds), observedGeneration', () => {
  const now = Date.parse('2024-01-01T00:01:00Z');
  const withMinReady = { ...rs, spec: { ...rs.spec, minReadySeconds: 30 } };
  const pods = [
    pod({ readySince: '2024-01-01T00:00:00Z' }), // available
    pod({ readySince: '2024-01-01T00:00:50Z' }), // ready, not yet available
    pod({ ready: false }),
    pod({ labels: { app: 'web' } }), // not fully labeled
  ];
  const s = replicaSetStatus({ rs: withMinReady, pods, now });
  assert.deepEqual(
    { replicas: s.replicas, fullyLabeledReplicas: s.fullyLabeledReplicas, readyReplicas: s.readyReplicas, availableReplicas: s.availableReplicas, observedGeneration: s.observedGeneration },
    { replicas: 4, fullyLabeledReplicas: 3, readyReplicas: 3, availableReplicas: 2, observedGeneration: 3 },
  );
  assert.equal(s.conditions, undefined);
});

test('a failed create sets ReplicaFailure, and success clears it', () => {
  const s = replicaSetStatus({ rs, pods: [], manageError: { reason: 'FailedCreate', message: 'pods "web-" is forbidden: quota' }, now: Date.now() });
  assert.equal(s.conditions[0].type, 'ReplicaFailure');
  assert.equal(s.conditions[0].reason, 'FailedCreate');
  const cleared = replicaSetStatus({ rs: { ...rs, status: s }, pods: [], now: Date.now() });
  assert.equal(cleared.conditions, undefined);
});

test('pods from the template carry generateName and a blocking controller ownerReference', () => {
  const p = podFromTemplate(rs, 'apps/v1', 'ReplicaSet');
  assert.equal(p.metadata.generateName, 'web-');
  assert.deepEqual(p.metadata.labels, { app: 'web', tier: 'fe' });
  assert.deepEqual(p.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'rs-uid', controller: true, blockOwnerDeletion: true }]);
  assert.equal(p.spec.containers[0].image, 'nginx');
});

test('expectations hold a key until every expected creation/deletion is observed (or expired)', () => {
  let t = 0;
  const e = new Expectations(() => t);
  assert.ok(e.satisfied('k'));
  e.expectCreations('k', 2);
  assert.ok(!e.satisfied('k'));
  e.creationObserved('k');
  assert.ok(!e.satisfied('k'));
  e.creationObserved('k');
  assert.ok(e.satisfied('k'));
  e.expectDeletions('k', ['ns/a', 'ns/b']);
  e.deletionObserved('k', 'ns/a');
  e.deletionObserved('k', 'ns/a'); // the same pod seen twice counts once
  assert.ok(!e.satisfied('k'));
  t += 6 * 60 * 1000;
  assert.ok(e.satisfied('k'), 'expired expectations no longer block');
});

test('slow start batches grow 1, 2, 4... and stop at the first failure', async () => {
  const sizes: number[] = [];
  let calls = 0;
  const ok = await slowStartBatch(10, 1, async () => {
    calls++;
  });
  assert.deepEqual(ok, { successes: 10 });
  calls = 0;
  const r = await slowStartBatch(100, 1, async () => {
    calls++;
    if (calls > 3) throw new Error('quota');
  });
  sizes.push(calls);
  assert.equal(r.successes, 3);
  assert.equal(calls, 7, 'batches of 1, 2, 4: the failing batch is the last');
});

test('Expectations.podObserved: adds observe creations, deletes and terminating pods observe deletions once', () => {
  const e = new Expectations();
  e.expectCreations('ns/a', 1);
  e.podObserved('ns/a', 'ns/p1', 'update', false);
  assert.equal(e.satisfied('ns/a'), false, 'an update observes nothing');
  e.podObserved('ns/a', 'ns/p1', 'add', false);
  assert.equal(e.satisfied('ns/a'), true);
  e.expectDeletions('ns/a', ['ns/p1', 'ns/p2']);
  e.podObserved('ns/a', 'ns/p1', 'update', true);
  e.podObserved('ns/a', 'ns/p1', 'delete', false);
  assert.equal(e.satisfied('ns/a'), false, 'one pod counted once, whether terminating or deleted');
  e.podObserved('ns/a', 'ns/p2', 'delete', false);
  assert.equal(e.satisfied('ns/a'), true);
});
