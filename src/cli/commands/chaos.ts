// `kubesim chaos run --kubeconfig K --scenario FILE.yaml [--report FILE.json]`: runs a bounded
// chaos scenario (src/chaos/scenario.ts) against an API server on loopback, checks the history
// and prints the report; exits 1 on any violation.
import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { Client } from '../../client/index.ts';
import { formatReport, runScenario } from '../../chaos/run.ts';
import { isLoopback, parseScenario, ScenarioError } from '../../chaos/scenario.ts';
import { fail } from '../component.ts';

interface Opts {
  kubeconfig?: string;
  scenario: string;
  report?: string;
}

export function register(program: Command): void {
  const chaos = program.command('chaos').description('inject faults while a recorder workload runs, then check its history');
  chaos
    .command('run')
    .description('run a chaos scenario against a cluster on loopback and report violations')
    .option('--kubeconfig <path>', 'kubeconfig of the API server (default $KUBECONFIG or ~/.kube/config)')
    .requiredOption('--scenario <file>', 'scenario (YAML or JSON; see docs/chaos.md)')
    .option('--report <file>', 'also write the report as JSON to this file')
    .action(async (o: Opts) => {
      let scenario;
      try {
        scenario = parseScenario(readFileSync(o.scenario, 'utf8'));
      } catch (e) {
        fail(`--scenario ${o.scenario}: ${e instanceof ScenarioError ? e.message : (e as Error).message}`);
      }
      let client: Client;
      try {
        client = Client.fromKubeconfig(o.kubeconfig, { qps: Infinity, userAgent: 'kubesim-chaos', timeoutMs: 10_000 });
      } catch (e) {
        fail(`cannot load kubeconfig: ${(e as Error).message}`);
      }
      if (!isLoopback(client.server)) fail(`chaos runs only against a loopback API server (got ${client.server})`);
      try {
        const report = await runScenario(client, scenario);
        console.log(formatReport(report));
        if (o.report) writeFileSync(o.report, JSON.stringify(report, null, 2) + '\n');
        process.exitCode = report.violations === 0 ? 0 : 1;
      } catch (e) {
        console.error(`error: the chaos run failed: ${(e as Error).message}`);
        process.exitCode = 1;
      } finally {
        client.close();
      }
    });
}
