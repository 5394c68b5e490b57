// Private PostgreSQL and Redis servers for tests: loopback ports, temp dirs, stopped in teardown.
// PostgreSQL refuses to run as root, so initdb/pg_ctl run as the `postgres` user when we are root.
// A missing binary returns undefined and prints a SKIP line.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

function which(bin: string): string | undefined {
  try {
    return execFileSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface PrivatePostgres {
  url: string;
  stop(): Promise<void>;
  /** pg_ctl stop (fast) and start again on the same data and port. */
  restart(downMs?: number): Promise<void>;
  pgStop(): void;
  pgStart(): void;
}

export async function startPostgres(): Promise<PrivatePostgres | undefined> {
  const initdb = which('initdb');
  const pgCtl = which('pg_ctl');
  if (!initdb || !pgCtl) {
    process.stdout.write(`SKIP postgres tests: ${!initdb ? 'initdb' : 'pg_ctl'} not found on PATH\n`);
    return undefined;
  }
  const root = process.getuid?.() === 0;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubesim-pg-'));
  if (root) execFileSync('chown', ['postgres', dir]);
  const data = path.join(dir, 'data');
  const as = (cmd: string, args: string[]) =>
    root ? execFileSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { stdio: 'pipe' }) : execFileSync(cmd, args, { stdio: 'pipe' });
  as(initdb, ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-locale']);
  const port = await freePort();
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
  const pgStart = () => as(pgCtl, ['-D', data, '-o', opts, '-l', path.join(dir, 'log'), '-w', 'start']);
  const pgStop = () => as(pgCtl, ['-D', data, '-m', 'fast', '-w', 'stop']);
  pgStart();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    pgStart,
    pgStop,
    restart: async (downMs = 500) => {
      pgStop();
      await new Promise((r) => setTimeout(r, downMs));
      pgStart();
    },
    stop: async () => {
      try {
        pgStop();
      } catch {
        // already stopped
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface PrivateRedis {
  url: string;
  stop(): Promise<void>;
  /** Kills the server (its data is gone: no persistence) and starts an empty one on the same port. */
  restart(downMs?: number): Promise<void>;
}

export async function startRedis(): Promise<PrivateRedis | undefined> {
  const bin = which('redis-server');
  if (!bin) {
    process.stdout.write('SKIP redis tests: redis-server not found on PATH\n');
    return undefined;
  }
  const port = await freePort();
  let child: ChildProcess | undefined;
  const launch = async () => {
    child = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    await waitForPort(port);
  };
  const kill = async () => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await exited;
  };
  await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: kill,
    restart: async (downMs = 300) => {
      await kill();
      await new Promise((r) => setTimeout(r, downMs));
      await launch();
    },
  };
}

async function waitForPort(port: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.end();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`port ${port} did not open`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
