// kubesim's pod network on one machine: cluster addresses (pod IPs, ClusterIPs) map onto loopback
// aliases, and a Service port's ready endpoints come from its EndpointSlices (kube-proxy) or its
// Endpoints (the API server's service proxy). Shared by the node pool's
// runtime (listen/connect mapping, Service proxy) and the API server's proxy subresources.
import type { KubeObject } from '../types.ts';

/**
 * Which half of 127/8 this cluster's addresses map onto (KUBESIM_LOOPBACK_SLOT, 0 or 1; default 0):
 * two clusters side by side on one machine (two `kubesim up`, or the test runner's two workers)
 * take one slot each so their pods' and Services' aliases don't collide.
 */
export function loopbackSlot(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number(env.KUBESIM_LOOPBACK_SLOT ?? 0);
  return n === 1 ? 1 : 0;
}

const SLOT = loopbackSlot();

/**
 * The loopback alias of a cluster address: 10.a.b.c → 127.a'.b.c with a' = a XOR 64·slot (slot 0:
 * 127.a.b.c; slot 1: pods 10.128–191 → 127.192–255, Services 10.96/12 → 127.32/12, disjoint from
 * slot 0 for the first 16,384 nodes); Linux only, else 127.0.0.1. preload.cjs applies the same rule in containers. Pure.
 */
export function loopbackAlias(ip: string, slot = SLOT): string {
  if (process.platform !== 'linux') return '127.0.0.1';
  const m = /^10\.(\d+)\.(\d+\.\d+)$/.exec(ip);
  return m ? `127.${(Number(m[1]) ^ (slot << 6)) & 255}.${m[2]}` : '127.0.0.1';
}

/** Ready endpoint addresses of a Service port (matched by port name and protocol), as [ip, port]. Pure. */
export function readyEndpoints(endpoints: KubeObject | undefined, portName: string | undefined, protocol = 'TCP'): [string, number][] {
  const out: [string, number][] = [];
  for (const s of (endpoints as any)?.subsets ?? []) {
    const port = (s.ports ?? []).find((p: any) => (p.name ?? '') === (portName ?? '') && (p.protocol ?? 'TCP') === protocol);
    if (!port) continue;
    for (const a of s.addresses ?? []) if (a.ip) out.push([a.ip, port.port]);
  }
  return out;
}

/**
 * A Service port's endpoints from its EndpointSlices, as kube-proxy picks them: the slices' port
 * of that name and protocol; endpoints whose `conditions.ready` is not false (unset counts as
 * ready); when none is ready, the serving ones that are terminating (a draining rollout still
 * answers); each address once. Pure.
 */
export function sliceEndpoints(slices: KubeObject[], portName: string | undefined, protocol = 'TCP'): [string, number][] {
  const ready = new Map<string, [string, number]>();
  const terminating = new Map<string, [string, number]>();
  for (const s of slices as any[]) {
    const port = (s?.ports ?? []).find((p: any) => (p?.name ?? '') === (portName ?? '') && (p?.protocol ?? 'TCP') === protocol);
    if (typeof port?.port !== 'number') continue;
    for (const e of s.endpoints ?? []) {
      const ip = e?.addresses?.[0];
      if (!ip) continue;
      const c = e.conditions ?? {};
      const to = c.ready !== false ? ready : c.serving === true && c.terminating === true ? terminating : undefined;
      to?.set(`${ip}:${port.port}`, [ip, port.port]);
    }
  }
  return [...(ready.size ? ready : terminating).values()];
}
