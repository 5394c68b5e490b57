// The components as processes for a chaos run: `kubesim apiserver` on a fixed loopback port and
// its data dir, and `kubesim scheduler`, `controller-manager` and `nodes`, each through its own
// fault proxy (./proxy.ts) to the API server. Each component reads the kubeconfig kubesim wrote in
// the data dir for it (D/scheduler.kubeconfig, ... or D/kubeconfig), copied to D/chaos/ with only
// the server's address moved to its proxy (TLS passes through the proxy untouched). Kill and start
// act on one process by its pid; stop() ends every process started, by pid.
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync, closeSync } from 'node:fs';
import * as net from 'node:net';
import { join } from 'node:path';
import { parse as parseYaml, stringify } from 'yaml';
import { Client } from '../client/index.ts';
import { CLOCK_SKEW_ENV, formatSkew, type SkewOptions } from '../clock/index.ts';
import { COMPONENT_KUBECONFIGS, componentKubeconfigPath, hasExited, spawnKubesim, stopChild, waitListening } from '../process/index.ts';
import { FaultProxy } from './proxy.ts';
import type { Component } from './scenario.ts';
import { faultsFileTarget } from './faults-file.ts';
import type { CapturedHistory, ChaosTargets } from './targets.ts';
import { HistoryCaptures, type ReadHistory } from './captures.ts';

