// The scheduler's HTTP endpoints: /healthz, /readyz, /metrics and /debug/explain/<ns>/<name>.
import http from 'node:http';
import type { Registry } from 'prom-client';
import type { Decision } from './scheduler.ts';

export interface DebugSource {
  registry: Registry;
  decisions: Map<string, Decision>;
  status(): Record<string, unknown>;
}

export async function startHttp(src: DebugSource, port: number, host = '127.0.0.1'): Promise<{ server: http.Server; port: number; url: string }> {
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const send = (code: number, body: unknown, type = 'application/json') => {
      res.writeHead(code, { 'Content-Type': type });
      res.end(typeof body === 'string' ? body : JSON.stringify(body, null, 2));
    };
    try {
      if (url.pathname === '/healthz' || url.pathname === '/livez') return send(200, 'ok', 'text/plain');
      if (url.pathname === '/readyz') return send(200, 'ok', 'text/plain');
      if (url.pathname === '/metrics') return send(200, await src.registry.metrics(), src.registry.contentType);
      if (url.pathname === '/debug/status') return send(200, src.status());
      if (url.pathname === '/debug/explain' || url.pathname === '/debug/explain/') return send(200, { pods: [...src.decisions.keys()] });
      const m = /^\/debug\/explain\/([^/]+)\/([^/]+)$/.exec(url.pathname);
      if (m) {
        const d = src.decisions.get(`${decodeURIComponent(m[1])}/${decodeURIComponent(m[2])}`);
        if (!d) return send(404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 404, reason: 'NotFound', message: `no scheduling decision recorded for pod ${m[1]}/${m[2]}` });
        return send(200, d);
      }
      send(404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 404, reason: 'NotFound', message: `the path ${url.pathname} is not served` });
    } catch (e) {
      send(500, { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 500, reason: 'InternalError', message: (e as Error).message });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const addr = server.address();
  const actual = typeof addr === 'object' && addr ? addr.port : port;
  return { server, port: actual, url: `http://${host}:${actual}` };
}
