// The agent compares the status it wants with the pod's status as stored in the API (its informer)
// and re-asserts it when someone else's write says otherwise in the fields it owns — e.g. the
// node lifecycle controller's Ready=False left over from a partition — without rewriting in a loop
// or fighting over fields it doesn't own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startNodePool } from '../../src/node/index.ts';
import { ownedStatusKey, statusDrifted, withForeignConditions } from '../../src/node/drift.ts';
import type { Client } from '../../src/client/index.ts';
import type { KubeObject } from '../../src/api/types.ts';
import { cluster, pod, PODS, quiet } from './helpers.ts';
import { eventually } from '../helpers/eventually.ts';

const cond = (p: KubeObject, type: string) => p.status?.conditions?.find((c: any) => c.type === type);

/** Counts MODIFIED watch events of one pod from resourceVersion rv on, for ms milliseconds (a fixed observation window, not a wait for a condition). */
async function countModified(client: Client, name: string, rv: string, ms: number): Promise<number> {
  const w = await client.resource(PODS).watch({ namespace: 'default', fieldSelector: `metadata.name=${name}`, resourceVersion: rv });
  let n = 0;
  const done = (async () => {
    for await (const ev of w) if (ev.type === 'MODIFIED') n++;
  })().catch(() => {});
  await new Promise((r) => setTimeout(r, ms));
  w.close();
  await done;
  return n;
}

