// The ContainerRuntime seam: the pod runtime drives containers only through it, and a runtime that
// does not know exits in advance (a real process) reports them; the lifecycle takes it from there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startNodePool, SimulatedRuntime, type ExitListener } from '../../src/node/index.ts';
import type { ContainerSim, PodSim } from '../../src/node/podsim.ts';
import { cluster, pod, PODS, quiet } from './helpers.ts';
import { eventually } from '../helpers/eventually.ts';

/** Simulated, except that `app` has no exit plan: its first instance reports exit code 3 after 200 ms. */
class ReportingRuntime extends SimulatedRuntime {
  readonly calls: string[] = [];
  private listener?: ExitListener;

  override exitPlan(sim: PodSim, c: ContainerSim, profile: Parameters<SimulatedRuntime['exitPlan']>[2]) {
    return c.name === 'app' ? undefined : super.exitPlan(sim, c, profile);
  }
  override start(sim: PodSim, c: ContainerSim, at: number): void {
    super.start(sim, c, at);
    this.calls.push(`start ${c.name}`);
    if (c.name === 'app' && c.restartCount === 0) setTimeout(() => this.listener?.(sim, c, 3, Date.now()), 200);
  }
  override ended(sim: PodSim, c: ContainerSim, at: number): void {
    super.ended(sim, c, at);
    this.calls.push(`ended ${c.name} code ${c.exitCode}`);
  }
  override onExit(listener: ExitListener): void {
    this.listener = listener;
  }
}

test('a reported exit ends that instance only: the restarted container keeps running', async () => {
  const c = await cluster();
  const runtime = new ReportingRuntime();
  const pool = await startNodePool({ client: c.client, count: 1, logger: quiet, containerRuntime: runtime, timings: { pullMs: 50, createMs: 10, startMs: 10, backoffBaseMs: 100 } });
  try {
    await c.client.resource(PODS).create(pod('reported', 'node-0', { restartPolicy: 'Always' }));
    const restarted = await eventually(async () => {
      const p = await c.client.resource(PODS).get('reported', { namespace: 'default' });
      const cs = p.status?.containerStatuses?.[0];
      return cs?.restartCount === 1 && cs.state?.running ? cs : undefined;
    }, 'restarted once');
    assert.equal(restarted.lastState.terminated.exitCode, 3);
    assert.equal(restarted.lastState.terminated.reason, 'Error');
    await new Promise((r) => setTimeout(r, 600)); // several back-off periods: a stale plan would exit again
    const cs = (await c.client.resource(PODS).get('reported', { namespace: 'default' })).status.containerStatuses[0];
    assert.equal(cs.restartCount, 1);
    assert.ok(cs.state.running);
    assert.deepEqual(runtime.calls, ['start app', 'ended app code 3', 'start app']);
  } finally {
    await pool.stop();
    await c.close();
  }
});
