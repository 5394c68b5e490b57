// An in-process transport: requests go to an http.Server (or a request listener) in the same
// process through an in-memory stream pair instead of a TCP socket. Both ends still speak real
// HTTP/1.1 (node's own parser and writer), so watches, chunking and errors behave as over TCP.
import * as http from 'node:http';
import { Duplex } from 'node:stream';
import type { Clock } from '../clock/index.ts';
import type { Transport } from './rest.ts';

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

/**
 * A transport into an http.Server (not necessarily listening) or a request listener, in this process.
 * With a clock, every request holds it from send until its response body ends (virtual time's "no
 * request in flight"); a watch only until its response headers arrive, when the server has registered it.
 */
export function inProcessTransport(target: http.Server | http.RequestListener, opts: { clock?: Clock } = {}): Transport {
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
