// The controller-manager: runs the controllers on shared informers, leader-elected on the
// kube-system/kube-controller-manager Lease (standbys wait), with /healthz and /metrics, in the
// component frame (src/component).
import { setMaxListeners } from 'node:events';
import { Registry } from 'prom-client';
import { SharedInformerFactory, stripManagedFields, type Client, type ResourceRef } from '../client/index.ts';
import { runComponent, type FrameOptions } from '../component/index.ts';
import { newLogger } from '../log/index.ts';
import type { Controller, ControllerContext, ControllerOptions } from './context.ts';
import { EventRecorder, type EventSink } from './events.ts';
import { REPLICATION_CONTROLLER_KIND, ReplicaSetController } from './replicaset/controller.ts';
import { DeploymentController } from './deployment/controller.ts';
import { GarbageCollector } from './garbagecollector/controller.ts';
import { NodeLifecycleController } from './nodelifecycle/controller.ts';
import { NamespaceController } from './namespace/controller.ts';
import { PodGCController } from './podgc/controller.ts';
import { EndpointsController } from './endpoints/controller.ts';
import { JobController } from './job/controller.ts';
import { CronJobController } from './cronjob/controller.ts';
import { TTLAfterFinishedController } from './ttlafterfinished/controller.ts';
import { DaemonSetController } from './daemonset/controller.ts';
import { HPAController } from './hpa/controller.ts';
import { ServiceAccountsController } from './serviceaccount/controller.ts';
import { DisruptionController } from './disruption/controller.ts';
import { ResourceQuotaController } from './resourcequota/controller.ts';
import { EndpointSliceController } from './endpointslice/controller.ts';
import { PersistentVolumeController } from './volume/controller.ts';
import { StatefulSetController } from './statefulset/controller.ts';
import { TokensController } from './serviceaccounttoken/controller.ts';
import { RootCACertPublisher } from './rootcacert/controller.ts';
import { CSRSigningController } from './csrsigning/controller.ts';
import { IdleController } from './util/idle.ts';
import { ClusterRoleAggregationController } from './clusterroleaggregation/controller.ts';

export type { Controller, ControllerContext, ControllerOptions } from './context.ts';
export { CONTROLLER_DEFAULTS } from './context.ts';

/** Every controller by name, with its default worker count (kube-controller-manager's --concurrent-*-syncs). */
export const CONTROLLERS: Record<string, { workers: number; make(ctx: ControllerContext, opts: ControllerManagerOptions): Controller }> = {
  replicaset: { workers: 5, make: (ctx) => new ReplicaSetController(ctx) },
  replicationcontroller: { workers: 5, make: (ctx) => new ReplicaSetController(ctx, REPLICATION_CONTROLLER_KIND) },
  deployment: { workers: 5, make: (ctx) => new DeploymentController(ctx) },
  garbagecollector: { workers: 20, make: (ctx, o) => new GarbageCollector(ctx, o.gcResources) },
  nodelifecycle: { workers: 5, make: (ctx) => new NodeLifecycleController(ctx) },
  namespace: { workers: 10, make: (ctx) => new NamespaceController(ctx) },
  podgc: { workers: 1, make: (ctx) => new PodGCController(ctx) },
  endpoints: { workers: 5, make: (ctx) => new EndpointsController(ctx) },
  job: { workers: 5, make: (ctx) => new JobController(ctx) },
  cronjob: { workers: 5, make: (ctx) => new CronJobController(ctx) },
  'ttl-after-finished': { workers: 5, make: (ctx) => new TTLAfterFinishedController(ctx) },
  daemonset: { workers: 2, make: (ctx) => new DaemonSetController(ctx) },
  horizontalpodautoscaling: { workers: 5, make: (ctx) => new HPAController(ctx) },
  serviceaccount: { workers: 1, make: (ctx) => new ServiceAccountsController(ctx) },
  disruption: { workers: 1, make: (ctx) => new DisruptionController(ctx) },
  resourcequota: { workers: 5, make: (ctx) => new ResourceQuotaController(ctx) },
  endpointslice: { workers: 5, make: (ctx) => new EndpointSliceController(ctx) },
  'persistentvolume-binder': { workers: 5, make: (ctx) => new PersistentVolumeController(ctx) },
  statefulset: { workers: 5, make: (ctx) => new StatefulSetController(ctx) },
  // The three below need key material (kube-controller-manager's flags); without it they idle.
  'serviceaccount-token': { workers: 5, make: (ctx, o) => (o.serviceAccountPrivateKey ? new TokensController(ctx, o.serviceAccountPrivateKey, o.rootCA) : new IdleController('serviceaccount-token')) },
  'root-ca-cert-publisher': { workers: 5, make: (ctx, o) => (o.rootCA ? new RootCACertPublisher(ctx, String(o.rootCA)) : new IdleController('root-ca-cert-publisher')) },
  csrsigning: {
    workers: 5,
    make: (ctx, o) => (o.clusterSigningCert && o.clusterSigningKey ? new CSRSigningController(ctx, { cert: o.clusterSigningCert, key: o.clusterSigningKey }, o.clusterSigningDurationSeconds) : new IdleController('csrsigning')),
  },
  'clusterrole-aggregation': { workers: 1, make: (ctx) => new ClusterRoleAggregationController(ctx) },
};

