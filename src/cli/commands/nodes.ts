// `kubesim nodes --kubeconfig K --count N [...]`: a node pool as a process of its own — N simulated
// kubelets registering Nodes, renewing Leases and playing out the pods bound to them.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { isQuantity } from '../../api/quantity.ts';
import { defaultWriteConcurrency, loadProfile, parseLabels, parseTaints, startNodePool } from '../../cluster/index.ts';
import { addConnectionOptions, connect, fail, stopOnSignal, type ConnectionOpts } from '../component.ts';

interface Opts extends ConnectionOpts {
  count: string;
  prefix: string;
  firstIndex: string;
  cpu: string;
  memory: string;
  pods: string;
  labels?: string;
  taints?: string;
  zones?: string;
  heartbeat: string;
  statusUpdate: string;
  kubeletPort: string;
  events: boolean;
  pullDelay?: string;
  profile?: string;
  runtimeImages?: string;
  dataDir?: string;
  processes: boolean;
}

function positiveInt(name: string, v: string, min = 1): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) fail(`--${name} must be an integer >= ${min} (got "${v}")`);
  return n;
}

export function register(program: Command): void {
  const cmd = program.command('nodes');
  addConnectionOptions(cmd, 'request budget of the pool (0 = unlimited)');
  cmd
    .description('run a pool of simulated nodes (kubelets) against an API server')
    .option('--count <n>', 'number of nodes', '3')
    .option('--prefix <prefix>', 'node name prefix (nodes are <prefix>-<i>)', 'node')
    .option('--first-index <i>', 'index of the first node (to run several pools side by side)', '0')
    .option('--cpu <quantity>', 'cpu capacity per node', '4')
    .option('--memory <quantity>', 'memory capacity per node', '16Gi')
    .option('--pods <n>', 'pod capacity per node', '110')
    .option('--labels <k=v,...>', 'extra node labels')
    .option('--taints <k=v:Effect,...>', 'node taints (NoSchedule, PreferNoSchedule, NoExecute)')
    .option('--zones <z1,z2,...>', 'spread nodes over these topology.kubernetes.io/zone values')
    .option('--heartbeat <seconds>', 'Lease renewal period', '10')
    .option('--status-update <seconds>', 'NodeStatus refresh period when nothing changes', '300')
    .option('--kubelet-port <port>', 'port of the kubelet HTTP server (logs, stats; 0 = ephemeral)', '0')
    .option('--no-events', 'do not write Events')
    .option('--pull-delay <duration>', 'image pull time (e.g. 1s, 500ms)')
    .option('--profile <file>', 'lifecycle profile (YAML/JSON: timings and stages; see docs/node-simulation.md)')
    .option('--runtime-images <i1,i2,...>', 'images besides node[:tag] whose containers run their node command as real processes')
    .option('--data-dir <dir>', "where real containers' volumes and working directories go (default: a temporary directory)")
    .option('--no-processes', 'simulate every container, Node.js images included')
    .action(async (o: Opts) => {
      const count = positiveInt('count', o.count);
      for (const [flag, v] of [['cpu', o.cpu], ['memory', o.memory]] as const) {
        if (!isQuantity(v)) fail(`--${flag} must be a quantity like 4, 500m, 16Gi (got "${v}")`);
      }
      for (const [flag, v] of [['heartbeat', o.heartbeat], ['status-update', o.statusUpdate]] as const) {
        if (!(Number(v) > 0)) fail(`--${flag} must be a positive number of seconds (got "${v}")`);
      }
      let labels: Record<string, string>;
      let taints;
      try {
        labels = parseLabels(o.labels);
        taints = parseTaints(o.taints);
      } catch (e) {
        fail((e as Error).message);
      }
      let profile;
      if (o.profile) {
        try {
          profile = loadProfile(parseYaml(readFileSync(o.profile, 'utf8')));
          if (o.pullDelay) profile = loadProfile({ timings: { ...profile.timings, pullMs: o.pullDelay }, stages: profile.stages });
        } catch (e) {
          fail(`--profile ${o.profile}: ${(e as Error).message}`);
        }
      }
      // A socket for each write the pool keeps in flight (the agent's default 100 queued 150 of 250 at 5,000 nodes).
      const client = connect(o, 'kubesim-nodes', { maxSockets: defaultWriteConcurrency(count) + 8 });
      const pool = await startNodePool({
        client,
        count,
        prefix: o.prefix,
        firstIndex: positiveInt('first-index', o.firstIndex, 0),
        cpu: o.cpu,
        memory: o.memory,
        pods: positiveInt('pods', o.pods),
        labels,
        taints,
        zones: o.zones ? o.zones.split(',').map((z) => z.trim()).filter(Boolean) : undefined,
        heartbeatSeconds: Number(o.heartbeat),
        statusUpdateSeconds: Number(o.statusUpdate),
        kubeletPort: positiveInt('kubelet-port', o.kubeletPort, 0),
        qps: Number(o.qps) || undefined,
        events: o.events,
        profile,
        timings: !profile && o.pullDelay ? { pullMs: o.pullDelay } : undefined,
        processes: o.processes,
        runtimeImages: o.runtimeImages?.split(',').map((i) => i.trim()).filter(Boolean),
        dataDir: o.dataDir,
      }).catch((e) => {
        console.error(`error: the node pool could not start: ${(e as Error).message}`);
        process.exit(1);
      });
      console.log(`${count} nodes ready (${pool.nodes[0]} .. ${pool.nodes[pool.nodes.length - 1]}); kubelet server ${pool.kubeletUrl}`);
      stopOnSignal(pool, client);
    });
}
