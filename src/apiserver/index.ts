// The API server: start it in-process (tests, `kubesim up`, `kubesim apiserver`).
import http from 'node:http';
import https from 'node:https';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { newLogger } from '../log/index.ts';
import { registry as builtinRegistry, Registry } from '../api/registry.ts';
import { WatchCacheStore, openStore, registerStorageMetrics, type Store } from '../storage/index.ts';
import { createMetrics } from './metrics.ts';
import type { Pipeline } from './pipeline/index.ts';
import { attachKindStorage, bootstrapNamespaces, bootstrapPriorityClasses, ensureAPIServices, ensureKubernetesService, namespaceGetter, priorityClassLister, startKubernetesEndpoints, startServiceAddressRepair } from './kinds/index.ts';
import { startResourceMetrics } from './resourcemetrics/index.ts';
import { namespaceLifecycle } from './pipeline/namespace-lifecycle.ts';
import { priorityAdmission } from './pipeline/priority.ts';
import { limitRanger } from './pipeline/limit-ranger.ts';
import { resourceQuota } from './pipeline/resource-quota.ts';
import { storageAdmission } from './pipeline/storage.ts';
import { ensureDefaultStorageClass, storageClassLister } from './kinds/storageclasses.ts';
import { webhookAdmission } from './pipeline/webhooks/index.ts';
import { policyAdmission } from './pipeline/policy/index.ts';
import type { ApiCore } from './rest/scope.ts';
import { upgradeListener } from './rest/upgrade.ts';
import { createRequestListener } from './server.ts';
import { CrdController } from './crd/index.ts';
import { startAuthorization, type AuthorizationMode } from './rbac/index.ts';
import { isAllowed } from './pipeline/run.ts';

export type {
  Pipeline,
  AdmissionPlugin,
  AdmissionAttributes,
  AdmissionOperation,
  Authenticator,
  Authorizer,
  AuthorizationDecision,
  RateLimiter,
  RequestAttributes,
  ReviewRules,
  UserInfo,
} from './pipeline/index.ts';
export type { RequestInfo, Verb } from './routing.ts';
export { VERSION_INFO } from './server.ts';
export { KUBELET_URL_ANNOTATION } from './kinds/index.ts';

export interface ApiServerOptions {
  /** 0 (default) = an ephemeral port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Durable store in this directory (and D/kubeconfig); undefined = in-memory store. */
  dataDir?: string;
  /** Events kept per resource in the watch cache's window (default 10,000). */
  watchCacheSize?: number;
  /** --storage URL: memory, sqlite:PATH, postgres://... (default: SQLite in dataDir, else memory). */
  storage?: string;
  /** --events URL (redis://...): the PostgreSQL backend's event transport (default LISTEN/NOTIFY). */
  events?: string;
  logger?: Logger;
  /** The kinds served (default: every built-in kind). */
  registry?: Registry;
  /** A backend to use instead of the one dataDir selects (tests, other backends). Closed on close(). */
  store?: Store;
  /** Security plugins and extra admission plugins (run after NamespaceLifecycle, LimitRanger and Priority, before ResourceQuota). */
  pipeline?: Partial<Pipeline>;
  /** BOOKMARK period for watches with allowWatchBookmarks (default 60 s, Kubernetes' value). */
  bookmarkIntervalMs?: number;
  /** Unsent watch output above which a watcher is cut off (default 16 MiB). */
  maxWatchBufferBytes?: number;
  /** Period of `: keepalive` comments on Server-Sent Events watches (default 15 s). */
  sseKeepaliveMs?: number;
  /** Serve HTTPS with this key pair (PEM); ca (PEM) goes into the kubeconfig as certificate-authority-data. */
  tls?: { key: string | Buffer; cert: string | Buffer; ca?: string | Buffer };
  /** A bearer token for the kubeconfig's admin user (for an authenticator that checks it). */
  adminToken?: string;
  /** metrics.k8s.io: how often the kubelets are scraped, = the metrics' window (default 15 s, metrics-server's --metric-resolution). */
  metricResolutionMs?: number;
  /** Lifetime of this server's endpoint Lease (kube-system/apiserver-<id>), renewed every third of it (default 15). */
  endpointLeaseSeconds?: number;
  /**
   * How the default/kubernetes endpoints are kept (Kubernetes' --endpoint-reconciler-type): `lease`
   * (every API server on a shared store) or `single` (this server alone, no Lease). Default: lease
   * for --storage postgres:// and etcd://, single otherwise.
   */
  endpointReconciler?: 'lease' | 'single';
  /** The IP other API servers and clients reach this one at, listed in the kubernetes Endpoints (default: host, or 127.0.0.1 for a wildcard host). */
  advertiseAddress?: string;
  /** kube-apiserver's --authorization-mode, in order (default AlwaysAllow: every request allowed). */
  authorizationModes?: AuthorizationMode[];
}

