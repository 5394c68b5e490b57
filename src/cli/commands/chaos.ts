// `kubesim chaos run --kubeconfig K --scenario FILE.yaml [--report FILE.json]`: runs a bounded
// chaos scenario (src/chaos/scenario.ts) against an API server on loopback, checks the history
// and prints the report; exits 1 on any violation. With --processes it starts the components as
// processes of its own (src/chaos/processes.ts) in a fresh data dir, so kill and proxy faults can
// reach them, and stops them all (by pid) at the end.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ProcessCluster } from '../../chaos/processes.ts';
import { faultsFileTarget } from '../../chaos/faults-file.ts';
import type { Command } from 'commander';
import { Client } from '../../client/index.ts';
import { readStoreHistory } from '../../cluster/index.ts';
import { formatReport, runScenario } from '../../chaos/run.ts';
import { isLoopback, parseScenario, ScenarioError } from '../../chaos/scenario.ts';
import { fail } from '../component.ts';

interface Opts {
  kubeconfig?: string;
  scenario: string;
  report?: string;
  processes?: boolean;
  nodes: string;
  dataDir?: string;
  storageFaultsFile?: string;
}

export function register(program: Command): void {
  const chaos = program.command('chaos').description('inject faults while a recorder workload runs, then check its history');
  chaos
    .command('run')
    .description('run a chaos scenario against a cluster on loopback and report violations')
    .option('--kubeconfig <path>', 'kubeconfig of the API server (default $KUBECONFIG or ~/.kube/config)')
    .requiredOption('--scenario <file>', 'scenario (YAML or JSON; see docs/chaos.md)')
    .option('--report <file>', 'also write the report as JSON to this file')
    .option('--processes', 'start kubesim apiserver, scheduler, controller-manager and nodes as processes (each component through a fault proxy) and run against them')
    .option('--nodes <n>', 'with --processes: simulated nodes', '3')
    .option('--data-dir <dir>', 'with --processes: the data dir (default: a temporary one, removed afterwards)')
    .option('--storage-faults-file <file>', 'without --processes: the file the API server follows for storage faults (kubesim up|apiserver --storage-faults-file), for storage faults in the scenario')
    .action(async (o: Opts) => {
      let scenario;
      try {
        scenario = parseScenario(readFileSync(o.scenario, 'utf8'));
      } catch (e) {
        fail(`--scenario ${o.scenario}: ${e instanceof ScenarioError ? e.message : (e as Error).message}`);
      }
      if (o.processes && o.storageFaultsFile) fail('--storage-faults-file is for a cluster of your own; with --processes the API server follows <data-dir>/chaos/storage-faults.json');
      let cluster: ProcessCluster | undefined;
      let tmp: string | undefined;
      if (o.processes) {
        const nodes = Number(o.nodes);
        if (!Number.isInteger(nodes) || nodes < 1 || nodes > 100) fail(`--nodes must be an integer from 1 to 100 (got "${o.nodes}")`);
        const dataDir = o.dataDir ?? (tmp = mkdtempSync(join(tmpdir(), 'kubesim-chaos-')));
        cluster = new ProcessCluster({ dataDir, bin: fileURLToPath(new URL('../../../bin/kubesim.js', import.meta.url)), nodes, readHistory: readStoreHistory });
        try {
          await cluster.startAll();
        } catch (e) {
          await cluster.stop();
          console.error(`error: starting the components: ${(e as Error).message}`);
          process.exit(1);
        }
        o.kubeconfig = cluster.kubeconfig;
        // Stopped from outside: the processes started go first (by pid), then this one.
        for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void cluster!.stop().finally(() => process.exit(130)));
      }
      let client: Client;
      try {
        client = Client.fromKubeconfig(o.kubeconfig, { qps: Infinity, userAgent: 'kubesim-chaos', timeoutMs: 10_000 });
      } catch (e) {
        await cluster?.stop();
        fail(`cannot load kubeconfig: ${(e as Error).message}`);
      }
      if (!isLoopback(client.server)) fail(`chaos runs only against a loopback API server (got ${client.server})`);
      try {
        const targets = cluster ?? (o.storageFaultsFile ? { store: faultsFileTarget(o.storageFaultsFile) } : undefined);
        const report = await runScenario(client, scenario, { targets });
        console.log(formatReport(report));
        if (o.report) writeFileSync(o.report, JSON.stringify(report, null, 2) + '\n');
        process.exitCode = report.violations === 0 ? 0 : 1;
      } catch (e) {
        console.error(`error: the chaos run failed: ${(e as Error).message}`);
        process.exitCode = 1;
      } finally {
        client.close();
        await cluster?.stop();
        if (tmp) rmSync(tmp, { recursive: true, force: true });
      }
    });
}
