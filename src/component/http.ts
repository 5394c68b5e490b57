// A component's HTTP server: /healthz, /livez, /readyz (and their sub-paths, like /healthz/ping),
// /metrics from the component's registry, then the component's own routes; anything else is a
// 404 Status, a failing route a 500 Status.
import http from 'node:http';
import type { Registry } from 'prom-client';

/** What a route answers: a string is sent as-is, anything else as indented JSON. */
export interface Reply {
  code: number;
  body: unknown;
  /** Content-Type (default application/json). */
  type?: string;
}

/** What a route may ask of the component serving it. */
export interface RouteContext {
  url: URL;
  identity: string;
  isLeader(): boolean;
}

/** An extra endpoint, e.g. the scheduler's /debug/explain/<ns>/<pod>. */
export interface Route {
  /** An exact path, or a pattern over the path whose groups (URI-decoded) become `params`. */
  path: string | RegExp;
  handle(params: string[], ctx: RouteContext): Reply | Promise<Reply>;
}

/** What the server serves: the registry for /metrics, the routes, and the component they run in. */
export interface HttpSource {
  registry: Registry;
  routes: Route[];
  identity: string;
  isLeader(): boolean;
}

export interface ServedHttp {
  server: http.Server;
  port: number;
  url: string;
  close(): Promise<void>;
}

const HEALTH = ['/healthz', '/livez', '/readyz'];

/** A Kubernetes Status reply (kind Status, status Failure). */
export function statusReply(code: number, reason: string, message: string): Reply {
  return { code, body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message } };
}

/** The route for a path and its params, if any matches. */
export function matchRoute(routes: Route[], path: string): { route: Route; params: string[] } | undefined {
  for (const route of routes) {
    if (typeof route.path === 'string') {
      if (route.path === path) return { route, params: [] };
      continue;
    }
    const m = route.path.exec(path);
    if (m) return { route, params: m.slice(1).map((p) => decodeURIComponent(p ?? '')) };
  }
  return undefined;
}

export function isHealthPath(path: string): boolean {
  return HEALTH.some((h) => path === h || path.startsWith(`${h}/`));
}

async function reply(src: HttpSource, url: URL): Promise<Reply> {
  const path = url.pathname;
  if (isHealthPath(path)) return { code: 200, body: 'ok', type: 'text/plain' };
  if (path === '/metrics') return { code: 200, body: await src.registry.metrics(), type: src.registry.contentType };
  const found = matchRoute(src.routes, path);
  if (found) return found.route.handle(found.params, { url, identity: src.identity, isLeader: src.isLeader });
  return statusReply(404, 'NotFound', `the path ${path} is not served`);
}

export async function serveHttp(src: HttpSource, port: number, host = '127.0.0.1'): Promise<ServedHttp> {
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    let r: Reply;
    try {
      r = await reply(src, url);
    } catch (e) {
      r = statusReply(500, 'InternalError', (e as Error).message);
    }
    res.writeHead(r.code, { 'Content-Type': r.type ?? 'application/json' });
    res.end(typeof r.body === 'string' ? r.body : JSON.stringify(r.body, null, 2));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const addr = server.address();
  const actual = typeof addr === 'object' && addr ? addr.port : port;
  return {
    server,
    port: actual,
    url: `http://${host}:${actual}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
