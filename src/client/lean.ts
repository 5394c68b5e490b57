// The lean in-process exchange: a request handed to the API server's request listener as a small
// IncomingMessage-shaped Readable, its answer collected from a ServerResponse-shaped Writable — no
// socket, no HTTP/1.1 parser or writer, no chunked framing. The listener (authentication, APF,
// authorization, admission, validation, storage, watch) runs exactly as for a network request; only
// the bytes on the wire are skipped. A JSON body may travel as a value instead of text, both ways:
// the request's as the client's copy (TransportRequest.json, takeJson), the answer's as a copy made
// when the server sends it (endJsonValue); neither side ever shares an object it could change with
// the other (a read-only request, TransportRequest.readonly, gets the store's deep-frozen objects
// themselves), and the text is made only where something reads it.
import type * as http from 'node:http';
import { Readable, Writable } from 'node:stream';
import { jsonCopy, jsonCopyFrozen, type JsonCopy } from '../api/core/jsoncopy.ts';
import type { TransportRequest, TransportResponse } from './rest.ts';
import { tokenText, WATCH_OBJECTS, type WatchObjectSink } from '../api/watchobjects.ts';

type HeaderValue = string | number | string[];

/** What the server's handlers read of req.socket: the peer address and a way to drop the exchange. */
class LeanSocket {
  readonly remoteAddress = '127.0.0.1';
  readonly remotePort = 0;
  readonly remoteFamily = 'IPv4';
  readonly localAddress = '127.0.0.1';
  readonly localPort = 0;
  readonly encrypted = false;
  constructor(private readonly exchange: { drop(): void }) {}
  end(): this {
    this.exchange.drop();
    return this;
  }
  destroy(): this {
    this.exchange.drop();
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
  readonly httpVersion = '1.1';
  readonly httpVersionMajor = 1;
  readonly httpVersionMinor = 1;
  aborted = false;
  readonly socket: LeanSocket;
  readonly connection: LeanSocket;
  private distinct: Record<string, string[]> | undefined;
  /** The body is pushed on the first read, unless a reader took it whole first (takeBody). */
  private pending = true;

  private readonly shape: HeaderShape;

  constructor(
    private readonly r: TransportRequest,
    socket: LeanSocket,
  ) {
    super();
    this.method = r.method.toUpperCase();
    this.url = r.path;
    this.shape = headerShape(r.headers);
    // a copy per request: the listener may change its request's headers
    const headers: http.IncomingHttpHeaders = { ...this.shape.lower };
    // a body sent as a value has no length until something makes its text (takeBody)
    if (r.body) headers['content-length'] = String(r.body.length);
    this.headers = headers;
    this.socket = this.connection = socket;
  }

  /** The caller will not change the answer (TransportRequest.readonly): it may share the server's frozen values. */
  get readonlyAnswer(): boolean {
    return this.r.readonly === true;
  }

  /** The whole message was read ('end'), or taken whole. */
  get complete(): boolean {
    return !this.pending || this.readableEnded;
  }

  /**
   * The whole body at once, for a reader that would collect every chunk anyway (the API server's
   * readBody): no 'data'/'end' turns, no end-of-stream destroy. The stream then reads as empty.
   * Undefined once the stream has started.
   */
  takeBody(): Buffer | undefined {
    if (!this.pending) return undefined;
    this.pending = false;
    return this.bytes();
  }

  /**
   * The body sent as a value (TransportRequest.json), for a reader that decodes it (the API server's
   * readDecodable): the exchange never changes the value. Undefined when the body
   * is bytes (takeBody then) or the stream has started.
   */
  takeJson(): JsonCopy | undefined {
    if (!this.pending || !this.r.json) return undefined;
    this.pending = false;
    return this.r.json;
  }

  private bytes(): Buffer {
    const r = this.r;
    if (r.json) return Buffer.from(JSON.stringify(r.json.value));
    return r.body ?? EMPTY;
  }

  get headersDistinct(): Record<string, string[]> {
    if (!this.distinct) {
      const d: Record<string, string[]> = {};
      for (const k in this.headers) d[k] = [this.headers[k] as string];
      this.distinct = d;
    }
    return this.distinct;
  }

  /** Shared by the requests with the same headers, frozen (nothing in the server changes it). */
  get rawHeaders(): string[] {
    return this.shape.raw as string[];
  }

  override _read(): void {
    if (!this.pending) return void this.push(null);
    this.pending = false;
    const b = this.bytes();
    if (b.length) this.push(b);
    this.push(null);
  }
}

const EMPTY = Buffer.alloc(0);

/** A request's headers as the listener reads them: lower-case names (with host), and rawHeaders' pairs. */
interface HeaderShape {
  readonly lower: http.IncomingHttpHeaders;
  readonly raw: readonly string[];
}

/** The shapes of the frozen header objects clients send request after request (src/client/rest.ts headersFor). */
const shapes = new WeakMap<Record<string, string>, HeaderShape>();

function headerShape(h: Record<string, string>): HeaderShape {
  let shape = shapes.get(h);
  if (shape) return shape;
  const lower: http.IncomingHttpHeaders = { host: 'in-process' };
  const raw: string[] = [];
  for (const k in h) {
    lower[k.toLowerCase()] = h[k];
    raw.push(k, h[k]);
  }
  shape = { lower, raw: Object.freeze(raw) };
  // only a frozen object is known not to change between requests
  if (Object.isFrozen(h)) shapes.set(h, shape);
  return shape;
}

/** Lower-case header names, for the names responses set again and again (a bounded cache). */
const lowerNames = new Map<string, string>();
function lowerName(name: string): string {
  let l = lowerNames.get(name);
  if (l === undefined) {
    l = name.toLowerCase();
    if (lowerNames.size < 256) lowerNames.set(name, l);
  }
  return l;
}

/** The answer's head and bytes, as the listener writes them, delivered to the exchange. */
interface Sink {
  head(res: LeanResponse, streaming: boolean): void;
  chunk(c: Buffer | string, done: () => void): void;
  end(): void;
  abort(): void;
  /** The watch object channel (vwatch): the body's reader takes event objects. */
  objects(): boolean;
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
    if (this.headersSent) throw headersSentError('set');
    this.fields[lowerName(name)] = value;
    return this;
  }

