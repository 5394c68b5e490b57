// Node lifecycle (lease staleness → Unknown → taints → eviction; recovery), namespace deletion and
// pod GC against the real API server, with short grace/toleration settings. On virtual time: the
// server, the client and the controllers share one VirtualClock the tests move (eventuallyVirtual),
// so grace periods, tolerations and distinct creation seconds cost no real time.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/types.ts';
import { virtualCluster, deployment, fakeKubelet, DEPLOYMENTS, EVENTS, NAMESPACES, NODE_LEASES, NODES, PODS, REPLICASETS } from './helpers.ts';
import { eventuallyVirtual } from '../helpers/eventually.ts';

let c: Awaited<ReturnType<typeof virtualCluster>>;
before(async () => {
  c = await virtualCluster({ nodeMonitorGracePeriodSeconds: 1, nodeMonitorPeriodSeconds: 0.2, defaultTolerationSeconds: 1, podGCPeriodSeconds: 0.3, terminatedPodGCThreshold: 1 });
});
after(async () => {
  await c.close();
});

const micro = () => new Date(c.clock.now()).toISOString().replace('Z', '000Z');
const seconds = () => new Date(c.clock.now()).toISOString().replace(/\.\d+Z/, 'Z');
const readyNode = (name: string): KubeObject => ({
  metadata: { name },
  spec: {},
  status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: seconds(), lastTransitionTime: seconds() }] },
});

test('a node whose lease stops is marked Unknown and tainted; its pods are marked not ready and evicted; recovery removes the taints', async () => {
  const nodes = c.client.resource(NODES);
  const leases = c.client.resource(NODE_LEASES);
  const pods = c.client.resource(PODS);
  await nodes.create(readyNode('n1'));
  const node = await nodes.get('n1');
  await leases.create({ metadata: { name: 'n1', namespace: 'kube-node-lease' }, spec: { holderIdentity: 'n1', leaseDurationSeconds: 40, renewTime: micro() } } as KubeObject, { namespace: 'kube-node-lease' });
  await pods.create({ metadata: { name: 'victim' }, spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'x' }] } } as KubeObject, { namespace: 'default' });
  await pods.create(
    { metadata: { name: 'tolerant' }, spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'x' }], tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' }] } } as KubeObject,
    { namespace: 'default' },
  );
  for (const name of ['victim', 'tolerant']) {
    const p = await pods.get(name, { namespace: 'default' });
    await pods.updateStatus({ ...p, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } });
  }
  void node;
  // No more lease renewals: after the 1 s grace period the node is Unknown.
  const unknown = await eventuallyVirtual(c.clock, async () => {
    const n = await nodes.get('n1');
    const ready = n.status.conditions.find((x: any) => x.type === 'Ready');
    return ready.status === 'Unknown' && n;
  }, 'node Ready=Unknown');
  const ready = unknown.status.conditions.find((x: any) => x.type === 'Ready');
  assert.equal(ready.reason, 'NodeStatusUnknown');
  assert.equal(ready.message, 'Kubelet stopped posting node status.');
  const tainted = await eventuallyVirtual(c.clock, async () => {
    const n = await nodes.get('n1');
    return (n.spec.taints ?? []).length === 2 && n;
  }, 'unreachable taints');
  assert.deepEqual(tainted.spec.taints.map((t: any) => `${t.key}:${t.effect}`).sort(), ['node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/unreachable:NoSchedule']);
  assert.ok(tainted.spec.taints.find((t: any) => t.effect === 'NoExecute').timeAdded);
  await eventuallyVirtual(c.clock, async () => (await pods.get('tolerant', { namespace: 'default' })).status.conditions.find((x: any) => x.type === 'Ready').status === 'False', 'pods marked not ready');
  // The pod without a toleration of its own gets the default 1 s, then is evicted (deleted).
  await eventuallyVirtual(c.clock, async () => pods.get('victim', { namespace: 'default' }).then((p) => !!p.metadata.deletionTimestamp, () => true), 'victim evicted');
  const tolerant = await pods.get('tolerant', { namespace: 'default' });
  assert.ok(!tolerant.metadata.deletionTimestamp, 'a pod tolerating unreachable forever stays');
  const events = (await c.client.resource(EVENTS).list({ namespace: 'default' })).items;
  assert.ok(events.some((e) => e.reason === 'TaintManagerEviction' && e.message === 'Marking for deletion Pod default/victim'));
  await eventuallyVirtual(c.clock, async () => (await c.client.resource(EVENTS).list({ namespace: 'default' })).items.some((e) => e.reason === 'NodeNotReady' && (e.involvedObject as any).kind === 'Node'), 'NodeNotReady event');

  // Pod GC force-deletes the evicted pod once its grace period is over on a dead node (here: right away is fine to wait for).
  // Recovery: the kubelet posts Ready=True and renews the lease; the taints go away.
  const lease = await leases.get('n1', { namespace: 'kube-node-lease' });
  await leases.update({ ...lease, spec: { ...lease.spec, renewTime: micro() } });
  const n = await nodes.get('n1');
  await nodes.updateStatus({ ...n, status: readyNode('n1').status });
  await eventuallyVirtual(c.clock, async () => ((await nodes.get('n1')).spec.taints ?? []).length === 0, 'taints removed on recovery');
});

