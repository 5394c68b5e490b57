// Kubernetes' lease endpoint reconciler (pkg/controlplane/reconcilers/lease.go): every API server
// keeps a Lease `kube-system/apiserver-<id>` renewed, and rewrites the `default/kubernetes`
// Endpoints and EndpointSlice from the leases still live, so they list every serving replica and a
// replica that died leaves within the lease duration. A replica stopping cleanly deletes its lease.
import { createHash, randomUUID } from 'node:crypto';
import type { KubeObject } from '../../api/types.ts';
import { objectKey, resourcePrefix, StorageError, type Store } from '../../storage/interface.ts';
import { timestamp } from '../rest/objectmeta.ts';
import { deepCopy } from '../../api/core/json.ts';

export const IDENTITY_LABEL = 'apiserver.kubernetes.io/identity';
const ADDRESS_ANNOTATION = 'kubesim.io/endpoint';
const LEASES = resourcePrefix('coordination.k8s.io', 'leases');

export interface ApiEndpoint {
  ip: string;
  port: number;
}

/** The lease name of the API server serving at ip:port (stable across restarts on the same address). */
export function leaseName(ep: ApiEndpoint): string {
  return `apiserver-${createHash('sha256').update(`${ep.ip}:${ep.port}`).digest('hex').slice(0, 16)}`;
}

/** MicroTime as Kubernetes writes it: RFC 3339 with microseconds. */
const microTime = (ms: number) => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

export function leaseObject(ep: ApiEndpoint, durationSeconds: number, now: number, prev?: KubeObject): KubeObject {
  const name = leaseName(ep);
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      ...(prev?.metadata ?? { uid: randomUUID(), creationTimestamp: timestamp() }),
      name,
      namespace: 'kube-system',
      labels: { ...prev?.metadata.labels, [IDENTITY_LABEL]: 'kube-apiserver' },
      annotations: { ...prev?.metadata.annotations, [ADDRESS_ANNOTATION]: `${ep.ip}:${ep.port}` },
    },
    spec: {
      holderIdentity: name,
      leaseDurationSeconds: durationSeconds,
      acquireTime: prev?.spec?.acquireTime ?? microTime(now),
      renewTime: microTime(now),
    },
  };
}

/** The endpoints of the API servers whose leases are live at now, sorted (pure). */
export function liveEndpoints(leases: KubeObject[], now: number): ApiEndpoint[] {
  const out = new Map<string, ApiEndpoint>();
  for (const l of leases) {
    if (l.metadata.labels?.[IDENTITY_LABEL] !== 'kube-apiserver') continue;
    const m = /^(.+):(\d+)$/.exec(l.metadata.annotations?.[ADDRESS_ANNOTATION] ?? '');
    const renewed = Date.parse(l.spec?.renewTime ?? '');
    const ttl = Number(l.spec?.leaseDurationSeconds) * 1000;
    if (!m || !Number.isFinite(renewed) || !(renewed + ttl > now)) continue;
    out.set(`${m[1]}:${m[2]}`, { ip: m[1], port: Number(m[2]) });
  }
  return [...out.values()].sort((a, b) => a.port - b.port || a.ip.localeCompare(b.ip));
}

/** Endpoints subsets: one per port (replicas on one host differ by port), addresses sorted. */
export function endpointSubsets(eps: ApiEndpoint[]): unknown[] {
  const byPort = new Map<number, string[]>();
  for (const e of eps) byPort.set(e.port, [...(byPort.get(e.port) ?? []), e.ip]);
  return [...byPort].map(([port, ips]) => ({ addresses: [...new Set(ips)].sort().map((ip) => ({ ip })), ports: [{ name: 'https', port, protocol: 'TCP' }] }));
}

/**
 * The EndpointSlices (name → endpoints and port): a slice holds one port, so each port is a slice,
 * `kubernetes` for the lowest and `kubernetes-<port>` for the others.
 */
export function endpointSlices(eps: ApiEndpoint[]): Map<string, { ips: string[]; port: number }> {
  const out = new Map<string, { ips: string[]; port: number }>();
  (endpointSubsets(eps) as { addresses: { ip: string }[]; ports: { port: number }[] }[]).forEach((s, i) => {
    const port = s.ports[0].port;
    out.set(i === 0 ? 'kubernetes' : `kubernetes-${port}`, { ips: s.addresses.map((a) => a.ip), port });
  });
  return out;
}

const sliceLabels = { 'kubernetes.io/service-name': 'kubernetes' };

