// The service proxy's UDP (a small kube-proxy for datagrams): a socket on the Service address takes
// each client's datagrams and relays them, per client address:port (a flow, as conntrack keeps one),
// through a socket of its own to one ready endpoint at its pod alias, picked on the flow's first
// datagram and kept while it stays ready; the endpoint's answers go back to the client from the
// Service address, as DNAT's reverse translation makes them. A flow idle for UDP_FLOW_IDLE_MS is
// forgotten (conntrack's UDP timeout).
import { createSocket, type Socket } from 'node:dgram';
import { loopbackAlias } from '../../api/core/podnetwork.ts';
import type { Endpoint } from './affinity.ts';

export const UDP_FLOW_IDLE_MS = 30_000;

export interface UdpRoutes {
  /** The endpoint for a new flow from `clientIP` (undefined: no ready endpoint, the datagram is dropped). */
  pick(clientIP: string): Endpoint | undefined;
  /** Whether a flow's endpoint is still a ready endpoint of the Service port. */
  ready(endpoint: Endpoint): boolean;
}

interface Flow {
  endpoint: Endpoint;
  upstream: Socket;
  last: number;
}

export class UdpForwarder {
  private readonly socket: Socket;
  private readonly flows = new Map<string, Flow>();
  private readonly sweep: NodeJS.Timeout;
  private closed = false;

  constructor(host: string, port: number, private readonly routes: UdpRoutes, onError: (e: Error) => void) {
    this.socket = createSocket({ type: 'udp4' });
    this.socket.on('error', (e) => {
      this.close();
      onError(e);
    });
    this.socket.on('message', (msg, from) => this.relay(msg, from.address, from.port));
    this.socket.bind(port, host);
    this.socket.unref();
    this.sweep = setInterval(() => this.expire(Date.now()), Math.min(UDP_FLOW_IDLE_MS, 5000));
    this.sweep.unref();
  }

  private relay(msg: Buffer, address: string, port: number): void {
    const key = `${address}:${port}`;
    let flow = this.flows.get(key);
    if (flow && !this.routes.ready(flow.endpoint)) {
      this.drop(key, flow); // its endpoint went away: the next datagram starts a new flow
      flow = undefined;
    }
    if (!flow) {
      const endpoint = this.routes.pick(address);
      if (!endpoint) return; // no ready endpoint: dropped
      const upstream = createSocket({ type: 'udp4' });
      const f: Flow = (flow = { endpoint, upstream, last: Date.now() });
      upstream.on('message', (answer) => {
        f.last = Date.now();
        if (!this.closed) this.socket.send(answer, port, address);
      });
      upstream.on('error', () => this.drop(key, f)); // e.g. nothing listens there (ICMP unreachable)
      upstream.unref();
      this.flows.set(key, flow);
    }
    flow.last = Date.now();
    flow.upstream.send(msg, flow.endpoint[1], loopbackAlias(flow.endpoint[0]));
  }

  private drop(key: string, flow: Flow): void {
    if (this.flows.get(key) === flow) this.flows.delete(key);
    try {
      flow.upstream.close();
    } catch {
      /* closed already */
    }
  }

  private expire(now: number): void {
    for (const [key, flow] of this.flows) if (now - flow.last >= UDP_FLOW_IDLE_MS) this.drop(key, flow);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.sweep);
    for (const [key, flow] of this.flows) this.drop(key, flow);
    try {
      this.socket.close();
    } catch {
      /* not bound */
    }
  }
}
