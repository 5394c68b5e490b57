// The part of the `ws` package the kubelet server uses (it ships no types; @types/ws is not installed):
// a server that only answers upgrades handed to it, choosing the subprotocol.
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { createRequire } from 'node:module';

export interface WebSocketLike {
  readonly protocol: string;
  /** Bytes queued but not yet written to the socket. */
  readonly bufferedAmount: number;
  send(data: Buffer, cb?: (err?: Error) => void): void;
  close(code?: number, reason?: string): void;
  terminate(): void;
  on(ev: 'message', fn: (data: Buffer, isBinary: boolean) => void): void;
  on(ev: 'close' | 'error', fn: () => void): void;
}

export interface WebSocketServerLike {
  handleUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer, cb: (ws: WebSocketLike) => void): void;
}

export const { WebSocketServer } = createRequire(import.meta.url)('ws') as {
  WebSocketServer: new (o: { noServer: true; handleProtocols: (protocols: Set<string>) => string | false }) => WebSocketServerLike;
};
