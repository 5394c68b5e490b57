// The REST client: one Client per cluster (keep-alive agent, token bucket, auth), and a
// ResourceClient per resource type speaking the Kubernetes wire protocol (JSON bodies, chunked
// JSON-lines watch, Status errors).
import type { ResourceRef } from '../api/core/refs.ts';
import type * as http from 'node:http';
import { hostname } from 'node:os';
import type { Readable } from 'node:stream';
import { setMaxListeners } from 'node:events';
import { StatusError, type StatusReason } from '../api/errors.ts';
import type { ResourceType } from '../api/resource.ts';
import type { KubeList, KubeObject, Status, WatchEvent } from '../api/types.ts';
import { apiVersionOf } from '../api/types.ts';
import { loadKubeconfig } from './kubeconfig.ts';
import { realClock, type Clock } from '../clock/index.ts';
import { TokenBucket } from './ratelimit.ts';
import { JsonLinesWatch, type WatchStream } from './watchstream.ts';
import { httpTransport, readAll } from './httptransport.ts';
import { jsonCopy, type JsonCopy } from '../api/core/jsoncopy.ts';

export type { WatchStream };

// ---------------------------------------------------------------------------------------------
// Transport: how a request reaches the server. The default is node:http(s) with keep-alive;
// an in-process transport (e.g. calling the API server's handler directly) can be plugged in.

export interface TransportRequest {
  method: string;
  /** Path and query, e.g. `/api/v1/namespaces/default/pods?limit=500`. */
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  /**
   * A JSON body as a value instead of bytes, for a transport that takes values (Transport.values):
   * the transport's own copy of what the caller gave (jsonCopy: what JSON.parse of its JSON would
   * give), which nothing changes afterwards. Its Content-Type is application/json.
   */
  json?: JsonCopy;
  signal?: AbortSignal;
  /**
   * The caller will not change the answer (RequestOptions.readonly): a transport that answers with
   * values may hand over the server's own deep-frozen ones instead of a copy. Others ignore it.
   */
  readonly?: boolean;
}

export interface TransportResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** The body as a stream (watches and logs are read incrementally). */
  body: Readable;
  /** The whole body, when the transport has it at once (the in-process transport): read instead of body. */
  data?: Buffer | string;
  /**
   * A JSON answer as a value that is the caller's own (a copy: what JSON.parse of the server's JSON
   * gives), from a transport that takes values; data is then its JSON text, made when read. For a
   * read-only request it may instead be deep-frozen and shared (the same members in the same order).
   */
  value?: unknown;
}

export type Transport = ((req: TransportRequest) => Promise<TransportResponse>) & {
  /** The transport takes JSON bodies as values (TransportRequest.json) and may answer with one (TransportResponse.value): the same process, no bytes. */
  readonly values?: boolean;
};

export interface ClientOptions {
  /** Base URL, e.g. `http://127.0.0.1:6443` (a path prefix is kept). */
  server: string;
  /** Bearer token. */
  token?: string;
  /** Basic auth (kubeconfig username/password). */
  username?: string;
  password?: string;
  /** CA bundle for https (PEM). */
  ca?: string | Buffer;
  /** Client certificate and key (PEM). */
  cert?: string | Buffer;
  key?: string | Buffer;
  insecureSkipTLSVerify?: boolean;
  /** Client-side rate limit (token bucket). Defaults 50 qps / burst 100; qps 0 or Infinity = off. */
  qps?: number;
  burst?: number;
  userAgent?: string;
  /** Per-request timeout for non-watch requests, ms (default 60 s; 0 = none). */
  timeoutMs?: number;
  /** Default namespace for namespaced calls without one (kubeconfig context namespace, else "default"). */
  namespace?: string;
  /** Replace the HTTP transport (tests, in-process wiring). */
  transport?: Transport;
  /** Max sockets of the keep-alive agent (default 100). */
  maxSockets?: number;
  /** 429 and 5xx answers with a Retry-After header are sent again this many times (default 5), each after it. */
  maxRetries?: number;
  /** The longest Retry-After honoured, seconds (default 10; a larger one waits this long). */
  maxRetryAfterSeconds?: number;
  /**
   * The clock of everything built on this client: its rate limiter and 429 retries, and the
   * informers, leader electors and workqueues of the components using it (default real time).
   */
  clock?: Clock;
}

