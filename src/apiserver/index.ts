// The API server: start it in-process (tests, `kubesim up`, `kubesim apiserver`).
import { cryptoRandom, realClock, type Clock, type Random } from '../clock/index.ts';
import http from 'node:http';
import https from 'node:https';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { newLogger } from '../log/index.ts';
import { registry as builtinRegistry, Registry } from '../api/registry.ts';
import { EncryptingStore, FaultyStore, followFaultsFile, WatchCacheStore, loadEncryptionConfiguration, openStore, registerStorageMetrics, type EncryptionConfiguration, type Store } from '../storage/index.ts';
import { createMetrics } from './metrics.ts';
import type { Pipeline } from './pipeline/index.ts';
import { attachKindStorage, uncachedPrefixes, bootstrapNamespaces, bootstrapPriorityClasses, ensureAPIServices, ensureKubernetesService, namespaceGetter, priorityClassLister, startKubernetesEndpoints, startServiceAddressRepair } from './kinds/index.ts';
import { startResourceMetrics, type SummarySource } from './resourcemetrics/index.ts';
import { stopMetricCatalog } from './custommetrics/catalog.ts';
import { namespaceLifecycle } from './pipeline/namespace-lifecycle.ts';
import { priorityAdmission } from './pipeline/priority.ts';
import { serviceAccountGetter, serviceAccountAdmission } from './pipeline/service-account.ts';
import { limitRanger } from './pipeline/limit-ranger.ts';
import { resourceQuota } from './pipeline/resource-quota.ts';
import { storageAdmission } from './pipeline/storage.ts';
import { ensureDefaultStorageClass, storageClassLister } from './kinds/storageclasses.ts';
import { webhookAdmission } from './pipeline/webhooks/index.ts';
import type { Authorize } from '../api/cel/authz.ts';
import { pipelineAuthorize } from './pipeline/cel-authorizer.ts';
import { policyAdmission } from './pipeline/policy/index.ts';
import type { ApiCore } from './rest/scope.ts';
import { upgradeListener } from './rest/upgrade.ts';
import { startObjectExpiry } from './rest/expiry.ts';
import { createRequestListener } from './server.ts';
import { DEFAULT_REQUEST_TIMEOUT_MS, isLongRunning } from './timeout.ts';
import { Auditor, type Policy } from './audit/index.ts';
import { anonymousAdmin } from './pipeline/index.ts';
import { CrdController } from './crd/index.ts';
import { startFlowControl } from './flowcontrol/index.ts';
import { setupTokenAuth } from './serviceaccount/index.ts';
import type { AuthenticationConfigInput } from './authn/jwt.ts';
import { authenticatorChain, authnConfigured, clientCertRequest } from './authn/index.ts';
import { writeSecretFile } from './pki/index.ts';
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
export { KUBELET_URL_ANNOTATION, DEFAULT_EVENT_TTL_MS } from './kinds/index.ts';
export { secureServing, defaultSans, ensurePki, issueClientCert, IDENTITIES, DASHBOARD_USER, type SecureServing, type SecureServingFiles, type Pki } from './pki/index.ts';

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
  /** PEM bundle: client certificates it signed authenticate (CN = user, O = groups); the server asks for them (needs tls). */
  clientCA?: string | Buffer;
  /** Static token file(s) (Kubernetes' CSV: token,user,uid,"group1,group2"). */
  tokenAuthFile?: string | string[];
  /** Requests without credentials are system:anonymous (true) or 401 (false). Unset with clientCA/tokenAuthFile = false. */
  anonymousAuth?: boolean;
  /** Kubeconfigs written into dataDir once serving: file name → client certificate and key (PEM); "kubeconfig" replaces the default one. */
  kubeconfigCerts?: Record<string, { cert: string | Buffer; key: string | Buffer }>;
  /** metrics.k8s.io: how often the kubelets are scraped, = the metrics' window (default 15 s, metrics-server's --metric-resolution). */
  metricResolutionMs?: number;
  /** metrics.k8s.io: kubelet summaries handed over in-process by kubelet URL (`kubesim simulate`'s node pools); other kubelets are fetched over HTTP. */
  kubeletSummaries?: SummarySource;
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
  /** API Priority and Fairness (--enable-priority-and-fairness; default false here, true in the CLI). */
  enablePriorityAndFairness?: boolean;
  /** --max-requests-inflight (default 400): read-only seats; with APF, part of its server concurrency limit. Without APF the max-inflight filter runs only when a limit is given. */
  maxRequestsInflight?: number;
  /** --max-mutating-requests-inflight (default 200). */
  maxMutatingRequestsInflight?: number;
  /** PEM private key signing ServiceAccount tokens (--service-account-signing-key-file; default D/pki/sa.key, made on first start; without a data dir an ephemeral key). */
  serviceAccountSigningKey?: string | Buffer;
  /** PEM public keys ServiceAccount tokens are accepted from (--service-account-key-file; default the signing key's). */
  serviceAccountKeys?: (string | Buffer)[];
  /** --service-account-issuer (default https://kubernetes.default.svc.cluster.local); the first signs, all are accepted. */
  serviceAccountIssuer?: string | string[];
  /** --authentication-config: an AuthenticationConfiguration (file path or object) with jwt[] issuers. */
  authenticationConfig?: AuthenticationConfigInput;
  /** The time written into objects, and the uid/generateName source (`kubesim simulate`: virtual, seeded). */
  clock?: Clock;
  random?: Random;
  /** --encryption-provider-config: an EncryptionConfiguration file (or the parsed object); its resources are encrypted at rest. */
  encryptionProviderConfig?: string | EncryptionConfiguration;
  /** Chaos runs only: storage faults (src/storage/faulty.ts) read from this JSON file whenever it changes (docs/chaos.md). */
  storageFaultsFile?: string;
  /** --request-timeout: requests that are not long-running (watches, exec, logs, proxy) answer 504 past it (default 60 s; 0 = none). */
  requestTimeoutMs?: number;
  /** --audit-policy-file (a path, or the parsed audit.k8s.io/v1 Policy); with auditLogPath, requests are audited. */
  auditPolicyFile?: string | Policy;
  /** --audit-log-path: audit.k8s.io/v1 Event JSON lines; `-` = stdout. */
  auditLogPath?: string;
  /** --audit-log-maxsize (MB before rotation), --audit-log-maxbackup (files kept), --audit-log-maxage (days). */
  auditLogMaxSize?: number;
  auditLogMaxBackup?: number;
  auditLogMaxAge?: number;
  /** --event-ttl: Events (core/v1 and events.k8s.io/v1) are deleted this long after their last write, on `clock` (ms; default 1h; 0 = kept). */
  eventTtlMs?: number;
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
  /** The HTTP server (for an in-process transport: `inProcessTransport(server)`). */
  server: http.Server;
  /** Stops listening, ends open watches, closes the store. */
  close(): Promise<void>;
}

