// Services' REST storage (Kubernetes' pkg/registry/core/service/storage): clusterIP and nodePort
// allocation in beginCreate/beginUpdate — the model's pure allocator over the addresses the stored
// Services hold, with writes serialized per server so two concurrent creates never pick the same
// address — the proxy subresource (a random ready endpoint, kinds/proxy.ts) — and the
// `default/kubernetes` Service, Endpoints and EndpointSlice the API server keeps.
import { randomUUID } from 'node:crypto';
import { StatusError, invalid, notFound, type FieldError } from '../../api/errors.ts';
import { readyEndpoints } from '../../node/process/services.ts';
import { addressesInUse, assignServiceAddresses, kubernetesServiceIP } from '../../api/kinds/helpers.ts';
import type { Registry } from '../../api/registry.ts';
import type { RestHooks } from '../../api/resource.ts';
import type { KubeObject } from '../../api/types.ts';
import { objectKey, resourcePrefix, type Store, type WatchCache } from '../../storage/interface.ts';
import { timestamp } from '../rest/objectmeta.ts';
import type { Scope } from '../rest/scope.ts';
import { clusterLocation, proxySubresource, type ProxyLocation } from './proxy.ts';

export const serviceStorage: RestHooks = {
  serializeWrites: true,
  beginCreate: (s, svc) => allocateServiceAddresses(s, svc),
  beginUpdate: (s, svc, old) => allocateServiceAddresses(s, svc, old),
  subresources: { proxy: proxySubresource(serviceLocation) },
};

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
  const all = await s.core.store.listPage(resourcePrefix(rt.group, rt.plural), {});
  const errs = assignServiceAddresses(svc, addressesInUse(all.items), old);
  if (errs.length) throw invalid(rt.kind, svc.metadata.name ?? '', errs.map(goStringSlices), rt.group);
}

/**
 * The `default/kubernetes` Service (10.96.0.1:443 → the API server's port) and its Endpoints
 * (127.0.0.1:port), created when absent; on a restart with another port the ports are updated.
 */
export async function ensureKubernetesService(store: Store | WatchCache, registry: Registry, port: number): Promise<void> {
  const svcRt = registry.byResource('', 'v1', 'services');
  const epRt = registry.byResource('', 'v1', 'endpoints');
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
      const next = structuredClone(cur);
      next.spec!.ports = (next.spec!.ports as any[]).map((x) => (x?.name === 'https' ? { ...x, targetPort: port } : x));
      return next;
    });
  }
  if (epRt) {
    const ports = [{ name: 'https', port, protocol: 'TCP' }];
    const ep: KubeObject = {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { ...meta(), labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
      subsets: [{ addresses: [{ ip: '127.0.0.1' }], ports }],
    };
    epRt.defaults(ep);
    await ensure(store, objectKey('', 'endpoints', 'default', 'kubernetes'), ep, (cur) => {
      const subsets = cur.subsets as any[] | undefined;
      if (subsets?.length === 1 && subsets[0]?.ports?.length === 1 && subsets[0].ports[0]?.port === port) return undefined;
      return { ...cur, subsets: [{ addresses: [{ ip: '127.0.0.1' }], ports }] };
    });
  }
  const sliceRt = registry.byResource('discovery.k8s.io', 'v1', 'endpointslices');
  if (sliceRt) {
    // What the Endpoints say, as an EndpointSlice named after them (the endpoints adapter's
    // endpointSliceFromEndpoints): the Service name label, IPv4, ready addresses.
    const slice: KubeObject = {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { ...meta(), labels: { 'kubernetes.io/service-name': 'kubernetes' } },
      addressType: 'IPv4',
      endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true } }],
      ports: [{ name: 'https', port, protocol: 'TCP' }],
    };
    sliceRt.defaults(slice);
    await ensure(store, objectKey('discovery.k8s.io', 'endpointslices', 'default', 'kubernetes'), slice, (cur) => {
      const p = (cur.ports as any[]) ?? [];
      if (p.length === 1 && p[0]?.port === port) return undefined;
      return { ...cur, ports: slice.ports };
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
