// The prober of a real container, as the kubelet's: a startup probe first (liveness and readiness
// wait for it), then liveness and readiness, each every periodSeconds after initialDelaySeconds,
// with timeoutSeconds per attempt and the success/failure thresholds. httpGet and tcpSocket go to
// the pod's address (its loopback alias), exec runs the command in the container's context.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';

export type ProbeResult = { ok: true } | { ok: false; message: string };

/** Where the container's probes go, and how an exec probe runs. */
export interface ProbeContext {
  /** The pod IP (for messages) and the loopback address it maps to (for connections). */
  podIP: string;
  address: string;
  /** The container's ports, for named probe ports. */
  ports: { name?: string; containerPort: number }[];
  exec(command: string[], timeoutMs: number): Promise<{ code: number | null; output: string; timedOut: boolean }>;
}

export interface ProbeSettings {
  initialDelayMs: number;
  periodMs: number;
  timeoutMs: number;
  successThreshold: number;
  failureThreshold: number;
}

/** A probe's timings with the API's defaults (period 10s, timeout 1s, thresholds 1 and 3). */
export function probeSettings(p: any): ProbeSettings {
  const n = (v: unknown, d: number, min: number) => (typeof v === 'number' && v >= min ? v : d);
  return {
    initialDelayMs: n(p?.initialDelaySeconds, 0, 0) * 1000,
    periodMs: n(p?.periodSeconds, 10, 1) * 1000,
    timeoutMs: n(p?.timeoutSeconds, 1, 1) * 1000,
    successThreshold: n(p?.successThreshold, 1, 1),
    failureThreshold: n(p?.failureThreshold, 3, 1),
  };
}

function portOf(port: unknown, ctx: ProbeContext): number | undefined {
  if (typeof port === 'number') return port;
  if (typeof port === 'string' && /^\d+$/.test(port)) return Number(port);
  return ctx.ports.find((p) => p.name === port)?.containerPort;
}

/** One probe attempt. */
export async function probeOnce(p: any, ctx: ProbeContext, timeoutMs: number): Promise<ProbeResult> {
  if (p?.exec) {
    const command: string[] = p.exec.command ?? [];
    const r = await ctx.exec(command, timeoutMs);
    if (r.timedOut) return { ok: false, message: `command ${JSON.stringify(command.join(' '))} timed out` };
    if (r.code === 0) return { ok: true };
    return { ok: false, message: r.output.trim() || `command ${JSON.stringify(command.join(' '))} exited with ${r.code ?? 137}` };
  }
  if (p?.tcpSocket) {
    const port = portOf(p.tcpSocket.port, ctx);
    if (port === undefined) return { ok: false, message: `unknown port ${JSON.stringify(p.tcpSocket.port)}` };
    const shown = `${p.tcpSocket.host ?? ctx.podIP}:${port}`;
    return tcp(ctx.address, port, timeoutMs, shown);
  }
  if (p?.httpGet) return http(p.httpGet, ctx, timeoutMs);
  return { ok: true }; // grpc: not probed yet
}

function tcp(host: string, port: number, timeoutMs: number, shown: string): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    const done = (r: ProbeResult) => {
      s.destroy();
      resolve(r);
    };
    s.setTimeout(timeoutMs, () => done({ ok: false, message: `dial tcp ${shown}: i/o timeout` }));
    s.once('connect', () => done({ ok: true }));
    s.once('error', (e: NodeJS.ErrnoException) => done({ ok: false, message: `dial tcp ${shown}: connect: ${e.code === 'ECONNREFUSED' ? 'connection refused' : e.message}` }));
  });
}

