// kubesim's kubelet: startNodePool() runs `count` simulated nodes in this process.
// See pool.ts for the shape (one informer, one timer queue, one writer) and
// docs/node-simulation.md for the lifecycle, annotations and timings.
import { SharedInformerFactory, deletedObject } from '../client/index.ts';
import type { KubeObject } from '../api/types.ts';
import { startKubeletServer } from './kubelet.ts';
import { LEASE_NAMESPACE, nodeIP, podCIDR, type NodeShape } from './nodeobj.ts';
import { LEASES, NODES, PODS, PoolState, nodeNames, type NodePool, type NodePoolOptions, type SimNode } from './pool.ts';
import { Priority } from './writer.ts';

export type { NodePool, NodePoolOptions } from './pool.ts';
export { defaultProfile, defaultStages, defaultTimings, makeProfile, loadProfile, type Profile, type Stage, type Timings } from './profile.ts';
export { parseTaints, parseLabels } from './parse.ts';

export async function startNodePool(opts: NodePoolOptions): Promise<NodePool> {
  const prefix = opts.prefix ?? 'node';
  const firstIndex = opts.firstIndex ?? 0;
  let state: PoolState | undefined;
  const server = await startKubeletServer(() => state, opts.kubeletPort ?? 0, opts.kubeletHost ?? '127.0.0.1');
  const shape: NodeShape = {
    cpu: opts.cpu ?? '4',
    memory: opts.memory ?? '16Gi',
    pods: opts.pods ?? 110,
    ephemeralStorage: opts.ephemeralStorage ?? '100Gi',
    labels: opts.labels ?? {},
    taints: opts.taints ?? [],
    zones: opts.zones,
    region: opts.region,
    instanceType: opts.instanceType ?? 'kubesim.standard',
    kubeletUrl: server.url,
    kubeletPort: server.port,
  };
  const s = new PoolState(opts.client, opts, shape);
  state = s;
  const names = nodeNames(prefix, opts.count, firstIndex);
  names.forEach((name, i) => {
    const index = firstIndex + i;
    const sn: SimNode = {
      name,
      index,
      ip: nodeIP(index),
      cidr: podCIDR(index),
      images: new Set(),
      usedIPs: new Set(),
      pods: new Set(),
      lastStatusAt: 0,
      leaseDueAt: 0,
      renewals: 0,
      maxRenewGapMs: 0,
    };
    s.nodes.set(name, sn);
  });

  const factory = new SharedInformerFactory(opts.client, { logger: s.log });
  const nodeInf = factory.informerFor<KubeObject>(NODES);
  // ONE pod informer for every node of the pool, indexed by spec.nodeName (KWOK's shape).
  // Unscheduled pods are none of a kubelet's business: `spec.nodeName!=` keeps them out of the cache
  // (a pod enters the watch as ADDED when it gets bound).
  const podInf = factory.informerFor<KubeObject>(PODS, { fieldSelector: 'spec.nodeName!=', indexers: { byNode: (p) => [p.spec?.nodeName ?? ''] } });
  s.podInformer = podInf;
  let stopped = false;
  try {
    nodeInf.addEventHandler({ onUpdate: (_o, n) => s.onNodeUpdate(n), onDelete: (n) => s.onNodeDelete(deletedObject(n)) });
    nodeInf.start();
    await nodeInf.waitForCacheSync();

    // Register (or adopt) every node and its lease, through the writer so the pool's QPS holds.
    const leases = await opts.client.resource(LEASES).listAll({ namespace: LEASE_NAMESPACE });
    const leaseByName = new Map(leases.items.map((l) => [l.metadata.name!, l]));
    let failed: unknown;
    for (const sn of s.nodes.values()) {
      s.writer.enqueue(Priority.Node, `r:${sn.name}`, () =>
        s.register(sn, nodeInf.lister.get(undefined, sn.name), leaseByName.get(sn.name)).catch((e) => {
          failed ??= e;
        }),
      );
    }
    await s.writer.idle();
    if (failed) throw failed;

    podInf.addEventHandler({
      onAdd: (p) => s.onPod(p),
      onUpdate: (_o, p) => s.onPod(p),
      onDelete: (p) => s.onPodDelete(deletedObject(p)),
    });
    podInf.start();
    await podInf.waitForCacheSync();
  } catch (e) {
    s.stop();
    await factory.shutdown();
    await server.close();
    throw e;
  }
  s.log.info({ nodes: names.length, kubelet: server.url }, 'node pool started');
  return {
    nodes: names,
    kubeletUrl: server.url,
    kubeletPort: server.port,
    state: s,
    async stop() {
      if (stopped) return;
      stopped = true;
      s.stop();
      await factory.shutdown();
      await server.close();
    },
  };
}
