import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startNodePool } from '../../src/node/index.ts';
import { cluster, pod, quiet, until } from './helpers.ts';

test('a pool registers nodes and runs a bound pod to Running', async () => {
  const c = await cluster();
  const pool = await startNodePool({ client: c.client, count: 2, logger: quiet, timings: { pullMs: 100 } });
  try {
    const nodes = c.client.resource({ group: '', version: 'v1', plural: 'nodes', namespaced: false });
    const n = await nodes.get('node-0');
    assert.equal(n.status.conditions.find((x: any) => x.type === 'Ready').status, 'True');
    const pods = c.client.resource({ group: '', version: 'v1', plural: 'pods', namespaced: true });
    await pods.create(pod('p1', 'node-1'));
    const running = await until('p1 Running', async () => {
      const p = await pods.get('p1', { namespace: 'default' });
      return p.status?.phase === 'Running' && p.status.conditions?.find((x: any) => x.type === 'Ready')?.status === 'True' ? p : undefined;
    });
    assert.equal(running.status.hostIP, '10.0.0.3');
  } finally {
    await pool.stop();
    await c.close();
  }
});
