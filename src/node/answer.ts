// Simulated containers that declare a containerPort answer HTTP on it: while an instance runs, a
// small node:http server on the pod's loopback alias (10.a.b.c → 127.a.b.c) answers every request
// with a line naming the pod, its namespace, node, container and port, so a Service's load
// balancing is visible with any image. One listener per declared TCP port of a running container,
// opened at start and closed at its end: pods without ports cost nothing. hostNetwork pods and
// addresses another process already serves are skipped (quietly: a debug log).
import http from 'node:http';
import type { Logger } from 'pino';
import { loopbackAlias } from './process/services.ts';
import { containerSpec, type ContainerSim, type PodSim } from './podsim.ts';

/** The answer of a simulated container, one line. Pure. */
export function answerText(pod: { namespace: string; name: string; node: string }, container: string, port: number, method: string, url: string): string {
  return `pod=${pod.name} namespace=${pod.namespace} node=${pod.node} container=${container} port=${port} ${method} ${url}\n`;
}

/** The TCP container ports a simulated instance answers on. Pure. */
export function answeredPorts(pod: any, spec: any): number[] {
  if (pod?.spec?.hostNetwork) return [];
  const out: number[] = [];
  for (const p of spec?.ports ?? []) {
    if ((p.protocol ?? 'TCP') === 'TCP' && Number.isInteger(p.containerPort) && p.containerPort > 0 && p.containerPort < 65536) out.push(p.containerPort);
  }
  return out;
}

export class PortAnswerer {
  /** Servers by container instance. */
  private readonly open = new Map<ContainerSim, http.Server[]>();
  private listeners = 0;
  private warned = false;

  /** At most `max` listeners at once (each holds a file descriptor); past it, new instances stay silent (one warning). */
  constructor(
    private readonly max = 4096,
    private readonly log?: Logger,
  ) {}

  /** Instance `c` runs: listen on its ports at the pod's alias. */
  started(sim: PodSim, c: ContainerSim): void {
    if (c.init || !sim.podIP || this.open.has(c)) return;
    const ports = answeredPorts(sim.pod, containerSpec(sim.pod, c));
    if (!ports.length) return;
    if (this.listeners + ports.length > this.max) {
      if (!this.warned) this.log?.warn({ max: this.max }, 'simulated containers past the listener limit do not answer HTTP');
      this.warned = true;
      return;
    }
    this.listeners += ports.length;
    const host = loopbackAlias(sim.podIP);
    const who = { namespace: sim.namespace, name: sim.name, node: sim.pod.spec?.nodeName ?? '' };
    const servers = ports.map((port) => {
      const server = http.createServer((req, res) => {
        const body = answerText(who, c.name, port, req.method ?? 'GET', req.url ?? '/');
        res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body), 'X-Kubesim-Pod': who.name });
        res.end(req.method === 'HEAD' ? undefined : body);
      });
      server.keepAliveTimeout = 5000;
      server.on('error', (err) => this.log?.debug({ pod: `${sim.namespace}/${sim.name}`, addr: `${host}:${port}`, err: String(err) }, 'simulated port not served'));
      server.listen(port, host);
      server.unref();
      return server;
    });
    this.open.set(c, servers);
  }

  /** Instance `c` ended (or its pod is gone): stop answering. */
  ended(c: ContainerSim): void {
    const servers = this.open.get(c);
    if (!servers) return;
    this.open.delete(c);
    this.listeners -= servers.length;
    for (const s of servers) {
      s.close();
      s.closeAllConnections();
    }
  }

  removed(sim: PodSim): void {
    for (const c of sim.containers) this.ended(c);
  }

  /** How many instances answer now (tests, metrics). */
  get size(): number {
    return this.open.size;
  }

  close(): void {
    for (const c of [...this.open.keys()]) this.ended(c);
  }
}