export interface KubeconfigOptions {
  /** PEM of the CA that signed the server certificate; absent = TLS verification skipped. */
  ca?: string | Buffer;
  token?: string;
  /** Client certificate and key (PEM), as client-certificate-data / client-key-data. */
  cert?: string | Buffer;
  key?: string | Buffer;
  /** The user's name in the kubeconfig (default admin). */
  user?: string;
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
    `    user: ${o.user ?? 'admin'}`,
    '    namespace: default',
    'current-context: kubesim',
    'users:',
    `- name: ${o.user ?? 'admin'}`,
    ...kubeconfigUser(o),
    'preferences: {}',
    '',
  ].join('\n');
}

function kubeconfigUser(o: KubeconfigOptions): string[] {
  const b64 = (x: string | Buffer) => Buffer.from(x).toString('base64');
  const fields = [
    ...(o.cert && o.key ? [`    client-certificate-data: ${b64(o.cert)}`, `    client-key-data: ${b64(o.key)}`] : []),
    ...(o.token ? [`    token: ${o.token}`] : []),
  ];
  return fields.length ? ['  user:', ...fields] : ['  user: {}'];
}

/** D/kubeconfig (the admin's) and, with kubeconfigCerts, one per identity; private ones with mode 0600, D/kubeconfig last (a watcher of it finds the others written). */
function writeKubeconfigs(dataDir: string, server: string, opts: ApiServerOptions): void {
  const certs = Object.entries(opts.kubeconfigCerts ?? {}).sort(([a], [b]) => Number(a === 'kubeconfig') - Number(b === 'kubeconfig'));
  if (!opts.kubeconfigCerts?.kubeconfig) writeFileSync(join(dataDir, 'kubeconfig'), kubeconfigYaml(server, { ca: opts.tls?.ca, token: opts.adminToken }));
  for (const [file, c] of certs) {
    const user = file.replace(/\.?kubeconfig$/, '') || 'admin';
    writeSecretFile(join(dataDir, file), kubeconfigYaml(server, { ca: opts.tls?.ca, token: file === 'kubeconfig' ? opts.adminToken : undefined, ...c, user }));
  }
}