function sliceObject(name: string, s: { ips: string[]; port: number }, prev?: KubeObject): KubeObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: prev?.metadata ?? { name, namespace: 'default', uid: randomUUID(), creationTimestamp: timestamp(), labels: sliceLabels },
    addressType: 'IPv4',
    endpoints: s.ips.map((ip) => ({ addresses: [ip], conditions: { ready: true } })),
    ports: [{ name: 'https', port: s.port, protocol: 'TCP' }],
  };
}

/** Writes obj at key unless what is stored already equals it in the compared fields; creates when absent. */
async function put(store: Store, key: string, make: (prev?: KubeObject) => KubeObject, fields: string[]): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const cur = await store.get(key);
    const next = make(cur?.object);
    if (cur && fields.every((f) => JSON.stringify(cur.object[f]) === JSON.stringify(next[f]))) return;
    try {
      if (cur) await store.update(key, { ...deepCopy(cur.object), ...Object.fromEntries(fields.map((f) => [f, next[f]])) }, cur.modRevision);
      else await store.create(key, next);
      return;
    } catch (err) {
      if (!(err instanceof StorageError && (err.code === 'Conflict' || err.code === 'KeyExists' || err.code === 'KeyNotFound'))) throw err;
    }
  }
}

/** Rewrites the kubernetes Endpoints and EndpointSlices from the live leases. */
export interface EndpointKinds {
  endpoints: boolean;
  slices: boolean;
}

export async function reconcileEndpoints(store: Store, kinds: EndpointKinds, now: number, self?: ApiEndpoint): Promise<ApiEndpoint[]> {
  const leases = await store.list(`${LEASES}kube-system/`);
  const eps = liveEndpoints(leases.items.map((e) => e.object), now);
  if (self && !eps.some((e) => e.ip === self.ip && e.port === self.port)) eps.push(self);
  if (!eps.length) return eps; // the last replica leaving keeps the last address, as Kubernetes does
  const subsets = endpointSubsets(eps);
  if (kinds.endpoints) await put(
    store,
    objectKey('', 'endpoints', 'default', 'kubernetes'),
    (prev) => ({
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: prev?.metadata ?? { name: 'kubernetes', namespace: 'default', uid: randomUUID(), creationTimestamp: timestamp(), labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
      subsets,
    }),
    ['subsets'],
  );
  if (!kinds.slices) return eps;
  const want = endpointSlices(eps);
  for (const [name, s] of want) {
    await put(store, objectKey('discovery.k8s.io', 'endpointslices', 'default', name), (prev) => sliceObject(name, s, prev), ['endpoints', 'ports']);
  }
  const slices = await store.list(`${resourcePrefix('discovery.k8s.io', 'endpointslices')}default/kubernetes-`);
  for (const e of slices.items) {
    if (!want.has(e.object.metadata.name ?? '') && /^kubernetes-\d+$/.test(e.object.metadata.name ?? '')) await store.delete(e.key, e.modRevision).catch(() => undefined);
  }
  return eps;
}

export interface EndpointReconciler {
  /** The first renew and reconcile, done before the server reports ready. */
  first: Promise<void>;
  /** Stops renewing, deletes this server's lease and rewrites the endpoints without it. */
  stop(): Promise<void>;
}

/** Renews this server's lease and reconciles every durationSeconds/3 (Kubernetes: 10 s of 15 s). */
export function startEndpointReconciler(store: Store, kinds: EndpointKinds, self: ApiEndpoint, durationSeconds: number, log: { warn(o: object, msg: string): void }): EndpointReconciler {
  const key = objectKey('coordination.k8s.io', 'leases', 'kube-system', leaseName(self));
  const pass = async () => {
    const now = Date.now();
    await put(store, key, (prev) => leaseObject(self, durationSeconds, now, prev), ['spec']);
    await reconcileEndpoints(store, kinds, now, self);
  };
  const run = () => pass().catch((err) => log.warn({ err }, 'API server endpoint lease (retried on the next pass)'));
  const timer = setInterval(run, Math.max(100, (durationSeconds * 1000) / 3));
  timer.unref();
  return {
    first: run(),
    async stop() {
      clearInterval(timer);
      try {
        const cur = await store.get(key);
        if (cur) await store.delete(key, cur.modRevision);
        await reconcileEndpoints(store, kinds, Date.now());
      } catch (err) {
        log.warn({ err }, 'removing the API server endpoint lease');
      }
    },
  };
}