type Proxied = Exclude<Component, 'apiserver'>;
const KUBECONFIGS: Record<Proxied, string> = COMPONENT_KUBECONFIGS;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface ProcessClusterOptions {
  dataDir: string;
  /** bin/kubesim.js */
  bin: string;
  nodes?: number;
  /** Leader election of the scheduler and controller-manager (seconds): short, so failovers fit a run. */
  leaseDurationSeconds?: number;
  /** Extra flags per component. */
  flags?: Partial<Record<Component, string[]>>;
  /** Where each process's output goes (D/chaos/<component>.log by default). */
  logDir?: string;
  env?: NodeJS.ProcessEnv;
  /** Reads the data dir's store (no API server running): events under a key prefix after a revision. Enables captureHistory. */
  readHistory?: ReadHistory;
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** A kubeconfig's text with every cluster's server moved to host:port (scheme and path kept). */
export function withServer(kubeconfig: string, host: string, port: number): string {
  const doc = parseYaml(kubeconfig) as { clusters?: { cluster?: { server?: string } }[] };
  for (const c of doc.clusters ?? []) {
    if (!c.cluster?.server) continue;
    const u = new URL(c.cluster.server);
    u.hostname = host;
    u.port = String(port);
    c.cluster.server = u.toString().replace(/\/$/, '');
  }
  return stringify(doc);
}

export class ProcessCluster implements ChaosTargets {
  readonly procs = new Map<Component, ChildProcess>();
  readonly proxies = new Map<Proxied, FaultProxy>();
  port = 0;
  private readonly chaosDir: string;
  private readonly captures: HistoryCaptures;
  private stopping = false;
  private get faultsFile(): string {
    return join(this.chaosDir, 'storage-faults.json');
  }
  /**
   * The API server's storage faults: D/chaos/storage-faults.json (./faults-file.ts), which
   * `kubesim apiserver --storage-faults-file` re-reads; a restarted API server starts with them on.
   */
  readonly store: NonNullable<ChaosTargets['store']>;
  /** Components running on a skewed clock (KUBESIM_CLOCK_SKEW in their environment). */
  private readonly skews = new Map<Component, SkewOptions>();
  constructor(private readonly o: ProcessClusterOptions) {
    this.chaosDir = join(o.dataDir, 'chaos');
    this.store = faultsFileTarget(this.faultsFile);
    this.captures = new HistoryCaptures(o.dataDir, o.readHistory);
  }

  /** The admin kubeconfig (D/kubeconfig): straight to the API server. */
  get kubeconfig(): string {
    return join(this.o.dataDir, 'kubeconfig');
  }

  private args(c: Component): string[] {
    const le = String(this.o.leaseDurationSeconds ?? 4);
    const leader = ['--lease-duration', le, '--renew-deadline', String(Math.max(1, Number(le) - 1)), '--retry-period', '0.5'];
    const kc = () => join(this.chaosDir, KUBECONFIGS[c as Proxied]);
    const extra = this.o.flags?.[c] ?? [];
    switch (c) {
      case 'apiserver':
        return ['apiserver', '--port', String(this.port), '--host', '127.0.0.1', '--data-dir', this.o.dataDir, '--storage-faults-file', this.faultsFile, ...extra];
      case 'scheduler':
        return ['scheduler', '--kubeconfig', kc(), ...leader, ...extra];
      case 'controller-manager':
        return ['controller-manager', '--kubeconfig', kc(), ...leader, ...extra];
      case 'nodes':
        return ['nodes', '--kubeconfig', kc(), '--count', String(this.o.nodes ?? 3), '--heartbeat', '2', '--no-processes', ...extra];
    }
  }

  private spawnOne(c: Component): ChildProcess {
    const log = openSync(join(this.o.logDir ?? this.chaosDir, `${c}.log`), 'a');
    const skew = this.skews.get(c);
    // Every pid started, one `component pid` a line, so whoever ran this can check they are gone.
    const env = { KUBESIM_LOG_LEVEL: process.env.KUBESIM_LOG_LEVEL ?? 'warn', ...this.o.env, [CLOCK_SKEW_ENV]: skew ? formatSkew(skew) : '' };
    const child = spawnKubesim(this.args(c), { bin: this.o.bin, env, stdout: log, stderr: log, pidsFile: join(this.chaosDir, 'pids'), label: c });
    closeSync(log);
    this.procs.set(c, child);
    return child;
  }

  private async apiReady(timeoutMs = 60_000): Promise<void> {
    const api = () => this.procs.get('apiserver');
    await waitListening(this.port, '127.0.0.1', {
      timeoutMs,
      ready: () => existsSync(this.kubeconfig),
      failed: () => (api()?.exitCode != null ? `kubesim apiserver exited (${api()?.exitCode}); see ${join(this.chaosDir, 'apiserver.log')}` : undefined),
    }).catch((e: Error) => Promise.reject(/^nothing listening/.test(e.message) ? new Error('the API server did not come up') : e));
  }

  /** Waits until the scheduler and controller-manager lead (their Leases held) and every node is Ready. */
  async settled(timeoutMs = 120_000): Promise<void> {
    const client = Client.fromKubeconfig(this.kubeconfig, { qps: Infinity, timeoutMs: 5000 });
    const leases = client.resource({ group: 'coordination.k8s.io', version: 'v1', plural: 'leases', namespaced: true, kind: 'Lease' }).inNamespace('kube-system');
    const nodes = client.resource({ group: '', version: 'v1', plural: 'nodes', namespaced: false, kind: 'Node' });
    const until = Date.now() + timeoutMs;
    let last = '';
    try {
      while (Date.now() < until) {
        try {
          const held = await Promise.all(['kube-scheduler', 'kube-controller-manager'].map(async (n) => !!(await leases.get(n)).spec?.holderIdentity));
          const ready = (await nodes.list()).items.filter((n) => (n.status?.conditions as { type: string; status: string }[] | undefined)?.some((c) => c.type === 'Ready' && c.status === 'True')).length;
          if (held.every(Boolean) && ready >= (this.o.nodes ?? 3)) return;
          last = `leases held: ${held}, nodes ready: ${ready}`;
        } catch (e) {
          last = (e as Error).message;
        }
        await sleep(200);
      }
      throw new Error(`the components did not settle (${last}); logs in ${this.chaosDir}`);
    } finally {
      client.close();
    }
  }

  /** Starts the API server, one proxy per component, then the components; waits until they settled. */
  async startAll(): Promise<void> {
    mkdirSync(this.chaosDir, { recursive: true });
    this.store.clear();
    this.port = await freePort();
    this.spawnOne('apiserver');
    await this.apiReady();
    for (const c of Object.keys(KUBECONFIGS) as Proxied[]) {
      const proxy = await new FaultProxy({ host: '127.0.0.1', port: this.port }).start();
      this.proxies.set(c, proxy);
      writeFileSync(join(this.chaosDir, KUBECONFIGS[c]), withServer(readFileSync(componentKubeconfigPath(this.o.dataDir, c), 'utf8'), '127.0.0.1', proxy.port), { mode: 0o600 });
      this.spawnOne(c);
    }
    await this.settled();
  }

  async kill(c: Component, signal: 'SIGKILL' | 'SIGTERM'): Promise<void> {
    const p = this.procs.get(c);
    if (!p || hasExited(p)) return;
    await stopChild(p, signal);
    if (c === 'apiserver' && !this.stopping) await this.captures.readAll();
  }

  captureHistory(keyPrefix: string, fromRevision: number): () => CapturedHistory {
    return this.captures.capture(keyPrefix, fromRevision);
  }

  async start(c: Component): Promise<void> {
    const p = this.procs.get(c);
    if (p && !hasExited(p)) return;
    this.spawnOne(c);
    if (c === 'apiserver') await this.apiReady();
  }

  /** Restarts the component (SIGTERM, then the same flags) with its clock skewed, or with the true clock again. */
  async skew(c: Proxied, skew: SkewOptions | undefined): Promise<void> {
    await this.kill(c, 'SIGTERM');
    if (skew) this.skews.set(c, skew);
    else this.skews.delete(c);
    await this.start(c);
  }

  proxy(c: Proxied): FaultProxy | undefined {
    return this.proxies.get(c);
  }

  /** Stops every process started (components first, by pid), then the proxies. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const c of ['nodes', 'controller-manager', 'scheduler', 'apiserver'] as Component[]) await this.kill(c, 'SIGTERM');
    for (const p of this.proxies.values()) await p.close();
  }
}
