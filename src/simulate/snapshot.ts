// `kubesim simulate --from-snapshot FILE`: the snapshot restored into the simulated cluster before
// its controllers start (so no controller races the restore: a Deployment finds its ReplicaSets and
// their pods already there), its Nodes as simulated nodes of their own pools (capacity, labels,
// taints), pods bound to them and adopted by those pools with their saved status.
import type { KubeObject } from '../api/types.ts';
import type { Client } from '../client/index.ts';
import type { Clock } from '../clock/index.ts';
import { startNodePool, type NodePoolOptions } from '../cluster/index.ts';
import type { Logger } from '../log/index.ts';
import { nodePools, planRestore, restoreSnapshot } from '../snapshot/index.ts';

export interface SnapshotSummary {
  nodes: number;
  created: number;
  existing: number;
  skipped: number;
  errors: { object: string; error: string }[];
}

/** Node indexes (addresses, pod CIDRs) of snapshot nodes start here, clear of the scenario's groups. */
const FIRST_INDEX = 20_000;

/** Restores the objects and starts their nodes; the summary for the report, and source uid → new uid. */
export async function restoreForSimulation(client: Client, objects: KubeObject[], clock: Clock, logger: Logger, stops: (() => Promise<void>)[], timings: Partial<NodePoolOptions> = {}): Promise<{ summary: SnapshotSummary; uids: Map<string, string> }> {
  const plan = planRestore(objects);
  const res = await restoreSnapshot(client, plan);
  let index = FIRST_INDEX;
  for (const [i, shape] of nodePools(plan.nodes).entries()) {
    const pool = await startNodePool({
      client,
      count: shape.names.length,
      names: shape.names,
      firstIndex: index,
      cpu: shape.cpu,
      memory: shape.memory,
      pods: shape.pods,
      ephemeralStorage: shape.ephemeralStorage,
      labels: shape.labels,
      taints: shape.taints as any,
      processes: false,
      simulatedHttp: false,
      ...timings,
      clock,
      logger: logger.child({ component: 'node-pool', snapshotPool: i }),
    });
    index += shape.names.length;
    stops.push(async () => pool.stop());
  }
  return { summary: { nodes: plan.nodes.length, created: res.created, existing: res.existing, skipped: res.skipped.length, errors: res.errors }, uids: res.uids };
}
