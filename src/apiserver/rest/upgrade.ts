// Requests that ask for a protocol upgrade (WebSocket: kubectl exec, attach, port-forward) arrive on
// the server's 'upgrade' event with the raw socket. They run through the same request listener, with
// a response written onto that socket, so errors are the usual Status answers; a kind's connect-style
// subresource takes the socket over (upgradeOf) to relay the upgraded connection.
import http from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';

const upgrades = new WeakMap<http.IncomingMessage, { socket: Duplex; head: Buffer }>();

/** The socket and the bytes read past the headers of an upgrade request; undefined for a plain request. */
export function upgradeOf(req: http.IncomingMessage): { socket: Duplex; head: Buffer } | undefined {
  return upgrades.get(req);
}

/** The server's 'upgrade' listener: serve the request through listener, answers written on the socket. */
export function upgradeListener(listener: http.RequestListener): (req: http.IncomingMessage, socket: Duplex, head: Buffer) => void {
  return (req, socket, head) => {
    upgrades.set(req, { socket, head });
    socket.on('error', () => socket.destroy());
    const res = new http.ServerResponse(req);
    res.shouldKeepAlive = false;
    res.assignSocket(socket as Socket);
    res.on('finish', () => socket.end());
    listener(req, res);
  };
}
