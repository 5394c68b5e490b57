// Clock skew and storage faults in one process: the node pool's clock runs 2 minutes behind (and 2%
// fast), the controller-manager and the scheduler on the real clock, the API server over a
// FaultyStore driven by the scenario's storage faults. Kubernetes tolerates a skewed kubelet clock
// (the node lifecycle controller judges a heartbeat by when it saw it change, on its own clock), so
// the nodes stay Ready, the rollout converges and every check is green.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startApiServer } from '../../src/apiserver/index.ts';
import { MemoryStore } from '../../src/storage/memory.ts';
import { FaultyStore } from '../../src/storage/faulty.ts';
import { Client } from '../../src/client/index.ts';
import { formatSkew, parseSkew, realClock, SkewedClock } from '../../src/clock/index.ts';
import { componentClock } from '../../src/cli/component.ts';
import { startControllerManager, startNodePool, startScheduler } from '../../src/cluster/index.ts';
import { parseScenario } from '../../src/chaos/scenario.ts';
import { formatReport, runScenario } from '../../src/chaos/run.ts';

const NODES = { group: '', version: 'v1', plural: 'nodes', namespaced: false, kind: 'Node' };

test('SkewedClock: offset, rate, timers in its own time', async () => {
  let t = 1_000_000;
  const base = { ...realClock, now: () => t };
  const c = new SkewedClock(base, { offsetMs: -120_000, rate: 2 });
  assert.equal(c.now(), 1_000_000 - 120_000);
  t += 1000;
  assert.equal(c.now(), 1_000_000 - 120_000 + 2000, 'runs at twice the base rate');
  const real = new SkewedClock(realClock, { rate: 4 });
  const t0 = performance.now();
  await real.sleep(400);
  const took = performance.now() - t0;
  assert.ok(took >= 90 && took < 390, `a 400 ms sleep at rate 4 takes about 100 ms real (took ${took})`);
  assert.throws(() => new SkewedClock(realClock, { rate: 0 }), /rate > 0/);
});

test('KUBESIM_CLOCK_SKEW: parsed, formatted back, refused with the bad part named', () => {
  const good: [string, object][] = [
    ['offsetMs=-120000,rate=1.02', { offsetMs: -120000, rate: 1.02 }],
    ['rate=0.9', { rate: 0.9 }],
    [' offsetMs=5000 ', { offsetMs: 5000 }],
  ];
  for (const [text, want] of good) {
    assert.deepEqual(parseSkew(text), want, text);
    assert.deepEqual(parseSkew(formatSkew(parseSkew(text))), want);
  }
  const bad: [string, RegExp][] = [
    ['offset=5', /unknown "offset" \(offsetMs, rate\)/],
    ['rate=0', /rate must be > 0/],
    ['offsetMs=abc', /"offsetMs=abc" must be offsetMs=<ms> or rate=<number>/],
    ['offsetMs', /must be offsetMs=<ms>/],
  ];
  for (const [text, msg] of bad) assert.throws(() => parseSkew(text), msg, text);
  assert.equal(componentClock({}), realClock, 'no skew: the real clock');
  const skewed = componentClock({ KUBESIM_CLOCK_SKEW: 'offsetMs=-120000' });
  assert.ok(Math.abs(Date.now() - 120_000 - skewed.now()) < 1000, 'a component 2 minutes behind');
});

test('a node pool 2 minutes behind, storage faults from the scenario: nodes stay Ready, the rollout converges, all checks green', { timeout: 120_000 }, async () => {
  const faulty = new FaultyStore(new MemoryStore());
  const srv = await startApiServer({ store: faulty });
  const client = new Client({ server: srv.url, qps: Infinity, timeoutMs: 10_000 });
  const skewed = new SkewedClock(realClock, { offsetMs: -120_000, rate: 1.02 });
  const nodeClient = new Client({ server: srv.url, qps: Infinity, clock: skewed });
  const cmClient = new Client({ server: srv.url, qps: Infinity });
  const schedClient = new Client({ server: srv.url, qps: Infinity });
  const pool = await startNodePool({ client: nodeClient, clock: skewed, count: 2, heartbeatSeconds: 1, processes: false });
  const cm = await startControllerManager({ client: cmClient, leaderElect: false, nodeMonitorGracePeriodSeconds: 4, nodeMonitorPeriodSeconds: 0.5 });
  const sched = await startScheduler({ client: schedClient });
  // Every node's Ready condition, sampled through the run: must never leave True.
  const notReady = new Set<string>();
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      for (const n of (await client.resource(NODES).list().catch(() => ({ items: [] }))).items) {
        const ready = (n.status?.conditions as { type: string; status: string; reason?: string }[] | undefined)?.find((c) => c.type === 'Ready');
        if (ready && ready.status !== 'True') notReady.add(`${n.metadata?.name}: Ready=${ready.status} (${ready.reason})`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  try {
    const scenario = parseScenario(
      [
        'objects: 2',
        'operations: 3000',
        'durationSeconds: 9',
        'watchers: 2',
        'deployments: 1',
        'replicas: 2',
        'rolloutAt: 1',
        'convergenceSeconds: 60',
        'faults:',
        '  - storage: { commitLatencyMs: 20 }',
        '    at: 1',
        '    for: 2',
        '  - storage: { failCommits: EIO, failRate: 0.3, prefix: /registry/core/configmaps/ }',
        '    at: 4',
        '    for: 1.5',
      ].join('\n'),
    );
    const report = await runScenario(client, scenario, { runId: 'skew', targets: { store: faulty } });
    const text = formatReport(report);
    assert.equal(report.violations, 0, text);
    assert.deepEqual(report.faults.map((f) => f.fault), ['storage commit +20ms', 'storage EIO 30% /registry/core/configmaps/']);
    assert.ok(faulty.counts.delayedCommits > 0 && faulty.counts.failedCommits > 0, JSON.stringify(faulty.counts));
    assert.ok(report.operations.unknown > 0, 'failed commits are 503s: unknown outcomes');
    assert.equal(report.convergence.converged, 1, text);
    assert.ok(!('skipped' in report.watch), text);
    assert.deepEqual(faulty.current(), {}, 'the faults are cleared at the end');
    // The node pool's own timestamps are 2 minutes old, yet nobody marked its nodes Unknown.
    const lease = await client.resource({ group: 'coordination.k8s.io', version: 'v1', plural: 'leases', namespaced: true, kind: 'Lease' }).get('node-0', { namespace: 'kube-node-lease' });
    assert.ok(Date.now() - Date.parse(lease.spec?.renewTime as string) > 100_000, 'the node renews with its skewed clock');
    assert.deepEqual([...notReady], []);
  } finally {
    sampling = false;
    await sampler;
    await sched.stop();
    await cm.stop();
    await pool.stop();
    for (const c of [client, nodeClient, cmClient, schedClient]) c.close();
    await srv.close();
  }
});
