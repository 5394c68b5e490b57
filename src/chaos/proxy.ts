// A fault proxy: a TCP proxy on loopback between one component and the API server. It passes
// bytes through (TLS included: it never looks inside) until told to fault the link:
//   latency(ms) — every chunk each way waits ms before it is forwarded (order kept);
//   reset()     — every open connection is reset (RST), new ones are reset on accept;
//   blackhole() — a partition: nothing flows either way; new connections are accepted and hang.
// heal() ends the fault; connections held by a blackhole are then destroyed (as a TCP timeout
// would) so the component reconnects. Loopback only, both sides; at most `maxConnections` open.
import * as net from 'node:net';

export type ProxyState = { mode: 'pass' } | { mode: 'latency'; ms: number } | { mode: 'reset' } | { mode: 'blackhole' };

export interface ProxyCounts {
  accepted: number;
  reset: number;
  /** Connections destroyed when a blackhole healed. */
  cut: number;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export class FaultProxy {
  private server?: net.Server;
  private state: ProxyState = { mode: 'pass' };
  private readonly conns = new Set<{ client: net.Socket; upstream?: net.Socket; held: boolean }>();
  readonly counts: ProxyCounts = { accepted: 0, reset: 0, cut: 0 };
  port = 0;

  constructor(
    private readonly upstream: { host: string; port: number },
    private readonly maxConnections = 1000,
  ) {
    if (!LOOPBACK.has(upstream.host)) throw new Error(`the fault proxy only forwards to loopback (got ${upstream.host})`);
  }

  get url(): string {
    return `127.0.0.1:${this.port}`;
  }

  current(): ProxyState {
    return { ...this.state };
  }

  async start(port = 0): Promise<this> {
    const server = net.createServer((c) => this.accept(c));
    server.maxConnections = this.maxConnections;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as net.AddressInfo).port;
    return this;
  }

  private accept(client: net.Socket): void {
    this.counts.accepted++;
    client.on('error', () => {});
    if (this.state.mode === 'reset') {
      this.counts.reset++;
      client.resetAndDestroy();
      return;
    }
    const conn: { client: net.Socket; upstream?: net.Socket; held: boolean } = { client, held: this.state.mode === 'blackhole' };
    this.conns.add(conn);
    client.once('close', () => {
      conn.upstream?.destroy();
      this.conns.delete(conn);
    });
    if (conn.held) {
      client.pause();
      return;
    }
    this.connect(conn);
  }

  private connect(conn: { client: net.Socket; upstream?: net.Socket; held: boolean }): void {
    const up = net.connect(this.upstream.port, this.upstream.host);
    conn.upstream = up;
    up.on('error', () => conn.client.destroy());
    up.once('close', () => conn.client.destroy());
    this.pipe(conn.client, up);
    this.pipe(up, conn.client);
  }

  /** Forwards chunks, delayed while latency is on, dropped (held back) while blackholed. */
  private pipe(from: net.Socket, to: net.Socket): void {
    let chain = Promise.resolve();
    from.on('data', (chunk) => {
      const s = this.state;
      if (s.mode === 'blackhole') {
        from.pause();
        return;
      }
      if (s.mode === 'latency') {
        chain = chain.then(() => new Promise<void>((r) => setTimeout(r, s.ms))).then(() => void (to.destroyed || to.write(chunk)));
        return;
      }
      chain = chain.then(() => void (to.destroyed || to.write(chunk)));
    });
    from.once('end', () => void chain.then(() => to.end()));
  }

  latency(ms: number): void {
    this.state = { mode: 'latency', ms: Math.max(0, Math.min(ms, 60_000)) };
  }

  /** Resets every open connection; new ones are reset until heal(). */
  reset(): void {
    this.state = { mode: 'reset' };
    for (const c of this.conns) {
      this.counts.reset++;
      c.upstream?.resetAndDestroy();
      c.client.resetAndDestroy();
    }
  }

  blackhole(): void {
    this.state = { mode: 'blackhole' };
    for (const c of this.conns) {
      c.held = true;
      c.client.pause();
      c.upstream?.pause();
    }
  }

  heal(): void {
    const was = this.state.mode;
    this.state = { mode: 'pass' };
    if (was !== 'blackhole') return;
    for (const c of this.conns) {
      if (!c.held) continue;
      this.counts.cut++;
      c.upstream?.destroy();
      c.client.destroy();
    }
  }

  async close(): Promise<void> {
    for (const c of this.conns) {
      c.upstream?.destroy();
      c.client.destroy();
    }
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}
