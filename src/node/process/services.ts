// The service proxy of the node pool's real programs (a small kube-proxy): for every Service port
// it listens on the ClusterIP's loopback alias (10.96.x.y:port → 127.96.x.y:port in slot 0; podnetwork.ts) and, for a
// NodePort, on 127.0.0.1:<nodePort>, and forwards each TCP connection — each UDP flow (udp.ts) — to a
// random ready endpoint at its pod alias: from the Service's EndpointSlices as kube-proxy reads them
// (sliceEndpoints: ready, else serving-and-terminating; an unready pod gets no new connections), from
// its v1 Endpoints (`addresses`) when it has no slices (a cluster without the EndpointSlice controller). It also
// keeps the DNS table the preload answers lookups from: `svc`, `svc.ns`, `svc.ns.svc`,
// `svc.ns.svc.cluster.local` → the ClusterIP. Listening fails quietly when another pool on the
// machine already serves that address.
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { Logger } from 'pino';
import { SERVICES, ENDPOINTS, ENDPOINTSLICES } from '../../api/core/index.ts';
import { SERVICE_NAME_LABEL } from '../../api/kinds/endpointslice.ts';
import type { KubeObject } from '../../api/types.ts';
import { SharedInformerFactory, type Client, type SharedInformer } from '../../client/index.ts';

export { loopbackAlias, loopbackSlot, readyEndpoints } from '../../api/core/podnetwork.ts';
import { loopbackAlias, readyEndpoints, sliceEndpoints } from '../../api/core/podnetwork.ts';

import { affinityTimeoutMs, pickEndpoint, type AffinityTable, type Endpoint } from './affinity.ts';
import { UdpForwarder } from './udp.ts';

/** EndpointSlices by their Service ("ns/name", from the kubernetes.io/service-name label). */
const BY_SERVICE = 'service';

/**
 * A headless Service's records from its Endpoints (the DNS spec's rules): `pod.svc.ns.svc.cluster.local`
 * (and `pod.svc.ns`, `pod.svc.ns.svc`) for each ready address with a hostname (a pod whose
 * hostname/subdomain name this Service: StatefulSet pods), and the Service's own names for one of
 * its ready addresses. Pure.
 */
export function headlessRecords(svc: KubeObject, endpoints: KubeObject | undefined): [string, string][] {
  const out: [string, string][] = [];
  const n = svc.metadata.name;
  const ns = svc.metadata.namespace ?? 'default';
  const ips: string[] = [];
  for (const s of (endpoints as any)?.subsets ?? []) {
    for (const a of s.addresses ?? []) {
      if (!a?.ip) continue;
      ips.push(a.ip);
      if (a.hostname) for (const suffix of [`${n}.${ns}`, `${n}.${ns}.svc`, `${n}.${ns}.svc.cluster.local`]) out.push([`${a.hostname}.${suffix}`, a.ip]);
    }
  }
  if (ips.length) for (const name of serviceNames(svc)) out.push([name, [...ips].sort()[0]]);
  return out;
}

/**
 * A Service's EndpointSlices as the Endpoints shape headlessRecords reads, as CoreDNS reads slices:
 * endpoints whose `conditions.ready` is not false are addresses (with their hostname), each
 * address once. Pure.
 */
export function slicesAsEndpoints(slices: KubeObject[]): KubeObject {
  const addresses = new Map<string, { ip: string; hostname?: string }>();
  for (const s of slices as any[]) {
    for (const e of s?.endpoints ?? []) {
      const ip = e?.addresses?.[0];
      if (ip && e.conditions?.ready !== false && !addresses.has(ip)) addresses.set(ip, { ip, ...(e.hostname ? { hostname: e.hostname } : {}) });
    }
  }
  return { subsets: addresses.size ? [{ addresses: [...addresses.values()] }] : [] } as unknown as KubeObject;
}

/** DNS names of a Service (cluster domain cluster.local): `svc.ns`, `svc.ns.svc`, `svc.ns.svc.cluster.local`. Pure. */
export function serviceNames(svc: KubeObject): string[] {
  const n = svc.metadata.name;
  const ns = svc.metadata.namespace ?? 'default';
  return [`${n}.${ns}`, `${n}.${ns}.svc`, `${n}.${ns}.svc.cluster.local`];
}

interface Listener {
  close(): void;
  key: string;
}

const PROTOCOLS = new Set(['TCP', 'UDP']);

export class ServiceProxy {
  private readonly factory: SharedInformerFactory;
  private readonly services: SharedInformer<KubeObject>;
  private readonly endpoints: SharedInformer<KubeObject>;
  private readonly slices: SharedInformer<KubeObject>;
  /** "PROTOCOL address:port" → its listener and the service port it serves ("ns/name/portName/PROTOCOL"). */
  private readonly listeners = new Map<string, Listener>();
  private readonly table = new Map<string, string>();
  /** Service port key → ClientIP session affinity (affinity.ts). */
  private readonly affinity = new Map<string, AffinityTable>();
  private dnsListeners: ((table: [string, string][]) => void)[] = [];
  private closed = false;

  constructor(
    client: Client,
    private readonly log?: Logger,
  ) {
    this.factory = new SharedInformerFactory(client, { logger: log });
    this.services = this.factory.informerFor<KubeObject>(SERVICES);
    this.endpoints = this.factory.informerFor<KubeObject>(ENDPOINTS);
    this.slices = this.factory.informerFor<KubeObject>(ENDPOINTSLICES, {
      indexers: { [BY_SERVICE]: (s) => (s.metadata.labels?.[SERVICE_NAME_LABEL] ? [`${s.metadata.namespace}/${s.metadata.labels[SERVICE_NAME_LABEL]}`] : []) },
    });
    this.services.addEventHandler({
      onAdd: () => this.sync(),
      onUpdate: () => this.sync(),
      onDelete: () => this.sync(),
    });
    // headless Services' records follow their EndpointSlices (or Endpoints)
    for (const inf of [this.endpoints, this.slices]) {
      inf.addEventHandler({
        onAdd: () => this.sync(),
        onUpdate: () => this.sync(),
        onDelete: () => this.sync(),
      });
    }
  }

