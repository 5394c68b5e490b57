// Where a webhook is reached: its URL, or its Service resolved through the Service's endpoints
// (k8s.io/apiserver/pkg/util/proxy ResolveEndpoint) — EndpointSlices when the server has that kind
// and the Service has some, else the Endpoints object. A Service without selector plus hand-written
// Endpoints at 127.0.0.1 reaches a webhook running on the host.
import type { Registry } from '../../../api/registry.ts';
import type { KubeObject } from '../../../api/types.ts';
import { objectKey, resourcePrefix, type Store } from '../../../storage/interface.ts';

/** The TLS connection to make: host/port to dial, the name the certificate must carry, the URL to post to. */
export interface WebhookTarget {
  /** The URL as Kubernetes prints it in errors (`https://svc.ns.svc:443/path?timeout=10s`). */
  url: string;
  host: string;
  port: number;
  /** Request path and query. */
  path: string;
  /** TLS server name (SNI and certificate check). */
  servername: string;
}

export class ResolveError extends Error {}

export interface ClientConfig {
  url?: string;
  service?: { namespace: string; name: string; path?: string; port?: number };
}

const timeoutQuery = (timeoutSeconds: number) => `timeout=${timeoutSeconds}s`;

function withTimeout(path: string, timeoutSeconds: number): string {
  return `${path}${path.includes('?') ? '&' : '?'}${timeoutQuery(timeoutSeconds)}`;
}

/** A clientConfig.url target. */
export function urlTarget(raw: string, timeoutSeconds: number): WebhookTarget {
  const u = new URL(raw);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const port = u.port ? Number(u.port) : 443;
  const path = withTimeout(u.pathname || '/', timeoutSeconds);
  return { url: `${u.protocol}//${u.host}${path}`, host, port, path, servername: host };
}

/** The service's DNS name, which its serving certificate must carry. */
export const serviceHost = (svc: { namespace: string; name: string }) => `${svc.name}.${svc.namespace}.svc`;

export async function serviceTarget(store: Store, registry: Registry, svc: NonNullable<ClientConfig['service']>, timeoutSeconds: number): Promise<{ target?: WebhookTarget; url: string; error?: string }> {
  const port = svc.port ?? 443;
  const path = withTimeout(svc.path || '/', timeoutSeconds);
  const servername = serviceHost(svc);
  const url = `https://${servername}:${port}${path}`;
  try {
    const ep = await resolveServiceEndpoint(store, registry, svc.namespace, svc.name, port);
    return { url, target: { url, host: ep.ip, port: ep.port, path, servername } };
  } catch (err) {
    if (err instanceof ResolveError) return { url, error: err.message };
    throw err;
  }
}

const pick = <T>(xs: T[]): T => xs[Math.floor(Math.random() * xs.length)];

/** A ready address and port behind the service port `port`. Throws ResolveError with Kubernetes' words. */
export async function resolveServiceEndpoint(store: Store, registry: Registry, namespace: string, name: string, port: number): Promise<{ ip: string; port: number }> {
  const svc = (await store.get(objectKey('', 'services', namespace, name)))?.object;
  if (!svc) throw new ResolveError(`service "${name}" not found`);
  const type = svc.spec?.type ?? 'ClusterIP';
  if (!['ClusterIP', 'LoadBalancer', 'NodePort'].includes(type)) throw new ResolveError(`unsupported service type "${type}"`);
  const svcPort = ((svc.spec?.ports as any[]) ?? []).find((p) => p?.port === port);
  if (!svcPort) throw new ResolveError(`no service port ${port} found for service "${name}"`);
  const portName: string = svcPort.name ?? '';
  const fromSlices = await sliceEndpoint(store, registry, namespace, name, portName);
  if (fromSlices) return fromSlices;
  const eps = (await store.get(objectKey('', 'endpoints', namespace, name)))?.object;
  if (!eps) throw new ResolveError(`endpoints "${name}" not found`);
  for (const ss of (eps.subsets as any[]) ?? []) {
    for (const p of ss?.ports ?? []) {
      if ((p?.name ?? '') !== portName) continue;
      const addrs = (ss.addresses ?? []).filter((a: any) => a?.ip);
      if (addrs.length === 0) continue;
      return { ip: (pick(addrs) as any).ip, port: p.port };
    }
  }
  throw new ResolveError(`no endpoints available for service "${name}"`);
}

/** From the service's EndpointSlices (label kubernetes.io/service-name), when the server serves them and some exist. */
async function sliceEndpoint(store: Store, registry: Registry, namespace: string, name: string, portName: string): Promise<{ ip: string; port: number } | undefined> {
  const rt = registry.byResource('discovery.k8s.io', 'v1', 'endpointslices');
  if (!rt) return undefined;
  const { items } = await store.list(`${resourcePrefix(rt.group, rt.plural)}${namespace}/`);
  const slices: KubeObject[] = items.map((e) => e.object).filter((o) => o.metadata.labels?.['kubernetes.io/service-name'] === name);
  if (slices.length === 0) return undefined;
  for (const s of slices) {
    const p = ((s.ports as any[]) ?? []).find((x) => (x?.name ?? '') === portName);
    if (!p || typeof p.port !== 'number') continue;
    const ready = ((s.endpoints as any[]) ?? []).filter((e) => e?.conditions?.ready !== false && (e?.addresses ?? []).length > 0);
    if (ready.length) return { ip: pick(ready).addresses[0], port: p.port };
  }
  throw new ResolveError(`no endpoints available for service "${name}"`);
}
