// A small etcd v3 client over etcd's HTTP/JSON gRPC gateway (`POST /v3/kv/range`, `/v3/kv/txn`,
// `/v3/kv/compaction`, `/v3/watch`), using Node's fetch: no dependency, and every field of etcd's
// responses (compact_revision, progress notifications) stays visible. Several endpoints: a request
// moves on to the next member when one does not answer (see `post`).
// Wire format: bytes are base64, int64 are decimal strings, fields at their default are omitted.
import { StorageError } from './interface.ts';

export interface KeyValue {
  key: string;
  value: string;
  createRevision: number;
  modRevision: number;
}

/** etcd's KeyValue as the gateway writes it. */
export interface WireKeyValue {
  key?: string;
  value?: string;
  create_revision?: string;
  mod_revision?: string;
}

export interface WireHeader {
  revision?: string;
}

export interface WireWatchResult {
  header?: WireHeader;
  created?: boolean;
  canceled?: boolean;
  cancel_reason?: string;
  compact_revision?: string;
  events?: { type?: 'PUT' | 'DELETE'; kv?: WireKeyValue; prev_kv?: WireKeyValue }[];
}

export const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
export const unb64 = (s: string | undefined): string => (s ? Buffer.from(s, 'base64').toString('utf8') : '');

/** The range end covering every key with this prefix, base64 ('' → "\0" = every key). */
export function prefixRangeEnd(prefix: string): string {
  const bytes = Buffer.from(prefix, 'utf8');
  for (let i = bytes.length - 1; i >= 0; i--) {
    if (bytes[i] < 0xff) {
      const end = Buffer.from(bytes.subarray(0, i + 1));
      end[i]++;
      return end.toString('base64');
    }
  }
  return 'AA=='; // "\0": to the end of the keyspace
}

export function decodeKv(kv: WireKeyValue): KeyValue {
  return { key: unb64(kv.key), value: unb64(kv.value), createRevision: Number(kv.create_revision ?? 0), modRevision: Number(kv.mod_revision ?? 0) };
}

export const headerRevision = (h: WireHeader | undefined): number => Number(h?.revision ?? 0);

/** Network failures after which the request certainly did not reach etcd: safe to send elsewhere. */
const NOT_SENT = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT']);

function errorCode(err: unknown): string | undefined {
  const e = err as { cause?: { code?: string }; code?: string };
  return e?.cause?.code ?? e?.code;
}

/**
 * Maps an etcd error answer (gRPC status through the gateway) to the store's errors. Compacted and
 * future revisions become Compacted/TooLargeResourceVersion; leader changes, timeouts, no quorum
 * (gRPC UNAVAILABLE = 14, DEADLINE_EXCEEDED = 4) become Unavailable; anything else is an Error.
 */
export function mapEtcdError(status: number, body: { error?: string; message?: string; code?: number }, key = ''): Error {
  const msg = body.message ?? body.error ?? `etcd answered HTTP ${status}`;
  if (msg.includes('required revision has been compacted')) return new StorageError('Compacted', key, msg);
  if (msg.includes('required revision is a future revision')) return new StorageError('TooLargeResourceVersion', key, msg);
  if (body.code === 14 || body.code === 4 || /leader changed|timed out|no leader|not capable|too many requests/.test(msg) || status >= 502) {
    return new StorageError('Unavailable', key, `etcd unavailable: ${msg}`);
  }
  return new Error(`etcd: ${msg}`);
}

export interface EtcdClientOptions {
  /** Client URLs, e.g. http://127.0.0.1:2379. */
  endpoints: string[];
  /** Per-request timeout. Default 10 s. */
  requestTimeoutMs?: number;
}

export class EtcdClient {
  readonly endpoints: string[];
  private current = 0;
  private readonly timeoutMs: number;
  private readonly closing = new AbortController();

  constructor(opts: EtcdClientOptions) {
    if (opts.endpoints.length === 0) throw new Error('etcd: no endpoints');
    this.endpoints = opts.endpoints.map((e) => e.replace(/\/+$/, ''));
    this.timeoutMs = opts.requestTimeoutMs ?? 10_000;
  }

