// StatefulSet reconcile plans (OrderedReady/Parallel, scale down, failed pods, rolling update with
// partition and maxUnavailable, OnDelete, claims and their owners) and the ControllerRevision history.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/types.ts';
import { planStatefulSet, type SetAction } from '../../src/controllers/statefulset/plan.ts';
import { claimOwners, newStatefulPod } from '../../src/controllers/statefulset/pods.ts';
import { hashRevision, newRevision, planUpdateRevision, revisionData, revisionsToPrune, templateOfRevision } from '../../src/controllers/util/history.ts';

const KIND = { apiVersion: 'apps/v1', kind: 'StatefulSet' };
const template = (image: string) => ({ metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image }] } });

function sts(o: { replicas?: number; policy?: string; partition?: number; maxUnavailable?: number | string; type?: string; start?: number; claims?: boolean; retention?: any; minReady?: number } = {}): KubeObject {
  return {
    metadata: { name: 'web', namespace: 'default', uid: 'set-uid', generation: 2 },
    spec: {
      replicas: o.replicas ?? 3,
      serviceName: 'nginx',
      podManagementPolicy: o.policy ?? 'OrderedReady',
      selector: { matchLabels: { app: 'web' } },
      template: template('nginx:2'),
      updateStrategy: o.type === 'OnDelete' ? { type: 'OnDelete' } : { type: 'RollingUpdate', rollingUpdate: { partition: o.partition ?? 0, ...(o.maxUnavailable ? { maxUnavailable: o.maxUnavailable } : {}) } },
      ...(o.start !== undefined ? { ordinals: { start: o.start } } : {}),
      ...(o.claims ? { volumeClaimTemplates: [{ metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }] } : {}),
      persistentVolumeClaimRetentionPolicy: o.retention ?? { whenDeleted: 'Retain', whenScaled: 'Retain' },
      minReadySeconds: o.minReady ?? 0,
    },
  };
}

const OLD = { ...newRevision(sts(), KIND, revisionData(template('nginx:1')), 1), metadata: { ...newRevision(sts(), KIND, revisionData(template('nginx:1')), 1).metadata, uid: 'r1' } };
const NEW = newRevision(sts(), KIND, revisionData(template('nginx:2')), 2);

