// Restarting the pool process: the new pool re-adopts its Nodes, Leases and pods — nothing is
// recreated, running containers keep their startedAt, containerID and restartCount.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startNodePool } from '../../src/node/index.ts';
import { cluster, LEASES, NODES, pod, podEvents, PODS, quiet } from './helpers.ts';
import { eventually } from '../helpers/eventually.ts';

test('a restarted pool resumes the same nodes and running pods (same uids, same startedAt, no new Started)', async () => {
  const c = await cluster();
  const timings = { pullMs: 100, createMs: 20, startMs: 20 };
  let pool = await startNodePool({ client: c.client, count: 3, logger: quiet, timings, heartbeatSeconds: 1 });
  try {
    const pods = c.client.resource(PODS);
    for (let i = 0; i < 3; i++) await pods.create(pod(`w${i}`, `node-${i}`));
    const before = await eventually(async () => {
      const l = await pods.list({ namespace: 'default' });
      return l.items.length === 3 && l.items.every((p) => p.status?.phase === 'Running' && p.status.containerStatuses?.[0]?.ready) ? l.items : undefined;
    }, '3 pods Running');
    const nodesBefore = (await c.client.resource(NODES).list()).items;
    const leasesBefore = (await c.client.resource(LEASES).list({ namespace: 'kube-node-lease' })).items;
    await eventually(async () => (await podEvents(c.client, 'w2')).some((e: any) => e.reason === 'Started'), 'Started events written');
    await pool.stop();
    // Deleted while no agent runs: it waits, Terminating, for the restarted pool to finish it.
    await pods.create(pod('doomed', 'node-2'));
    await pods.delete('doomed', { namespace: 'default', gracePeriodSeconds: 30 });
    assert.ok((await pods.get('doomed', { namespace: 'default' })).metadata.deletionTimestamp);

    pool = await startNodePool({ client: c.client, count: 3, logger: quiet, timings, heartbeatSeconds: 1 });
    // The new pool renews the same leases.
    const renewed = new Map(leasesBefore.map((l) => [l.metadata.name, l.spec.renewTime]));
    await eventually(async () => {
      const l = (await c.client.resource(LEASES).list({ namespace: 'kube-node-lease' })).items;
      return l.length === 3 && l.every((x) => x.spec.renewTime !== renewed.get(x.metadata.name));
    }, 'leases renewed by the new pool');
    const nodesAfter = (await c.client.resource(NODES).list()).items;
    const leasesAfter = (await c.client.resource(LEASES).list({ namespace: 'kube-node-lease' })).items;
    const byName = (xs: any[]) => Object.fromEntries(xs.map((x) => [x.metadata.name, x.metadata.uid]));
    assert.deepEqual(byName(nodesAfter), byName(nodesBefore));
    assert.deepEqual(byName(leasesAfter), byName(leasesBefore));
    for (const n of nodesAfter) {
      assert.equal(n.metadata.annotations?.['kubesim.io/kubelet-url'], pool.kubeletUrl);
      assert.equal(n.status.daemonEndpoints.kubeletEndpoint.Port, pool.kubeletPort);
    }

    await eventually(async () => !(await pods.list({ namespace: 'default' })).items.some((p) => p.metadata.name === 'doomed'), 'doomed removed by the new pool');
    // A new pod on the restarted pool runs (the pool works), and old pods were not replayed.
    await pods.create(pod('fresh', 'node-0'));
    await eventually(async () => (await pods.get('fresh', { namespace: 'default' })).status?.phase === 'Running', 'fresh Running');
    const after = (await pods.list({ namespace: 'default' })).items.filter((p) => p.metadata.name !== 'fresh');
    const view = (xs: any[]) =>
      xs
        .map((p) => ({
          name: p.metadata.name,
          uid: p.metadata.uid,
          podIP: p.status.podIP,
          phase: p.status.phase,
          startedAt: p.status.containerStatuses[0].state.running?.startedAt,
          containerID: p.status.containerStatuses[0].containerID,
          restartCount: p.status.containerStatuses[0].restartCount,
        }))
        .sort((a, b) => a.name.localeCompare(b.name));
    assert.deepEqual(view(after), view(before));
    const fresh = await pods.get('fresh', { namespace: 'default' });
    assert.ok(!after.some((p) => p.spec.nodeName === 'node-0' && p.status.podIP === fresh.status.podIP), 'the fresh pod got its own IP');
    for (let i = 0; i < 3; i++) {
      const started = (await podEvents(c.client, `w${i}`)).filter((e: any) => e.reason === 'Started');
      assert.equal(started.length, 1);
      assert.equal((started[0] as any).count, 1);
    }
    // Logs still work for an adopted pod.
    const text = await pods.log('w1', { namespace: 'default', container: 'app' } as any);
    assert.match(text, /starting container app/);
  } finally {
    await pool.stop();
    await c.close();
  }
});
