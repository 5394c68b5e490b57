// `kubesim scheduler --kubeconfig K [--policy spread|binpack|round-robin] [--port P] [--leader-elect]`:
// the scheduler as a process of its own, talking to the API server through the kubeconfig.
import type { Command } from 'commander';
import { Client } from '../../client/index.ts';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { POLICIES, startScheduler, type Policy, type KubeSchedulerConfiguration } from '../../cluster/index.ts';

interface Opts {
  kubeconfig?: string;
  policy: string;
  port?: string;
  host: string;
  leaderElect: string | boolean;
  leaseDuration: string;
  renewDeadline: string;
  retryPeriod: string;
  identity?: string;
  qps: string;
  podMaxInUnschedulablePodsDuration: string;
  podInitialBackoffSeconds: string;
  podMaxBackoffSeconds: string;
  config?: string;
}

export function register(program: Command): void {
  program
    .command('scheduler')
    .description('run the scheduler: binds pending pods to nodes (leader-elected when several run)')
    .option('--kubeconfig <path>', 'kubeconfig of the API server (default $KUBECONFIG or ~/.kube/config)')
    .option('--policy <policy>', `scoring policy: ${POLICIES.join('|')}`, 'spread')
    .option('--config <file>', 'KubeSchedulerConfiguration (YAML or JSON): profiles, plugins enabled/disabled, score weights, scoringStrategy')
    .option('--port <port>', 'serve /healthz, /metrics and /debug/explain/<ns>/<pod> on this port (0 = ephemeral)')
    .option('--host <host>', 'address of the HTTP server', '127.0.0.1')
    .option('--leader-elect [bool]', 'compete for the kube-system/kube-scheduler Lease; only the leader schedules', 'true')
    .option('--lease-duration <seconds>', 'leader election lease duration', '15')
    .option('--renew-deadline <seconds>', 'leader election renew deadline', '10')
    .option('--retry-period <seconds>', 'leader election retry period', '2')
    .option('--identity <id>', 'leader election identity (default <hostname>_<uuid>)')
    .option('--qps <n>', 'client rate limit to the API server (0 = unlimited)', '0')
    .option('--pod-initial-backoff-seconds <s>', 'backoff of a pod after its first failed attempt (doubles per attempt)', '1')
    .option('--pod-max-backoff-seconds <s>', 'the longest backoff of a pod', '10')
    .option('--pod-max-in-unschedulable-pods-duration <s>', 'seconds an unschedulable pod waits for a relevant cluster change before it is retried anyway', '60')
    .action(async (o: Opts) => {
      if (o.policy === 'roundrobin') o.policy = 'round-robin';
      if (!POLICIES.includes(o.policy as Policy)) {
        console.error(`error: --policy must be one of ${POLICIES.join(', ')} (got "${o.policy}")`);
        process.exit(2);
      }
      let config: KubeSchedulerConfiguration | undefined;
      if (o.config) {
        try {
          config = parseYaml(readFileSync(o.config, 'utf8'));
        } catch (e) {
          console.error(`error: --config ${o.config}: ${(e as Error).message}`);
          process.exit(2);
        }
      }
      const client = Client.fromKubeconfig(o.kubeconfig, { qps: Number(o.qps) || Infinity, userAgent: 'kubesim-scheduler' });
      const running = await startScheduler({
        config,
        client,
        policy: o.policy as Policy,
        port: o.port !== undefined ? Number(o.port) : undefined,
        host: o.host,
        leaderElect: o.leaderElect === true || o.leaderElect === 'true',
        leaseDurationSeconds: Number(o.leaseDuration),
        renewDeadlineSeconds: Number(o.renewDeadline),
        retryPeriodSeconds: Number(o.retryPeriod),
        identity: o.identity,
        queue: {
          initialBackoffMs: Number(o.podInitialBackoffSeconds) * 1000,
          maxBackoffMs: Number(o.podMaxBackoffSeconds) * 1000,
          maxUnschedulableMs: Number(o.podMaxInUnschedulablePodsDuration) * 1000,
        },
        unschedulableFlushIntervalMs: Math.min(30_000, Number(o.podMaxInUnschedulablePodsDuration) * 1000),
      }).catch((e: Error) => {
        console.error(`error: ${e.name === 'ConfigError' ? `--config ${o.config}: ` : ''}${e.message}`);
        process.exit(2);
      });
      if (running.port !== undefined) console.log(`scheduler serving on ${running.url} (identity ${running.identity})`);
      const shutdown = async () => {
        await running.stop();
        client.close();
        process.exit(0);
      };
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
    });
}
