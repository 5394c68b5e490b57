// The lean in-process exchange: a request handed to the API server's request listener as a small
// IncomingMessage-shaped Readable, its answer collected from a ServerResponse-shaped Writable — no
// socket, no HTTP/1.1 parser or writer, no chunked framing. The listener (authentication, APF,
// authorization, admission, validation, storage, watch) runs exactly as for a network request; only
// the bytes on the wire are skipped. Bodies stay bytes (JSON), so neither side ever shares an object.
import type * as http from 'node:http';
import { Readable, Writable } from 'node:stream';
import type { TransportRequest, TransportResponse } from './rest.ts';

type HeaderValue = string | number | string[];

/** What the server's handlers read of req.socket: the peer address and a way to drop the exchange. */
class LeanSocket {
  readonly remoteAddress = '127.0.0.1';
  readonly remotePort = 0;
  readonly remoteFamily = 'IPv4';
  readonly localAddress = '127.0.0.1';
  readonly localPort = 0;
  readonly encrypted = false;
  constructor(private readonly drop: () => void) {}
  end(): this {
    this.drop();
    return this;
  }
  destroy(): this {
    this.drop();
    return this;
  }
  setTimeout(): this {
    return this;
  }
  setNoDelay(): this {
    return this;
  }
  setKeepAlive(): this {
    return this;
  }
  on(): this {
    return this;
  }
  once(): this {
    return this;
  }
  off(): this {
    return this;
  }
  removeListener(): this {
    return this;
  }
}

/** The request as the listener sees it: method, url, lower-case headers, the body as a stream. */
class LeanRequest extends Readable {
  readonly method: string;
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly headersDistinct: Record<string, string[]>;
  readonly rawHeaders: string[] = [];
  readonly httpVersion = '1.1';
  readonly httpVersionMajor = 1;
  readonly httpVersionMinor = 1;
  complete = false;
  aborted = false;
  readonly socket: LeanSocket;
  readonly connection: LeanSocket;

  constructor(r: TransportRequest, socket: LeanSocket) {
    super();
    this.method = r.method.toUpperCase();
    this.url = r.path;
    const headers: http.IncomingHttpHeaders = { host: 'in-process' };
    const distinct: Record<string, string[]> = { host: ['in-process'] };
    for (const k in r.headers) {
      const name = k.toLowerCase();
      headers[name] = r.headers[k];
      distinct[name] = [r.headers[k]];
      this.rawHeaders.push(k, r.headers[k]);
    }
    if (r.body) {
      headers['content-length'] = String(r.body.length);
      distinct['content-length'] = [headers['content-length']];
    }
    this.headers = headers;
    this.headersDistinct = distinct;
    this.socket = this.connection = socket;
    if (r.body?.length) this.push(r.body);
    this.push(null);
    this.once('end', () => (this.complete = true));
  }

  override _read(): void {}
}

/** The answer's head and bytes, as the listener writes them, delivered to the exchange. */
interface Sink {
  head(res: LeanResponse, streaming: boolean): void;
  chunk(c: Buffer | string, done: () => void): void;
  end(): void;
  abort(): void;
}

/** The response as the listener writes it (ServerResponse's header API on a Writable). */
class LeanResponse extends Writable {
  statusCode = 200;
  statusMessage = '';
  headersSent = false;
  sendDate = false;
  shouldKeepAlive = false;
  chunkedEncoding = false;
  private fields: Record<string, HeaderValue> = {};

  constructor(
    readonly req: LeanRequest,
    private readonly sink: Sink,
  ) {
    super({ decodeStrings: false });
  }

  setHeader(name: string, value: HeaderValue): this {
    if (this.headersSent) throw Object.assign(new Error('Cannot set headers after they are sent to the client'), { code: 'ERR_HTTP_HEADERS_SENT' });
    this.fields[name.toLowerCase()] = value;
    return this;
  }

  appendHeader(name: string, value: HeaderValue): this {
    const k = name.toLowerCase();
    const old = this.fields[k];
    this.fields[k] = old === undefined ? value : ([] as string[]).concat(String(old), Array.isArray(value) ? value : String(value));
    return this;
  }

  getHeader(name: string): HeaderValue | undefined {
    return this.fields[name.toLowerCase()];
  }

  getHeaders(): Record<string, HeaderValue> {
    return { ...this.fields };
  }

  getHeaderNames(): string[] {
    return Object.keys(this.fields);
  }

  hasHeader(name: string): boolean {
    return name.toLowerCase() in this.fields;
  }

  removeHeader(name: string): void {
    delete this.fields[name.toLowerCase()];
  }

  writeHead(code: number, reason?: string | http.OutgoingHttpHeaders | HeaderValue[], headers?: http.OutgoingHttpHeaders | HeaderValue[]): this {
    if (this.headersSent) throw Object.assign(new Error('Cannot write headers after they are sent to the client'), { code: 'ERR_HTTP_HEADERS_SENT' });
    const h = typeof reason === 'string' ? headers : reason;
    if (typeof reason === 'string') this.statusMessage = reason;
    this.statusCode = code;
    if (Array.isArray(h)) {
      for (let i = 0; i + 1 < h.length; i += 2) this.fields[String(h[i]).toLowerCase()] = h[i + 1] as HeaderValue;
    } else if (h) {
      for (const k in h) if (h[k] !== undefined) this.fields[k.toLowerCase()] = h[k] as HeaderValue;
    }
    this.headersSent = true;
    this.sink.head(this, false);
    return this;
  }