export const DEFAULT_QPS = 50;
export const DEFAULT_MAX_RETRIES = 5;
export const DEFAULT_MAX_RETRY_AFTER_SECONDS = 10;

/**
 * The wait before sending again a request answered 429 or 5xx, ms: its Retry-After seconds (an
 * integer, as client-go's checkWait reads it; negative = at once), capped; undefined when the header
 * is absent or unreadable — the answer is then the caller's, not retried.
 */
export function retryAfterMs(header: string | string[] | undefined, capSeconds = DEFAULT_MAX_RETRY_AFTER_SECONDS): number | undefined {
  const raw = (Array.isArray(header) ? header[0] : header)?.trim();
  if (raw === undefined || !/^[+-]?\d+$/.test(raw)) return undefined;
  return Math.min(Math.max(0, Number(raw)), Math.max(0, capSeconds)) * 1000;
}
export const DEFAULT_BURST = 100;

/** Addresses a resource without a registry entry. */

export type { ResourceRef };

export interface RequestOptions {
  method?: string;
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  /** JSON-serialised unless a Buffer/string. */
  body?: unknown;
  contentType?: string;
  accept?: string;
  signal?: AbortSignal;
  /** Skip the client-side rate limiter (used for nothing by default; for health probes). */
  noRateLimit?: boolean;
  timeoutMs?: number;
  /**
   * The caller will not change the answer (nor anything in it). In process (inProcessTransport) the
   * answer may then be the API server's own deep-frozen value, with no copy made: equal to what
   * JSON.parse of the JSON text gives, but frozen, so a change throws a TypeError. Over HTTP it
   * changes nothing (the answer is parsed, the caller's own). Without it, every answer is a copy the
   * caller may change.
   */
  readonly?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Options of the verbs (query parameters of the wire protocol).

export interface NamespaceOption {
  /** Namespace for namespaced resources; omitted = the object's namespace / the client default (get, create...) or all namespaces (list, watch). */
  namespace?: string;
}

export interface ReadonlyOption {
  /** The caller will not change the answer: in process it may be the server's deep-frozen value, not a copy (RequestOptions.readonly). */
  readonly?: boolean;
}

export interface GetOptions extends NamespaceOption, ReadonlyOption {
  resourceVersion?: string;
  signal?: AbortSignal;
}

export interface ListOptions extends NamespaceOption, ReadonlyOption {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: 'Exact' | 'NotOlderThan';
  timeoutSeconds?: number;
  signal?: AbortSignal;
}

export interface WatchOptions extends NamespaceOption {
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  allowWatchBookmarks?: boolean;
  timeoutSeconds?: number;
  sendInitialEvents?: boolean;
  resourceVersionMatch?: 'NotOlderThan';
  signal?: AbortSignal;
}

export interface WriteOptions extends NamespaceOption, ReadonlyOption {
  dryRun?: 'All';
  fieldManager?: string;
  fieldValidation?: 'Ignore' | 'Warn' | 'Strict';
  signal?: AbortSignal;
}

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

export interface PatchOptions extends WriteOptions {
  /** Default 'merge'. */
  type?: PatchType;
  /** Server-side apply: take ownership of conflicting fields. */
  force?: boolean;
}

export interface DeleteOptions extends NamespaceOption, ReadonlyOption {
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: 'All';
  signal?: AbortSignal;
}

export interface LogOptions extends NamespaceOption {
  container?: string;
  follow?: boolean;
  tailLines?: number;
  timestamps?: boolean;
  previous?: boolean;
  sinceSeconds?: number;
  limitBytes?: number;
  signal?: AbortSignal;
}

export const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  json: 'application/json-patch+json',
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

const REASONS: Record<number, StatusReason> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Expired',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

/** Builds a StatusError from an error response body (a Status, or anything else). */
export function errorFromResponse(code: number, text: string): StatusError {
  try {
    const s = JSON.parse(text) as Partial<Status>;
    if (s && s.kind === 'Status') return StatusError.fromStatus(s, code);
  } catch {
    /* not JSON */
  }
  const reason = REASONS[code] ?? (code >= 500 ? 'InternalError' : 'BadRequest');
  return new StatusError(code, reason, text.trim() || `the server responded with status ${code}`);
}

function queryString(q: Record<string, string | number | boolean | undefined> | undefined): string {
  if (!q) return '';
  // most calls set none of their parameters (writes without dryRun/fieldManager): no encoder then
  let p: URLSearchParams | undefined;
  for (const k of Object.keys(q)) {
    const v = q[k];
    if (v !== undefined && v !== '') (p ??= new URLSearchParams()).set(k, String(v));
  }
  const s = p ? p.toString() : '';
  return s ? `?${s}` : '';
}

/** A connection to one API server. Cheap to share: every component in a process may use one. */
export class Client {
  readonly server: string;
  /** Namespace used by namespaced calls that name no namespace and have no object namespace. */
  readonly defaultNamespace: string;
  readonly limiter: TokenBucket;
  private readonly transport: Transport;
  private readonly destroyTransport: () => void;
  private readonly headers: Record<string, string>;
  private readonly headerSets = new Map<string, Record<string, string>>();
  private plainHeaders: Record<string, string> | undefined;
  private jsonHeaders: Record<string, string> | undefined;
  private readonly timeoutMs: number;

