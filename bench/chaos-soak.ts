// Chaos soak (issue 20, "Done when"): minutes of mixed faults on a cluster of processes — every
// minute a node partitioned, the node pool's link slowed, the scheduler or the controller-manager
// killed -9, another component's link blackholed or reset; every other minute the API server
// killed -9 and restarted on its data dir; storage faults (20% of the ConfigMap commits failing
// with EIO, or 100 ms commits, through the API server's faults file); once the node pool restarted
// on a clock 30 s behind and 1% fast; a controller-manager SIGTERM every fourth minute — while the recorder writes at a steady
// pace, watchers resume, and Deployments roll out. Prints the conditions and the chaos report table;
// exit 1 on any violation.
//
//   node --import tsx bench/chaos-soak.ts [--minutes 10] [--nodes 100] [--data-dir D] [--report FILE.json]
//
// The whole run is one scenario (src/chaos/scenario.ts; at most 10 minutes), printed with --print-scenario.
import os from 'node:os';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '../src/client/index.ts';
import { readStoreHistory } from '../src/cluster/index.ts';
import { ProcessCluster } from '../src/chaos/processes.ts';
import { formatReport, runScenario } from '../src/chaos/run.ts';
import { parseScenario } from '../src/chaos/scenario.ts';
import { arg } from './util.ts';

const minutes = Number(arg('minutes', '10'));
const nodes = Number(arg('nodes', '100'));
if (!(Number.isInteger(minutes) && minutes >= 1 && minutes <= 10)) throw new Error(`--minutes must be an integer from 1 to 10 (got ${minutes})`);
if (!(Number.isInteger(nodes) && nodes >= 1 && nodes <= 100)) throw new Error(`--nodes must be an integer from 1 to 100 (got ${nodes})`);

/** The soak's scenario: a cycle of faults per minute (see the header). */
function soakScenario(minutes: number, nodes: number): string {
  const faults: Record<string, unknown>[] = [];
  for (let m = 0; m < minutes; m++) {
    const t = m * 60;
    faults.push({ partition: [`node-${(m * 7) % nodes}`], at: t + 5, for: 15 });
    faults.push({ proxy: 'nodes', mode: 'latency', latencyMs: 200, at: t + 10, for: 10 });
    faults.push({ kill: m % 2 === 0 ? 'scheduler' : 'controller-manager', at: t + 20, for: 5 });
    if (m % 2 === 0) faults.push({ kill: 'apiserver', at: t + 30, for: 3 });
    faults.push({ ...[{ proxy: 'controller-manager', mode: 'blackhole', for: 5 }, { proxy: 'scheduler', mode: 'reset', for: 2 }, { proxy: 'nodes', mode: 'reset', for: 2 }][m % 3], at: t + 40 });
    if (m === Math.min(1, minutes - 1)) faults.push({ skew: 'nodes', offsetMs: -30_000, rate: 1.01, at: t + 45, for: 8 });
    faults.push({ storage: m % 2 === 0 ? { failCommits: 'EIO', failRate: 0.2, prefix: '/registry/core/configmaps/' } : { commitLatencyMs: 100 }, at: t + 48, for: 5 });
    if (m % 4 === 3) faults.push({ kill: 'controller-manager', signal: 'SIGTERM', at: t + 55, for: 3 });
  }
  return JSON.stringify({
    objects: 5,
    clients: 3,
    operations: Math.min(10_000, minutes * 60 * 15),
    operationsPerSecond: 15,
    durationSeconds: minutes * 60,
    watchers: 3,
    deployments: 5,
    replicas: 4,
    rolloutAt: 25,
    convergenceSeconds: 180,
    faults,
  });
}

const text = soakScenario(minutes, nodes);
if (process.argv.includes('--print-scenario')) {
  console.log(JSON.stringify(JSON.parse(text), null, 2));
  process.exit(0);
}
const scenario = parseScenario(text);
let tmp: string | undefined;
const dataDir = arg('data-dir', '') || (tmp = mkdtempSync(join(os.tmpdir(), 'kubesim-soak-')));
const cluster = new ProcessCluster({ dataDir, bin: fileURLToPath(new URL('../bin/kubesim.js', import.meta.url)), nodes, readHistory: readStoreHistory });
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void cluster.stop().finally(() => process.exit(130)));
const started = new Date();
let violations = 1;
try {
  const t0 = performance.now();
  await cluster.startAll();
  const settledMs = performance.now() - t0;
  const client = Client.fromKubeconfig(cluster.kubeconfig, { qps: Infinity, userAgent: 'kubesim-chaos-soak', timeoutMs: 10_000 });
  try {
    const report = await runScenario(client, scenario, { targets: cluster });
    violations = report.violations;
    console.log(`chaos soak: ${minutes} min of mixed faults on ${nodes} nodes (processes: apiserver, scheduler, controller-manager, node pool; ${scenario.faults.length} faults)`);
    console.log(`conditions: ${started.toISOString()}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model}), load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}, Node ${process.version}, SQLite in ${dataDir}; cluster settled in ${(settledMs / 1000).toFixed(1)} s`);
    console.log(`workload: ${scenario.objects} ConfigMaps by ${scenario.clients} clients at ${scenario.operationsPerSecond} rounds/s (read + CAS), ${scenario.watchers} watchers, ${scenario.deployments} Deployments x ${scenario.replicas} rolled out at ${scenario.rolloutAtSeconds}s`);
    console.log('');
    console.log(formatReport(report));
    const out = arg('report', '');
    if (out) writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
  } finally {
    client.close();
  }
} catch (e) {
  console.error(`chaos soak failed: ${(e as Error).stack ?? e}`);
} finally {
  await cluster.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
}
process.exit(violations === 0 ? 0 : 1);