  async start(): Promise<void> {
    this.services.start();
    this.endpoints.start();
    this.slices.start();
    await Promise.all([this.services.waitForCacheSync(), this.endpoints.waitForCacheSync(), this.slices.waitForCacheSync()]);
  }

  /** The DNS table now, and every change (the runtime forwards it to the programs). */
  onDns(fn: (table: [string, string][]) => void): void {
    this.dnsListeners.push(fn);
  }

  dns(): [string, string][] {
    return [...this.table];
  }

  /** The Services now (the kubelet's service environment variables come from them). */
  list(): KubeObject[] {
    return this.services.lister.list();
  }

  /** Listeners and the DNS table follow the Services. */
  private sync(): void {
    if (this.closed) return;
    const want = new Map<string, string>();
    const table = new Map<string, string>();
    for (const svc of this.services.lister.list()) {
      const ip = svc.spec?.clusterIP;
      if (ip === 'None') {
        const slices = this.slices.indexer.byIndex(BY_SERVICE, `${svc.metadata.namespace}/${svc.metadata.name}`);
        const eps = slices.length ? slicesAsEndpoints(slices) : this.endpoints.lister.get(svc.metadata.namespace!, svc.metadata.name!);
        for (const [name, addr] of headlessRecords(svc, eps)) table.set(name, addr);
        continue;
      }
      if (!ip || !/^10\./.test(ip)) continue;
      for (const name of serviceNames(svc)) table.set(name, ip);
      for (const p of svc.spec?.ports ?? []) {
        const protocol = p.protocol ?? 'TCP';
        if (!PROTOCOLS.has(protocol) || typeof p.port !== 'number') continue;
        const key = `${svc.metadata.namespace}/${svc.metadata.name}/${p.name ?? ''}/${protocol}`;
        want.set(`${protocol} ${loopbackAlias(ip)}:${p.port}`, key);
        if (typeof p.nodePort === 'number') want.set(`${protocol} 127.0.0.1:${p.nodePort}`, key);
      }
    }
    for (const [addr, l] of this.listeners) {
      if (want.get(addr) !== l.key) {
        l.close();
        this.listeners.delete(addr);
      }
    }
    for (const [addr, key] of want) if (!this.listeners.has(addr)) this.listen(addr, key);
    const changed = table.size !== this.table.size || [...table].some(([k, v]) => this.table.get(k) !== v);
    if (changed) {
      this.table.clear();
      for (const [k, v] of table) this.table.set(k, v);
      for (const fn of this.dnsListeners) fn(this.dns());
    }
  }

  private listen(addr: string, key: string): void {
    const [protocol, hostPort] = addr.split(' ');
    const i = hostPort.lastIndexOf(':');
    const host = hostPort.slice(0, i);
    const port = Number(hostPort.slice(i + 1));
    const failed = (e: Error) => {
      this.log?.debug({ addr, err: String(e) }, 'service address not served here');
      if (this.listeners.get(addr)?.key === key) this.listeners.delete(addr);
    };
    if (protocol === 'UDP') {
      const udp = new UdpForwarder(host, port, { pick: (clientIP) => this.pick(key, clientIP), ready: (ep) => this.ready(key).some(([ip, p]) => ip === ep[0] && p === ep[1]) }, failed);
      this.listeners.set(addr, { close: () => udp.close(), key });
      return;
    }
    const server: Server = createServer((sock) => this.forward(sock, key));
    server.on('error', failed);
    server.listen(port, host);
    server.unref();
    this.listeners.set(addr, { close: () => server.close(), key });
  }

  /** Ready endpoints of a Service port key. */
  private ready(key: string): Endpoint[] {
    const [ns, name, portName, protocol] = key.split('/');
    const slices = this.slices.indexer.byIndex(BY_SERVICE, `${ns}/${name}`);
    return slices.length ? sliceEndpoints(slices, portName, protocol) : readyEndpoints(this.endpoints.lister.get(ns, name), portName, protocol);
  }

  /** The endpoint for a new connection (flow) from `clientIP` to a Service port key (its session affinity). */
  private pick(key: string, clientIP: string | undefined): Endpoint | undefined {
    const [ns, name] = key.split('/');
    const timeoutMs = affinityTimeoutMs(this.services.lister.get(ns, name));
    let table = this.affinity.get(key);
    if (timeoutMs === undefined) this.affinity.delete(key);
    else if (!table) this.affinity.set(key, (table = new Map()));
    return pickEndpoint(this.ready(key), clientIP, timeoutMs, table ?? new Map(), Date.now());
  }

  private forward(client: Socket, key: string): void {
    // the client is the pod's loopback alias (the preload binds its connections there)
    const picked = this.pick(key, client.remoteAddress?.replace(/^::ffff:/, ''));
    if (!picked) return void client.destroy(); // no ready endpoint: refused, as kube-proxy's REJECT
    const [ip, port] = picked;
    const upstream = connect({ host: loopbackAlias(ip), port });
    client.pipe(upstream).pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', end);
    upstream.on('close', end);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const l of this.listeners.values()) l.close();
    this.listeners.clear();
    await this.factory.shutdown();
  }
}