  readonly clock: Clock;

  constructor(readonly options: ClientOptions) {
    this.clock = options.clock ?? realClock;
    this.server = options.server.replace(/\/+$/, '');
    this.defaultNamespace = options.namespace ?? 'default';
    const qps = options.qps ?? DEFAULT_QPS;
    this.limiter = new TokenBucket(qps, options.burst ?? (qps > 0 && qps !== Infinity ? Math.max(DEFAULT_BURST, qps) : DEFAULT_BURST), this.clock);
    if (options.transport) {
      this.transport = options.transport;
      this.destroyTransport = () => {};
    } else {
      const t = httpTransport(options);
      this.transport = t.transport;
      this.destroyTransport = t.destroy;
    }
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.headers = { 'User-Agent': options.userAgent ?? `kubesim-client/0.1 (${process.platform}; node ${process.version}) ${hostname()}` };
    if (options.token) this.headers.Authorization = `Bearer ${options.token}`;
    else if (options.username !== undefined)
      this.headers.Authorization = `Basic ${Buffer.from(`${options.username}:${options.password ?? ''}`).toString('base64')}`;
  }

  /** A client from a kubeconfig file (default $KUBECONFIG or ~/.kube/config), its current context or `context`. */
  static fromKubeconfig(path?: string, opts: Partial<ClientOptions> & { context?: string } = {}): Client {
    const kc = loadKubeconfig(path, opts.context);
    const { context: _c, ...rest } = opts;
    return new Client({
      server: kc.server,
      token: kc.token,
      username: kc.username,
      password: kc.password,
      ca: kc.ca,
      cert: kc.cert,
      key: kc.key,
      insecureSkipTLSVerify: kc.insecureSkipTLSVerify,
      namespace: kc.namespace,
      ...rest,
    });
  }

  /** A typed client for one resource: a registry entry or a {group, version, plural, namespaced} ref. */
  resource<T extends KubeObject = KubeObject>(rt: ResourceType | ResourceRef): ResourceClient<T> {
    return new ResourceClient<T>(this, rt);
  }

  /** Low level: one request; resolves with the raw response (status any). The caller consumes the body. */
  raw(o: RequestOptions): Promise<TransportResponse> {
    return this.send(o, o.signal);
  }

