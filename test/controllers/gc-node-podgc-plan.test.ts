// Garbage collector graph decisions, node lifecycle plans (conditions, taints, eviction times), pod GC plan.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/types.ts';
import { blockingDependents, dependentAction, Graph } from '../../src/controllers/garbagecollector/graph.ts';
import { desiredTaints, effectiveTolerations, evictionTime, observeHeartbeat, notReadyConditions, unknownConditions } from '../../src/controllers/nodelifecycle/plan.ts';
import { podGCPlan } from '../../src/controllers/podgc/plan.ts';
import { selectControllers } from '../../src/controllers/index.ts';

const ref = (uid: string, block = false) => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: uid, uid, controller: true, blockOwnerDeletion: block });
const obj = (uid: string, owners: any[] = [], extra: any = {}): KubeObject => ({ metadata: { name: uid, namespace: 'default', uid, ownerReferences: owners, ...extra } });

test('the graph links dependents to owners, including owners it has never seen', () => {
  const g = new Graph();
  g.upsert(obj('pod1', [ref('rs1', true)]), 'v1', 'Pod');
  g.upsert(obj('pod2', [ref('rs1')]), 'v1', 'Pod');
  assert.deepEqual(g.dependentsOf('rs1').map((n) => n.id.uid).sort(), ['pod1', 'pod2']);
  assert.deepEqual(blockingDependents('rs1', g.dependentsOf('rs1')).map((n) => n.id.uid), ['pod1']);
  const { removedOwners } = g.upsert(obj('pod2', []), 'v1', 'Pod');
  assert.deepEqual(removedOwners, ['rs1']);
  assert.deepEqual(g.dependentsOf('rs1').map((n) => n.id.uid), ['pod1']);
  g.remove('pod1');
  assert.deepEqual(g.dependentsOf('rs1'), []);
});

test('a dependent is deleted when no owner is left, and only loses dangling refs while one remains', () => {
  assert.deepEqual(dependentAction([{ ref: ref('a'), state: 'absent' }], false), { action: 'delete', policy: 'Background' });
  assert.deepEqual(dependentAction([{ ref: ref('a'), state: 'absent' }, { ref: ref('b'), state: 'present' }], false), { action: 'removeOwners', uids: ['a'] });
  assert.deepEqual(dependentAction([{ ref: ref('b'), state: 'present' }], false), { action: 'none' });
  assert.deepEqual(dependentAction([{ ref: ref('a'), state: 'waiting' }], true), { action: 'delete', policy: 'Foreground' });
  assert.deepEqual(dependentAction([{ ref: ref('a'), state: 'waiting' }], false), { action: 'delete', policy: 'Background' });
  assert.deepEqual(dependentAction([], false), { action: 'none' });
});

const node = (ready: string, extra: any = {}): KubeObject => ({
  metadata: { name: 'n1' },
  spec: { ...(extra.spec ?? {}) },
  status: { conditions: [{ type: 'Ready', status: ready, lastHeartbeatTime: '2024-01-01T00:00:00Z' }, { type: 'MemoryPressure', status: 'False' }] },
});

test('the heartbeat probe is our own time of the last change of renewTime or Ready heartbeat (a skewed node clock is never compared)', () => {
  const n = node('True');
  const lease = (renewTime: string) => ({ metadata: { name: 'n1' }, spec: { renewTime } });
  const first = observeHeartbeat(undefined, n, lease('2024-01-01T00:00:30.000000Z'), 1000);
  assert.equal(first.at, 1000, 'first sight');
  assert.equal(observeHeartbeat(first, n, lease('2024-01-01T00:00:30.000000Z'), 5000), first, 'unchanged: the probe stays');
  assert.equal(observeHeartbeat(first, n, lease('2023-01-01T00:00:00.000000Z'), 6000).at, 6000, 'any change counts, even a renewTime in the past (a clock behind)');
  assert.equal(observeHeartbeat(first, { ...n, status: { conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: '2024-01-01T00:05:00Z' }] } }, lease('2024-01-01T00:00:30.000000Z'), 7000).at, 7000, 'a new Ready heartbeat');
});

test('a stale node gets Ready (and kubelet conditions) Unknown with NodeStatusUnknown, once', () => {
  const now = Date.parse('2024-01-01T00:05:00Z');
  const conds = unknownConditions(node('True'), now)!;
  const ready = conds.find((c) => c.type === 'Ready')!;
  assert.deepEqual([ready.status, ready.reason, ready.message], ['Unknown', 'NodeStatusUnknown', 'Kubelet stopped posting node status.']);
  assert.equal(ready.lastHeartbeatTime, '2024-01-01T00:00:00Z', 'heartbeat time is kept');
  assert.equal(conds.find((c) => c.type === 'MemoryPressure')!.status, 'Unknown');
  assert.equal(unknownConditions({ ...node('True'), status: { conditions: conds } }, now), undefined);
});

