// A small fake API server speaking the Kubernetes wire protocol for any resource path, for client
// tests that need control the real server does not give (recorded requests, injected errors,
// cut watches). MVCC: one revision counter; a bounded event window; 410 Expired for older watches.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

interface Ev {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  rv: number;
  key: string;
  collection: string;
  ns?: string;
  object: any;
}

export interface RecordedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function status(code: number, reason: string, message: string, details?: object) {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code, ...(details ? { details } : {}) };
}

export class FakeApiServer {
  rv = 0;
  readonly objects = new Map<string, any>(); // key: collection|ns|name
  events: Ev[] = [];
  windowSize = 1000;
  readonly requests: RecordedRequest[] = [];
  readonly sockets = new Set<import('node:net').Socket>();
  readonly watches = new Set<http.ServerResponse>();
  /** Injected failures: answer the next N requests matching with this status. */
  failNext: { match: (r: RecordedRequest) => boolean; code: number; reason: string; message: string; times: number; headers?: Record<string, string> }[] = [];
  /** Cut a new watch at once when its replay would exceed this many events (a too-slow-watcher cutoff). */
  maxReplay = Infinity;
  /** Answer watches with an HTTP 410 instead of a 200 + ERROR event. */
  expiredAsHttp = false;
  private watchers = new Set<(e: Ev) => void>();
  server: http.Server;
  url = '';

  constructor() {
    this.server = http.createServer((req, res) => this.handle(req, res));
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    for (const w of this.watches) w.destroy();
    for (const s of this.sockets) s.destroy();
    await new Promise((r) => this.server.close(r));
  }

  /** Cuts every open watch (as a network failure would). */
  cutWatches(): void {
    for (const w of this.watches) w.socket?.destroy();
  }

  /** Forgets events at or below the given revision (watch from there → 410). */
  compact(rv = this.rv): void {
    this.events = this.events.filter((e) => e.rv > rv);
    this.compactedRv = Math.max(this.compactedRv, rv);
  }
  compactedRv = 0;

  private parse(url: URL): { collection: string; ns?: string; name?: string; sub?: string } | undefined {
    const p = url.pathname.split('/').filter(Boolean);
    let i: number;
    let gv: string;
    if (p[0] === 'api') {
      gv = p[1];
      i = 2;
    } else if (p[0] === 'apis') {
      gv = `${p[1]}/${p[2]}`;
      i = 3;
    } else return undefined;
    let ns: string | undefined;
    if (p[i] === 'namespaces' && p.length > i + 2) {
      ns = p[i + 1];
      i += 2;
    }
    const plural = p[i];
    if (!plural) return undefined;
    return { collection: `${gv}/${plural}`, ns, name: p[i + 1], sub: p[i + 2] };
  }

  private key(collection: string, ns: string | undefined, name: string): string {
    return `${collection}|${ns ?? ''}|${name}`;
  }

  private emit(e: Ev): void {
    this.events.push(e);
    if (this.events.length > this.windowSize) this.events.splice(0, this.events.length - this.windowSize);
    for (const w of this.watchers) w(e);
  }

  /** Direct writes (bypassing HTTP) for test drivers. */
  put(collection: string, obj: any): any {
    const ns = obj.metadata.namespace;
    const k = this.key(collection, ns, obj.metadata.name);
    const existed = this.objects.has(k);
    const o = structuredClone(obj);
    o.metadata.resourceVersion = String(++this.rv);
    this.objects.set(k, o);
    this.emit({ type: existed ? 'MODIFIED' : 'ADDED', rv: this.rv, key: k, collection, ns, object: o });
    return o;
  }

  remove(collection: string, ns: string | undefined, name: string): any {
    const k = this.key(collection, ns, name);
    const o = this.objects.get(k);
    if (!o) return undefined;
    this.objects.delete(k);
    const d = { ...o, metadata: { ...o.metadata, resourceVersion: String(++this.rv) } };
    this.emit({ type: 'DELETED', rv: this.rv, key: k, collection, ns, object: d });
    return d;
  }