function http(g: any, ctx: ProbeContext, timeoutMs: number): Promise<ProbeResult> {
  const port = portOf(g.port, ctx);
  const scheme = String(g.scheme ?? 'HTTP').toLowerCase();
  const path = g.path ? (String(g.path).startsWith('/') ? g.path : `/${g.path}`) : '/';
  if (port === undefined) return Promise.resolve({ ok: false, message: `unknown port ${JSON.stringify(g.port)}` });
  const url = `${scheme}://${g.host ?? ctx.podIP}:${port}${path}`;
  const headers: Record<string, string> = { 'User-Agent': 'kube-probe/1.32', Accept: '*/*' };
  for (const h of g.httpHeaders ?? []) if (h?.name) headers[h.name] = String(h.value ?? '');
  return new Promise((resolve) => {
    const req = (scheme === 'https' ? httpsRequest : httpRequest)({ host: ctx.address, port, path, method: 'GET', headers, rejectUnauthorized: false, timeout: timeoutMs }, (res) => {
      res.resume();
      const code = res.statusCode ?? 0;
      resolve(code >= 200 && code < 400 ? { ok: true } : { ok: false, message: `HTTP probe failed with statuscode: ${code}` });
    });
    req.on('timeout', () => {
      req.destroy();
      resolve({ ok: false, message: `Get "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)` });
    });
    req.on('error', (e: NodeJS.ErrnoException) => {
      const tail = e.code === 'ECONNREFUSED' ? 'connection refused' : e.message;
      resolve({ ok: false, message: `Get "${url}": dial tcp ${g.host ?? ctx.podIP}:${port}: connect: ${tail}` });
    });
    req.end();
  });
}

/** A probe's consecutive results against its thresholds: the state it reports (undefined until decided). Pure. */
export class ProbeCounter {
  private successes = 0;
  private failures = 0;
  state: boolean | undefined;

  constructor(private readonly s: ProbeSettings) {}

  /** Records an attempt; true when the reported state changed. */
  record(ok: boolean): boolean {
    const before = this.state;
    if (ok) {
      this.failures = 0;
      if (++this.successes >= this.s.successThreshold) this.state = true;
    } else {
      this.successes = 0;
      if (++this.failures >= this.s.failureThreshold) this.state = false;
    }
    return this.state !== before;
  }
}

export interface ProberEvents {
  /** Readiness as the probes decide it; `message` for a failed attempt. */
  readiness(ready: boolean, message?: string): void;
  /** Liveness or startup failed past its threshold: the container must be killed. */
  failed(probe: 'Liveness' | 'Startup', message: string): void;
}

/** The probes of one container instance, on real timers. */
export class Prober {
  private timers = new Set<NodeJS.Timeout>();
  private stopped = false;
  private ready = false;

  constructor(
    private readonly spec: any,
    private readonly ctx: ProbeContext,
    private readonly events: ProberEvents,
  ) {}

  start(): void {
    if (this.spec.startupProbe) this.loop(this.spec.startupProbe, 'Startup');
    else this.afterStartup();
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private afterStartup(): void {
    if (this.spec.livenessProbe) this.loop(this.spec.livenessProbe, 'Liveness');
    if (this.spec.readinessProbe) this.loop(this.spec.readinessProbe, 'Readiness');
    else if (this.spec.startupProbe) this.setReady(true); // ready once started
  }

  private setReady(ready: boolean, message?: string): void {
    if (ready === this.ready && message === undefined) return;
    this.ready = ready;
    this.events.readiness(ready, message);
  }

  private later(ms: number, fn: () => void): void {
    if (this.stopped) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.stopped) fn();
    }, ms);
    t.unref();
    this.timers.add(t);
  }

  private loop(p: any, kind: 'Startup' | 'Liveness' | 'Readiness'): void {
    const s = probeSettings(p);
    // The kubelet's startup and liveness probes succeed once, readiness may need more.
    const counter = new ProbeCounter(kind === 'Readiness' ? s : { ...s, successThreshold: 1 });
    const attempt = async () => {
      const r = await probeOnce(p, this.ctx, s.timeoutMs);
      if (this.stopped) return;
      counter.record(r.ok);
      if (kind === 'Readiness') {
        this.setReady(counter.state === true, r.ok ? undefined : r.message);
      } else if (!r.ok && counter.state === false) {
        this.events.failed(kind, r.message);
        return; // the container is being killed
      } else if (kind === 'Startup' && counter.state === true) {
        this.afterStartup();
        return;
      }
      this.later(s.periodMs, attempt);
    };
    this.later(s.initialDelayMs, attempt);
  }
}
