// `kubesim load --kubeconfig K --profile density|load|churn [...]`: a clusterloader2-style load
// generator (src/load) against any Kubernetes API server; prints the latencies and the SLO table.
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { Client } from '../../client/index.ts';
import { formatReport, PROFILES, runLoad, type Profile } from '../../load/index.ts';
import { durationSeconds, fail, nonNegative } from '../component.ts';

interface Opts {
  kubeconfig?: string;
  context?: string;
  profile: string;
  nodes?: string;
  podsPerNode: string;
  qps: string;
  duration?: string;
  namespacePrefix: string;
  report?: string;
  failOnSlo?: boolean;
}

export function register(program: Command): void {
  program
    .command('load')
    .description('generate load in the clusterloader2 style (density, load, churn) and report latencies against the Kubernetes SLOs')
    .option('--kubeconfig <path>', 'kubeconfig of the API server (default $KUBECONFIG or ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context (default: the current one)')
    .requiredOption('--profile <profile>', `what to run: ${PROFILES.join(' | ')}`)
    .option('--nodes <n>', 'nodes to size the run by (default: the Ready, schedulable nodes)')
    .option('--pods-per-node <n>', 'density: pods per node', '30')
    .option('--qps <n>', 'calls per second (density: Deployment creates per second)', '20')
    .option('--duration <duration>', 'load/churn: how long to run (density: deadline for every pod to be Ready, default 10m)', undefined)
    .option('--namespace-prefix <prefix>', 'prefix of the namespaces the run creates (and deletes)', 'kubesim-load')
    .option('--report <file>', 'also write the report as JSON to this file')
    .option('--fail-on-slo', 'exit 1 when an SLO fails')
    .action(async (o: Opts) => {
      if (!PROFILES.includes(o.profile as Profile)) fail(`--profile must be one of ${PROFILES.join(', ')} (got "${o.profile}")`);
      const profile = o.profile as Profile;
      const qps = nonNegative('qps', o.qps);
      if (!(qps > 0)) fail(`--qps must be positive (got "${o.qps}")`);
      const ppn = Number(o.podsPerNode);
      if (!Number.isInteger(ppn) || ppn < 1) fail(`--pods-per-node must be an integer >= 1 (got "${o.podsPerNode}")`);
      let nodes: number | undefined;
      if (o.nodes !== undefined) {
        nodes = Number(o.nodes);
        if (!Number.isInteger(nodes) || nodes < 1) fail(`--nodes must be an integer >= 1 (got "${o.nodes}")`);
      }
      const seconds = durationSeconds('duration', o.duration ?? (profile === 'density' ? '10m' : '60s'));
      if (!(seconds > 0)) fail(`--duration must be positive (got "${o.duration}")`);
      if (!/^[a-z0-9]([-a-z0-9]{0,40}[a-z0-9])?$/.test(o.namespacePrefix)) fail(`--namespace-prefix must be a short DNS label (got "${o.namespacePrefix}")`);
      let client: Client;
      try {
        // Unthrottled: the run paces itself; a 429 from the server is retried by the client (and timed).
        client = Client.fromKubeconfig(o.kubeconfig, { context: o.context, qps: Infinity, userAgent: 'kubesim-load', maxSockets: 200, timeoutMs: 60_000 });
      } catch (e) {
        fail(`cannot load kubeconfig: ${(e as Error).message}`);
      }
      const abort = new AbortController();
      const onSignal = () => {
        if (abort.signal.aborted) process.exit(130);
        process.stderr.write('\nstopping: cleaning up what the run created (Ctrl-C again to leave it)\n');
        abort.abort();
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      const tty = process.stderr.isTTY;
      const progress = (line: string) => process.stderr.write(tty ? `\r\x1b[2K${line}` : `${line}\n`);
      try {
        const report = await runLoad({ client, profile, nodes, podsPerNode: ppn, qps, durationMs: seconds * 1000, namespacePrefix: o.namespacePrefix, signal: abort.signal, progress });
        if (tty) process.stderr.write('\n');
        console.log(formatReport(report));
        if (o.report) writeFileSync(o.report, JSON.stringify(report, null, 2) + '\n');
        process.exitCode = abort.signal.aborted ? 130 : o.failOnSlo && !report.passed ? 1 : 0;
      } catch (e) {
        console.error(`\nerror: the load run failed: ${(e as Error).message}`);
        process.exitCode = 1;
      } finally {
        client.close();
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}
