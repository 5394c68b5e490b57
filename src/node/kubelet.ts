// The pool's kubelet HTTP server (one for all its nodes; an optional /nodes/<name> prefix or
// ?node= picks one): exec and port-forward upgrades, container logs (the API server proxies pods/x/log here), /stats/summary and
// /metrics/resource for the metrics API, /pods, /healthz and the pool's Prometheus /metrics.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { formatLines, type LogOptions } from './logs.ts';
import type { PodSim } from './podsim.ts';
import type { ContainerLog, ContainerUsage } from './runtime.ts';
import { poolSummaryChunks, summaryJson, summaryObject, visitPoolSummary } from './summaryjson.ts';
import type { SummarySink } from '../api/summarysink.ts';
import { ExecServer, type AttachStarter, type ExecStarter } from './exec.ts';
import { PortForwardServer, type PortForwardStarter } from './portforward/server.ts';

/** All the kubelet server reads of its pool. */
export interface KubeletView {
  readonly startedAt: number;
  /** The pool's Prometheus registry (/metrics). */
  readonly registry: { readonly contentType: string; metrics(): Promise<string> };
  now(): number;
  nodeNames(): Iterable<string>;
  hasNode(name: string): boolean;
  nodeCapacity(name: string): Record<string, string> | undefined;
  /** The pods the pool runs (on one node). */
  pods(node?: string): Iterable<PodSim>;
  /** fn(sim, node) for each pod the pool runs, in pods()'s order, with the node whose pods(node) lists it. */
  forEachPod(fn: (sim: PodSim, node: string) => void): void;
  pod(namespace: string, name: string): PodSim | undefined;
  log(namespace: string, pod: string, container: string, previous: boolean): ContainerLog | undefined;
  /** Usage of the pod's running containers. */
  usage(sim: PodSim, now: number): ContainerUsage[];
  /** kubectl exec (WebSocket upgrades of /exec/..., exec.ts). */
  exec?: ExecStarter;
  /** kubectl attach (WebSocket upgrades of /attach/..., exec.ts). */
  attach?: AttachStarter;
  /** kubectl port-forward (upgrades of /portforward/..., portforward/server.ts). */
  portForward?: PortForwardStarter;
}

export interface KubeletServer {
  server: http.Server;
  port: number;
  url: string;
  close(): Promise<void>;
}

/** Starts listening before the pool exists (the Nodes must carry its port); `view()` is read per request. */
export async function startKubeletServer(view: () => KubeletView | undefined, port = 0, host = '127.0.0.1'): Promise<KubeletServer> {
  const sockets = new Set<import('node:net').Socket>();
  const server = http.createServer((req, res) => {
    const s = view();
    if (!s) return send(res, 503, 'text/plain', 'starting\n');
    handle(s, req, res).catch((e) => {
      if (!res.headersSent) send(res, 500, 'text/plain', `${String(e)}\n`);
      else res.destroy();
    });
  });
  const execs = new ExecServer(() => view()?.exec, () => view()?.attach);
  const forwards = new PortForwardServer(() => view()?.portForward);
  server.on('upgrade', (req, sock, head) => (forwards.matches(req.url ?? '/') ? forwards : execs).upgrade(req, sock, head));
  server.on('connection', (sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    server,
    port: actual,
    url: `http://${host}:${actual}`,
    close: () =>
      new Promise<void>((resolve) => {
        forwards.closeAll();
        for (const sock of sockets) sock.destroy();
        server.close(() => resolve());
      }),
  };
}

function send(res: http.ServerResponse, code: number, type: string, body: string): void {
  const bytes = Buffer.from(body); // encoded once (byteLength and end would each walk a large summary)
  res.writeHead(code, { 'Content-Type': type, 'Content-Length': bytes.length });
  res.end(bytes);
}

/**
 * A 200 whose body is written piece by piece as `pieces` makes them (chunked), the event loop turning
 * between pieces (and waiting for the socket to drain when its buffer is full), so the pool's
 * timers and writes go on while a large summary is made. Stops if the client goes away.
 */
async function sendChunks(res: http.ServerResponse, type: string, pieces: Iterable<string>): Promise<void> {
  res.writeHead(200, { 'Content-Type': type });
  if (res.req.method === 'HEAD') return void res.end();
  for (const piece of pieces) {
    if (res.destroyed) return;
    const full = !res.write(piece);
    await new Promise<void>((resolve) => {
      if (!full) return void setImmediate(resolve);
      const done = () => {
        res.off('drain', done).off('close', done);
        resolve();
      };
      res.on('drain', done).on('close', done);
    });
  }
  if (!res.destroyed) res.end();
}

function status(res: http.ServerResponse, code: number, reason: string, message: string): void {
  send(res, code, 'application/json', JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code }));
}