  private send(res: http.ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
    const s = JSON.stringify(body);
    res.writeHead(code, { 'Content-Type': 'application/json', ...headers });
    res.end(s);
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const rec: RecordedRequest = { method: req.method!, url: req.url!, headers: req.headers, body };
      this.requests.push(rec);
      const f = this.failNext.find((x) => x.times > 0 && x.match(rec));
      if (f) {
        f.times--;
        return this.send(res, f.code, status(f.code, f.reason, f.message), f.headers);
      }
      const url = new URL(req.url!, 'http://x');
      const t = this.parse(url);
      if (!t) return this.send(res, 404, status(404, 'NotFound', 'the server could not find the requested resource'));
      try {
        this.route(req.method!, url, t, body, res);
      } catch (e) {
        this.send(res, 500, status(500, 'InternalError', String(e)));
      }
    });
  }

  private route(method: string, url: URL, t: { collection: string; ns?: string; name?: string; sub?: string }, body: string, res: http.ServerResponse): void {
    const q = url.searchParams;
    const plural = t.collection.split('/').pop()!;
    if (method === 'GET' && !t.name && q.get('watch') === 'true') return this.watch(t, q, res);
    if (method === 'GET' && !t.name) {
      const all = [...this.objects.entries()]
        .filter(([k]) => k.startsWith(`${t.collection}|${t.ns ?? ''}${t.ns ? '|' : ''}`) || (!t.ns && k.startsWith(`${t.collection}|`)))
        .sort(([a], [b]) => (a < b ? -1 : 1));
      const sel = q.get('labelSelector');
      const filtered = all.filter(([, o]) => !sel || sel.split(',').every((p) => { const [k, v] = p.split('='); return o.metadata.labels?.[k] === v; }));
      const limit = Number(q.get('limit') ?? 0);
      const after = q.get('continue') ? Buffer.from(q.get('continue')!, 'base64').toString() : '';
      const rest = after ? filtered.filter(([k]) => k > after) : filtered;
      const page = limit ? rest.slice(0, limit) : rest;
      const more = limit && rest.length > limit;
      return this.send(res, 200, {
        kind: 'List',
        apiVersion: 'v1',
        metadata: { resourceVersion: String(this.rv), ...(more ? { continue: Buffer.from(page[page.length - 1][0]).toString('base64'), remainingItemCount: rest.length - limit } : {}) },
        items: page.map(([, o]) => o),
      });
    }
    const k = t.name ? this.key(t.collection, t.ns, t.name) : '';
    const cur = k ? this.objects.get(k) : undefined;
    const nf = () => this.send(res, 404, status(404, 'NotFound', `${plural} "${t.name}" not found`, { name: t.name, kind: plural }));
    if (method === 'GET') {
      if (!cur) return nf();
      if (t.sub === 'log') {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        return void res.end(`log of ${t.name} container=${url.searchParams.get('container') ?? ''}\n`);
      }
      return this.send(res, 200, cur);
    }
    if (method === 'POST') {
      if (t.name && t.sub) return this.send(res, 201, { kind: 'Status', apiVersion: 'v1', status: 'Success', metadata: {}, code: 201, echo: JSON.parse(body) });
      const o = JSON.parse(body);
      if (!o.metadata?.name) return this.send(res, 422, status(422, 'Invalid', `${o.kind ?? 'Object'} "" is invalid: metadata.name: Required value`, { causes: [{ reason: 'FieldValueRequired', field: 'metadata.name', message: 'Required value' }] }));
      o.metadata.namespace = t.ns;
      if (this.objects.has(this.key(t.collection, t.ns, o.metadata.name)))
        return this.send(res, 409, status(409, 'AlreadyExists', `${plural} "${o.metadata.name}" already exists`, { name: o.metadata.name, kind: plural }));
      return this.send(res, 201, this.put(t.collection, o));
    }
    if (method === 'PUT') {
      if (!cur) return nf();
      const o = JSON.parse(body);
      if (o.metadata.resourceVersion && o.metadata.resourceVersion !== cur.metadata.resourceVersion)
        return this.send(res, 409, status(409, 'Conflict', `Operation cannot be fulfilled on ${plural} "${t.name}": the object has been modified; please apply your changes to the latest version and try again`, { name: t.name, kind: plural }));
      o.metadata.namespace = t.ns;
      return this.send(res, 200, this.put(t.collection, o));
    }
    if (method === 'PATCH') {
      if (!cur) return nf();
      const p = JSON.parse(body);
      const merged = mergePatch(structuredClone(cur), p);
      return this.send(res, 200, this.put(t.collection, merged));
    }
    if (method === 'DELETE') {
      if (!t.name) {
        for (const [key, o] of [...this.objects]) if (key.startsWith(`${t.collection}|${t.ns ?? ''}|`)) this.remove(t.collection, t.ns, o.metadata.name);
        return this.send(res, 200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 200 });
      }
      if (!cur) return nf();
      return this.send(res, 200, this.remove(t.collection, t.ns, t.name));
    }
    this.send(res, 405, status(405, 'MethodNotAllowed', 'method not allowed'));
  }

  private watch(t: { collection: string; ns?: string }, q: URLSearchParams, res: http.ServerResponse): void {
    const from = Number(q.get('resourceVersion') || this.rv);
    const matches = (e: Ev) => e.collection === t.collection && (!t.ns || e.ns === t.ns);
    const expired = from < this.compactedRv || (this.events.length > 0 && from < this.events[0].rv - 1);
    if (expired && this.expiredAsHttp) return this.send(res, 410, status(410, 'Expired', `too old resource version: ${from} (${this.events[0]?.rv ?? this.rv})`));
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    if (expired) {
      res.end(JSON.stringify({ type: 'ERROR', object: status(410, 'Expired', `too old resource version: ${from} (${this.events[0]?.rv ?? this.rv})`) }) + '\n');
      return;
    }
    if (this.events.filter((e) => e.rv > from && matches(e)).length > this.maxReplay) {
      // like the real server: the 200 and headers are out, then the watcher is cut
      res.flushHeaders();
      setTimeout(() => res.destroy(), 5);
      return;
    }
    this.watches.add(res);
    const write = (e: Ev) => res.write(JSON.stringify({ type: e.type, object: e.object }) + '\n');
    for (const e of this.events) if (e.rv > from && matches(e)) write(e);
    const w = (e: Ev) => matches(e) && write(e);
    this.watchers.add(w);
    const bookmark = q.get('allowWatchBookmarks') === 'true'
      ? setInterval(() => res.write(JSON.stringify({ type: 'BOOKMARK', object: { kind: 'ConfigMap', apiVersion: 'v1', metadata: { resourceVersion: String(this.rv) } } }) + '\n'), 200)
      : undefined;
    const timeout = setTimeout(() => res.end(), Number(q.get('timeoutSeconds') ?? 1800) * 1000);
    res.on('close', () => {
      this.watchers.delete(w);
      this.watches.delete(res);
      clearTimeout(timeout);
      if (bookmark) clearInterval(bookmark);
    });
  }
}

function mergePatch(target: any, patch: any): any {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out = target && typeof target === 'object' && !Array.isArray(target) ? target : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}
