// One autocannon run in a process of its own, so the load generator never shares an event loop with
// the server it measures: `runDrive(spec)` spawns this file with the spec and reads the summary line
// it prints. Used by bench/security.ts and bench/api-external.ts.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SELF = fileURLToPath(import.meta.url);
export const ROOT = join(SELF, '../..');

export interface DriveSpec {
  url: string;
  method: 'GET' | 'POST';
  path: string;
  connections: number;
  seconds: number;
  headers: Record<string, string>;
  tls?: { cert?: string; key?: string; ca?: string };
  /** POST: this object is sent with `-<n>` appended to metadata.name per request (unique names). */
  createTemplate?: Record<string, any>;
}

export interface DriveResult {
  rps: number;
  p50: number;
  p99: number;
  ok: number;
  non2xx: number;
  errors: number;
}

async function drive(spec: DriveSpec): Promise<DriveResult> {
  const { default: autocannon } = await import('autocannon');
  let n = 0;
  const base = spec.createTemplate;
  const request = base
    ? {
        method: 'POST' as const,
        path: spec.path,
        setupRequest: (req: any) => ({ ...req, body: JSON.stringify({ ...base, metadata: { ...base.metadata, name: `${base.metadata.name}-${n++}` } }) }),
      }
    : { method: spec.method, path: spec.path };
  const result = await autocannon({
    url: spec.url,
    connections: spec.connections,
    duration: spec.seconds,
    headers: { ...spec.headers, ...(base ? { 'content-type': 'application/json' } : {}) },
    requests: [request],
    ...(spec.tls ? { tlsOptions: spec.tls } : {}),
  });
  const ok = result['2xx'] ?? 0;
  return { rps: ok / (result.duration || spec.seconds), p50: result.latency.p50, p99: result.latency.p99, ok, non2xx: result.non2xx ?? 0, errors: (result.errors ?? 0) + (result.timeouts ?? 0) };
}

export interface Child {
  proc: ChildProcess;
  out: () => string;
  exited: Promise<number | null>;
}

/** A node child process (stdout kept, the tail of stderr kept), logging at warn unless told otherwise. */
export function child(args: string[]): Child {
  const proc = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, KUBESIM_LOG_LEVEL: process.env.KUBESIM_LOG_LEVEL ?? 'warn' } });
  let out = '';
  let err = '';
  proc.stdout!.on('data', (d) => (out += d));
  proc.stderr!.on('data', (d) => (err = (err + d).slice(-4000)));
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  return { proc, out: () => out + (err ? `\n[stderr] ${err}` : ''), exited };
}

/** SIGTERM, then SIGKILL after 10 s. */
export async function stop(c: Child): Promise<void> {
  if (c.proc.exitCode !== null || c.proc.signalCode !== null) return;
  c.proc.kill('SIGTERM');
  const t = setTimeout(() => c.proc.kill('SIGKILL'), 10_000);
  await c.exited;
  clearTimeout(t);
}

export async function runDrive(spec: DriveSpec): Promise<DriveResult> {
  const c = child(['--import', 'tsx', SELF, JSON.stringify(spec)]);
  const code = await c.exited;
  const line = c.out().split('\n').find((l) => l.startsWith('{'));
  if (code !== 0 || !line) throw new Error(`autocannon run failed (exit ${code}): ${c.out()}`);
  return JSON.parse(line);
}

if (process.argv[1] === SELF) process.stdout.write(JSON.stringify(await drive(JSON.parse(process.argv[2]))) + '\n');
