// Private etcd servers for tests: one member or a cluster on loopback ports in a temp dir, stopped
// in teardown. `etcdMissing()` tells a test file to print SKIP when Debian's etcd-server is absent.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { tempDir } from './helpers.ts';
import { eventually } from '../helpers/eventually.ts';

export function etcdMissing(): boolean {
  return spawnSync('etcd', ['--version'], { stdio: 'ignore' }).error !== undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

interface Member {
  name: string;
  client: string;
  peer: string;
  dir: string;
  proc?: ChildProcess;
  log: string;
}

export interface EtcdCluster {
  /** Client URLs, one per member. */
  endpoints: string[];
  /** Stops member i (SIGTERM, or the signal given) and waits for its exit. */
  stop(i: number, signal?: NodeJS.Signals): Promise<void>;
  /** Stops every member and removes the data. */
  close(): Promise<void>;
}

function startMember(m: Member, initialCluster: string): void {
  const args = [
    '--name', m.name,
    '--data-dir', m.dir,
    '--listen-client-urls', m.client,
    '--advertise-client-urls', m.client,
    '--listen-peer-urls', m.peer,
    '--initial-advertise-peer-urls', m.peer,
    '--initial-cluster', initialCluster,
    '--initial-cluster-state', 'new',
    '--experimental-watch-progress-notify-interval', '500ms',
    '--log-level', 'warn',
  ];
  m.proc = spawn('etcd', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  m.proc.stderr!.on('data', (b: Buffer) => (m.log = (m.log + b.toString()).slice(-4000)));
}

async function healthy(url: string): Promise<boolean> {
  const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
  return res.ok && ((await res.json()) as { health?: string }).health === 'true';
}

/** Starts `size` members (1 or 3) and waits until every one answers /health. */
export async function startEtcd(size = 1): Promise<EtcdCluster> {
  const tmp = tempDir();
  const members: Member[] = [];
  for (let i = 0; i < size; i++) {
    members.push({ name: `m${i}`, client: `http://127.0.0.1:${await freePort()}`, peer: `http://127.0.0.1:${await freePort()}`, dir: `${tmp.dir}/m${i}`, log: '' });
  }
  const initialCluster = members.map((m) => `${m.name}=${m.peer}`).join(',');
  for (const m of members) startMember(m, initialCluster);
  const stop = async (m: Member, signal: NodeJS.Signals = 'SIGTERM') => {
    const p = m.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill(signal);
    const t = setTimeout(() => p.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(t);
  };
  try {
    for (const m of members) await eventually(() => healthy(m.client), `etcd ${m.name} healthy (log: ${m.log.slice(-500)})`, 30_000, 100);
  } catch (err) {
    for (const m of members) await stop(m);
    tmp.remove();
    throw err;
  }
  return {
    endpoints: members.map((m) => m.client),
    stop: (i, signal) => stop(members[i], signal),
    close: async () => {
      for (const m of members) await stop(m);
      tmp.remove();
    },
  };
}