type PodState = 'ready' | 'pending' | 'failed' | 'succeeded' | 'terminating';
function pod(set: KubeObject, ord: number, state: PodState = 'ready', rev: KubeObject = NEW): KubeObject {
  const p = newStatefulPod(set, rev, ord);
  p.metadata.uid = `uid-${ord}`;
  if (state === 'terminating') p.metadata.deletionTimestamp = '2024-01-01T00:00:00Z';
  p.status =
    state === 'failed' ? { phase: 'Failed' } : state === 'succeeded' ? { phase: 'Succeeded' } : state === 'pending' ? { phase: 'Pending' } : { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2024-01-01T00:00:00Z' }] };
  return p;
}

const describe = (a: SetAction) => (a.action === 'ownClaim' ? `own ${a.claim.metadata.name}` : `${a.action} ${a.pod.metadata.name}`);

test('a pod that lost its identity labels gets them back; a pending pod gets its missing claims', () => {
  const set = sts({ claims: true, policy: 'Parallel', replicas: 1 });
  const p = pod(set, 0, 'pending');
  delete p.metadata.labels!['apps.kubernetes.io/pod-index'];
  const plan = run(set, [p]);
  assert.deepEqual(plan.actions.map(describe), ['label web-0', 'createClaims web-0']);
  assert.deepEqual((plan.actions[0] as any).labels, { 'statefulset.kubernetes.io/pod-name': 'web-0', 'apps.kubernetes.io/pod-index': '0' });
  assert.deepEqual((plan.actions[1] as any).claims.map((c: KubeObject) => c.metadata.name), ['www-web-0']);
});
function run(set: KubeObject, pods: KubeObject[], o: { current?: KubeObject; claims?: KubeObject[]; now?: number } = {}) {
  return planStatefulSet({
    set,
    pods,
    claims: new Map((o.claims ?? []).map((c) => [c.metadata.name!, c])),
    currentRevision: o.current ?? NEW,
    updateRevision: NEW,
    collisionCount: 0,
    now: o.now ?? Date.parse('2024-01-02T00:00:00Z'),
  });
}

test('plans: creation order, scale down, failed pods, updates (table)', () => {
  const cases: { name: string; set: KubeObject; pods: (s: KubeObject) => KubeObject[]; current?: KubeObject; want: string[] }[] = [
    { name: 'OrderedReady creates only the first', set: sts(), pods: () => [], want: ['create web-0'] },
    { name: 'OrderedReady waits for a pending pod', set: sts(), pods: (s) => [pod(s, 0, 'pending')], want: [] },
    { name: 'OrderedReady creates the next once ready', set: sts(), pods: (s) => [pod(s, 0)], want: ['create web-1'] },
    { name: 'OrderedReady fills a gap first', set: sts(), pods: (s) => [pod(s, 0), pod(s, 2)], want: ['create web-1'] },
    { name: 'Parallel creates all', set: sts({ policy: 'Parallel' }), pods: () => [], want: ['create web-0', 'create web-1', 'create web-2'] },
    { name: 'Parallel does not wait for a pending one', set: sts({ policy: 'Parallel' }), pods: (s) => [pod(s, 0, 'pending')], want: ['create web-1', 'create web-2'] },
    { name: 'ordinals.start numbers from start', set: sts({ policy: 'Parallel', replicas: 2, start: 5 }), pods: () => [], want: ['create web-5', 'create web-6'] },
    { name: 'a failed pod is replaced before progress', set: sts(), pods: (s) => [pod(s, 0, 'failed')], want: ['delete web-0', 'create web-0'] },
    { name: 'a succeeded pod is replaced too', set: sts(), pods: (s) => [pod(s, 0, 'succeeded')], want: ['delete web-0', 'create web-0'] },
    { name: 'scale down removes the highest first, one at a time', set: sts({ replicas: 1 }), pods: (s) => [pod(s, 0), pod(s, 1), pod(s, 2)], want: ['delete web-2'] },
    { name: 'scale down waits for a terminating pod', set: sts({ replicas: 1 }), pods: (s) => [pod(s, 0), pod(s, 1), pod(s, 2, 'terminating')], want: [] },
    { name: 'scale down waits while a replica is unhealthy', set: sts({ replicas: 1 }), pods: (s) => [pod(s, 0, 'pending'), pod(s, 1)], want: [] },
    { name: 'Parallel scales down all at once', set: sts({ replicas: 1, policy: 'Parallel' }), pods: (s) => [pod(s, 0), pod(s, 1), pod(s, 2)], want: ['delete web-2', 'delete web-1'] },
    { name: 'rolling update: highest ordinal first', set: sts(), pods: (s) => [pod(s, 0, 'ready', OLD), pod(s, 1, 'ready', OLD), pod(s, 2, 'ready', OLD)], current: OLD, want: ['delete web-2'] },
    { name: 'rolling update waits for the replaced pod', set: sts(), pods: (s) => [pod(s, 0, 'ready', OLD), pod(s, 1, 'ready', OLD), pod(s, 2, 'pending')], current: OLD, want: [] },
    { name: 'rolling update continues down', set: sts(), pods: (s) => [pod(s, 0, 'ready', OLD), pod(s, 1, 'ready', OLD), pod(s, 2)], current: OLD, want: ['delete web-1'] },
    { name: 'partition 2 updates only web-2', set: sts({ partition: 2 }), pods: (s) => [pod(s, 0, 'ready', OLD), pod(s, 1, 'ready', OLD), pod(s, 2)], current: OLD, want: [] },
    { name: 'maxUnavailable 2 replaces two at once', set: sts({ maxUnavailable: 2 }), pods: (s) => [pod(s, 0, 'ready', OLD), pod(s, 1, 'ready', OLD), pod(s, 2, 'ready', OLD)], current: OLD, want: ['delete web-2', 'delete web-1'] },
    { name: 'OnDelete never deletes for an update', set: sts({ type: 'OnDelete' }), pods: (s) => [pod(s, 0, 'ready', OLD), pod(s, 1, 'ready', OLD), pod(s, 2, 'ready', OLD)], current: OLD, want: [] },
  ];
  for (const c of cases) {
    const plan = run(c.set, c.pods(c.set), { current: c.current });
    assert.deepEqual(plan.actions.map(describe), c.want, c.name);
  }
});

test('a new pod below the partition is made at the current revision, above it at the update revision', () => {
  const set = sts({ partition: 2, policy: 'Parallel' });
  const plan = run(set, [], { current: OLD });
  const revs = plan.actions.map((a) => (a.action === 'create' ? a.pod.metadata.labels!['controller-revision-hash'] : ''));
  assert.deepEqual(revs, [OLD.metadata.name, OLD.metadata.name, NEW.metadata.name]);
  const images = plan.actions.map((a) => (a.action === 'create' ? a.pod.spec!.containers[0].image : ''));
  assert.deepEqual(images, ['nginx:1', 'nginx:1', 'nginx:2']);
});

test('OnDelete: a pod deleted by hand comes back at the update revision', () => {
  const set = sts({ type: 'OnDelete' });
  const plan = run(set, [pod(set, 0, 'ready', OLD), pod(set, 2, 'ready', OLD)], { current: OLD });
  assert.deepEqual(plan.actions.map(describe), ['create web-1']);
  assert.equal((plan.actions[0] as any).pod.metadata.labels['controller-revision-hash'], NEW.metadata.name);
  assert.equal(plan.status.currentRevision, OLD.metadata.name, 'OnDelete never completes a rolling update by itself');
});

test('pod identity: name, hostname, subdomain, labels, owner, claim volumes', () => {
  const set = sts({ claims: true });
  const [a] = run(set, []).actions as any[];
  assert.equal(a.action, 'create');
  assert.equal(a.pod.metadata.name, 'web-0');
  assert.equal(a.pod.spec.hostname, 'web-0');
  assert.equal(a.pod.spec.subdomain, 'nginx');
  assert.deepEqual(a.pod.metadata.labels, { app: 'web', 'statefulset.kubernetes.io/pod-name': 'web-0', 'apps.kubernetes.io/pod-index': '0', 'controller-revision-hash': NEW.metadata.name });
  assert.deepEqual(a.pod.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'set-uid', controller: true, blockOwnerDeletion: true }]);
  assert.deepEqual(a.pod.spec.volumes, [{ name: 'www', persistentVolumeClaim: { claimName: 'www-web-0' } }]);
  assert.deepEqual(a.claims.map((c: KubeObject) => c.metadata.name), ['www-web-0']);
  assert.equal(a.claims[0].metadata.ownerReferences, undefined, 'Retain: no owner');
  // An existing claim is not created again.
  const again = run(set, [], { claims: [{ metadata: { name: 'www-web-0', namespace: 'default', uid: 'c0' } }] }).actions[0] as any;
  assert.deepEqual(again.claims, []);
  // A claim still being deleted holds its pod back.
  const held = run(set, [], { claims: [{ metadata: { name: 'www-web-0', namespace: 'default', uid: 'c0', deletionTimestamp: '2024-01-01T00:00:00Z' } }] });
  assert.deepEqual(held.actions, []);
});

