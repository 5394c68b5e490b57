// `kubesim scheduler --kubeconfig K [--policy spread|binpack|round-robin] [--port P] [--leader-elect]`:
// the scheduler as a process of its own, talking to the API server through the kubeconfig.
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { POLICIES, startScheduler, type Policy, type KubeSchedulerConfiguration } from '../../cluster/index.ts';
import { addConnectionOptions, addLeaderElectionOptions, connect, fail, leaderElectionSettings, nonNegative, stopOnSignal, type ConnectionOpts, type LeaderElectionOpts } from '../component.ts';

interface Opts extends ConnectionOpts, LeaderElectionOpts {
  policy: string;
  podMaxInUnschedulablePodsDuration: string;
  podInitialBackoffSeconds: string;
  podMaxBackoffSeconds: string;
  config?: string;
}

export function register(program: Command): void {
  const cmd = program.command('scheduler');
  addConnectionOptions(cmd);
  addLeaderElectionOptions(cmd, 'kube-system/kube-scheduler', 'serve /healthz, /metrics and /debug/explain/<ns>/<pod> on this port (0 = ephemeral)');
  cmd
    .description('run the scheduler: binds pending pods to nodes (leader-elected when several run)')
    .option('--policy <policy>', `scoring policy: ${POLICIES.join('|')}`, 'spread')
    .option('--config <file>', 'KubeSchedulerConfiguration (YAML or JSON): profiles, plugins enabled/disabled, score weights, scoringStrategy')
    .option('--pod-initial-backoff-seconds <s>', 'backoff of a pod after its first failed attempt (doubles per attempt)', '1')
    .option('--pod-max-backoff-seconds <s>', 'the longest backoff of a pod', '10')
    .option('--pod-max-in-unschedulable-pods-duration <s>', 'seconds an unschedulable pod waits for a relevant cluster change before it is retried anyway', '60')
    .action(async (o: Opts) => {
      if (o.policy === 'roundrobin') o.policy = 'round-robin';
      if (!POLICIES.includes(o.policy as Policy)) {
        fail(`--policy must be one of ${POLICIES.join(', ')} (got "${o.policy}")`);
      }
      let config: KubeSchedulerConfiguration | undefined;
      if (o.config) {
        try {
          config = parseYaml(readFileSync(o.config, 'utf8'));
        } catch (e) {
          fail(`--config ${o.config}: ${(e as Error).message}`);
        }
      }
      const maxUnschedulableMs = nonNegative('pod-max-in-unschedulable-pods-duration', o.podMaxInUnschedulablePodsDuration) * 1000;
      const client = connect(o, 'kubesim-scheduler');
      const running = await startScheduler({
        config,
        client,
        policy: o.policy as Policy,
        ...leaderElectionSettings(o),
        queue: {
          initialBackoffMs: nonNegative('pod-initial-backoff-seconds', o.podInitialBackoffSeconds) * 1000,
          maxBackoffMs: nonNegative('pod-max-backoff-seconds', o.podMaxBackoffSeconds) * 1000,
          maxUnschedulableMs,
        },
        unschedulableFlushIntervalMs: Math.min(30_000, maxUnschedulableMs),
      }).catch((e: Error) => {
        fail(`${e.name === 'ConfigError' ? `--config ${o.config}: ` : ''}${e.message}`);
      });
      if (running.port !== undefined) console.log(`scheduler serving on ${running.url} (identity ${running.identity})`);
      stopOnSignal(running, client);
    });
}
