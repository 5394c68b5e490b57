// kubesim's pod network on one machine: cluster addresses (pod IPs, ClusterIPs) map onto loopback
// aliases, and a Service port's ready endpoints come from its Endpoints. Shared by the node pool's
// runtime (listen/connect mapping, Service proxy) and the API server's proxy subresources.
import type { KubeObject } from '../types.ts';

/** The loopback alias of a cluster address (10.a.b.c → 127.a.b.c; Linux only, else 127.0.0.1). */
export function loopbackAlias(ip: string): string {
  if (process.platform !== 'linux') return '127.0.0.1';
  const m = /^10\.(\d+\.\d+\.\d+)$/.exec(ip);
  return m ? `127.${m[1]}` : '127.0.0.1';
}

/** Ready endpoint addresses of a Service port (matched by port name), as [ip, port]. Pure. */
export function readyEndpoints(endpoints: KubeObject | undefined, portName: string | undefined): [string, number][] {
  const out: [string, number][] = [];
  for (const s of (endpoints as any)?.subsets ?? []) {
    const port = (s.ports ?? []).find((p: any) => (p.name ?? '') === (portName ?? '') && (p.protocol ?? 'TCP') === 'TCP');
    if (!port) continue;
    for (const a of s.addresses ?? []) if (a.ip) out.push([a.ip, port.port]);
  }
  return out;
}
