// The network transport of the REST client: node:http(s) with a keep-alive agent, and reading a
// whole answer body.
import * as http from 'node:http';
import * as https from 'node:https';
import { finished } from 'node:stream';
import type { ClientOptions, Transport, TransportResponse } from './rest.ts';

/**
 * An https agent for one server with fixed TLS options. node's https.Agent names its socket pools
 * by host, port and every TLS option, CA, certificate and key PEMs included: a string of several KB
 * built and hashed a few times per request (pool lookup, socket free, removal). The agent talks to
 * one server with one set of options, so its name is computed once.
 */
class OneServerAgent extends https.Agent {
  private name: string | undefined;
  override getName(options?: https.AgentOptions & { host?: string; port?: number }): string {
    return (this.name ??= super.getName(options as never));
  }
}

export function httpTransport(opts: ClientOptions): { transport: Transport; destroy(): void } {
  const base = new URL(opts.server);
  const isHttps = base.protocol === 'https:';
  const prefix = base.pathname.replace(/\/+$/, '');
  const agent = isHttps
    ? new OneServerAgent({
        keepAlive: true,
        maxSockets: opts.maxSockets ?? 100,
        ca: opts.ca,
        cert: opts.cert,
        key: opts.key,
        rejectUnauthorized: !opts.insecureSkipTLSVerify,
      })
    : new http.Agent({ keepAlive: true, maxSockets: opts.maxSockets ?? 100 });
  const request = isHttps ? https.request : http.request;
  const protocol = base.protocol;
  const hostname = base.hostname.replace(/^\[|\]$/g, '');
  const port = base.port || (isHttps ? 443 : 80);
  const transport: Transport = (req) =>
    new Promise((resolve, reject) => {
      const r = request(
        {
          protocol,
          hostname,
          port,
          method: req.method,
          path: prefix + req.path,
          headers: req.body ? { ...req.headers, 'Content-Length': String(req.body.length) } : req.headers,
          agent,
          signal: req.signal,
        },
        (res) => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res }),
      );
      r.on('error', reject);
      r.end(req.body);
    });
  return { transport, destroy: () => agent.destroy() };
}

/** The whole body of an answer: its data when the transport has it, else the stream read to its end. */
export function readAll(res: TransportResponse): Promise<Buffer> {
  if (res.data !== undefined) return Promise.resolve(typeof res.data === 'string' ? Buffer.from(res.data) : res.data);
  const body = res.body;
  // listeners rather than async iteration (a promise per chunk); the same ends and errors
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    body.on('data', (c: Buffer | string) => chunks.push(typeof c === 'string' ? Buffer.from(c) : c));
    finished(body, { writable: false }, (err) => {
      if (err) reject(err);
      else resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
    });
  });
}
