// Preemption against the real API server: a high-priority pod that fits nowhere evicts a
// lower-priority one, is nominated to its node, and is bound once the victim is gone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { startScheduler } from '../../src/scheduler/index.ts';
import { cluster, EVENTS, NODES, PODS, withPriorityClass } from './helpers.ts';
import { node, pod } from './fixtures.ts';
import { eventually } from '../helpers/eventually.ts';

test('a high-priority pod preempts a lower-priority one and takes its place', async () => {
  const c = await cluster();
  const s = await startScheduler({ client: c.client, logger: pino({ level: 'silent' }), queue: { initialBackoffMs: 200 } });
  const pods = c.client.resource(PODS);
  try {
    await c.client.resource(NODES).create(node('n1', { cpu: '2' }));
    await pods.create(pod('low', { cpu: '1500m', priority: 0 }), { namespace: 'default' });
    await eventually(async () => (await pods.get('low', { namespace: 'default' })).spec?.nodeName === 'n1', 'low bound');
    await pods.create(await withPriorityClass(c.client, pod('vip', { cpu: '1', priority: 1000 })), { namespace: 'default' });

    const nominated = await eventually(async () => (await pods.get('vip', { namespace: 'default' })).status?.nominatedNodeName, 'vip nominated');
    assert.equal(nominated, 'n1');
    const ev = await eventually(async () => {
      const evs = (await c.client.resource(EVENTS).list({ namespace: 'default' })).items as any[];
      return evs.find((e) => e.reason === 'Preempted' && e.involvedObject.name === 'low');
    }, 'Preempted event on the victim');
    const vip = await pods.get('vip', { namespace: 'default' });
    assert.equal(ev.message, `Preempted by pod ${vip.metadata.uid} on node n1`);
    // No node agent here: finish the victim's graceful deletion as a kubelet would.
    await eventually(async () => {
      try {
        const low = await pods.get('low', { namespace: 'default' });
        if (!low.metadata.deletionTimestamp) return false;
        await pods.delete('low', { namespace: 'default', gracePeriodSeconds: 0 });
        return true;
      } catch (e: any) {
        return e.code === 404;
      }
    }, 'victim deleted');
    await eventually(async () => (await pods.get('vip', { namespace: 'default' })).spec?.nodeName === 'n1', 'vip bound on n1');
  } finally {
    await s.stop();
    await c.close();
  }
});

test('preemptionPolicy Never: no victims, and the message says why', async () => {
  const c = await cluster();
  const s = await startScheduler({ client: c.client, logger: pino({ level: 'silent' }) });
  const pods = c.client.resource(PODS);
  try {
    await c.client.resource(NODES).create(node('n1', { cpu: '2' }));
    await pods.create(pod('low', { cpu: '1500m', priority: 0 }), { namespace: 'default' });
    await eventually(async () => (await pods.get('low', { namespace: 'default' })).spec?.nodeName === 'n1', 'low bound');
    await pods.create(await withPriorityClass(c.client, pod('polite', { cpu: '1', priority: 1000, spec: { preemptionPolicy: 'Never' } })), { namespace: 'default' });
    const cond = await eventually(async () => (await pods.get('polite', { namespace: 'default' })).status?.conditions?.find((x: any) => x.type === 'PodScheduled'), 'condition');
    assert.equal(cond.message, '0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.');
    const low = await pods.get('low', { namespace: 'default' });
    assert.equal(low.metadata.deletionTimestamp, undefined);
  } finally {
    await s.stop();
    await c.close();
  }
});