  appendHeader(name: string, value: HeaderValue): this {
    if (this.headersSent) throw headersSentError('append');
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
    if (this.headersSent) throw headersSentError('remove');
    delete this.fields[name.toLowerCase()];
  }

  writeHead(code: number, reason?: string | http.OutgoingHttpHeaders | HeaderValue[], headers?: http.OutgoingHttpHeaders | HeaderValue[]): this {
    if (this.headersSent) throw headersSentError('write');
    const h = typeof reason === 'string' ? headers : reason;
    if (typeof reason === 'string') this.statusMessage = reason;
    this.statusCode = code;
    if (Array.isArray(h)) {
      for (let i = 0; i + 1 < h.length; i += 2) this.fields[lowerName(String(h[i]))] = h[i + 1] as HeaderValue;
    } else if (h) {
      for (const k in h) if (h[k] !== undefined) this.fields[lowerName(k)] = h[k] as HeaderValue;
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

  /** Watch object channel (vwatch, see api/watchobjects.ts): the server may write event tokens. */
  get [WATCH_OBJECTS](): boolean {
    return this.sink.objects();
  }

  /** end() was called: what it writes is the last chunk, so the answer can go out whole. */
  private ending = false;
  /** The answer's JSON body as a value, the client's copy (endJsonValue), and its text when the server had it. */
  answerValue: unknown;
  answerText: string | undefined;

  /**
   * Ends the answer with its JSON body as a value (the API server's sendJson): a copy made now
   * (jsonCopy: what JSON.parse of its text would give) is what the client gets; no text is made.
   * `stored`: the value's frozen parts are the store's deep-frozen JSON values (a JsonAnswer); a
   * read-only request (RequestOptions.readonly: the caller promises not to change its answer) then
   * gets them as they are, only the rest copied and frozen (jsonCopyFrozen).
   * False, for a text answer instead, when something hooked this response's writes (an audit
   * capturing the body, a timeout's seal), when the head is out already, or for a HEAD.
   */
  endJsonValue(code: number, headers: Record<string, string>, value: object, text?: string, stored?: boolean): boolean {
    if (this.headersSent || this.req.method === 'HEAD' || this.end !== LeanResponse.prototype.end || this.write !== Writable.prototype.write || this.writeHead !== LeanResponse.prototype.writeHead) return false;
    this.answerValue = stored && this.req.readonlyAnswer ? jsonCopyFrozen(value) : jsonCopy(value).value;
    this.answerText = text;
    this.writeHead(code, headers);
    this.end();
    return true;
  }

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
    this.sink.chunk(chunk, cb as () => void);
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
  constructor(private readonly exchange: { bodyDestroyed(): void }) {
    super();
  }
  offer(c: Buffer | string, done: () => void): void {
    if (this.destroyed) return done();
    if (this.channel) return this.channel.put(c), done();
    c = tokenText(c);
    if (this.push(typeof c === 'string' ? Buffer.from(c) : c)) done();
    else this.waiting.push(done);
  }

  // --- watch object channel (vwatch, see api/watchobjects.ts) ---
  /** The reader that claimed the chunks (event tokens included) instead of reading bytes. */
  channel: WatchObjectSink | undefined;
  private pushedEnd = false;
  /** Claims the chunks from here on; what was buffered as bytes before goes first. */
  [WATCH_OBJECTS](sink: WatchObjectSink): void {
    for (let b: Buffer | null; (b = this.read() as Buffer | null) !== null; ) sink.put(b);
    this.channel = sink;
    if (this.pushedEnd) sink.end();
  }
  override push(chunk: unknown, encoding?: BufferEncoding): boolean {
    if (chunk === null) {
      this.pushedEnd = true;
      this.channel?.end();
    }
    return super.push(chunk, encoding);
  }
  // --- end of the watch object channel ---
  override _read(): void {
    const w = this.waiting;
    this.waiting = [];
    for (const done of w) done();
  }
  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.exchange.bodyDestroyed();
    cb(err);
  }
}

const headersSentError = (what: string) =>
  Object.assign(new Error(`Cannot ${what} headers after they are sent to the client`), { code: 'ERR_HTTP_HEADERS_SENT' });
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
    if (r.signal?.aborted) {
      // over before it started: nothing holds the clock for it
      settled('done');
      return reject(abortError(r.signal.reason));
    }
    const x = new Exchange(r, settled, resolve, reject);
    if (r.signal) follow(r.signal, x);
    const req = new LeanRequest(r, new LeanSocket(x));
    x.res = new LeanResponse(req, x);
    try {
      listener(req as unknown as http.IncomingMessage, x.res as unknown as http.ServerResponse);
    } catch (e) {
      x.drop();
      throw e;
    }
  });
}

