// The autoscaled node groups of a simulation: one node pool per node (so any node can go), the
// provider the Cluster Autoscaler grows and shrinks them through (a new node `<group>-<n>` registers
// itself like any simulated node; a removed node's pool stops and its Node is deleted), and the
// autoscaler itself. Groups without `autoscaling` keep their one pool (run.ts).
import type { Client } from '../client/index.ts';
import type { Clock, Random } from '../clock/index.ts';
import { startNodePool, type NodePool } from '../cluster/index.ts';
import type { Logger } from '../log/index.ts';
import { ClusterAutoscaler, GROUP_LABEL, type AutoscalerConfig, type NodeGroupProvider } from './autoscaler.ts';
import type { NodeGroup } from './scenario.ts';
import type { NodePoolOptions } from '../cluster/index.ts';

export interface AutoscaledGroupsOptions {
  groups: NodeGroup[];
  config: AutoscalerConfig;
  clientFor: (userAgent: string) => Client;
  clock: Clock;
  random: Random;
  logger: Logger;
  stops: (() => Promise<void>)[];
  /** The kubelet timings of every node (components.ts nodePoolTimings). */
  timings?: Partial<NodePoolOptions>;
}

const NODES = { group: '', version: 'v1', plural: 'nodes', namespaced: false } as const;

export async function startAutoscaledGroups(o: AutoscaledGroupsOptions): Promise<ClusterAutoscaler> {
  const pools = new Map<string, NodePool>();
  const next = new Map<string, number>();
  const byName = new Map(o.groups.map((g) => [g.name, g]));
  const startNode = async (g: NodeGroup) => {
    const i = next.get(g.name) ?? 0;
    next.set(g.name, i + 1);
    const name = `${g.name}-${i}`;
    const pool = await startNodePool({
      client: o.clientFor(`kubesim-node-pool-${g.name}`),
      count: 1,
      names: [name],
      firstIndex: i,
      cpu: g.capacity.cpu,
      memory: g.capacity.memory,
      pods: g.capacity.pods,
      labels: { ...g.labels, [GROUP_LABEL]: g.name },
      taints: g.taints as any,
      zones: g.zones,
      processes: false,
      simulatedHttp: false,
      ...o.timings,
      clock: o.clock,
      logger: o.logger.child({ component: 'node-pool', group: g.name, node: name }),
    });
    pools.set(name, pool);
  };
  const client = o.clientFor('cluster-autoscaler');
  const provider: NodeGroupProvider = {
    add: (group) => startNode(byName.get(group)!),
    async remove(_group, node) {
      await pools.get(node)?.stop();
      pools.delete(node);
      await client.resource(NODES).delete(node).catch(() => {});
    },
  };
  o.stops.push(async () => {
    for (const p of pools.values()) await p.stop();
  });
  for (const g of o.groups) for (let i = 0; i < g.count; i++) await startNode(g);
  const ca = new ClusterAutoscaler(
    client,
    o.clock,
    o.groups.map((g) => ({ name: g.name, min: g.autoscaling!.min, max: g.autoscaling!.max, capacity: g.capacity, labels: g.labels, taints: g.taints })),
    provider,
    o.random,
    o.config,
    o.logger.child({ component: 'cluster-autoscaler' }),
  );
  o.stops.push(async () => ca.stop());
  ca.run();
  return ca;
}
