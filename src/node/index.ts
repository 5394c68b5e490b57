// kubesim's kubelet: startNodePool() runs `count` simulated nodes in this process.
// See pool.ts for the shape (one informer, one timer queue, one writer; node agents, pod runtime,
// event sink) and docs/node-simulation.md for the lifecycle, annotations and timings.
import { SharedInformerFactory, deletedObject, stripManagedFields } from '../client/index.ts';
import type { KubeObject } from '../api/types.ts';
import { LEASES, NODES, PODS, SimNode, type NodePoolOptions } from './context.ts';
import { PVCS } from '../api/core/index.ts';
import { DEPLOYMENTS, REPLICASETS, STATEFULSETS } from '../api/core/index.ts';
import { BY_CONTROLLER, controllerIndex } from './load.ts';
import { startKubeletServer, type KubeletView } from './kubelet.ts';
import { LEASE_NAMESPACE, type NodeShape } from './nodeobj.ts';
import { PoolState, nodeNames, type NodePool } from './pool.ts';
import { Priority } from './writer.ts';

export type { NodePool } from './pool.ts';
export type { NodePoolOptions } from './context.ts';
export type { ContainerLog, ContainerRuntime, ContainerUsage, ExitDetail, ExitListener, ReadinessListener } from './runtime.ts';
export { DispatchingRuntime, ProcessRuntime, type ProcessRuntimeOptions } from './process/index.ts';
export { SimulatedRuntime } from './simruntime.ts';
export { defaultProfile, defaultStages, defaultTimings, makeProfile, loadProfile, type Profile, type Stage, type Timings } from './profile.ts';
export { parseTaints, parseLabels } from './parse.ts';
export { defaultWriteConcurrency } from './writer.ts';
export { KUBELET_DEFAULTS } from './context.ts';
export { poolSummarySource } from './kubelet.ts';

export async function startNodePool(opts: NodePoolOptions): Promise<NodePool> {
  const prefix = opts.prefix ?? 'node';
  const firstIndex = opts.firstIndex ?? 0;
  let view: KubeletView | undefined;
  const server = await startKubeletServer(() => view, opts.kubeletPort ?? 0, opts.kubeletHost ?? '127.0.0.1');
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
  view = s.kubeletView();
  const names = opts.names ?? nodeNames(prefix, opts.count, firstIndex);
  names.forEach((name, i) => s.nodes.set(name, new SimNode(name, firstIndex + i)));

  const factory = new SharedInformerFactory(opts.client, { logger: s.log, transform: stripManagedFields });
  const nodeInf = factory.informerFor<KubeObject>(NODES);
  // ONE pod informer for every node of the pool, indexed by spec.nodeName (KWOK's shape).
  // Unscheduled pods are none of a kubelet's business: `spec.nodeName!=` keeps them out of the cache
  // (a pod enters the watch as ADDED when it gets bound).
  const podInf = factory.informerFor<KubeObject>(PODS, { fieldSelector: 'spec.nodeName!=', indexers: { byNode: (p) => [p.spec?.nodeName ?? ''], [BY_CONTROLLER]: controllerIndex } });
  s.podInformer = podInf;
  // Claims, so containers start only once a pod's claims are Bound (volumes.ts).
  const claimInf = factory.informerFor<KubeObject>(PVCS);
  s.claim = (ns, name) => claimInf.lister.get(ns, name);
  // The workloads whose load annotations their pods share (load.ts).
  const workloads = {
    replicaSets: factory.informerFor<KubeObject>(REPLICASETS, { indexers: { [BY_CONTROLLER]: controllerIndex } }),
    deployments: factory.informerFor<KubeObject>(DEPLOYMENTS),
    statefulSets: factory.informerFor<KubeObject>(STATEFULSETS),
  };
  s.load.attach({ pods: podInf, ...workloads });
  let stopped = false;
  try {
    nodeInf.addEventHandler({ onUpdate: (_o, n) => s.agents.onNodeUpdate(n), onDelete: (n) => s.agents.onNodeDelete(deletedObject(n)) });
    nodeInf.start();
    await nodeInf.waitForCacheSync();

    // Register (or adopt) every node and its lease, through the writer so the pool's QPS holds.
    const leases = await opts.client.resource(LEASES).listAll({ namespace: LEASE_NAMESPACE });
    const leaseByName = new Map(leases.items.map((l) => [l.metadata.name!, l]));
    // Wait for the registrations themselves, not for an idle writer: once the first nodes renew
    // their Leases, thousands of nodes' heartbeats keep the writer busy for good.
    let failed: unknown;
    await Promise.all(
      [...s.nodes.values()].map(
        (sn) =>
          new Promise<void>((done) =>
            s.writer.enqueue(Priority.Node, sn, () =>
              s.agents
                .register(sn, nodeInf.lister.get(undefined, sn.name), leaseByName.get(sn.name))
                .catch((e) => {
                  failed ??= e;
                })
                .finally(done),
            ),
          ),
      ),
    );
    if (failed) throw failed;

    podInf.addEventHandler({
      onAdd: (p) => s.podRuntime.onPod(p),
      onUpdate: (_o, p) => s.podRuntime.onPod(p),
      onDelete: (p) => s.podRuntime.onPodDelete(deletedObject(p)),
    });
    claimInf.start();
    await claimInf.waitForCacheSync();
    podInf.start();
    for (const inf of Object.values(workloads)) inf.start();
    await podInf.waitForCacheSync();
    await Promise.all(Object.values(workloads).map((inf) => inf.waitForCacheSync()));
  } catch (e) {
    s.stop();
    await s.containers.close?.();
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
      await s.containers.close?.();
      await factory.shutdown();
      await server.close();
    },
  };
}
