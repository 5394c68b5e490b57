// Services' REST storage (Kubernetes' pkg/registry/core/service/storage): clusterIP and nodePort
// allocation in beginCreate/beginUpdate — the model's pure allocator over the addresses the stored
// Services hold, each chosen address then reserved as its own key in the store (service-reservations.ts),
// so two API servers on one store never hand out the same one — released after a delete, an update
// that lets go of it, or a failed create; and the `default/kubernetes` Service, Endpoints and
// EndpointSlice the API server keeps.
// The proxy subresource picks a random ready endpoint (kinds/proxy.ts).
import { randomUUID } from 'node:crypto';
import { StatusError, invalid, notFound, type FieldError } from '../../api/errors.ts';
import { readyEndpoints } from '../../api/core/podnetwork.ts';
import { addressesInUse, assignServiceAddresses, kubernetesServiceIP } from '../../api/kinds/helpers.ts';
import type { Registry } from '../../api/registry.ts';
import type { RestHooks } from '../../api/resource.ts';
import type { KubeObject } from '../../api/types.ts';
import { objectKey, resourcePrefix, type Store, type WatchCache } from '../../storage/interface.ts';
import { timestamp } from '../rest/objectmeta.ts';
import { isDryRun, type Scope } from '../rest/scope.ts';
import { clusterLocation, proxySubresource, type ProxyLocation } from './proxy.ts';
import { reconcileEndpoints, startEndpointReconciler, type ApiEndpoint, type EndpointReconciler } from './endpoint-leases.ts';
import { addressKeys, IP_PREFIX, minus, NODE_PORT_PREFIX, ownerOf, release, repairReservations, reserve, type Address } from './service-reservations.ts';
import { deepCopy } from '../../api/core/json.ts';

/** What a write reserved, and what it lets go of once stored, by request. */
const pending = new WeakMap<Scope, { reserved: Address[]; released: Address[]; svc: KubeObject }>();

export const serviceStorage: RestHooks = {
  beginCreate: (s, svc) => allocateServiceAddresses(s, svc),
  beginUpdate: (s, svc, old) => allocateServiceAddresses(s, svc, old),
  subresources: { proxy: proxySubresource(serviceLocation) },
  abortCreate: (s) => settle(s, 'reserved'),
  afterCreate: (s, _obj, dryRun) => void (dryRun || pending.delete(s)),
  afterUpdate: (s, _obj, dryRun) => void (dryRun || settle(s, 'released')),
  afterDelete: (s, obj, dryRun) => void (dryRun || background(s, release(s.core.store, addressKeys(obj), ownerOf(obj)))),
};

function background(s: Scope, p: Promise<void>): void {
  p.catch((err) => s.core.logger.warn({ err }, 'releasing service addresses (left for the repair pass)'));
}

/** Releases what the request's write reserved (it failed) or let go of (it was stored). */
function settle(s: Scope, which: 'reserved' | 'released'): void {
  const p = pending.get(s);
  pending.delete(s);
  if (p && p[which].length) background(s, release(s.core.store, p[which], ownerOf(p.svc)));
}

const unavailable = (message: string) => new StatusError(503, 'ServiceUnavailable', message);

/**
 * services/NAME[:PORT]/proxy, as Kubernetes' service ResourceLocation: a port number names the
 * Service port that has it; then a random ready address of the Endpoints port of that name.
 */
async function serviceLocation(s: Scope, name: string, port: string): Promise<ProxyLocation> {
  const ns = s.info.namespace;
  const svc = (await s.core.store.get(objectKey(s.rt.group, s.rt.plural, ns, name)))?.object;
  if (!svc) throw notFound('services', name);
  let portName = port;
  if (/^\d+$/.test(port)) {
    const sp = ((svc.spec?.ports as any[]) ?? []).find((p) => p?.port === Number(port));
    if (!sp) throw unavailable(`no service port ${port} found for service "${name}"`);
    portName = sp.name ?? '';
  }
  const ep = (await s.core.store.get(objectKey('', 'endpoints', ns, name)))?.object;
  const ready = readyEndpoints(ep, portName);
  if (!ready.length) throw unavailable(`no endpoints available for service "${name}"`);
  const [ip, p] = ready[Math.floor(Math.random() * ready.length)];
  return clusterLocation(ip, p);
}

/** Go's %#v of a []string in a field error, as Kubernetes prints it: []string{"10.96.0.10"}. */
function goStringSlices(e: FieldError): FieldError {
  const m = /^Invalid value: (\[[^\]]*\]): /.exec(e.detail);
  if (!m) return e;
  let v: unknown;
  try {
    v = JSON.parse(m[1]);
  } catch {
    return e;
  }
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) return e;
  const go = `[]string{${v.map((x) => JSON.stringify(x)).join(', ')}}`;
  return { ...e, detail: `Invalid value: ${go}: ${e.detail.slice(m[0].length)}` };
}

/**
 * Allocates the clusterIP and nodePorts of a Service being created (old undefined) or updated
 * (omitted allocated values are carried from old). A taken or exhausted address → 422.
 */
