// The `proxy` subresource of pods, services and nodes (Kubernetes' ProxyREST, the connecter of
// pkg/registry/core/{pod,service,node}/rest): `.../NAME[:PORT]/proxy/PATH` forwards the request —
// method, query, body, headers less hop-by-hop and credentials — to a location the kind resolves,
// and streams the answer back. Pod and Service addresses are cluster IPs, reached at their
// loopback alias (10.a.b.c → 127.a.b.c, docs/node-simulation.md).
import http from 'node:http';
import { StatusError, badRequest } from '../../api/errors.ts';
import { loopbackAlias } from '../../api/core/podnetwork.ts';
import type { Scope } from '../rest/scope.ts';
import type { VerbHandlers } from '../rest/storage.ts';

/** Where a proxy request goes: host and port as dialled, and the path prefix before the subpath. */
export interface ProxyLocation {
  host: string;
  port: number;
  /** Prepended to the request's subpath (a kubelet's `/nodes/<name>` view); '' for none. */
  prefix?: string;
  /** For messages: what was dialled, as Kubernetes names it (the cluster address). */
  shown: string;
}

/** `[scheme:]name[:port]` as Kubernetes' net.SplitSchemeNamePort reads it; undefined if malformed. Pure. */
export function splitSchemeNamePort(id: string): { scheme: string; name: string; port: string } | undefined {
  const parts = id.split(':');
  let scheme = '';
  let name: string;
  let port = '';
  if (parts.length === 1) name = parts[0];
  else if (parts.length === 2) [name, port] = parts;
  else if (parts.length === 3) [scheme, name, port] = parts;
  else return undefined;
  if (!name || (scheme !== '' && scheme !== 'http' && scheme !== 'https')) return undefined;
  return { scheme, name, port };
}

/** The proxy subresource of a kind: resolve(s, name, port) finds where `name[:port]` is. */
export function proxySubresource(resolve: (s: Scope, name: string, port: string) => Promise<ProxyLocation>): VerbHandlers {
  return {
    '*': async (s) => {
      const id = splitSchemeNamePort(s.info.name!);
      if (!id) throw badRequest(`invalid request: ${s.info.name}`);
      if (id.scheme === 'https') throw badRequest(`https is not supported by kubesim's proxy: ${s.info.name}`);
      const at = await resolve({ ...s, info: { ...s.info, name: id.name } }, id.name, id.port);
      return forward(s, at);
    },
  };
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'proxy-authorization', 'proxy-authenticate']);

/** Request headers sent on: the client's, less hop-by-hop ones and its credentials for the API server. Pure. */
export function forwardedHeaders(h: http.IncomingHttpHeaders, host: string): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined || HOP_BY_HOP.has(k) || k === 'authorization' || k === 'host') continue;
    out[k] = v;
  }
  out.host = host;
  return out;
}

/**
 * Streams an upstream answer (headers already written) to the client; ended at shutdown with the
 * other long-running requests, and the upstream dropped when the client goes.
 */
export function relay(s: Scope, upstream: http.ClientRequest, up: http.IncomingMessage): void {
  const stop = () => {
    upstream.destroy();
    if (!s.res.writableEnded) s.res.end();
  };
  s.core.longRunning.add(stop);
  up.pipe(s.res);
  up.on('end', () => s.core.longRunning.delete(stop));
  s.res.on('close', () => {
    s.core.longRunning.delete(stop);
    upstream.destroy();
  });
}

function forward(s: Scope, at: ProxyLocation): Promise<number> {
  const sub = s.info.subpath ?? '';
  const q = s.req.url?.includes('?') ? s.req.url.slice(s.req.url.indexOf('?')) : '';
  const path = `${at.prefix ?? ''}${sub.startsWith('/') ? sub : `/${sub}`}${q}`;
  return new Promise<number>((resolve, reject) => {
    const upstream = http.request(
      { host: at.host, port: at.port, method: s.req.method, path, headers: forwardedHeaders(s.req.headers, `${at.host}:${at.port}`) },
      (up) => {
        const code = up.statusCode ?? 502;
        const headers: http.OutgoingHttpHeaders = {};
        for (const [k, v] of Object.entries(up.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) headers[k] = v;
        s.res.writeHead(code, headers);
        relay(s, upstream, up);
        resolve(code);
      },
    );
    upstream.on('error', (err: NodeJS.ErrnoException) => {
      if (s.res.headersSent) {
        s.res.destroy();
        resolve(502);
        return;
      }
      const why = err.code === 'ECONNREFUSED' ? 'connect: connection refused' : err.message;
      reject(new StatusError(503, 'ServiceUnavailable', `error trying to reach service: dial tcp ${at.shown}: ${why}`));
    });
    s.req.pipe(upstream);
  });
}

/** A cluster IP dialled at its loopback alias. */
export function clusterLocation(ip: string, port: number): ProxyLocation {
  return { host: loopbackAlias(ip), port, shown: `${ip}:${port}` };
}