test('claim owners follow persistentVolumeClaimRetentionPolicy (table)', () => {
  const set = (whenDeleted: string, whenScaled: string) => sts({ claims: true, retention: { whenDeleted, whenScaled } });
  const p = { metadata: { name: 'web-2', uid: 'pod-uid' } } as KubeObject;
  const claim = { metadata: { name: 'www-web-2' } } as KubeObject;
  const cases: [string, string, boolean, string[] | undefined][] = [
    ['Retain', 'Retain', true, undefined],
    ['Delete', 'Retain', true, ['StatefulSet']],
    ['Delete', 'Retain', false, ['StatefulSet']],
    ['Retain', 'Delete', true, undefined],
    ['Retain', 'Delete', false, ['Pod']],
    ['Delete', 'Delete', true, ['StatefulSet']],
    ['Delete', 'Delete', false, ['Pod']],
  ];
  for (const [d, s, inRange, want] of cases) {
    const got = claimOwners(set(d, s), claim, p, inRange);
    assert.deepEqual(got?.map((r) => r.kind), want, `${d}/${s} inRange=${inRange}`);
  }
  // A scaled-down pod's claim gets the pod as owner before the pod is deleted (whenScaled Delete).
  const s = sts({ replicas: 2, claims: true, retention: { whenDeleted: 'Retain', whenScaled: 'Delete' } });
  const claims = [0, 1, 2].map((i) => ({ metadata: { name: `www-web-${i}`, namespace: 'default', uid: `c${i}` } }) as KubeObject);
  const plan = run(s, [pod(s, 0), pod(s, 1), pod(s, 2)], { claims });
  assert.deepEqual(plan.actions.map(describe), ['own www-web-2', 'delete web-2']);
});