/**
 * The exchanges in flight per signal, with one abort listener per signal however many requests
 * share it (the client's shared timeout windows, src/client/rest.ts): a Set entry per request
 * instead of an EventTarget listener added and removed.
 */
const following = new WeakMap<AbortSignal, Set<Exchange>>();

function follow(signal: AbortSignal, x: Exchange): void {
  let set = following.get(signal);
  if (!set) {
    const all = (set = new Set());
    following.set(signal, all);
    signal.addEventListener(
      'abort',
      () => {
        following.delete(signal);
        for (const one of all) one.handleEvent();
      },
      { once: true },
    );
  }
  set.add(x);
}

function unfollow(signal: AbortSignal, x: Exchange): void {
  following.get(signal)?.delete(x);
}

/**
 * The state of one exchange: the response's sink, the abort listener (handleEvent) and the socket's
 * drop — one object with methods rather than a closure each, as every request makes one.
 */
class Exchange implements Sink {
  state: 'waiting' | 'streaming' | 'over' = 'waiting';
  body: LeanBody | undefined;
  readonly chunks: (Buffer | string)[] = [];
  res!: LeanResponse;

  constructor(
    readonly r: TransportRequest,
    readonly settled: (how: 'done' | 'streaming') => void,
    readonly resolve: (res: TransportResponse) => void,
    readonly reject: (err: unknown) => void,
  ) {}

