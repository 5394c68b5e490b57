// `kubesim up --from-snapshot FILE`: the snapshot (src/snapshot) restored once the API server
// serves and before the controllers start, so no controller races the restore; its Nodes become
// simulated nodes of their own pools (capacity, labels, taints), started with the other components.
import { readFileSync } from 'node:fs';
import type { Client } from '../client/index.ts';
import type { Logger } from '../log/index.ts';
import { startNodePool } from '../node/index.ts';
import { nodePools, parseSnapshot, planRestore, restoreSnapshot } from '../snapshot/index.ts';

/** Node indexes (addresses, pod CIDRs) of snapshot nodes start here, clear of the --nodes pool. */
const FIRST_INDEX = 20_000;

type Component = [string, () => Promise<{ stop(): Promise<void> }>];

/** Restores the file's objects (as `client`); returns the node pools of its Nodes (running as `poolClient`), to start as components. */
export async function restoreSnapshotFile(client: Client, file: string, logger: Logger, poolClient: () => Client = () => client): Promise<Component[]> {
  const plan = planRestore(parseSnapshot(readFileSync(file, 'utf8')));
  const res = await restoreSnapshot(client, plan);
  for (const e of res.errors) logger.warn({ object: e.object, err: e.error }, 'snapshot object not restored');
  logger.info({ file, created: res.created, existing: res.existing, skipped: res.skipped.length, failed: res.errors.length, nodes: plan.nodes.length }, 'snapshot restored');
  let index = FIRST_INDEX;
  return nodePools(plan.nodes).map((shape, i): Component => {
    const firstIndex = index;
    index += shape.names.length;
    return [
      `snapshot-nodes-${i}`,
      () => startNodePool({ client: poolClient(), count: shape.names.length, names: shape.names, firstIndex, cpu: shape.cpu, memory: shape.memory, pods: shape.pods, ephemeralStorage: shape.ephemeralStorage, labels: shape.labels, taints: shape.taints as any, logger: logger.child({ component: 'node-pool', snapshotPool: i }) }),
    ];
  });
}