  /**
   * raw() with the request's signal given apart (no copy of the options per request). Sent at once
   * when the rate limiter has a token (no turn of its own), else once it has waited for one.
   */
  private send(o: RequestOptions, signal: AbortSignal | undefined): Promise<TransportResponse> {
    const delay = o.noRateLimit ? 0 : this.limiter.reserve();
    if (delay > 0) return this.clock.sleep(delay, signal).then(() => this.transport(this.transportRequest(o, signal)));
    try {
      return this.transport(this.transportRequest(o, signal));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  private transportRequest(o: RequestOptions, signal: AbortSignal | undefined): TransportRequest {
    const req: TransportRequest = { method: o.method ?? 'GET', path: o.path + queryString(o.query), headers: this.headersFor(o), signal };
    if (o.readonly) req.readonly = true;
    const b = o.body;
    if (b !== undefined) {
      if (this.transport.values && o.contentType === undefined && typeof b === 'object' && b !== null && !Buffer.isBuffer(b)) {
        // in-process: the body travels as a copy of the value (the server's own), no text either way
        req.json = jsonCopy(b);
      } else req.body = Buffer.isBuffer(b) ? b : Buffer.from(typeof b === 'string' ? b : JSON.stringify(b));
    }
    return req;
  }

  /**
   * The request headers: the client's, Accept and (with a body) Content-Type. One frozen object per
   * combination, shared by the requests (transports copy what they send, never change it).
   */
  private headersFor(o: RequestOptions): Record<string, string> {
    const accept = o.accept ?? 'application/json';
    const contentType = o.body === undefined ? undefined : (o.contentType ?? 'application/json');
    if (accept === 'application/json' && (contentType === undefined || contentType === accept)) {
      return contentType === undefined ? (this.plainHeaders ??= this.makeHeaders(accept, undefined)) : (this.jsonHeaders ??= this.makeHeaders(accept, contentType));
    }
    const key = contentType === undefined ? accept : `${accept}\n${contentType}`;
    let h = this.headerSets.get(key);
    if (!h) this.headerSets.set(key, (h = this.makeHeaders(accept, contentType)));
    return h;
  }

  private makeHeaders(accept: string, contentType: string | undefined): Record<string, string> {
    const h: Record<string, string> = { ...this.headers, Accept: accept };
    if (contentType !== undefined) h['Content-Type'] = contentType;
    return Object.freeze(h);
  }

  /** One request whose 2xx answer is read whole; errors become StatusError. Retries 429/5xx with Retry-After a few times. */
  requestBuffer(o: RequestOptions): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
    return this.answer(o, true) as Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>;
  }

  /** One request answered with JSON. */
  request<R = unknown>(o: RequestOptions): Promise<R> {
    return this.answer(o, false) as Promise<R>;
  }

  /**
   * The 2xx answer of one request, read whole: as bytes (asBuffer), else as JSON parsed from its
   * bytes or the text an in-process transport hands over, or the value it answered with (already
   * the caller's own, or deep-frozen for a read-only request). One async function for both, so a request takes no turns of its own.
   */
  private async answer(o: RequestOptions, asBuffer: boolean): Promise<unknown> {
    for (let attempt = 0; ; attempt++) {
      const timeoutMs = o.timeoutMs ?? this.timeoutMs;
      const link = linkSignal(o.signal, timeoutMs);
      let res: TransportResponse;
      let data: Buffer | string | undefined;
      try {
        res = await this.send(o, link.signal);
        if (res.value === undefined || asBuffer) data = res.data ?? (await readAll(res));
      } finally {
        link.dispose();
      }
      if (res.status >= 200 && res.status < 300) {
        if (asBuffer) return { status: res.status, headers: res.headers, body: typeof data === 'string' ? Buffer.from(data) : data! };
        if (data === undefined) return res.value;
        return data.length ? JSON.parse(typeof data === 'string' ? data : data.toString('utf8')) : undefined;
      }
      const wait = this.retryWait(res, attempt);
      if (wait !== undefined) {
        await this.clock.sleep(wait, o.signal);
        continue;
      }
      const text = data ?? res.data!;
      throw errorFromResponse(res.status, typeof text === 'string' ? text : text.toString('utf8'));
    }
  }

  /**
   * raw() for streams (watch, followed logs): an answer retryWait() retries is read, waited out and
   * the request sent again, as for every other request; any other answer is the caller's.
   */
  async rawRetrying(o: RequestOptions): Promise<TransportResponse> {
    for (let attempt = 0; ; attempt++) {
      const res = await this.raw(o);
      const wait = res.status < 300 ? undefined : this.retryWait(res, attempt);
      if (wait === undefined) return res;
      if (!res.data) await readAll(res);
      await this.clock.sleep(wait, o.signal);
    }
  }

  /**
   * How long to wait before sending the request again (on this client's clock), or undefined: only a
   * 429 or 5xx answer with a Retry-After header, within maxRetries (client-go's checkWait).
   */
  private retryWait(res: TransportResponse, attempt: number): number | undefined {
    if ((res.status !== 429 && res.status < 500) || attempt >= (this.options.maxRetries ?? DEFAULT_MAX_RETRIES)) return undefined;
    return retryAfterMs(res.headers['retry-after'], this.options.maxRetryAfterSeconds);
  }

  /** Closes idle keep-alive sockets. */
  close(): void {
    this.destroyTransport();
  }

  /**
   * The same server and credentials with connections and a rate limit of its own, as client-go's
   * components build a separate clientset for leader election: Lease renewals never queue behind
   * the component's own requests (a renewal stuck behind 100 slow creates loses the lease).
   */
  forLeaderElection(): Client {
    const ua = this.headers['User-Agent'];
    return new Client({ ...this.options, userAgent: `${ua}/leader-election` });
  }
}

/**
 * A signal that aborts with the parent or after timeoutMs; dispose() detaches it from the parent
 * (long-lived parents, like an informer's, would otherwise collect one listener per request).
 * Without a parent, requests started within the same TIMEOUT_WINDOW_MS (at most
 * TIMEOUT_WINDOW_REQUESTS of them) share one timeout signal (an AbortController and a timer are a
 * good part of a small in-process request's CPU): it aborts TIMEOUT_WINDOW_MS after the last of
 * them reached timeoutMs, unless all have finished by then.
 */
export function linkSignal(parent: AbortSignal | undefined, timeoutMs = 0): { signal: AbortSignal | undefined; dispose(): void } {
  if (!parent) return timeoutMs > 0 ? sharedTimeout(timeoutMs) : NO_LINK;
  const c = new AbortController();
  const onAbort = () => c.abort(parent.reason);
  if (parent.aborted) c.abort(parent.reason);
  else parent.addEventListener('abort', onAbort, { once: true });
  const timer = timeoutMs > 0 ? setTimeout(() => c.abort(new Error(`request timed out after ${timeoutMs} ms`)), timeoutMs) : undefined;
  return {
    signal: c.signal,
    dispose() {
      if (timer) clearTimeout(timer);
      parent.removeEventListener('abort', onAbort);
    },
  };
}

const NO_LINK = { signal: undefined, dispose() {} };

/** How long a shared timeout window takes in requests (so a request times out at most this much late), and how many at most. */
export const TIMEOUT_WINDOW_MS = 100;
const TIMEOUT_WINDOW_REQUESTS = 16;

/**
 * The timeout shared by the requests of one window: aborts once the window's last deadline passed,
 * if any of them is still in flight. Its timer holds the process open only while one is.
 */
class TimeoutWindow {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  /** Requests of the window in flight, and all it had. */
  private refs = 0;
  private joined = 0;
  readonly closesAt: number;