  private finish(): void {
    if (this.r.signal) unfollow(this.r.signal, this);
    this.settled('done');
  }

  /** The socket was ended or destroyed, or the response destroyed: the exchange is cut. */
  drop(): void {
    if (this.state === 'over') return;
    const was = this.state;
    this.state = 'over';
    if (!this.res.destroyed) this.res.destroy();
    if (was === 'waiting') this.reject(resetError('socket hang up'));
    else this.body!.destroy(resetError('aborted'));
    this.finish();
  }

  /** The request's signal aborted. */
  handleEvent(): void {
    if (this.state === 'over') return;
    const was = this.state;
    this.state = 'over';
    this.res.destroy();
    if (was === 'waiting') this.reject(abortError(this.r.signal?.reason));
    else this.body!.destroy(abortError(this.r.signal?.reason));
    this.finish();
  }

  /** The client destroyed the streaming body. */
  bodyDestroyed(): void {
    if (this.state === 'over') return;
    this.state = 'over';
    if (!this.res.destroyed) this.res.destroy();
    this.finish();
  }

  head(rs: LeanResponse, streaming: boolean): void {
    if (!streaming || this.state !== 'waiting') return;
    this.state = 'streaming';
    const body = (this.body = new LeanBody(this));
    for (const c of this.chunks.splice(0)) body.offer(c, noop);
    this.settled('streaming');
    this.resolve({ status: rs.statusCode, headers: rs.incomingHeaders(), body });
  }

  chunk(c: Buffer | string, done: () => void): void {
    if (this.state === 'waiting') {
      this.chunks.push(c);
      done();
    } else if (this.state === 'streaming') this.body!.offer(c, done);
    else done();
  }

  end(): void {
    if (this.state === 'streaming') {
      this.state = 'over';
      this.body!.push(null);
      this.finish();
      return;
    }
    if (this.state !== 'waiting') return;
    this.state = 'over';
    const chunks = this.chunks;
    const data = chunks.length === 0 ? undefined : chunks.length === 1 ? chunks[0] : Buffer.concat(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c) : c)));
    this.finish();
    this.resolve(new WholeAnswer(this.res, data));
  }

  abort(): void {
    this.drop();
  }

  objects(): boolean {
    return this.body?.channel !== undefined;
  }
}

const noop = () => {};

/**
 * An answer read whole: `data` for readers that take it at once, `body` (made on demand) for the
 * rest; with a value (endJsonValue) data is its text, made when read. The head is read from the
 * response (it cannot change once sent) when asked for.
 */
class WholeAnswer implements TransportResponse {
  readonly status: number;
  readonly value: unknown;
  private stream: Readable | undefined;
  private head: http.IncomingHttpHeaders | undefined;
  constructor(
    private readonly res: LeanResponse,
    private text: Buffer | string | undefined,
  ) {
    this.status = res.statusCode;
    this.value = res.answerValue;
    if (this.value !== undefined) this.text = res.answerText;
  }
  get data(): Buffer | string {
    return (this.text ??= this.value === undefined ? '' : JSON.stringify(this.value));
  }
  get headers(): http.IncomingHttpHeaders {
    if (!this.head) {
      const h = this.res.incomingHeaders();
      // a value answer has its length once its text is made, as over HTTP
      if (this.value !== undefined && h['content-length'] === undefined) h['content-length'] = String(Buffer.byteLength(this.data));
      this.head = h;
    }
    return this.head;
  }
  get body(): Readable {
    const data = this.data;
    return (this.stream ??= Readable.from(data.length ? [typeof data === 'string' ? Buffer.from(data) : data] : []));
  }
}