export interface RunningApiServer {
  /** http://host:port */
  url: string;
  port: number;
  /** dataDir/kubeconfig when a dataDir was given. */
  kubeconfigPath?: string;
  /** The pipeline's stage lists, live: plugins pushed here apply to the next request. */
  pipeline: Pipeline;
  /** Stops listening, ends open watches, closes the store. */
  close(): Promise<void>;
}

export interface KubeconfigOptions {
  /** PEM of the CA that signed the server certificate; absent = TLS verification skipped. */
  ca?: string | Buffer;
  token?: string;
}

export function kubeconfigYaml(server: string, o: KubeconfigOptions = {}): string {
  const cluster = o.ca
    ? [`    certificate-authority-data: ${Buffer.from(o.ca).toString('base64')}`]
    : // @kubernetes/client-node refuses plain http unless TLS verification is marked as skipped
      ['    insecure-skip-tls-verify: true'];
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: kubesim',
    '  cluster:',
    `    server: ${server}`,
    ...cluster,
    'contexts:',
    '- name: kubesim',
    '  context:',
    '    cluster: kubesim',
    '    user: admin',
    '    namespace: default',
    'current-context: kubesim',
    'users:',
    '- name: admin',
    o.token ? `  user:\n    token: ${o.token}` : '  user: {}',
    'preferences: {}',
    '',
  ].join('\n');
}