  constructor(
    private readonly timeoutMs: number,
    now: number,
  ) {
    this.closesAt = now + TIMEOUT_WINDOW_MS;
    // many requests listen to one signal: no MaxListenersExceededWarning for it
    setMaxListeners(0, this.controller.signal);
    this.timer = setTimeout(() => this.expire(), timeoutMs + TIMEOUT_WINDOW_MS);
    this.timer.unref();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  join(): this {
    if (this.refs++ === 0) this.timer.ref();
    // An AbortSignal's listeners are a list (each add looks for a duplicate): a window closes
    // early rather than collecting many.
    if (++this.joined >= TIMEOUT_WINDOW_REQUESTS) this.close();
    return this;
  }

  /** One request of the window ended (requests one after another reuse the window: no new signal each). */
  dispose(): void {
    if (--this.refs === 0) this.timer.unref();
  }

  private close(): void {
    if (openWindows.get(this.timeoutMs) === this) openWindows.delete(this.timeoutMs);
  }

  private expire(): void {
    this.close();
    if (this.refs > 0) this.controller.abort(new Error(`request timed out after ${this.timeoutMs} ms`));
  }
}

/** The window requests with this timeout join now, by timeout. */
const openWindows = new Map<number, TimeoutWindow>();

function sharedTimeout(timeoutMs: number): TimeoutWindow {
  const now = Date.now();
  let w = openWindows.get(timeoutMs);
  if (!w || now >= w.closesAt) openWindows.set(timeoutMs, (w = new TimeoutWindow(timeoutMs, now)));
  return w.join();
}

/** Typed verbs on one resource type. Every method takes an optional namespace (options.namespace). */
export class ResourceClient<T extends KubeObject = KubeObject> {
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly namespaced: boolean;
  readonly kind?: string;

