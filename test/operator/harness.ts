// The processes an operator's tests need, each a child process: `kubesim apiserver` on a fresh data
// dir, then `kubesim controller-manager` (deployment, replicaset, garbage collector), `kubesim
// scheduler` and `kubesim nodes` against the kubeconfig it writes.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eventually } from '../helpers/eventually.ts';
import { kubeconfigFetch, type KubeFetch } from '../helpers/kubeconfig-fetch.ts';

const bin = resolve(dirname(fileURLToPath(import.meta.url)), '../../bin/kubesim.js');

export interface Cluster {
  url: string;
  dir: string;
  kubeconfig: string;
  close(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => res(port));
    });
    s.on('error', rej);
  });
}

function start(args: string[], logs: string[]): ChildProcess {
  const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, KUBESIM_LOG_LEVEL: 'warn' } });
  child.stderr!.on('data', (d) => logs.push(`${args[0]}: ${d}`));
  return child;
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((res) => {
    const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(t);
      res();
    });
    child.kill('SIGTERM');
  });
}

export async function startCluster(): Promise<Cluster> {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-operator-'));
  const port = await freePort();
  const url = `https://127.0.0.1:${port}`;
  const data = join(dir, 'data');
  const kubeconfig = join(data, 'kubeconfig');
  let api: (KubeFetch & { close(): void }) | undefined;
  const logs: string[] = [];
  const children = [start(['apiserver', '--port', String(port), '--data-dir', join(dir, 'data')], logs)];
  const close = async () => {
    api?.close();
    for (const c of children.reverse()) await stop(c);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await eventually(async () => {
      if (children[0].exitCode !== null) throw new Error(`apiserver exited: ${logs.join('')}`);
      if (!existsSync(kubeconfig)) return false;
      api ??= kubeconfigFetch(kubeconfig);
      return (await api(`${url}/readyz`).catch(() => undefined))?.status === 200;
    }, 'apiserver /readyz', 20_000);
    // Each component with its own identity's kubeconfig, as kubesim writes them.
    const kc = (who: string) => ['--kubeconfig', join(data, `${who}.kubeconfig`)];
    children.push(start(['controller-manager', ...kc('controller-manager'), '--leader-elect', 'false', '--controllers', 'deployment,replicaset,garbagecollector'], logs));
    children.push(start(['scheduler', ...kc('scheduler'), '--leader-elect', 'false'], logs));
    children.push(start(['nodes', ...kc('node-pool'), '--count', '1', '--no-events'], logs));
    await eventually(async () => {
      const nodes: any = await (await api!('/api/v1/nodes')).json();
      return nodes.items?.some((n: any) => n.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True'));
    }, 'a Ready node', 20_000);
  } catch (e) {
    await close();
    throw e;
  }
  return { url, dir, kubeconfig, close };
}