export async function startApiServer(opts: ApiServerOptions = {}): Promise<RunningApiServer> {
  const logger = opts.logger ?? newLogger({ name: 'apiserver' });
  // Each server has its own registry: kinds registered at run time (CRDs) belong to that server.
  const registry = opts.registry ?? new Registry(builtinRegistry.all());
  attachKindStorage(registry);
  if (opts.dataDir) mkdirSync(opts.dataDir, { recursive: true });
  let store: WatchCacheStore;
  if (opts.store) {
    store = new WatchCacheStore(opts.store, { windowSize: opts.watchCacheSize });
    await store.start();
  } else {
    // SQLite in the data dir (durable), else the in-memory store; the watch cache over either.
    store = await openStore({
      dataDir: opts.dataDir,
      watchCacheSize: opts.watchCacheSize,
      storage: opts.storage,
      events: opts.events,
      onError: (err) => logger.warn({ err: (err as Error)?.message ?? String(err) }, 'storage backend error (retrying)'),
    });
  }
  await bootstrapNamespaces(store, registry);
  await bootstrapPriorityClasses(store, registry);
  await ensureDefaultStorageClass(store, registry);
  await ensureAPIServices(store, registry);

  const webhooks = webhookAdmission({ store, registry, getNamespace: namespaceGetter(store), logger });
  const policies = policyAdmission({ store, registry, getNamespace: namespaceGetter(store), logger });
  await Promise.all([webhooks.start(), policies.start()]);
  const authz = await startAuthorization(opts.authorizationModes ?? ['AlwaysAllow'], { store, logger, can: (user, info) => isAllowed(pipeline, user, info) });
  const pipeline: Pipeline = {
    authenticators: [...(opts.pipeline?.authenticators ?? [])],
    rateLimiters: [...(opts.pipeline?.rateLimiters ?? [])],
    authorizers: [...authz.authorizers, ...(opts.pipeline?.authorizers ?? [])],
    // Kubernetes' order: NamespaceLifecycle, ..., MutatingAdmissionWebhook, ValidatingAdmissionPolicy, ValidatingAdmissionWebhook
    admission: [
      namespaceLifecycle(namespaceGetter(store)),
      ...authz.admission,
      limitRanger(store),
      priorityAdmission(priorityClassLister(store)),
      ...storageAdmission(storageClassLister(store)),
      ...(opts.pipeline?.admission ?? []),
      webhooks.mutating,
      policies.plugin,
      webhooks.validating,
      // ResourceQuota last, as Kubernetes orders it: it charges what every other plugin let through.
      resourceQuota(store),
    ],
  };
  const metrics = createMetrics(() => store.cachedRevision());
  registerStorageMetrics(metrics.registry, store);
  const core: ApiCore = {
    registry,
    store,
    pipeline,
    logger,
    metrics,
    watch: {
      bookmarkIntervalMs: opts.bookmarkIntervalMs ?? 60_000,
      maxBufferedBytes: opts.maxWatchBufferBytes ?? 16 * 1024 * 1024,
      defaultTimeoutSeconds: 1800,
      keepaliveMs: opts.sseKeepaliveMs,
    },
    longRunning: new Set(),
  };
  const scraper = startResourceMetrics(core, { resolutionMs: opts.metricResolutionMs });
  const crds = new CrdController(core);
  await crds.start();
  let ready = false;
  const listener = createRequestListener(core, () => ready);
  const server: http.Server = opts.tls
    ? https.createServer({ key: opts.tls.key, cert: opts.tls.cert, keepAliveTimeout: 65_000 }, listener)
    : http.createServer({ keepAliveTimeout: 65_000 }, listener);
  server.on('upgrade', upgradeListener(listener));
  const scheme = opts.tls ? 'https' : 'http';
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as { port: number }).port;
  await ensureKubernetesService(store, registry, port);
  const repair = startServiceAddressRepair(store, logger);
  await repair.first;
  const advertised = { ip: opts.advertiseAddress ?? (host === '0.0.0.0' || host === '::' || host.includes(':') ? '127.0.0.1' : host), port };
  const shared = opts.storage !== undefined && /^(postgres(ql)?|etcd):\/\//.test(opts.storage);
  const endpoints = startKubernetesEndpoints(store, registry, advertised, {
    lease: (opts.endpointReconciler ?? (shared ? 'lease' : 'single')) === 'lease',
    leaseSeconds: opts.endpointLeaseSeconds ?? 15,
    log: logger,
  });
  await endpoints.first;
  ready = true;
  const url = `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`;
  let kubeconfigPath: string | undefined;
  if (opts.dataDir) {
    kubeconfigPath = join(opts.dataDir, 'kubeconfig');
    const kubeHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
    writeFileSync(kubeconfigPath, kubeconfigYaml(`${scheme}://${kubeHost}:${port}`, { ca: opts.tls?.ca, token: opts.adminToken }));
  }
  logger.info({ url, dataDir: opts.dataDir ?? null }, 'API server listening');

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    kubeconfigPath,
    pipeline,
    close() {
      closing ??= (async () => {
        ready = false;
        repair.stop();
        await endpoints.stop();
        await scraper.stop();
        crds.stop();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const end of [...core.longRunning]) end();
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 2000).unref();
        await closed;
        webhooks.stop();
        policies.stop();
        authz.stop();
        await store.close();
        logger.info('API server stopped');
      })();
      return closing;
    },
  };
}