  constructor(
    readonly client: Client,
    rt: ResourceType | ResourceRef,
    /** A namespace bound with inNamespace(). */
    private readonly boundNamespace?: string,
  ) {
    this.group = rt.group;
    this.version = rt.version;
    this.plural = rt.plural;
    this.namespaced = rt.namespaced;
    this.kind = rt.kind;
  }

  /** A client bound to one namespace (calls without options.namespace use it). */
  inNamespace(namespace: string): ResourceClient<T> {
    return new ResourceClient<T>(this.client, this, namespace);
  }

  get apiVersion(): string {
    return apiVersionOf(this.group, this.version);
  }

  /** `/api/v1[/namespaces/ns]/plural[/name][/sub]` — ns undefined = all namespaces (collections). */
  path(namespace: string | undefined, name?: string, subresource?: string): string {
    let p = this.group === '' ? `/api/${this.version}` : `/apis/${this.group}/${this.version}`;
    if (this.namespaced && namespace) p += `/namespaces/${encodeURIComponent(namespace)}`;
    p += `/${this.plural}`;
    if (name !== undefined) {
      if (name === '') throw new StatusError(400, 'BadRequest', 'resource name may not be empty');
      p += `/${encodeURIComponent(name)}`;
    }
    if (subresource) p += `/${subresource}`;
    return p;
  }

  /** Namespace for a call on one object: explicit, then the object's, then the bound, then the client default. */
  private ns(explicit?: string, obj?: KubeObject): string | undefined {
    if (!this.namespaced) return undefined;
    return explicit ?? obj?.metadata?.namespace ?? this.boundNamespace ?? this.client.defaultNamespace;
  }

  /** Namespace for collection calls: explicit, then bound; none = all namespaces. */
  private collectionNs(explicit?: string): string | undefined {
    if (!this.namespaced) return undefined;
    return explicit ?? this.boundNamespace;
  }

  get(name: string, opts: GetOptions = {}): Promise<T> {
    return this.client.request<T>({ path: this.path(this.ns(opts.namespace), name), query: { resourceVersion: opts.resourceVersion }, signal: opts.signal, readonly: opts.readonly });
  }

  list(opts: ListOptions = {}): Promise<KubeList<T>> {
    return this.client.request<KubeList<T>>({
      path: this.path(this.collectionNs(opts.namespace)),
      query: {
        labelSelector: opts.labelSelector,
        fieldSelector: opts.fieldSelector,
        limit: opts.limit,
        continue: opts.continue,
        resourceVersion: opts.resourceVersion,
        resourceVersionMatch: opts.resourceVersionMatch,
        timeoutSeconds: opts.timeoutSeconds,
      },
      signal: opts.signal,
      readonly: opts.readonly,
    });
  }

  /** Lists every page (limit = page size, default 500), following continue tokens; one list back. */
  async listAll(opts: ListOptions = {}): Promise<KubeList<T>> {
    const items: T[] = [];
    let page = await this.list({ limit: 500, ...opts });
    const first = page;
    items.push(...page.items);
    while (page.metadata?.continue) {
      page = await this.list({ ...opts, limit: opts.limit ?? 500, continue: page.metadata.continue, resourceVersion: undefined, resourceVersionMatch: undefined });
      items.push(...page.items);
    }
    return { apiVersion: first.apiVersion, kind: first.kind, metadata: { resourceVersion: first.metadata?.resourceVersion }, items };
  }

