// Chaos: annotating a Node kubesim.io/partitioned=true cuts its agent off the API server — no
// Lease renewals, no status writes — until the annotation goes away.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startNodePool } from '../../src/node/index.ts';
import { LEASES, NODES, pod, PODS, quiet, virtualCluster, whileVirtual } from './helpers.ts';
import { eventuallyVirtual } from '../helpers/eventually.ts';

// Both tests on virtual time (one VirtualClock for the API server, the client and the pool): the test moves
// the clock itself, so "renewTime stays put for 3 periods" is 3 virtual seconds, not 3 real ones.
test('a partitioned node stops heartbeating and writing; healing resumes both', async () => {
  const c = await virtualCluster();
  const { clock } = c;
  const pool = await startNodePool({ client: c.client, count: 2, logger: quiet, heartbeatSeconds: 1, clock, timings: { pullMs: 50, createMs: 10, startMs: 10 } });
  try {
    const leases = c.client.resource(LEASES);
    const nodes = c.client.resource(NODES);
    const pods = c.client.resource(PODS);
    const renewTime = async (node: string) => (await leases.get(node, { namespace: 'kube-node-lease' })).spec.renewTime;
    await eventuallyVirtual(clock, async () => (await renewTime('node-0')) && (await renewTime('node-1')), 'both Leases written');
    await nodes.patch('node-0', { metadata: { annotations: { 'kubesim.io/partitioned': 'true' } } }, { type: 'merge' });
    // Once the agent noticed (at most one renewal may still land), renewTime stays put for 3 periods.
    await eventuallyVirtual(clock, () => pool.state.nodes.get('node-0')!.partitioned === true, 'agent noticed');
    await clock.advanceTo(clock.now() + 1200);
    const frozen = await renewTime('node-0');
    const other = await renewTime('node-1');
    await pods.create(pod('cut', 'node-0'));
    await pods.create(pod('fine', 'node-1'));
    await eventuallyVirtual(clock, async () => (await renewTime('node-1')) !== other, 'node-1 keeps renewing');
    await eventuallyVirtual(clock, async () => (await pods.get('fine', { namespace: 'default' })).status?.phase === 'Running', 'fine Running');
    const until = clock.now() + 3000;
    while (clock.now() < until) {
      assert.equal(await renewTime('node-0'), frozen);
      assert.equal((await pods.get('cut', { namespace: 'default' })).status?.phase ?? 'Pending', 'Pending');
      assert.equal((await pods.get('cut', { namespace: 'default' })).status?.containerStatuses, undefined);
      await clock.advanceTo(clock.now() + 200);
    }
    assert.notEqual(await renewTime('node-1'), other, 'node-1 renewed in those 3 periods');
    await nodes.patch('node-0', { metadata: { annotations: { 'kubesim.io/partitioned': null } } }, { type: 'merge' });
    await eventuallyVirtual(clock, async () => (await renewTime('node-0')) !== frozen, 'node-0 renews again');
    await eventuallyVirtual(clock, async () => (await pods.get('cut', { namespace: 'default' })).status?.phase === 'Running', 'cut Running after healing');
  } finally {
    await whileVirtual(clock, pool.stop());
    await c.close();
  }
});

test('under simulated memory pressure the eviction manager evicts BestEffort pods first, one per interval', async () => {
  const c = await virtualCluster();
  const { clock } = c;
  const pool = await startNodePool({ client: c.client, count: 1, logger: quiet, evictionIntervalSeconds: 2, clock, timings: { pullMs: 50, createMs: 10, startMs: 10 } });
  try {
    const pods = c.client.resource(PODS);
    const res = { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '100m', memory: '64Mi' } };
    await pods.create(pod('guaranteed', 'node-0', { containers: [{ name: 'app', image: 'nginx', resources: res }] }));
    await pods.create(pod('besteffort', 'node-0'));
    await eventuallyVirtual(clock, async () => (await pods.list({ namespace: 'default' })).items.every((p) => p.status?.phase === 'Running'), 'both Running');
    await c.client.resource(NODES).patch('node-0', { metadata: { annotations: { 'kubesim.io/memory-pressure': 'true' } } }, { type: 'merge' });
    const evicted = await eventuallyVirtual(clock, async () => {
      const p = await pods.get('besteffort', { namespace: 'default' });
      return p.status?.phase === 'Failed' ? p : undefined;
    }, 'besteffort evicted');
    assert.equal(evicted.status.reason, 'Evicted');
    assert.match(evicted.status.message, /^The node was low on resource: memory\. Threshold quantity: 100Mi, available: \d+Ki\. Container app was using \d+Ki, request is 0, has larger consumption of memory\. $/);
    const dt = evicted.status.conditions.find((x: any) => x.type === 'DisruptionTarget');
    assert.equal(dt.reason, 'TerminationByKubelet');
    assert.equal(evicted.status.containerStatuses[0].state.terminated.exitCode, 137);
    assert.equal((await pods.get('guaranteed', { namespace: 'default' })).status.phase, 'Running', 'Guaranteed pods go last');
    await c.client.resource(NODES).patch('node-0', { metadata: { annotations: { 'kubesim.io/memory-pressure': null } } }, { type: 'merge' });
  } finally {
    await whileVirtual(clock, pool.stop());
    await c.close();
  }
});