test('status counts and the current revision once the rollout completes', () => {
  const set = sts({ partition: 0 });
  const mid = run(set, [pod(set, 0, 'ready', OLD), pod(set, 1, 'ready', OLD), pod(set, 2)], { current: OLD }).status;
  assert.deepEqual(
    { r: mid.replicas, ready: mid.readyReplicas, cur: mid.currentReplicas, upd: mid.updatedReplicas, current: mid.currentRevision, update: mid.updateRevision, gen: mid.observedGeneration },
    { r: 3, ready: 3, cur: 1, upd: 1, current: OLD.metadata.name, update: NEW.metadata.name, gen: 2 },
  );
  // web-1 is deleted in this plan: it no longer counts as current.
  const done = run(set, [pod(set, 0), pod(set, 1), pod(set, 2)], { current: OLD }).status;
  assert.equal(done.currentRevision, NEW.metadata.name);
  assert.equal(done.currentReplicas, 3);
  // minReadySeconds: ready but not yet available.
  const slow = sts({ minReady: 3600 });
  const s = run(slow, [pod(slow, 0)], { now: Date.parse('2024-01-01T00:00:10Z') });
  assert.equal(s.status.availableReplicas, 0);
  assert.deepEqual(s.actions, [], 'OrderedReady waits for availability');
});

test('history: data is the replacing template patch, hashes, renumbering on rollback, pruning', () => {
  const data = revisionData(template('nginx:1'));
  assert.equal(JSON.stringify(data), '{"spec":{"template":{"$patch":"replace","metadata":{"creationTimestamp":null,"labels":{"app":"web"}},"spec":{"containers":[{"image":"nginx:1","name":"c","resources":{}}]}}}}');
  assert.deepEqual(templateOfRevision({ metadata: {}, data } as any), { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx:1', resources: {} }] } });
  // As Go prints the typed template: canonical quantities.
  const cpu = revisionData({ spec: { containers: [{ name: 'c', resources: { requests: { cpu: '0.5', memory: '1Gi' } } }] } }).spec.template.spec.containers[0].resources.requests;
  assert.deepEqual(cpu, { cpu: '500m', memory: '1Gi' });
  assert.notEqual(hashRevision(data), hashRevision(data, 1), 'collisionCount changes the hash');
  assert.match(OLD.metadata.name!, /^web-[bcdfghjklmnpqrstvwxz2456789]+$/);
  assert.equal(OLD.metadata.labels!['controller-revision-hash'], OLD.metadata.name!.slice(4));

  const at = (image: string) => ({ ...sts(), spec: { ...sts().spec, template: template(image) } });
  assert.equal(planUpdateRevision(at('nginx:1'), KIND, [], 0).action, 'create');
  assert.deepEqual(planUpdateRevision(at('nginx:2'), KIND, [OLD, NEW], 0), { action: 'keep', revision: NEW });
  const back = planUpdateRevision(at('nginx:1'), KIND, [OLD, NEW], 0);
  assert.equal(back.action, 'renumber');
  assert.equal((back as any).to, 3);
  const third = planUpdateRevision(at('nginx:3'), KIND, [OLD, NEW], 0);
  assert.equal(third.action, 'create');
  assert.equal((third.revision as any).revision, 3);

  const revs = [1, 2, 3, 4].map((n) => ({ metadata: { name: `r${n}` }, revision: n }) as any);
  assert.deepEqual(revisionsToPrune(revs, new Set(['r4', 'r1']), 1).map((r) => r.metadata.name), ['r2']);
  assert.deepEqual(revisionsToPrune(revs, new Set(['r4']), 10), []);
});