  private writeQuery(opts: WriteOptions): Record<string, string | undefined> {
    return { dryRun: opts.dryRun, fieldManager: opts.fieldManager, fieldValidation: opts.fieldValidation };
  }

  private withTypeMeta(obj: T): T {
    if (obj.apiVersion && obj.kind) return obj;
    // as { ...obj, apiVersion, kind } would order them: in place when present, else last
    const out = { ...obj };
    out.apiVersion = obj.apiVersion ?? this.apiVersion;
    if (this.kind && !obj.kind) out.kind = this.kind;
    return out;
  }

  create(obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.client.request<T>({
      method: 'POST',
      path: this.path(this.ns(opts.namespace, obj)),
      query: this.writeQuery(opts),
      body: this.withTypeMeta(obj),
      signal: opts.signal,
      readonly: opts.readonly,
    });
  }

  /** PUT of the whole object; carries metadata.resourceVersion, so a stale one gets 409 Conflict. */
  update(obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.client.request<T>({
      method: 'PUT',
      path: this.path(this.ns(opts.namespace, obj), obj.metadata.name),
      query: this.writeQuery(opts),
      body: this.withTypeMeta(obj),
      signal: opts.signal,
      readonly: opts.readonly,
    });
  }

  updateStatus(obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.client.request<T>({
      method: 'PUT',
      path: this.path(this.ns(opts.namespace, obj), obj.metadata.name, 'status'),
      query: this.writeQuery(opts),
      body: this.withTypeMeta(obj),
      signal: opts.signal,
      readonly: opts.readonly,
    });
  }

  /** PATCH; type 'merge' by default. 'apply' sends the body as JSON (valid YAML) with fieldManager/force. */
  patch(name: string, patch: unknown, opts: PatchOptions = {}): Promise<T> {
    return this.patchSubresource<T>(name, '', patch, opts);
  }

  /** DELETE; answers the deleted object (or the object with deletionTimestamp set while finalizers run, or a Status). */
  delete(name: string, opts: DeleteOptions = {}): Promise<T | Status> {
    return this.client.request<T | Status>({
      method: 'DELETE',
      path: this.path(this.ns(opts.namespace), name),
      body: deleteBody(opts),
      query: { dryRun: opts.dryRun },
      signal: opts.signal,
      readonly: opts.readonly,
    });
  }

  deleteCollection(opts: DeleteOptions & Omit<ListOptions, 'signal'> = {}): Promise<KubeList<T> | Status> {
    return this.client.request<KubeList<T> | Status>({
      method: 'DELETE',
      path: this.path(this.collectionNs(opts.namespace)),
      query: { labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector, dryRun: opts.dryRun },
      body: deleteBody(opts),
      signal: opts.signal,
    });
  }

  /**
   * Opens a watch; resolves once the server answered 200 (an error answer rejects with StatusError,
   * e.g. 410 Expired for a too-old resourceVersion). Events arrive as parsed JSON lines; an ERROR
   * event (object = Status) is yielded as is — the stream usually ends after it.
   */
  async watch(opts: WatchOptions = {}): Promise<WatchStream<T>> {
    const link = linkSignal(opts.signal);
    let res: TransportResponse;
    try {
      res = await this.client.rawRetrying({
      path: this.path(this.collectionNs(opts.namespace)),
      query: {
        watch: 'true',
        labelSelector: opts.labelSelector,
        fieldSelector: opts.fieldSelector,
        resourceVersion: opts.resourceVersion,
        resourceVersionMatch: opts.resourceVersionMatch,
        allowWatchBookmarks: opts.allowWatchBookmarks ? 'true' : undefined,
        sendInitialEvents: opts.sendInitialEvents === undefined ? undefined : String(opts.sendInitialEvents),
        timeoutSeconds: opts.timeoutSeconds,
      },
      signal: link.signal,
      });
    } catch (e) {
      link.dispose();
      throw e;
    }
    if (res.status !== 200) {
      link.dispose();
      const buf = await readAll(res);
      throw errorFromResponse(res.status, buf.toString('utf8'));
    }
    // aborting the linked signal destroys the response stream, which ends the iteration
    return new JsonLinesWatch<T>(res.body, link.dispose);
  }

