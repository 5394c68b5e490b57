// `kubesim up`: a whole cluster in one process — the API server on the embedded store, then the
// components that talk to it through the client — or, with placement processes, the components as
// child processes of this one (./placement.ts).
import type { AuthorizationMode } from '../apiserver/rbac/index.ts';
import { resolve } from 'node:path';
import { startApiServer, type ApiServerOptions, type RunningApiServer } from '../apiserver/index.ts';
import { onTerminationSignal, processLogger } from './apiserver.ts';
import { Client } from '../client/index.ts';
import { startScheduler, POLICIES, type Policy } from '../scheduler/index.ts';
import { startControllerManager } from '../controllers/index.ts';
import { startNodePool } from '../node/index.ts';
import { controllerKeysFromDataDir } from './keys.ts';
import { componentKubeconfig, securityOptions, type SecurityFlags } from './security.ts';
import { restoreSnapshotFile } from './snapshot.ts';
import { PLACEMENTS, startComponentProcesses, type ComponentExit, type Placement } from './placement.ts';

export interface UpOptions {
  port: number;
  host?: string;
  dataDir: string;
  /** Simulated nodes in the node pool. */
  nodes: number;
  /** Scheduler scoring policy: spread | binpack | roundrobin. */
  policy: string;
  watchCacheSize?: number;
  /** --storage and --events (see ApiServerOptions). */
  storage?: string;
  events?: string;
  /** Controller-manager: seconds without a Lease renewal before a node is Unknown (default 40). */
  nodeMonitorGracePeriodSeconds?: number;
  /** Controller-manager: eviction delay for pods on not-ready/unreachable nodes (default 300). */
  defaultTolerationSeconds?: number;
  /** Controller-manager: HPA sync period, downscale stabilization (s) and tolerance. */
  hpaSyncPeriodSeconds?: number;
  hpaDownscaleStabilizationSeconds?: number;
  hpaTolerance?: number;
  /** API server: the metrics API's scrape resolution (default 15 s). */
  metricResolutionMs?: number;
  /** API server: --enable-priority-and-fairness, --max-requests-inflight, --max-mutating-requests-inflight. */
  enablePriorityAndFairness?: boolean;
  maxRequestsInflight?: number;
  maxMutatingRequestsInflight?: number;
  /** API server: ServiceAccount signing key, keys, issuer and the JWT AuthenticationConfiguration. */
  tokens?: Pick<ApiServerOptions, 'serviceAccountSigningKey' | 'serviceAccountKeys' | 'serviceAccountIssuer' | 'authenticationConfig'>;
  /** More API server options (request timeout, audit, encryption at rest: the kube-apiserver flags). */
  apiServer?: Partial<ApiServerOptions>;
  /** TLS and authentication flags (default: HTTPS, client certificates from the data dir's PKI). */
  security?: SecurityFlags;
  /** A snapshot file restored before the components start (its nodes become simulated nodes). */
  fromSnapshot?: string;
  /**
   * single (default): every component in this process. processes: the API server here, the
   * scheduler, controller-manager and node pool as child processes (./placement.ts); a snapshot's
   * node pools stay here.
   */
  placement?: Placement;
  /** --service-account-signing-key-file, for the controller-manager process (placement processes). */
  serviceAccountSigningKeyFile?: string;
}

export interface RunningCluster {
  apiServer: RunningApiServer;
  kubeconfigPath: string;
  /** The dashboard's URL (with its token in the fragment when authentication is on). */
  dashboardUrl: string;
  /** placement processes: the component processes' pids, and the first of them to exit unasked. */
  pids?: Record<string, number>;
  exited?: Promise<ComponentExit>;
  /** Stops the components in reverse start order, the API server last. */
  stop(): Promise<void>;
}