test('pod GC removes pods of deleted nodes and terminated pods above the threshold', async () => {
  const pods = c.client.resource(PODS);
  await pods.create({ metadata: { name: 'ghost' }, spec: { nodeName: 'no-such-node', containers: [{ name: 'c', image: 'x' }] } } as KubeObject, { namespace: 'default' });
  await eventuallyVirtual(c.clock, async () => pods.get('ghost', { namespace: 'default' }).then(() => false, () => true), 'pod on a missing node removed');
  for (const name of ['done1', 'done2', 'done3']) {
    await pods.create({ metadata: { name }, spec: { containers: [{ name: 'c', image: 'x' }] } } as KubeObject, { namespace: 'default' });
    const p = await pods.get(name, { namespace: 'default' });
    await pods.updateStatus({ ...p, status: { phase: 'Succeeded' } });
    await c.clock.advanceTo(c.clock.now() + 1100); // distinct creationTimestamps (second precision)
  }
  await eventuallyVirtual(c.clock, async () => {
    const left = (await pods.list({ namespace: 'default' })).items.filter((p) => p.metadata.name!.startsWith('done'));
    return left.length === 1 && left[0].metadata.name === 'done3';
  }, 'only the newest terminated pod kept (threshold 1)');
});

test('deleting a namespace empties it and then removes it', async () => {
  const nsc = c.client.resource(NAMESPACES);
  await nsc.create({ metadata: { name: 'scratch' } } as KubeObject);
  const stop = fakeKubelet(c.client, 'scratch');
  try {
    await c.client.resource(DEPLOYMENTS).create(deployment('app', 2), { namespace: 'scratch' });
    await c.client.resource(NAMESPACES); // eslint quiet
    await c.client.resource({ group: '', version: 'v1', plural: 'configmaps', namespaced: true, kind: 'ConfigMap' }).create({ metadata: { name: 'cfg' }, data: { a: 'b' } } as KubeObject, { namespace: 'scratch' });
    await eventuallyVirtual(c.clock, async () => (await c.client.resource(PODS).list({ namespace: 'scratch' })).items.length === 2, 'pods in scratch');
    await nsc.delete('scratch');
    const terminating = await nsc.get('scratch').catch(() => undefined);
    if (terminating) assert.equal(terminating.status.phase, 'Terminating');
    await eventuallyVirtual(c.clock, async () => nsc.get('scratch').then(() => false, () => true), 'namespace gone', 20_000);
    assert.equal((await c.client.resource(PODS).list({ namespace: 'scratch' })).items.length, 0);
    assert.equal((await c.client.resource(REPLICASETS).list({ namespace: 'scratch' })).items.length, 0);
  } finally {
    stop();
  }
});