async function handle(s: KubeletView, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://kubelet');
  let path = url.pathname;
  let node = url.searchParams.get('node') ?? undefined;
  const m = /^\/nodes\/([^/]+)(\/.*)$/.exec(path);
  if (m) {
    node = decodeURIComponent(m[1]);
    path = m[2];
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') return status(res, 405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`);
  if (path === '/healthz' || path === '/livez' || path === '/readyz') return send(res, 200, 'text/plain', 'ok');
  if (path === '/metrics') return send(res, 200, s.registry.contentType, await s.registry.metrics());
  if (node !== undefined && !s.hasNode(node)) return status(res, 404, 'NotFound', `nodes "${node}" not found`);
  const logs = /^\/containerLogs\/([^/]+)\/([^/]+)\/([^/]+)\/?$/.exec(path);
  if (logs) return containerLogs(s, req, res, decodeURIComponent(logs[1]), decodeURIComponent(logs[2]), decodeURIComponent(logs[3]), url.searchParams);
  if (path === '/stats/summary') return node ? send(res, 200, 'application/json', summaryJson(s, node)) : sendChunks(res, 'application/json', poolSummaryChunks(s));
  if (path === '/metrics/resource') return send(res, 200, 'text/plain; version=0.0.4', resourceMetrics(s, node));
  if (path === '/pods') {
    const items = [...s.pods(node)].map((sim) => ({ ...sim.pod }));
    return sendJSON(res, { kind: 'PodList', apiVersion: 'v1', metadata: {}, items });
  }
  return status(res, 404, 'NotFound', `the server could not find the requested resource`);
}

function sendJSON(res: http.ServerResponse, body: unknown): void {
  send(res, 200, 'application/json', JSON.stringify(body));
}

function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? Math.trunc(n) : undefined;
}

function boolParam(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  return v === 'true' || v === '1';
}

async function containerLogs(s: KubeletView, req: http.IncomingMessage, res: http.ServerResponse, ns: string, pod: string, container: string, q: URLSearchParams): Promise<void> {
  const sim = s.pod(ns, pod);
  if (!sim) return status(res, 404, 'NotFound', `pods "${pod}" not found`);
  const c = sim.containers.find((x) => x.name === container);
  if (!c) return status(res, 400, 'BadRequest', `container ${container} is not valid for pod ${pod}`);
  const previous = boolParam(q, 'previous');
  const log = s.log(ns, pod, container, previous);
  if (!log) {
    if (previous) return status(res, 400, 'BadRequest', `previous terminated container "${container}" in pod "${pod}" not found`);
    const reason =
      c.state === 'BackOff'
        ? 'CrashLoopBackOff'
        : c.state === 'Waiting'
          ? 'PodInitializing'
          : c.state === 'ErrImagePull' || c.state === 'ImagePullBackOff'
            ? "image can't be pulled"
            : 'ContainerCreating';
    return status(res, 400, 'BadRequest', `container "${container}" in pod "${pod}" is waiting to start: ${reason}`);
  }
  const sinceTime = q.get('sinceTime');
  const opts: LogOptions = {
    tailLines: intParam(q, 'tailLines'),
    sinceSeconds: intParam(q, 'sinceSeconds'),
    sinceTime: sinceTime ? Date.parse(sinceTime) : undefined,
    timestamps: boolParam(q, 'timestamps'),
    limitBytes: intParam(q, 'limitBytes'),
  };
  const now = s.now();
  const lines = log.read(opts, now);
  const text = formatLines(lines, opts);
  if (!boolParam(q, 'follow') || previous) return send(res, 200, 'text/plain', text);
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache' });
  let sent = Buffer.byteLength(text);
  res.write(text);
  let last = lines.length ? lines[lines.length - 1].seq : log.read({}, now).at(-1)?.seq ?? 0;
  let closed = false;
  req.on('close', () => (closed = true));
  res.on('close', () => (closed = true));
  // Follow: poll the (lazily generated) log; end when the instance ended or the pod went away.
  while (!closed) {
    await new Promise((r) => setTimeout(r, 200));
    if (closed) break;
    const fresh = log.since(last, s.now());
    if (fresh.length) {
      last = fresh[fresh.length - 1].seq;
      let chunk = formatLines(fresh, { timestamps: opts.timestamps });
      if (opts.limitBytes !== undefined) chunk = chunk.slice(0, Math.max(0, opts.limitBytes - sent));
      if (chunk) res.write(chunk);
      sent += Buffer.byteLength(chunk);
      if (opts.limitBytes !== undefined && sent >= opts.limitBytes) break;
    }
    const stillThere = s.pod(ns, pod) === sim;
    if (log.endedAt !== undefined || !stillThere) break;
  }
  res.end();
}