export async function startApiServer(opts: ApiServerOptions = {}): Promise<RunningApiServer> {
  const logger = opts.logger ?? newLogger({ name: 'apiserver' });
  // Each server has its own registry: kinds registered at run time (CRDs) belong to that server.
  const registry = opts.registry ?? new Registry(builtinRegistry.all());
  attachKindStorage(registry);
  if (opts.dataDir) mkdirSync(opts.dataDir, { recursive: true });
  const audit =
    opts.auditPolicyFile && opts.auditLogPath
      ? new Auditor(
          {
            policy: opts.auditPolicyFile,
            logPath: opts.auditLogPath,
            maxSizeMB: opts.auditLogMaxSize,
            maxBackups: opts.auditLogMaxBackup,
            maxAgeDays: opts.auditLogMaxAge,
            onError: (err) => logger.error({ err }, 'audit log write failed'),
          },
          // Without authenticators every request is the admin (the library default).
          () => (pipeline.authenticators.length === 0 ? anonymousAdmin : undefined),
          (info) => isLongRunning(info, registry.byResource(info.group, info.version, info.resource)),
        )
      : undefined;
  const encryption = typeof opts.encryptionProviderConfig === 'string' ? loadEncryptionConfiguration(opts.encryptionProviderConfig) : opts.encryptionProviderConfig;
  const encrypt = encryption ? (b: Store) => new EncryptingStore(b, encryption) : undefined;
  // A chaos run's storage faults (a FaultyStore over the backend, driven by a file) when asked for.
  let stopFaults: (() => void) | undefined;
  const faulty = opts.storageFaultsFile
    ? (b: Store) => {
        const f = new FaultyStore(encrypt ? encrypt(b) : b);
        stopFaults = followFaultsFile(f, opts.storageFaultsFile!, (msg) => logger.warn(`storage faults file: ${msg} (no faults)`));
        return f;
      }
    : undefined;
  const wrapBackend = faulty ?? encrypt;
  let store: WatchCacheStore;
  // Kinds whose storage hooks keep them out of the watch cache (events): read from the backend.
  const uncached = uncachedPrefixes(registry);
  if (opts.store) {
    store = new WatchCacheStore(wrapBackend ? wrapBackend(opts.store) : opts.store, { windowSize: opts.watchCacheSize, uncached });
    await store.start();
  } else {
    // SQLite in the data dir (durable), else the in-memory store; the watch cache over either.
    store = await openStore({
      dataDir: opts.dataDir,
      watchCacheSize: opts.watchCacheSize,
      uncached,
      storage: opts.storage,
      events: opts.events,
      wrapBackend,
      onError: (err) => logger.warn({ err: (err as Error)?.message ?? String(err) }, 'storage backend error (retrying)'),
    });
  }
  await bootstrapNamespaces(store, registry);
  await bootstrapPriorityClasses(store, registry);
  await ensureDefaultStorageClass(store, registry);
  await ensureAPIServices(store, registry);

  // `authorizer` in admission CEL asks the real authorizer chain (pipeline is set below, before any request)
  const authorize: Authorize = (user, c) => pipelineAuthorize(pipeline)(user, c);
  const webhooks = webhookAdmission({ store, registry, getNamespace: namespaceGetter(store), logger, authorize });
  const policies = policyAdmission({ store, registry, getNamespace: namespaceGetter(store), logger, authorize });
  await Promise.all([webhooks.start(), policies.start()]);
  const tokenAuth = await setupTokenAuth({
    issuer: { signingKey: opts.serviceAccountSigningKey, keys: opts.serviceAccountKeys, issuer: opts.serviceAccountIssuer, dataDir: opts.dataDir },
    authenticationConfig: opts.authenticationConfig,
    store,
    logger,
    othersConfigured: (opts.pipeline?.authenticators ?? []).length > 0 || authnConfigured(opts),
    adminToken: opts.adminToken,
  });
  const authz = await startAuthorization(opts.authorizationModes ?? ['AlwaysAllow'], { store, logger, can: (user, info) => isAllowed(pipeline, user, info) });
  const pipeline: Pipeline = {
    authenticators: authenticatorChain(opts, [...(opts.pipeline?.authenticators ?? []), ...tokenAuth.authenticators]),
    rateLimiters: [...(opts.pipeline?.rateLimiters ?? [])],
    authorizers: [...authz.authorizers, ...(opts.pipeline?.authorizers ?? [])],
    // Kubernetes' order: NamespaceLifecycle, ..., MutatingAdmissionWebhook, ValidatingAdmissionPolicy, ValidatingAdmissionWebhook
    admission: [
      namespaceLifecycle(namespaceGetter(store)),
      ...authz.admission,
      limitRanger(store),
      priorityAdmission(priorityClassLister(store)),
      ...(tokenAuth.issuer.durable ? [serviceAccountAdmission(serviceAccountGetter(store))] : []),
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
  const flow = await startFlowControl(store, registry, metrics.registry, opts, logger);
  if (flow.limiter) pipeline.rateLimiters.push(flow.limiter);
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
    tokenIssuer: tokenAuth.issuer,
    clock: opts.clock ?? realClock,
    random: opts.random ?? cryptoRandom,
    requestTimeoutMs: opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    audit,
    eventTtlMs: opts.eventTtlMs,
  };
  const expiry = await startObjectExpiry(core);
  const scraper = startResourceMetrics(core, { resolutionMs: opts.metricResolutionMs, source: opts.kubeletSummaries });
  const crds = new CrdController(core);
  await crds.start();
  let ready = false;
  const listener = createRequestListener(core, () => ready);
  const server: http.Server = opts.tls
    ? https.createServer({ key: opts.tls.key, cert: opts.tls.cert, keepAliveTimeout: 65_000, ...clientCertRequest(opts.clientCA) }, listener)
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
    writeKubeconfigs(opts.dataDir, `${scheme}://${kubeHost}:${port}`, opts);
  }
  logger.info({ url, dataDir: opts.dataDir ?? null }, 'API server listening');

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    kubeconfigPath,
    pipeline,
    server,
    close() {
      closing ??= (async () => {
        ready = false;
        repair.stop();
        await endpoints.stop();
        await scraper.stop();
        stopMetricCatalog(core);
        crds.stop();
        flow.stop();
        await expiry.stop();
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        for (const end of [...core.longRunning]) end();
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 2000).unref();
        await closed;
        webhooks.stop();
        policies.stop();
        authz.stop();
        stopFaults?.();
        await store.close();
        await audit?.close();
        logger.info('API server stopped');
      })();
      return closing;
    },
  };
}