async function allocateServiceAddresses(s: Scope, svc: KubeObject, old?: KubeObject): Promise<void> {
  const rt = s.rt;
  const store = s.core.store;
  const all = await store.listPage(resourcePrefix(rt.group, rt.plural), {});
  const inUse = addressesInUse(all.items);
  const requested = deepCopy(svc.spec);
  const prior = pending.get(s);
  if (prior) pending.delete(s);
  for (let attempt = 0; ; attempt++) {
    if (attempt) svc.spec = deepCopy(requested);
    const errs = assignServiceAddresses(svc, inUse, old);
    if (errs.length) throw invalid(rt.kind, svc.metadata.name ?? '', errs.map(goStringSlices), rt.group);
    if (isDryRun(s.query)) return;
    const now = addressKeys(svc);
    const before = addressKeys(old);
    const taken = await reserve(store, minus(now, before), ownerOf(svc));
    if (!taken.length) {
      // A retried update (conflict) may have reserved addresses it no longer wants.
      if (prior) background(s, release(store, minus(new Set(prior.reserved), now), ownerOf(svc)));
      pending.set(s, { reserved: minus(now, before), released: minus(before, now), svc });
      return;
    }
    if (attempt >= 20) throw invalid(rt.kind, svc.metadata.name ?? '', [{ field: 'spec.clusterIPs', type: 'FieldValueInternal', detail: 'Internal error: failed to allocate a serviceIP: too many collisions' }], rt.group);
    // Held by another Service (written through another server, or not yet stored): taken. The
    // allocator picks another, or answers "provided ... already allocated" for a requested one.
    for (const key of taken) {
      if (key.startsWith(IP_PREFIX)) inUse.ips.add(key.slice(IP_PREFIX.length));
      else inUse.nodePorts.add(Number(key.slice(NODE_PORT_PREFIX.length)));
    }
  }
}

/**
 * The `default/kubernetes` Service (10.96.0.1:443 → the API server's port), created when absent; on
 * a restart with another port the target port is updated. Its Endpoints and EndpointSlices come
 * from the API servers' leases (endpoint-leases.ts).
 */
export async function ensureKubernetesService(store: Store | WatchCache, registry: Registry, port: number): Promise<void> {
  const svcRt = registry.byResource('', 'v1', 'services');
  const labels = { component: 'apiserver', provider: 'kubernetes' };
  const meta = () => ({ name: 'kubernetes', namespace: 'default', uid: randomUUID(), creationTimestamp: timestamp() });
  if (svcRt) {
    const ip = kubernetesServiceIP();
    const svc: KubeObject = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { ...meta(), labels },
      spec: { type: 'ClusterIP', clusterIP: ip, clusterIPs: [ip], sessionAffinity: 'None', ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: port }] },
      status: { loadBalancer: {} },
    };
    svcRt.defaults(svc);
    await ensure(store, objectKey('', 'services', 'default', 'kubernetes'), svc, (cur) => {
      const p = (cur.spec?.ports as any[])?.find((x) => x?.name === 'https');
      if (!p || p.targetPort === port) return undefined;
      const next = deepCopy(cur);
      next.spec!.ports = (next.spec!.ports as any[]).map((x) => (x?.name === 'https' ? { ...x, targetPort: port } : x));
      return next;
    });
  }
}

/** Creates obj at key when absent, else stores update(current) when it returns a change. */
async function ensure(store: Store, key: string, obj: KubeObject, update: (cur: KubeObject) => KubeObject | undefined): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const cur = await store.get(key);
      if (!cur) {
        await store.create(key, obj);
        return;
      }
      const next = update(cur.object);
      if (next) await store.update(key, next, cur.modRevision);
      return;
    } catch {
      // raced with another writer (a second replica): look again
    }
  }
}

/**
 * Kubernetes' service IP and node-port repair controllers: once at start and then every intervalMs,
 * reservations are made for what stored Services hold and dropped where no Service holds them.
 * Returns the stop function.
 */
export function startServiceAddressRepair(store: Store, log: { warn(o: object, msg: string): void }, intervalMs = 180_000): { first: Promise<void>; stop(): void } {
  const run = () => repairReservations(store, resourcePrefix('', 'services')).then(
    () => undefined,
    (err) => log.warn({ err }, 'service address repair failed (retried on the next pass)'),
  );
  const timer = setInterval(run, intervalMs);
  timer.unref();
  return { first: run(), stop: () => clearInterval(timer) };
}

/**
 * Keeps the `default/kubernetes` Endpoints and EndpointSlices (the kinds the registry serves): with
 * `lease`, from every API server's Lease (endpoint-leases.ts); without, this server alone, written
 * only when they differ (no Lease, nothing written on a plain restart).
 */
export function startKubernetesEndpoints(
  store: Store,
  registry: Registry,
  self: ApiEndpoint,
  o: { lease: boolean; leaseSeconds: number; log: { warn(o: object, msg: string): void } },
): EndpointReconciler {
  const kinds = { endpoints: !!registry.byResource('', 'v1', 'endpoints'), slices: !!registry.byResource('discovery.k8s.io', 'v1', 'endpointslices') };
  if (o.lease) return startEndpointReconciler(store, kinds, self, o.leaseSeconds, o.log);
  return { first: reconcileEndpoints(store, kinds, Number.POSITIVE_INFINITY, self) /* no lease counts */.then(() => undefined), stop: async () => undefined };
}