test('ownedStatusKey ignores timestamps and conditions the agent does not own', () => {
  const base = {
    phase: 'Running',
    conditions: [
      { type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: '2026-01-01T00:00:00Z' },
      { type: 'PodScheduled', status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z' },
    ],
    containerStatuses: [{ name: 'app', ready: true, started: true, restartCount: 0, state: { running: { startedAt: '2026-01-01T00:00:00Z' } } }],
  };
  const retimed = structuredClone(base) as any;
  retimed.conditions[0].lastTransitionTime = '2026-01-02T00:00:00Z';
  retimed.conditions.push({ type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI' });
  retimed.conditions[1].status = 'False';
  assert.equal(statusDrifted(base, retimed), false);
  const unready = structuredClone(base) as any;
  unready.conditions[0].status = 'False';
  assert.equal(statusDrifted(base, unready), true);
  const containerUnready = structuredClone(base) as any;
  containerUnready.containerStatuses[0].ready = false;
  assert.notEqual(ownedStatusKey(base), ownedStatusKey(containerUnready));
  const merged = withForeignConditions(base, retimed);
  assert.deepEqual(merged.conditions.map((c: any) => c.type), ['Ready', 'PodScheduled', 'DisruptionTarget']);
  assert.equal(merged.conditions[0].status, 'True', 'our own conditions win');
});

test('a Ready=False written by someone else is re-asserted to Ready=True, without a write loop or fighting over foreign conditions', async () => {
  const c = await cluster();
  const pool = await startNodePool({ client: c.client, count: 1, logger: quiet, timings: { pullMs: 50, createMs: 10, startMs: 10 } });
  try {
    const pods = c.client.resource(PODS);
    await pods.create(pod('web', 'node-0'));
    const running = await eventually(async () => {
      const p = await pods.get('web', { namespace: 'default' });
      return p.status?.phase === 'Running' && cond(p, 'Ready')?.status === 'True' ? p : undefined;
    }, 'web Running and Ready');

    // What the node lifecycle controller does to pods on an unreachable node (pods/web/status).
    const notReady = structuredClone(running);
    for (const x of notReady.status.conditions) {
      if (x.type === 'Ready' || x.type === 'ContainersReady') {
        x.status = 'False';
        x.lastTransitionTime = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
      }
    }
    const marked = await pods.updateStatus(notReady);
    assert.equal(cond(marked, 'Ready').status, 'False');

    const fixed = await eventually(async () => {
      const p = await pods.get('web', { namespace: 'default' });
      return cond(p, 'Ready')?.status === 'True' && cond(p, 'ContainersReady')?.status === 'True' ? p : undefined;
    }, 'agent re-asserts Ready=True');
    assert.equal(fixed.status.phase, 'Running');
    assert.equal(fixed.status.containerStatuses[0].ready, true);

    // Settled: no rewrites in a loop.
    const settled = await countModified(c.client, 'web', fixed.metadata.resourceVersion!, 2500);
    assert.ok(settled <= 1, `pod rewritten ${settled} times after settling`);

    // A condition the agent doesn't own (DisruptionTarget, a readiness gate's) is neither removed nor rewritten.
    const current = await pods.get('web', { namespace: 'default' });
    const foreign = structuredClone(current);
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    foreign.status.conditions.push(
      { type: 'DisruptionTarget', status: 'True', reason: 'PreemptionByScheduler', message: 'test', lastProbeTime: null, lastTransitionTime: now },
      { type: 'example.com/gate', status: 'True', lastProbeTime: null, lastTransitionTime: now },
    );
    const withForeign = await pods.updateStatus(foreign);
    const after = await countModified(c.client, 'web', withForeign.metadata.resourceVersion!, 2500);
    assert.ok(after <= 1, `pod rewritten ${after} times after a foreign condition was added`);
    const last = await pods.get('web', { namespace: 'default' });
    assert.equal(cond(last, 'DisruptionTarget')?.reason, 'PreemptionByScheduler');
    assert.equal(cond(last, 'example.com/gate')?.status, 'True');
    assert.equal(cond(last, 'Ready')?.status, 'True');

    // ... and survives the agent's next re-assertion.
    const again = structuredClone(last);
    cond(again, 'Ready').status = 'False';
    await pods.updateStatus(again);
    const reasserted = await eventually(async () => {
      const p = await pods.get('web', { namespace: 'default' });
      return cond(p, 'Ready')?.status === 'True' ? p : undefined;
    }, 'Ready=True again');
    assert.equal(cond(reasserted, 'DisruptionTarget')?.reason, 'PreemptionByScheduler');
    assert.equal(cond(reasserted, 'example.com/gate')?.status, 'True');
  } finally {
    await pool.stop();
    await c.close();
  }
});

test('a pod marked not ready while its node was partitioned is corrected once the partition heals', async () => {
  const c = await cluster();
  const pool = await startNodePool({ client: c.client, count: 1, logger: quiet, heartbeatSeconds: 1, timings: { pullMs: 50, createMs: 10, startMs: 10 } });
  try {
    const pods = c.client.resource(PODS);
    const nodes = c.client.resource({ group: '', version: 'v1', plural: 'nodes', namespaced: false });
    await pods.create(pod('cut', 'node-0'));
    await eventually(async () => cond(await pods.get('cut', { namespace: 'default' }), 'Ready')?.status === 'True', 'cut Ready');
    await nodes.patch('node-0', { metadata: { annotations: { 'kubesim.io/partitioned': 'true' } } }, { type: 'merge' });
    await eventually(() => pool.state.nodes.get('node-0')!.partitioned === true, 'agent noticed the partition');
    const p = await pods.get('cut', { namespace: 'default' });
    cond(p, 'Ready').status = 'False';
    const marked = await pods.updateStatus(p);
    // The agent saw it (its informer still works) but can't write while cut off.
    await eventually(() => pool.state.pods.get('default/cut')?.sim.pod.metadata.resourceVersion === marked.metadata.resourceVersion, 'informer delivered the not-ready pod');
    await eventually(() => pool.state.nodes.get('node-0')!.deferred?.has('default/cut'), 'write deferred');
    assert.equal(cond(await pods.get('cut', { namespace: 'default' }), 'Ready').status, 'False');
    await nodes.patch('node-0', { metadata: { annotations: { 'kubesim.io/partitioned': null } } }, { type: 'merge' });
    await eventually(async () => cond(await pods.get('cut', { namespace: 'default' }), 'Ready')?.status === 'True', 'Ready=True after healing');
  } finally {
    await pool.stop();
    await c.close();
  }
});
