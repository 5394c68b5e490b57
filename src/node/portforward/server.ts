// kubectl port-forward at the kubelet: `/portforward/<ns>/<pod>` (after an optional `/nodes/<name>`;
// the kubelet's own spelling `/portForward/` too), upgraded either to
// - a WebSocket with subprotocol `SPDY/3.1+portforward.k8s.io` (kubectl 1.30+: client-go's tunneling
//   dialer): each binary message carries bytes of one SPDY/3.1 session, or to
// - SPDY/3.1 itself (`Upgrade: SPDY/3.1`, `X-Stream-Protocol-Version: portforward.k8s.io`: older
//   kubectl, or 1.30+ when the WebSocket upgrade fails),
// then served by a PortForwardSession connecting to the pod's loopback alias (podnetwork.ts).
import type http from 'node:http';
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import { refuse } from '../exec.ts';
import { WebSocketServer } from '../ws.ts';
import { PortForwardSession } from './session.ts';

export const TUNNELING_PROTOCOL = 'SPDY/3.1+portforward.k8s.io';
export const PORT_FORWARD_PROTOCOL = 'portforward.k8s.io';

/** Where a pod's ports are: its loopback alias; `note` is added to connection errors (why nothing may listen). */
export interface ForwardTarget {
  host: string;
  name: string;
  uid: string;
  note?: string;
}

/** The kubelet side: a pod's target, or a refusal (code, message). */
export type PortForwardStarter = (node: string | undefined, namespace: string, pod: string) => ForwardTarget | { code: number; message: string };

/** A subprotocol spelled as a token (`/` → `_`). Pure. */
export function asToken(protocol: string): string {
  return protocol.replace(/\//g, '_');
}

/** What a port-forward request names. Pure. */
export function parsePortForward(url: string): { node?: string; namespace: string; pod: string } | undefined {
  const u = new URL(url, 'http://kubelet');
  const m = /^(?:\/nodes\/([^/]+))?\/port[fF]orward\/([^/]+)\/([^/]+)\/?$/.exec(u.pathname);
  if (!m) return undefined;
  const [, node, namespace, pod] = m.map((x) => (x === undefined ? x : decodeURIComponent(x)));
  return { node, namespace, pod };
}

/** The transport a request asks for: the WebSocket tunnel, SPDY, or neither. Pure. */
export function forwardTransport(headers: http.IncomingHttpHeaders): 'websocket' | 'spdy' | undefined {
  const up = String(headers.upgrade ?? '').toLowerCase();
  if (up === 'websocket') return 'websocket';
  const versions = String(headers['x-stream-protocol-version'] ?? '').split(',').map((v) => v.trim());
  if (up.split(',').map((v) => v.trim()).includes('spdy/3.1') && versions.includes(PORT_FORWARD_PROTOCOL)) return 'spdy';
  return undefined;
}

/** The error-stream text when the pod's port cannot be reached (worded as the kubelet's). Pure. */
export function forwardFailure(t: ForwardTarget, port: number, err: NodeJS.ErrnoException): string {
  const why = err.code === 'ECONNREFUSED' ? 'connect: connection refused' : err.message;
  return `error forwarding port ${port} to pod ${t.name}, uid ${t.uid}: failed to connect to localhost:${port} inside the pod: dial tcp4 ${t.host}:${port}: ${why}${t.note ? ` (${t.note})` : ''}`;
}

export class PortForwardServer {
  // `ws` rejects a subprotocol with '/' (not an RFC 7230 token character): the offer is handed to it
  // spelled with '_' instead and the answer spelled back as kubectl offered it.
  private readonly wss = new WebSocketServer({ noServer: true, handleProtocols: (p) => (p.has(asToken(TUNNELING_PROTOCOL)) ? TUNNELING_PROTOCOL : false) });
  private readonly live = new Set<PortForwardSession>();

  constructor(private readonly start: () => PortForwardStarter | undefined) {}

  /** Whether the kubelet's upgrade is a port-forward. */
  matches(url: string): boolean {
    return parsePortForward(url) !== undefined;
  }

  upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
    const p = parsePortForward(req.url ?? '/')!;
    const starter = this.start();
    if (!starter) return refuse(socket, 503, 'starting');
    const transport = forwardTransport(req.headers);
    if (!transport) return refuse(socket, 400, `Upgrade request required: port-forward speaks WebSocket (${TUNNELING_PROTOCOL}) or SPDY/3.1 (${PORT_FORWARD_PROTOCOL})`);
    const target = starter(p.node, p.namespace, p.pod);
    if ('code' in target) return refuse(socket, target.code, target.message);
    const session = (send: (b: Buffer) => void, end: () => void, backlog: () => number) => {
      const s = new PortForwardSession({
        send,
        end,
        backlog,
        dial: (port) => connect({ host: target.host, port }),
        failure: (port, err) => forwardFailure(target, port, err),
      });
      this.live.add(s);
      return s;
    };
    if (transport === 'websocket') {
      if (!String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((x) => x.trim()).includes(TUNNELING_PROTOCOL)) {
        return refuse(socket, 400, `port-forward over WebSocket needs the subprotocol ${TUNNELING_PROTOCOL}`);
      }
      req.headers['sec-websocket-protocol'] = String(req.headers['sec-websocket-protocol']).split(',').map((x) => asToken(x.trim())).join(', ');
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        const s = session((b) => ws.send(b), () => ws.close(1000), () => ws.bufferedAmount);
        ws.on('message', (d) => s.feed(Buffer.isBuffer(d) ? d : Buffer.from(d as ArrayBuffer)));
        ws.on('close', () => this.drop(s));
        ws.on('error', () => this.drop(s));
      });
      return;
    }
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${PORT_FORWARD_PROTOCOL}\r\n\r\n`);
    const s = session((b) => socket.write(b), () => socket.end(), () => socket.writableLength);
    if (head.length) s.feed(head);
    socket.on('data', (d: Buffer) => s.feed(d));
    socket.on('close', () => this.drop(s));
    socket.on('error', () => this.drop(s));
  }

  /** Ends every session (the kubelet server closes). */
  closeAll(): void {
    for (const s of this.live) s.close();
    this.live.clear();
  }

  private drop(s: PortForwardSession): void {
    s.close();
    this.live.delete(s);
  }
}