/** Leader-elected on kube-system/kube-controller-manager by default (leaderElect true); /healthz and /metrics on `port`. */
export interface ControllerManagerOptions extends ControllerOptions, FrameOptions {
  client: Client;
  /** Names to run; "*" = all (default); "-name" disables one (like --controllers). */
  controllers?: string[];
  workers?: Record<string, number>;
  /** Informer resync period (default 0 = none; the controllers requeue what they wait for). */
  resyncSeconds?: number;
  /** Kinds the garbage collector watches (default: every deletable kind in the registry). */
  gcResources?: ResourceRef[];
  /** Events per second the controllers may write (default 20, burst 200; extra are dropped). */
  eventQps?: number;
}

export interface ControllerManager {
  stop(): Promise<void>;
  isLeader(): boolean;
  /** The controllers currently running (empty while standby). */
  running(): Controller[];
  /** Port of the /healthz /metrics server, if any. */
  port?: number;
  metricsRegistry: Registry;
}

export function selectControllers(wanted: string[] | undefined): string[] {
  const list = wanted?.length ? wanted : ['*'];
  const all = Object.keys(CONTROLLERS);
  const on = new Set(list.includes('*') ? all : []);
  for (const w of list) {
    if (w === '*') continue;
    if (w.startsWith('-')) on.delete(w.slice(1));
    else if (all.includes(w)) on.add(w);
    else throw new Error(`unknown controller "${w}" (known: ${all.join(', ')})`);
  }
  return all.filter((n) => on.has(n));
}

export async function startControllerManager(opts: ControllerManagerOptions): Promise<ControllerManager> {
  const logger = opts.logger ?? newLogger().child({ component: 'controller-manager' });
  const metricsRegistry = opts.metricsRegistry ?? new Registry();
  const names = selectControllers(opts.controllers);
  let controllers: Controller[] = [];
  let factory: SharedInformerFactory | undefined;

  const runControllers = async (signal?: AbortSignal) => {
    // As kube-controller-manager: informers keep objects without managedFields (TransformStripManagedFields).
    factory = new SharedInformerFactory(opts.client, { defaultResyncMs: (opts.resyncSeconds ?? 0) * 1000, metricsRegistry, logger, transform: stripManagedFields });
    const recorders = new Map<string, EventSink>();
    const ctx: ControllerContext = {
      client: opts.client,
      factory,
      logger,
      metricsRegistry,
      options: opts,
      recorder: (component) => {
        let r = recorders.get(component);
        if (!r) {
          r = opts.events === false ? { event() {} } : new EventRecorder(opts.client, component, { qps: opts.eventQps, logger });
          recorders.set(component, r);
        }
        return r;
      },
    };
    const made = names.map((n) => ({ name: n, c: CONTROLLERS[n].make(ctx, opts) }));
    // Every informer waits on the leadership signal.
    if (signal) setMaxListeners(256, signal);
    factory.start();
    await factory.waitForCacheSync(signal);
    if (signal?.aborted) return;
    for (const { name, c } of made) c.run(opts.workers?.[name] ?? CONTROLLERS[name].workers);
    controllers = made.map((m) => m.c);
    logger.info({ controllers: names }, 'controllers started');
  };

  const stopControllers = async () => {
    const cs = controllers;
    const f = factory;
    controllers = [];
    factory = undefined;
    await Promise.all(cs.map((c) => c.stop()));
    await f?.shutdown();
  };

  const component = await runComponent({
    name: 'controller-manager',
    client: opts.client,
    logger,
    metricsRegistry,
    identity: opts.identity,
    lease:
      opts.leaderElect === false
        ? undefined
        : {
            namespace: 'kube-system',
            name: 'kube-controller-manager',
            leaseDurationSeconds: opts.leaseDurationSeconds,
            renewDeadlineSeconds: opts.renewDeadlineSeconds,
            retryPeriodSeconds: opts.retryPeriodSeconds,
          },
    port: opts.port,
    host: opts.host,
    onStartedLeading: (signal) => {
      // Without leader election the manager returns once the controllers run (or failed to start).
      if (!signal) return runControllers();
      logger.info({}, 'became leader of kube-system/kube-controller-manager');
      runControllers(signal).catch((e) => logger.error({ err: String(e) }, 'controllers failed to start'));
    },
    onStoppedLeading: () => {
      logger.info({}, 'lost leadership; stopping controllers');
      void stopControllers();
    },
    stop: stopControllers,
  });

  return {
    port: component.port,
    metricsRegistry,
    isLeader: component.isLeader,
    running: () => controllers,
    stop: component.stop,
  };
}
