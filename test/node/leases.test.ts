// Heartbeats at scale: 1,000 nodes renew their Leases in kube-node-lease every period, spread over
// the period, and none misses a renewal: no node ever goes two periods without renewing (the
// node lifecycle controller only acts after leaseDurationSeconds, 40 s). The heartbeat is the
// kubelet's default 10 s, watched over a whole minute.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startNodePool } from '../../src/node/index.ts';
import { cluster, LEASES, quiet } from './helpers.ts';

const NODES = 1000;
const PERIOD_S = 10;
const WINDOW_MS = 60_000;

test(`${NODES} nodes renew their leases every ${PERIOD_S}s for ${WINDOW_MS / 1000}s with none missed`, { timeout: 180_000 }, async () => {
  const c = await cluster();
  const pool = await startNodePool({ client: c.client, count: NODES, logger: quiet, heartbeatSeconds: PERIOD_S, events: false });
  const renewals = new Map<string, number[]>();
  const w = await c.client.resource(LEASES).watch({ namespace: 'kube-node-lease' });
  const reading = (async () => {
    for await (const ev of w) {
      if (ev.type !== 'ADDED' && ev.type !== 'MODIFIED') continue;
      const l: any = ev.object;
      const t = Date.parse(l.spec.renewTime);
      const arr = renewals.get(l.metadata.name) ?? [];
      if (arr[arr.length - 1] !== t) arr.push(t);
      renewals.set(l.metadata.name, arr);
    }
  })().catch(() => {});
  const start = Date.now();
  try {
    // Poll the clock with a deadline: the window is the thing under test, not a hoped-for state.
    while (Date.now() - start < WINDOW_MS) await new Promise((r) => setTimeout(r, 250));
    const end = Date.now();
    w.close();
    await reading;
    assert.equal(renewals.size, NODES, 'every node has a lease');
    const deadlineMs = PERIOD_S * 1000 * 2;
    const late: string[] = [];
    let total = 0;
    for (const [name, times] of renewals) {
      const inWindow = times.filter((t) => t >= start);
      total += inWindow.length;
      // Gaps between consecutive renewals, and from the last one to the end of the window.
      const seq = [...times.filter((t) => t < start).slice(-1), ...inWindow, end];
      for (let i = 1; i < seq.length; i++) if (seq[i] - seq[i - 1] > deadlineMs) late.push(`${name}: gap ${seq[i] - seq[i - 1]} ms`);
      if (inWindow.length < WINDOW_MS / (PERIOD_S * 1000) - 1) late.push(`${name}: only ${inWindow.length} renewals`);
    }
    assert.deepEqual(late.slice(0, 10), [], `${late.length} late renewals`);
    assert.ok(total >= NODES * (WINDOW_MS / (PERIOD_S * 1000) - 1), `total renewals ${total}`);
    // The lease spec is the kubelet's.
    const l: any = await c.client.resource(LEASES).get('node-999', { namespace: 'kube-node-lease' });
    assert.equal(l.spec.holderIdentity, 'node-999');
    assert.equal(l.spec.leaseDurationSeconds, 40);
    assert.equal(l.metadata.ownerReferences[0].kind, 'Node');
  } finally {
    w.close();
    await pool.stop();
    await c.close();
  }
});