  /** Sends the head now: the answer streams from here on (a watch, a log follow). */
  flushHeaders(): void {
    if (!this.headersSent) this.writeHead(this.statusCode);
    this.sink.head(this, true);
  }

  /** The head as a client reads it: lower-case names, string values. */
  incomingHeaders(): http.IncomingHttpHeaders {
    const out: http.IncomingHttpHeaders = {};
    for (const k in this.fields) {
      const v = this.fields[k];
      if (k === 'set-cookie') out[k] = Array.isArray(v) ? v.map(String) : [String(v)];
      else out[k] = Array.isArray(v) ? v.join(', ') : String(v);
    }
    return out;
  }

  /** end() was called: what it writes is the last chunk, so the answer can go out whole. */
  private ending = false;

  override end(chunk?: unknown, enc?: unknown, cb?: unknown): this {
    this.ending = true;
    return super.end(chunk as never, enc as never, cb as never);
  }

  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (!this.headersSent) this.writeHead(this.statusCode);
    // As over HTTP, the head leaves with the first write that is not the end: the answer streams.
    if (!this.ending) this.sink.head(this, true);
    // a HEAD answer has no body
    if (this.req.method === 'HEAD') return cb();
    this.sink.chunk(chunk, () => cb());
  }

  override _final(cb: (err?: Error | null) => void): void {
    if (!this.headersSent) this.writeHead(this.statusCode);
    this.sink.end();
    cb();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.sink.abort();
    cb(err);
  }
}

/** The client's view of the body while it streams; its consumer destroying it closes the exchange. */
class LeanBody extends Readable {
  private waiting: (() => void)[] = [];
  constructor(private readonly onDestroy: () => void) {
    super();
  }
  offer(c: Buffer | string, done: () => void): void {
    if (this.destroyed) return done();
    if (this.push(typeof c === 'string' ? Buffer.from(c) : c)) done();
    else this.waiting.push(done);
  }
  override _read(): void {
    const w = this.waiting;
    this.waiting = [];
    for (const done of w) done();
  }
  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.onDestroy();
    cb(err);
  }
}

const abortError = (reason: unknown) =>
  Object.assign(new Error('The operation was aborted', { cause: reason }), { name: 'AbortError', code: 'ABORT_ERR' });
const resetError = (message: string) => Object.assign(new Error(message), { code: 'ECONNRESET' });

/**
 * One request through `listener`. Answers that end resolve with the whole body in `data` (and a
 * stream over it); answers whose head is flushed early (watches, log follows) resolve then and
 * stream. `settled` is called once the exchange is over for the clock ('streaming' once the head
 * of a streaming answer arrives, as a watch is registered by then).
 */
export function leanExchange(listener: http.RequestListener, r: TransportRequest, settled: (how: 'done' | 'streaming') => void): Promise<TransportResponse> {
  return new Promise((resolve, reject) => {
    let state: 'waiting' | 'streaming' | 'over' = 'waiting';
    let body: LeanBody | undefined;
    const chunks: (Buffer | string)[] = [];
    let res: LeanResponse;
    const finish = () => {
      r.signal?.removeEventListener('abort', onAbort);
      settled('done');
    };
    const drop = () => {
      if (state === 'over') return;
      const was = state;
      state = 'over';
      if (!res.destroyed) res.destroy();
      if (was === 'waiting') reject(resetError('socket hang up'));
      else body!.destroy(resetError('aborted'));
      finish();
    };
    const onAbort = () => {
      if (state === 'over') return;
      const was = state;
      state = 'over';
      res.destroy();
      if (was === 'waiting') reject(abortError(r.signal?.reason));
      else body!.destroy(abortError(r.signal?.reason));
      finish();
    };
    const sink: Sink = {
      head(rs, streaming) {
        if (!streaming || state !== 'waiting') return;
        state = 'streaming';
        body = new LeanBody(() => {
          if (state === 'over') return;
          state = 'over';
          if (!rs.destroyed) rs.destroy();
          finish();
        });
        for (const c of chunks.splice(0)) body.offer(c, () => {});
        settled('streaming');
        resolve({ status: rs.statusCode, headers: rs.incomingHeaders(), body });
      },
      chunk(c, done) {
        if (state === 'waiting') {
          chunks.push(c);
          done();
        } else if (state === 'streaming') body!.offer(c, done);
        else done();
      },
      end() {
        if (state === 'streaming') {
          state = 'over';
          body!.push(null);
          finish();
          return;
        }
        if (state !== 'waiting') return;
        state = 'over';
        const data = chunks.length === 0 ? '' : chunks.length === 1 ? chunks[0] : Buffer.concat(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c) : c)));
        finish();
        resolve(wholeAnswer(res.statusCode, res.incomingHeaders(), data));
      },
      abort: () => drop(),
    };
    if (r.signal?.aborted) return reject(abortError(r.signal.reason));
    r.signal?.addEventListener('abort', onAbort, { once: true });
    const req = new LeanRequest(r, new LeanSocket(() => drop()));
    res = new LeanResponse(req, sink);
    try {
      listener(req as unknown as http.IncomingMessage, res as unknown as http.ServerResponse);
    } catch (e) {
      drop();
      throw e;
    }
  });
}

/** An answer read whole: `data` for readers that take it at once, `body` (made on demand) for the rest. */
function wholeAnswer(status: number, headers: http.IncomingHttpHeaders, data: Buffer | string): TransportResponse {
  let body: Readable | undefined;
  return {
    status,
    headers,
    data,
    get body() {
      return (body ??= Readable.from(data.length ? [typeof data === 'string' ? Buffer.from(data) : data] : []));
    },
  };
}
