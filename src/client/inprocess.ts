// An in-process transport: requests go to an http.Server's request listener (or a listener) in the
// same process. By default the lean exchange (lean.ts): the listener gets request/response objects
// with http's shape and no socket, parser or framing behind them. `wire: 'http'` instead runs real
// HTTP/1.1 (node's own parser and writer) over an in-memory stream pair, as over TCP; it is also
// what an http.Server with an 'upgrade' request needs.
import * as http from 'node:http';
import { Duplex } from 'node:stream';
import type { Clock } from '../clock/index.ts';
import type { Transport, TransportRequest } from './rest.ts';
import { leanExchange } from './lean.ts';

/** Two connected in-memory streams; destroying or ending one is seen by the other. */
function streamPair(): [Duplex, Duplex] {
  const make = (peer: () => Duplex) =>
    new Duplex({
      read() {},
      write(chunk, _enc, cb) {
        peer().push(chunk);
        cb();
      },
      final(cb) {
        peer().push(null);
        cb();
      },
      destroy(err, cb) {
        const p = peer();
        if (!p.destroyed) p.destroy();
        cb(err);
      },
    });
  const a: Duplex = make(() => b);
  const b: Duplex = make(() => a);
  // what http.Server and ClientRequest expect of a socket beyond a Duplex
  for (const s of [a, b] as any[]) {
    s.setTimeout = () => s;
    s.setNoDelay = () => s;
    s.setKeepAlive = () => s;
    s.ref = () => s;
    s.unref = () => s;
    s.remoteAddress = '127.0.0.1';
    s.remotePort = 0;
    s.localAddress = '127.0.0.1';
    s.localPort = 0;
    s.remoteFamily = 'IPv4';
    s.encrypted = false;
    // node's http server ends its socket when the peer's end arrives, even if its own side already
    // finished (Connection: close): Writable.end would build (and drop) an ERR_STREAM_ALREADY_FINISHED
    // with its stack trace each time, ~4% of an in-process request's CPU. Nothing to do then.
    const end = s.end;
    s.end = function (this: Duplex, ...args: unknown[]) {
      if (args.length === 0 && (this.writableFinished || this.destroyed)) return this;
      return end.apply(this, args);
    };
  }
  return [a, b];
}

/** A watch (or log follow) stays open for its whole life: it counts as in flight only until its response starts. */
const isWatch = (path: string) => /[?&]watch=(true|1)(&|$)/.test(path) || path.includes('/watch/') || /[?&]follow=(true|1)(&|$)/.test(path);

export interface InProcessOptions {
  /** Holds the clock while a request is in flight (virtual time's "no request in flight"). */
  clock?: Clock;
  /** 'lean' (default): no HTTP bytes; 'http': real HTTP/1.1 over an in-memory stream pair. */
  wire?: 'lean' | 'http';
}

/** The request listener of a server (its first 'request' listener) or the listener itself. */
function listenerOf(target: http.Server | http.RequestListener): http.RequestListener {
  if (typeof target === 'function') return target;
  const l = target.listeners('request')[0];
  if (!l) throw new Error('inProcessTransport: the server has no request listener');
  return l as http.RequestListener;
}

/**
 * A transport into an http.Server (not necessarily listening) or a request listener, in this process.
 * With a clock, every request holds it from send until its response ends; a watch only until its
 * response headers arrive, when the server has registered it.
 */
export function inProcessTransport(target: http.Server | http.RequestListener, opts: InProcessOptions = {}): Transport {
  if (opts.wire === 'http') return httpWireTransport(target, opts);
  const listener = listenerOf(target);
  const clock = opts.clock;
  const transport = (req: TransportRequest) => {
    if (!clock) return leanExchange(listener, req, () => {});
    const release = clock.hold();
    return leanExchange(listener, req, release);
  };
  // JSON bodies travel as values both ways (lean.ts): no text made or parsed on either side
  return Object.assign(transport, { values: true });
}

/** The same over real HTTP/1.1 bytes: node's client and server ends on an in-memory stream pair. */
function httpWireTransport(target: http.Server | http.RequestListener, opts: { clock?: Clock }): Transport {
  const server = typeof target === 'function' ? http.createServer(target) : target;
  return (req) =>
    new Promise((resolve, reject) => {
      const release = opts.clock ? opts.clock.hold() : () => {};
      const streaming = isWatch(req.path);
      const [clientSide, serverSide] = streamPair();
      clientSide.once('close', release);
      server.emit('connection', serverSide);
      const r = http.request(
        {
          method: req.method,
          path: req.path,
          headers: { Host: 'in-process', ...(req.body ? { ...req.headers, 'Content-Length': String(req.body.length) } : req.headers), Connection: 'close' },
          createConnection: () => clientSide as any,
          signal: req.signal,
        },
        (res) => {
          if (streaming) release();
          res.on('close', () => clientSide.destroy());
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res });
        },
      );
      r.on('error', (e) => {
        release();
        clientSide.destroy();
        reject(e);
      });
      r.end(req.body);
    });
}
