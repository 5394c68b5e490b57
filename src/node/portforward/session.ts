// One port-forward connection's SPDY session at the kubelet (Kubernetes' kubelet/cri streaming
// portforward, SPDY flavour): for every local connection kubectl opens two streams with the same
// `requestid` header, first `streamtype: error` then `streamtype: data`, each naming the pod `port`.
// Every stream is answered with a SYN_REPLY; once both of a request are there we connect to the pod's
// port and copy bytes between its socket and the data stream. When the pod's side ends, the data
// stream gets FIN; then the error stream gets the error text (if any) and FIN. kubectl's FIN on the
// data stream half-closes the socket, its RST_STREAM drops it. PINGs are echoed.
import type { Socket } from 'node:net';
import { FLAG_FIN, FrameReader, HeaderReader, HeaderWriter, MAX_DATA, RST, TYPE, controlFrame, dataFrame, decodeHeaderBlock, encodeHeaderBlock, rstStream, type Frame } from './spdy.ts';

export interface ForwardOptions {
  /** Bytes to the client (one SPDY frame per call). */
  send(frame: Buffer): void;
  /** The client's transport ends (GOAWAY, or a broken session). */
  end(): void;
  /** A connection to the pod's port. */
  dial(port: number): Socket;
  /** The text for the error stream when the connection to port fails. */
  failure(port: number, err: NodeJS.ErrnoException): string;
  /** Bytes sent but not yet taken by the client's transport: above HIGH_WATER pod sockets pause. */
  backlog?(): number;
}

/** Pod sockets pause while more than this waits for the client, and resume below a quarter of it. */
export const HIGH_WATER = 1 << 20;

interface Stream {
  id: number;
  kind: 'error' | 'data';
  requestId: string;
  port: number;
  fin: boolean;
}

interface Pair {
  error?: Stream;
  data?: Stream;
  socket?: Socket;
}

/** The port a stream's `port` header names, or undefined when it is not one. Pure. */
export function parsePort(v: string | undefined): number | undefined {
  if (!v || !/^\d{1,5}$/.test(v)) return undefined;
  const n = Number(v);
  return n >= 1 && n <= 65535 ? n : undefined;
}

export class PortForwardSession {
  private readonly reader = new FrameReader();
  private readonly headersIn = new HeaderReader();
  private readonly headersOut = new HeaderWriter();
  private readonly streams = new Map<number, Stream>();
  private readonly pairs = new Map<string, Pair>();
  private queue: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly paused = new Set<Socket>();
  private resumeTimer?: NodeJS.Timeout;

  constructor(private readonly o: ForwardOptions) {}

  /** Bytes from the client. */
  feed(chunk: Buffer): void {
    for (const f of this.reader.push(chunk)) {
      this.queue = this.queue.then(() => this.handle(f)).catch(() => this.abort());
    }
  }

  /** The transport went away: every pod connection is dropped. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.resumeTimer);
    for (const p of this.pairs.values()) p.socket?.destroy();
    this.pairs.clear();
    this.streams.clear();
    this.headersIn.close();
  }

  private abort(): void {
    this.close();
    this.o.end();
  }

  private send(frame: Buffer): void {
    if (!this.closed) this.o.send(frame);
  }

  private async handle(f: Frame): Promise<void> {
    if (this.closed) return;
    if (!f.control) return this.onData(f.streamId, f.flags, f.payload);
    switch (f.type) {
      case TYPE.SYN_STREAM:
        return this.onSynStream(f.payload);
      case TYPE.HEADERS:
        await this.headersIn.decompress(f.payload.subarray(4)); // keeps the shared zlib context in step
        return;
      case TYPE.RST_STREAM:
        return this.onReset(f.payload.readUInt32BE(0) & 0x7fffffff);
      case TYPE.PING:
        return this.send(controlFrame(TYPE.PING, 0, f.payload));
      case TYPE.GOAWAY:
        return this.abort();
      default:
        return; // SETTINGS, WINDOW_UPDATE (spdystream does no flow control), unknown: ignored
    }
  }

  private async onSynStream(payload: Buffer): Promise<void> {
    const id = payload.readUInt32BE(0) & 0x7fffffff;
    const h = decodeHeaderBlock(await this.headersIn.decompress(payload.subarray(10)));
    if (this.closed) return;
    this.send(controlFrame(TYPE.SYN_REPLY, 0, Buffer.concat([u32(id), this.headersOut.compress(encodeHeaderBlock({}))])));
    const kind = h.streamtype;
    const port = parsePort(h.port);
    if ((kind !== 'error' && kind !== 'data') || port === undefined) return this.send(rstStream(id, RST.PROTOCOL_ERROR));
    // Old clients sent no requestid: the error stream then is the data stream's id - 2 (the kubelet's rule).
    const requestId = h.requestid ?? String(kind === 'data' ? id - 2 : id);
    const s: Stream = { id, kind, requestId, port, fin: false };
    this.streams.set(id, s);
    const pair = this.pairs.get(requestId) ?? {};
    pair[kind] = s;
    this.pairs.set(requestId, pair);
    if (pair.error && pair.data && !pair.socket) this.connect(pair, pair.data, pair.error);
  }

  private connect(pair: Pair, data: Stream, error: Stream): void {
    let failure: string | undefined;
    const socket = this.o.dial(data.port);
    pair.socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (d: Buffer) => {
      for (let at = 0; at < d.length; at += MAX_DATA) this.send(dataFrame(data.id, 0, d.subarray(at, at + MAX_DATA)));
      this.throttle(socket);
    });
    socket.on('end', () => this.fin(data));
    socket.on('error', (err: NodeJS.ErrnoException) => (failure ??= this.o.failure(data.port, err)));
    socket.on('close', () => {
      this.fin(data);
      if (failure && !error.fin) this.send(dataFrame(error.id, 0, Buffer.from(failure)));
      this.fin(error);
      this.pairs.delete(data.requestId);
      this.streams.delete(data.id);
      this.streams.delete(error.id);
    });
  }

  /** Backpressure: a pod socket stops reading while the client's transport is behind. */
  private throttle(socket: Socket): void {
    if (!this.o.backlog || this.o.backlog() <= HIGH_WATER) return;
    socket.pause();
    this.paused.add(socket);
    this.resumeTimer ??= setInterval(() => {
      if (this.o.backlog!() > HIGH_WATER / 4) return;
      for (const p of this.paused) p.resume();
      this.paused.clear();
      clearInterval(this.resumeTimer);
      this.resumeTimer = undefined;
    }, 20);
  }

  private fin(s: Stream): void {
    if (s.fin) return;
    s.fin = true;
    this.send(dataFrame(s.id, FLAG_FIN));
  }

  private onData(id: number, flags: number, payload: Buffer): void {
    const s = this.streams.get(id);
    if (!s || s.kind !== 'data') return; // the error stream carries nothing from the client
    const socket = this.pairs.get(s.requestId)?.socket;
    if (!socket) return;
    if (payload.length) socket.write(payload);
    if (flags & FLAG_FIN) socket.end();
  }

  private onReset(id: number): void {
    const s = this.streams.get(id);
    if (!s) return;
    const pair = this.pairs.get(s.requestId);
    s.fin = true;
    if (pair?.socket) pair.socket.destroy();
    else if (pair) {
      // Reset before the pair was complete: forget it, and end its error stream.
      if (pair.error && pair.error !== s) this.fin(pair.error);
      this.pairs.delete(s.requestId);
      this.streams.delete(id);
    }
  }
}

function u32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v >>> 0);
  return b;
}