test('taints follow the Ready condition; recovery removes them; other taints stay', () => {
  const now = Date.parse('2024-01-01T00:05:00Z');
  const unreachable = desiredTaints(node('Unknown', { spec: { taints: [{ key: 'custom', effect: 'NoSchedule' }] } }), now)!;
  assert.deepEqual(unreachable.map((t) => `${t.key}:${t.effect}`), ['custom:NoSchedule', 'node.kubernetes.io/unreachable:NoSchedule', 'node.kubernetes.io/unreachable:NoExecute']);
  assert.equal(unreachable.find((t) => t.effect === 'NoExecute')!.timeAdded, '2024-01-01T00:05:00Z');
  assert.equal(desiredTaints(node('Unknown', { spec: { taints: unreachable } }), now + 1000), undefined, 'stable once set');
  const notReady = desiredTaints(node('False'), now)!;
  assert.deepEqual(notReady.map((t) => t.key), ['node.kubernetes.io/not-ready', 'node.kubernetes.io/not-ready']);
  assert.deepEqual(desiredTaints(node('True', { spec: { taints: unreachable } }), now), [{ key: 'custom', effect: 'NoSchedule' }]);
  assert.deepEqual(desiredTaints(node('True', { spec: { unschedulable: true } }), now)!.map((t) => t.key), ['node.kubernetes.io/unschedulable']);
});

test('eviction time: untolerated now, tolerated for N seconds after the taint, forever never', () => {
  const added = '2024-01-01T00:00:00Z';
  const t0 = Date.parse(added);
  const taints = [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: added }];
  const bare: KubeObject = { metadata: { name: 'p' }, spec: {} };
  assert.equal(evictionTime(bare.spec.tolerations ?? [], taints, t0 + 5), t0 + 5, 'no toleration: now');
  assert.equal(evictionTime(effectiveTolerations(bare, 300), taints, t0), t0 + 300_000, 'default toleration');
  assert.equal(evictionTime(effectiveTolerations(bare, 5), taints, t0), t0 + 5_000, 'configured lower');
  const own: KubeObject = { metadata: { name: 'p' }, spec: { tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' }] } };
  assert.equal(evictionTime(effectiveTolerations(own, 300), taints, t0), 'never', 'tolerates forever');
  assert.equal(evictionTime([], [{ key: 'x', effect: 'NoSchedule' }], t0), 'never');
});

test('pods on a not-ready node are marked Ready=False once', () => {
  const pod: KubeObject = { metadata: { name: 'p' }, status: { conditions: [{ type: 'Ready', status: 'True' }] } };
  const conds = notReadyConditions(pod, Date.now())!;
  assert.equal(conds[0].status, 'False');
  assert.equal(notReadyConditions({ ...pod, status: { conditions: conds } }, Date.now()), undefined);
});

test('pod GC: terminated above the threshold oldest first, orphans, terminating on dead nodes', () => {
  const now = Date.parse('2024-01-01T01:00:00Z');
  const p = (name: string, o: any): KubeObject => ({ metadata: { name, namespace: 'd', creationTimestamp: o.created ?? '2024-01-01T00:00:00Z', deletionTimestamp: o.deleting }, spec: { nodeName: o.node }, status: { phase: o.phase ?? 'Running' } });
  const nodes = new Map<string, KubeObject>([
    ['live', node('True')],
    ['dead', node('Unknown')],
  ]);
  const pods = [
    p('done-new', { phase: 'Succeeded', node: 'live', created: '2024-01-01T00:30:00Z' }),
    p('done-old', { phase: 'Failed', node: 'live', created: '2024-01-01T00:10:00Z' }),
    p('gone-node', { node: 'vanished' }),
    p('stuck', { node: 'dead', deleting: '2024-01-01T00:59:00Z' }),
    p('grace', { node: 'dead', deleting: '2024-01-01T01:00:30Z' }),
    p('unscheduled', { deleting: '2024-01-01T02:00:00Z' }),
    p('fine', { node: 'live' }),
  ];
  const plan = podGCPlan(pods, nodes, 1, now);
  assert.deepEqual(plan.terminated.map((x) => x.metadata.name), ['done-old']);
  assert.deepEqual(plan.orphaned.map((x) => x.metadata.name), ['gone-node']);
  assert.deepEqual(plan.terminating.map((x) => x.metadata.name), ['stuck', 'unscheduled']);
});

test('controller selection: all by default, "-name" disables, unknown names rejected', () => {
  assert.ok(selectControllers(undefined).includes('deployment'));
  assert.ok(!selectControllers(['*', '-podgc']).includes('podgc'));
  assert.deepEqual(selectControllers(['replicaset']), ['replicaset']);
  assert.throws(() => selectControllers(['nope']), /unknown controller "nope"/);
});

test('admission-default tolerations (300 s) follow the configured defaultTolerationSeconds; explicit ones do not', () => {
  const t0 = Date.parse('2024-01-01T00:00:00Z');
  const taints = [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: '2024-01-01T00:00:00Z' }];
  const admitted: KubeObject = { metadata: { name: 'p' }, spec: { tolerations: [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  ] } };
  assert.equal(evictionTime(effectiveTolerations(admitted, 2), taints, t0), t0 + 2000);
  assert.equal(evictionTime(effectiveTolerations(admitted, 300), taints, t0), t0 + 300_000);
  const custom: KubeObject = { metadata: { name: 'p' }, spec: { tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 60 }] } };
  assert.equal(evictionTime(effectiveTolerations(custom, 2), taints, t0), t0 + 60_000);
});
