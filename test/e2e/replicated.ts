// Several `kubesim apiserver` processes on one shared store behind a real HAProxy on loopback, with
// a scheduler, a controller-manager and a node pool as processes pointed at HAProxy, for the
// end-to-end tests of each shared backend (haproxy-postgres, haproxy-etcd). The replicas share one
// PKI (--cert-dir, made before they start); kubectl and the components use the kubeconfigs replica 0
// wrote in its data dir, with the server changed to the HAProxy address. Every process is stopped
// by pid in close() and the temp dir removed.
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadKubeconfig, type ResolvedKubeconfig } from '../../src/client/kubeconfig.ts';
import { eventually } from '../helpers/eventually.ts';
import { tlsFetch, type KubeFetch } from '../helpers/kubeconfig-fetch.ts';
import { freePort } from '../helpers/services.ts';
import { sharedPki } from '../helpers/shared-pki.ts';
import { KUBECTL, hasKubectl } from './harness.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export const haproxyBin = (() => {
  try {
    return execFileSync('sh', ['-c', 'command -v haproxy'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
})();

/** Why the replicated e2e cannot run here (a SKIP line is printed), or undefined. */
export function replicatedMissing(what: string): string | undefined {
  const why = !haproxyBin ? 'haproxy not found on PATH (apt-get install -y haproxy)' : !hasKubectl ? `${KUBECTL} not found` : undefined;
  if (why) process.stdout.write(`SKIP ${what}: ${why}\n`);
  return why;
}

/** HAProxy in TCP mode (TLS passes through; watches are long-lived), /readyz checks, failed connects redispatched. */
export function haproxyConfig(port: number, backends: number[]): string {
  return [
    'global',
    '  maxconn 2000',
    'defaults',
    '  mode tcp',
    '  timeout connect 1s',
    '  timeout client 1h',
    '  timeout server 1h',
    '  retries 3',
    '  option redispatch',
    'frontend api',
    `  bind 127.0.0.1:${port}`,
    '  default_backend apiservers',
    'backend apiservers',
    '  balance roundrobin',
    '  option httpchk GET /readyz',
    '  http-check expect status 200',
    '  default-server inter 300ms fall 2 rise 2 on-marked-down shutdown-sessions',
    ...backends.map((p, i) => `  server api${i} 127.0.0.1:${p} check check-ssl verify none`),
    '',
  ].join('\n');
}

export interface ReplicatedCluster {
  dir: string;
  ports: number[];
  /** https://127.0.0.1:<haproxy port> */
  lbUrl: string;
  /** The admin kubeconfig replica 0 wrote, pointed at HAProxy. */
  kubeconfig: string;
  admin: ResolvedKubeconfig;
  /** fetch() through HAProxy as the admin. */
  fetch: KubeFetch & { close(): void };
  kubectl(args: string[], timeoutMs?: number): Promise<string>;
  kubectlJson(args: string[], timeoutMs?: number): Promise<any>;
  /** kill -9 of replica i. */
  kill(i: number): void;
  /** Starts replica i again (same port, data dir and flags) and waits until it is ready. */
  restart(i: number): Promise<void>;
  /** The last lines every process printed. */
  logs(): string;
  close(): Promise<void>;
}

export interface ReplicatedOptions {
  /** --storage (and --events) arguments of every replica. */
  storageArgs: string[];
  replicas?: number;
  nodes?: number;
}

export async function startReplicatedCluster(o: ReplicatedOptions): Promise<ReplicatedCluster> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubesim-replicas-'));
  const children: ChildProcess[] = [];
  const logs = new Map<string, string>();
  const run = (name: string, cmd: string, args: string[]): ChildProcess => {
    const child = spawn(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, KUBESIM_LOG_LEVEL: 'warn' } });
    children.push(child);
    logs.set(name, '');
    const keep = (d: Buffer) => logs.set(name, (logs.get(name)! + d).slice(-3000));
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    return child;
  };
  const kubesim = (name: string, args: string[]) => run(name, process.execPath, [path.join(root, 'bin/kubesim.js'), ...args]);
  const allLogs = () => [...logs].map(([n, l]) => `--- ${n}\n${l}`).join('\n').slice(-10_000);
  let fetchThrough: (KubeFetch & { close(): void }) | undefined;
  const close = async () => {
    for (const c of [...children].reverse()) {
      if (c.exitCode !== null || c.signalCode !== null) continue;
      const exited = new Promise((r) => c.once('exit', r));
      c.kill('SIGTERM');
      const t = setTimeout(() => c.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(t);
    }
    fetchThrough?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  };

  try {
    // One PKI before the replicas start, so they do not race to create it.
    const pki = await sharedPki(dir);
    pki.fetch.close();
    const ports = await Promise.all(Array.from({ length: o.replicas ?? 3 }, () => freePort()));
    const replicaArgs = (i: number) => ['apiserver', '--port', String(ports[i]), '--data-dir', path.join(dir, `r${i}`), ...pki.args, ...o.storageArgs, '--endpoint-lease-duration', '3s'];
    const replicas = ports.map((_, i) => kubesim(`api${i}`, replicaArgs(i)));
    const ready = (f: KubeFetch, p: number) => eventually(async () => (await f(`https://127.0.0.1:${p}/readyz`).catch(() => undefined))?.status === 200, `replica ${p} ready`, 45_000, 100);
    const lb = await freePort();
    const lbUrl = `https://127.0.0.1:${lb}`;
    fs.writeFileSync(path.join(dir, 'haproxy.cfg'), haproxyConfig(lb, ports));
    run('haproxy', haproxyBin!, ['-f', path.join(dir, 'haproxy.cfg'), '-db']);

    // The kubeconfigs replica 0 wrote (D/kubeconfig last), pointed at HAProxy.
    const r0 = path.join(dir, 'r0');
    await eventually(() => fs.existsSync(path.join(r0, 'kubeconfig')), 'replica 0 wrote its kubeconfig', 45_000, 100).catch((e) => Promise.reject(new Error(`${e.message}\n${allLogs()}`)));
    const throughLb = (file: string) => {
      const out = path.join(dir, `lb-${file}`);
      fs.writeFileSync(out, fs.readFileSync(path.join(r0, file), 'utf8').replace(/server: https:\/\/[^\s]+/, `server: ${lbUrl}`), { mode: 0o600 });
      return out;
    };
    const kubeconfig = throughLb('kubeconfig');
    const admin = loadKubeconfig(kubeconfig);
    fetchThrough = tlsFetch(admin);
    // Each component with its own identity, through the HAProxy address (started now: they retry until it serves).
    kubesim('scheduler', ['scheduler', '--kubeconfig', throughLb('scheduler.kubeconfig')]);
    kubesim('controller-manager', ['controller-manager', '--kubeconfig', throughLb('controller-manager.kubeconfig')]);
    kubesim('nodes', ['nodes', '--kubeconfig', throughLb('node-pool.kubeconfig'), '--count', String(o.nodes ?? 3), '--heartbeat', '2', '--pull-delay', '500ms']);
    const direct = tlsFetch({ ...admin, server: 'https://127.0.0.1' });
    try {
      for (const p of ports) await ready(direct, p);
    } finally {
      direct.close();
    }

    const kubectl = (args: string[], timeoutMs = 60_000) =>
      new Promise<string>((res, rej) => {
        execFile(KUBECTL, ['--kubeconfig', kubeconfig, ...args], { env: { ...process.env, HOME: dir }, timeout: timeoutMs, maxBuffer: 64 << 20 }, (err, stdout, se) =>
          err ? rej(new Error(`kubectl ${args.join(' ')}: ${se || err.message}`)) : res(stdout),
        );
      });
    await eventually(async () => (await kubectl(['get', '--raw', '/readyz'], 5_000).catch(() => '')) === 'ok', 'kubectl through HAProxy', 30_000, 200);

    return {
      dir,
      ports,
      lbUrl,
      kubeconfig,
      admin,
      fetch: fetchThrough,
      kubectl,
      kubectlJson: async (args, timeoutMs) => JSON.parse(await kubectl([...args, '-o', 'json'], timeoutMs)),
      kill: (i) => void replicas[i].kill('SIGKILL'),
      restart: async (i) => {
        replicas[i] = kubesim(`api${i}-restarted`, replicaArgs(i));
        const f = tlsFetch({ ...admin, server: 'https://127.0.0.1' });
        try {
          await ready(f, ports[i]);
        } finally {
          f.close();
        }
      },
      logs: allLogs,
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}

export interface AckWriter {
  /** name → resourceVersion of every create answered 201. */
  acked: Map<string, number>;
  /** Non-201 answers by status ('error' = no answer: connection reset while a replica died). */
  failed: Map<number | 'error', number>;
  stop(): Promise<void>;
}

/** Creates ConfigMaps through HAProxy, one after another, and records the acknowledged ones. */
export function startAckWriter(c: ReplicatedCluster, prefix: string, everyMs = 25): AckWriter {
  let writing = true;
  const w: AckWriter = { acked: new Map(), failed: new Map(), stop: async () => ((writing = false), await loop) };
  const loop = (async () => {
    for (let i = 0; writing; i++) {
      const name = `${prefix}-${i}`;
      const r = await c
        .fetch('/api/v1/namespaces/default/configmaps', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { i: String(i) } }),
        })
        .catch(() => undefined);
      const body = r ? ((await r.json().catch(() => undefined)) as { metadata: { resourceVersion: string } } | undefined) : undefined;
      if (r?.status === 201) w.acked.set(name, Number(body!.metadata.resourceVersion));
      else w.failed.set(r?.status ?? 'error', (w.failed.get(r?.status ?? 'error') ?? 0) + 1);
      await new Promise((res) => setTimeout(res, everyMs));
    }
  })();
  return w;
}

export const deployment = (image: string, replicas = 4) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default' },
  spec: {
    replicas,
    selector: { matchLabels: { app: 'web' } },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 1 } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image }] } },
  },
});