/** Starts the cluster and returns once it serves. */
export async function startCluster(opts: UpOptions): Promise<RunningCluster> {
  const placement = opts.placement ?? 'single';
  if (!PLACEMENTS.includes(placement)) throw new Error(`--placement must be one of ${PLACEMENTS.join(', ')} (got "${opts.placement}")`);
  const dataDir = resolve(opts.dataDir);
  const logger = processLogger('kubesim');
  const security = await securityOptions(dataDir, { ...opts.security, bindAddress: opts.host });
  const apiServer = await startApiServer({ ...opts.apiServer, ...security.options, port: opts.port, host: opts.host, dataDir, watchCacheSize: opts.watchCacheSize, metricResolutionMs: opts.metricResolutionMs, storage: opts.storage, events: opts.events, ...opts.tokens, enablePriorityAndFairness: opts.enablePriorityAndFairness, maxRequestsInflight: opts.maxRequestsInflight, maxMutatingRequestsInflight: opts.maxMutatingRequestsInflight, logger: logger.child({ component: 'apiserver' }) });
  const kubeconfigPath = apiServer.kubeconfigPath!;
  const stops: (() => Promise<void>)[] = [];

  // Each component has its own client (own rate limiter and connections), unthrottled in-process,
  // and starts in order; a failure stops what already started.
  // Secure: each component with its own identity's kubeconfig (client certificate) from the data dir.
  const clientFor = (identity: 'scheduler' | 'controller-manager' | 'node-pool') => {
    const userAgent = `kubesim-${identity}`;
    if (!security.options.tls) return new Client({ server: apiServer.url, qps: Infinity, userAgent });
    return Client.fromKubeconfig(componentKubeconfig(dataDir, identity), { qps: Infinity, userAgent });
  };
  const policy = (opts.policy === 'roundrobin' ? 'round-robin' : opts.policy) as Policy;
  if (!POLICIES.includes(policy)) throw new Error(`--policy must be one of ${POLICIES.join(', ')} (got "${opts.policy}")`);
  const snapshotNodes = opts.fromSnapshot ? await restoreSnapshotFile(Client.fromKubeconfig(kubeconfigPath, { qps: Infinity, userAgent: 'kubesim-snapshot' }), opts.fromSnapshot, logger.child({ component: 'snapshot' }), () => clientFor('node-pool')).catch(async (err) => (await apiServer.close(), Promise.reject(err))) : [];
  const inProcess: [string, () => Promise<{ stop(): Promise<void> }>][] = [
    ['controller-manager', () => startControllerManager({ client: clientFor('controller-manager'), logger: logger.child({ component: 'controller-manager' }), nodeMonitorGracePeriodSeconds: opts.nodeMonitorGracePeriodSeconds, defaultTolerationSeconds: opts.defaultTolerationSeconds, hpaSyncPeriodSeconds: opts.hpaSyncPeriodSeconds, hpaDownscaleStabilizationSeconds: opts.hpaDownscaleStabilizationSeconds, hpaTolerance: opts.hpaTolerance, ...controllerKeysFromDataDir(dataDir, opts.tokens?.serviceAccountSigningKey) })],
    ['scheduler', () => startScheduler({ client: clientFor('scheduler'), policy, leaderElect: true, logger: logger.child({ component: 'scheduler' }) })],
    ['nodes', () => startNodePool({ client: clientFor('node-pool'), count: opts.nodes, logger: logger.child({ component: 'node-pool' }) })],
  ];
  const components = placement === 'single' ? [...inProcess, ...snapshotNodes] : snapshotNodes;
  for (const [name, start] of components) {
    try {
      stops.push((await start()).stop);
    } catch (err) {
      logger.error({ err, component: name }, 'component failed to start');
      for (const stop of stops.reverse()) await stop().catch(() => {});
      await apiServer.close();
      throw err;
    }
  }

  const procs =
    placement === 'processes'
      ? startComponentProcesses(
          { dataDir, nodes: opts.nodes, policy, nodeMonitorGracePeriodSeconds: opts.nodeMonitorGracePeriodSeconds, defaultTolerationSeconds: opts.defaultTolerationSeconds, hpaSyncPeriodSeconds: opts.hpaSyncPeriodSeconds, hpaDownscaleStabilizationSeconds: opts.hpaDownscaleStabilizationSeconds, hpaTolerance: opts.hpaTolerance, serviceAccountSigningKeyFile: opts.serviceAccountSigningKeyFile },
          logger,
        )
      : undefined;
  if (procs) stops.push(procs.stop);

  const dashboardUrl = `${apiServer.url.replace('://0.0.0.0:', '://127.0.0.1:')}/dashboard/${security.dashboardToken ? `#token=${security.dashboardToken}` : ''}`;
  return {
    apiServer,
    kubeconfigPath,
    dashboardUrl,
    pids: procs?.pids,
    exited: procs?.exited,
    async stop() {
      for (const stop of stops.reverse()) await stop().catch((err) => logger.error({ err }, 'component stop failed'));
      await apiServer.close();
    },
  };
}

/** `kubesim up`: start, print how to use it, run until SIGTERM/SIGINT. */
export async function runUp(opts: UpOptions): Promise<void> {
  const cluster = await startCluster(opts);
  process.stdout.write(
    [
      `kubesim is up: API server at ${cluster.apiServer.url}`,
      `kubeconfig: ${cluster.kubeconfigPath}`,
      `dashboard: ${cluster.dashboardUrl}`,
      '',
      `  kubectl --kubeconfig ${cluster.kubeconfigPath} get nodes`,
      '',
    ].join('\n'),
  );
  // No component is restarted: one that exits ends `up`, non-zero, after the others are stopped.
  const ended = await Promise.race([onTerminationSignal().then(() => undefined), ...(cluster.exited ? [cluster.exited] : [])]);
  await cluster.stop();
  if (ended) {
    process.stderr.write(`error: the ${ended.component} process exited (${ended.signal ? `signal ${ended.signal}` : `exit code ${ended.code}`}); kubesim up stopped the others\n`);
    process.exit(1);
  }
}