  /** GET a subresource (status, scale; 'log' answers the text, like log()). */
  getSubresource<R = unknown>(name: string, subresource: string, opts: GetOptions = {}): Promise<R> {
    if (subresource === 'log') return this.log(name, opts) as Promise<R>;
    return this.client.request<R>({ path: this.path(this.ns(opts.namespace), name, subresource), signal: opts.signal, readonly: opts.readonly });
  }

  /** POST to a subresource (pods/binding, pods/eviction). */
  createSubresource<R = unknown>(name: string, subresource: string, body: unknown, opts: WriteOptions = {}): Promise<R> {
    return this.client.request<R>({
      method: 'POST',
      path: this.path(this.ns(opts.namespace, body as KubeObject), name, subresource),
      query: this.writeQuery(opts),
      body,
      signal: opts.signal,
      readonly: opts.readonly,
    });
  }

  /** PUT to a subresource (status, scale). */
  updateSubresource<R = unknown>(name: string, subresource: string, body: unknown, opts: WriteOptions = {}): Promise<R> {
    return this.client.request<R>({
      method: 'PUT',
      path: this.path(this.ns(opts.namespace, body as KubeObject), name, subresource),
      query: this.writeQuery(opts),
      body,
      signal: opts.signal,
      readonly: opts.readonly,
    });
  }

  /** PATCH a subresource ('' = the object itself). */
  patchSubresource<R = unknown>(name: string, subresource: string, patch: unknown, opts: PatchOptions = {}): Promise<R> {
    const type = opts.type ?? 'merge';
    return this.client.request<R>({
      method: 'PATCH',
      path: this.path(this.ns(opts.namespace), name, subresource || undefined),
      query: { ...this.writeQuery(opts), force: opts.force === undefined ? undefined : String(opts.force) },
      body: patch,
      contentType: PATCH_CONTENT_TYPES[type],
      signal: opts.signal,
      readonly: opts.readonly,
    });
  }

  /** pods/log as text (not follow). */
  async log(name: string, opts: LogOptions = {}): Promise<string> {
    const r = await this.client.requestBuffer({
      path: this.path(this.ns(opts.namespace), name, 'log'),
      query: logQuery(opts),
      accept: 'text/plain, */*',
      signal: opts.signal,
    });
    return r.body.toString('utf8');
  }

  /** pods/log as a stream (follow=true keeps it open); destroy the stream to stop. */
  async logStream(name: string, opts: LogOptions = {}): Promise<Readable> {
    const res = await this.client.rawRetrying({
      path: this.path(this.ns(opts.namespace), name, 'log'),
      query: logQuery(opts),
      accept: 'text/plain, */*',
      signal: opts.signal,
    });
    if (res.status !== 200) throw errorFromResponse(res.status, (await readAll(res)).toString('utf8'));
    return res.body;
  }
}

function logQuery(o: LogOptions): Record<string, string | number | undefined> {
  return {
    container: o.container,
    follow: o.follow ? 'true' : undefined,
    tailLines: o.tailLines,
    timestamps: o.timestamps ? 'true' : undefined,
    previous: o.previous ? 'true' : undefined,
    sinceSeconds: o.sinceSeconds,
    limitBytes: o.limitBytes,
  };
}

function deleteBody(o: DeleteOptions): Record<string, unknown> | undefined {
  const b: Record<string, unknown> = {};
  if (o.propagationPolicy) b.propagationPolicy = o.propagationPolicy;
  if (o.gracePeriodSeconds !== undefined) b.gracePeriodSeconds = o.gracePeriodSeconds;
  if (o.preconditions) b.preconditions = o.preconditions;
  if (o.dryRun) b.dryRun = [o.dryRun];
  if (Object.keys(b).length === 0) return undefined;
  return { kind: 'DeleteOptions', apiVersion: 'v1', ...b };
}