  /** The endpoint requests go to now; `failed` moves on to the next member. */
  endpoint(failed?: string): string {
    if (failed !== undefined && this.endpoints[this.current] === failed) this.current = (this.current + 1) % this.endpoints.length;
    return this.endpoints[this.current];
  }

  /**
   * POSTs one request. A failure that certainly did not apply the request (the member could not be
   * reached, or answered "no leader" during an election) sends it to the next member, pausing
   * after each round, until the request timeout; `idempotent` requests (reads) also move on after
   * a timeout or any Unavailable answer. A write whose outcome is unknown (a timeout, a leader
   * lost mid-request) fails with Unavailable, as kube-apiserver answers then; the client retries.
   */
  async post<T>(path: string, body: unknown, opts: { idempotent?: boolean; key?: string } = {}): Promise<T> {
    const key = opts.key ?? '';
    const deadline = Date.now() + this.timeoutMs;
    for (let attempt = 1; ; attempt++) {
      if (this.closing.signal.aborted) throw new StorageError('Unavailable', key, 'storage is closed');
      const ep = this.endpoint();
      const r = await this.once<T>(ep + path, body, key, deadline);
      if (r.ok) return r.value;
      const safe = r.notApplied || (opts.idempotent && r.err instanceof StorageError && r.err.code === 'Unavailable');
      if (!safe || this.closing.signal.aborted || Date.now() >= deadline) throw r.err;
      this.endpoint(ep);
      if (attempt % this.endpoints.length === 0) await new Promise((res) => setTimeout(res, 200));
    }
  }

  private async once<T>(url: string, body: unknown, key: string, deadline: number): Promise<{ ok: true; value: T } | { ok: false; err: Error; notApplied: boolean }> {
    let res: Response;
    let text: string;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.any([this.closing.signal, AbortSignal.timeout(Math.max(deadline - Date.now(), 1))]),
      });
      text = await res.text();
    } catch (err) {
      const code = errorCode(err);
      const e = new StorageError('Unavailable', key, `etcd ${url}: ${(err as Error).message}${code ? ` (${code})` : ''}`);
      return { ok: false, err: e, notApplied: code !== undefined && NOT_SENT.has(code) };
    }
    let json: T & { error?: string; message?: string; code?: number };
    try {
      json = (text ? JSON.parse(text) : {}) as typeof json;
    } catch {
      return { ok: false, err: new StorageError('Unavailable', key, `etcd ${url}: HTTP ${res.status}: ${text.slice(0, 200)}`), notApplied: false };
    }
    if (res.ok && json.error === undefined) return { ok: true, value: json };
    const err = mapEtcdError(res.status, json, key);
    return { ok: false, err, notApplied: /etcdserver: no leader/.test(err.message) };
  }

  /**
   * Opens one watch stream (`POST /v3/watch` with a create request) on the current endpoint and
   * calls onResult for each message. Resolves when the stream ends (by etcd, the network or
   * `signal`); rejects if it could not be opened.
   */
  async watchStream(create: Record<string, unknown>, signal: AbortSignal, onResult: (r: WireWatchResult) => void): Promise<void> {
    const ep = this.endpoint();
    let res: Response;
    try {
      res = await fetch(ep + '/v3/watch', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ create_request: create }),
        signal: AbortSignal.any([this.closing.signal, signal]),
      });
    } catch (err) {
      this.endpoint(ep);
      throw err;
    }
    if (!res.ok || !res.body) {
      this.endpoint(ep);
      throw new Error(`etcd ${ep}: watch answered HTTP ${res.status}`);
    }
    const decoder = new TextDecoder();
    let buf = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buf += decoder.decode(chunk, { stream: true });
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl).trim();
          buf = buf.slice(nl + 1);
          if (!line) continue;
          const msg = JSON.parse(line) as { result?: WireWatchResult; error?: { message?: string } };
          if (msg.error) throw new Error(`etcd ${ep}: watch stream error: ${msg.error.message ?? JSON.stringify(msg.error)}`);
          if (msg.result) onResult(msg.result);
        }
      }
    } catch (err) {
      if (signal.aborted || this.closing.signal.aborted) return;
      this.endpoint(ep);
      throw err;
    }
    this.endpoint(ep);
  }

  /** Aborts every request and stream in flight. */
  close(): void {
    this.closing.abort();
  }
}