// ---- usage -------------------------------------------------------------------------------------

/**
 * A pool's /stats/summary in-process: its nodes' summary figures told to the sink (what the scraper
 * reads of the pool-wide summary, summaryjson.ts), for an API server in the same process to scrape
 * without HTTP or the summary's objects (ScraperOptions.source); no summary is left to return.
 */
export function poolSummarySource(pool: { readonly state: { kubeletView(): KubeletView } }): (sink: SummarySink) => unknown[] {
  const view = pool.state.kubeletView();
  return (sink) => {
    visitPoolSummary(view, sink);
    return [];
  };
}

/** kubelet's /stats/summary for one node, as objects (/metrics/resource reads it): summaryjson.ts's text, parsed. */
export function summary(s: KubeletView, node: string): any {
  return summaryObject(s, node);
}

/** kubelet's /metrics/resource (the metrics-server's source), for one node or every node. */
export function resourceMetrics(s: KubeletView, node?: string): string {
  const now = s.now();
  const out: string[] = [];
  const nodeLines: string[] = [];
  const ctr: string[] = [];
  const podL: string[] = [];
  const names = node ? [node] : [...s.nodeNames()];
  const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
  for (const n of names) {
    const sum = summary(s, n);
    const nl = node ? '' : `{node="${esc(n)}"}`;
    nodeLines.push(`node_cpu_usage_seconds_total${nl} ${sum.node.cpu.usageCoreNanoSeconds / 1e9} ${now}`);
    nodeLines.push(`node_memory_working_set_bytes${nl} ${sum.node.memory.workingSetBytes} ${now}`);
    for (const p of sum.pods) {
      const pl = `namespace="${esc(p.podRef.namespace)}",pod="${esc(p.podRef.name)}"${node ? '' : `,node="${esc(n)}"`}`;
      for (const c of p.containers) {
        const cl = `{container="${esc(c.name)}",${pl}}`;
        ctr.push(`container_cpu_usage_seconds_total${cl} ${c.cpu.usageCoreNanoSeconds / 1e9} ${now}`);
        ctr.push(`container_memory_working_set_bytes${cl} ${c.memory.workingSetBytes} ${now}`);
        ctr.push(`container_start_time_seconds${cl} ${Date.parse(c.startTime) / 1000} ${now}`);
      }
      podL.push(`pod_cpu_usage_seconds_total{${pl}} ${p.cpu.usageCoreNanoSeconds / 1e9} ${now}`);
      podL.push(`pod_memory_working_set_bytes{${pl}} ${p.memory.workingSetBytes} ${now}`);
    }
  }
  const block = (name: string, help: string, type: string, lines: string[]) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...lines.filter((l) => l.startsWith(name + '{') || l.startsWith(name + ' ')));
  };
  block('container_cpu_usage_seconds_total', '[STABLE] Cumulative cpu time consumed by the container in core-seconds', 'counter', ctr);
  block('container_memory_working_set_bytes', '[STABLE] Current working set of the container in bytes', 'gauge', ctr);
  block('container_start_time_seconds', '[STABLE] Start time of the container since unix epoch in seconds', 'gauge', ctr);
  block('node_cpu_usage_seconds_total', '[STABLE] Cumulative cpu time consumed by the node in core-seconds', 'counter', nodeLines);
  block('node_memory_working_set_bytes', '[STABLE] Current working set of the node in bytes', 'gauge', nodeLines);
  block('pod_cpu_usage_seconds_total', '[STABLE] Cumulative cpu time consumed by the pod in core-seconds', 'counter', podL);
  block('pod_memory_working_set_bytes', '[STABLE] Current working set of the pod in bytes', 'gauge', podL);
  out.push('# HELP resource_scrape_error [STABLE] 1 if there was an error while getting container metrics, 0 otherwise', '# TYPE resource_scrape_error gauge', 'resource_scrape_error 0');
  return out.join('\n') + '\n';
}
