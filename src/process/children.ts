// kubesim's components as child processes (`kubesim up --placement processes`, `kubesim chaos run
// --processes`): spawn a `kubesim <subcommand>`, record its pid, wait for a port, stop it by pid
// (SIGTERM, then SIGKILL after a grace period). Children started with exitWithParent: true get a
// stdin pipe from the parent and exit when it closes (the parent is gone, even by SIGKILL): the
// child side of that is exitWithParent() below, which the component commands call.
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import * as net from 'node:net';
import { fileURLToPath } from 'node:url';
import { hasExited } from './exited.ts';
import { componentYoungGenerationFlags } from './heapflags.ts';

/** bin/kubesim.js of this checkout. */
export const KUBESIM_BIN = fileURLToPath(new URL('../../bin/kubesim.js', import.meta.url));
/** Set by the parent for a child that must not outlive it; read (and removed) by exitWithParent(). */
export const EXIT_WITH_PARENT_ENV = 'KUBESIM_EXIT_WITH_PARENT';
/**
 * Node flags for every child spawned here, space-separated (profiling a placement: node refuses
 * `--cpu-prof` in NODE_OPTIONS, so `KUBESIM_CHILD_NODE_FLAGS='--cpu-prof --cpu-prof-dir=/tmp/p'`).
 */
export const CHILD_NODE_FLAGS_ENV = 'KUBESIM_CHILD_NODE_FLAGS';

/** The node flags in KUBESIM_CHILD_NODE_FLAGS. Pure. */
export const childNodeFlags = (env: NodeJS.ProcessEnv = process.env): string[] => (env[CHILD_NODE_FLAGS_ENV] ?? '').split(/\s+/).filter(Boolean);

export interface SpawnOptions {
  bin?: string;
  env?: NodeJS.ProcessEnv;
  /** stdout and stderr of the child (default: ignored). */
  stdout?: 'ignore' | 'pipe' | 'inherit' | number;
  stderr?: 'ignore' | 'pipe' | 'inherit' | number;
  /** A file the child's pid is appended to as `<label> <pid>`. */
  pidsFile?: string;
  label?: string;
  /** The child exits when this process goes away (its stdin pipe closes). */
  exitWithParent?: boolean;
}

/** Starts `node bin/kubesim.js ...args`. */
export function spawnKubesim(args: string[], o: SpawnOptions = {}): ChildProcess {
  const stdio: StdioOptions = [o.exitWithParent ? 'pipe' : 'ignore', o.stdout ?? 'ignore', o.stderr ?? 'ignore'];
  const env: NodeJS.ProcessEnv = { ...process.env, ...o.env, ...(o.exitWithParent ? { [EXIT_WITH_PARENT_ENV]: '1' } : {}) };
  // A child tied to its parent gets a process group of its own: a terminal's Ctrl-C reaches only the
  // parent, which stops its children by pid in its own order.
  const flags = childNodeFlags(env);
  const node = [...flags, ...componentYoungGenerationFlags(args[0], flags, env.NODE_OPTIONS)];
  const child = spawn(process.execPath, [...node, o.bin ?? KUBESIM_BIN, ...args], { env, stdio, detached: !!o.exitWithParent });
  // Our end of the pipe must not keep this process alive; a write error (child gone) is not ours.
  child.stdin?.on('error', () => {});
  (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  if (o.pidsFile && child.pid) appendFileSync(o.pidsFile, `${o.label ?? args[0]} ${child.pid}\n`);
  return child;
}

export { hasExited };

/** Sends `signal` to the child by pid and waits for its exit; SIGKILL after graceMs. */
export async function stopChild(c: ChildProcess, signal: NodeJS.Signals = 'SIGTERM', graceMs = 15_000): Promise<void> {
  if (hasExited(c)) return;
  const gone = new Promise((r) => c.once('exit', r));
  c.kill(signal);
  const t = setTimeout(() => c.kill('SIGKILL'), graceMs);
  await gone;
  clearTimeout(t);
}

const canConnect = (port: number, host: string) =>
  new Promise<boolean>((resolve) => {
    const s = net.connect(port, host, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });

/** Waits until host:port accepts connections and ready() holds; fails early with failed()'s reason. */
export async function waitListening(port: number, host: string, o: { timeoutMs?: number; ready?: () => boolean; failed?: () => string | undefined } = {}): Promise<void> {
  const until = Date.now() + (o.timeoutMs ?? 60_000);
  while (Date.now() < until) {
    if ((await canConnect(port, host)) && (o.ready?.() ?? true)) return;
    const why = o.failed?.();
    if (why) throw new Error(why);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing listening on ${host}:${port} after ${o.timeoutMs ?? 60_000} ms`);
}

/**
 * The child side: when started with exitWithParent, calls onParentGone once the parent's pipe on
 * stdin closes. The variable is removed so this process's own children do not inherit it.
 */
export function exitWithParent(onParentGone: () => void, env: NodeJS.ProcessEnv = process.env): void {
  if (!env[EXIT_WITH_PARENT_ENV]) return;
  delete env[EXIT_WITH_PARENT_ENV];
  let done = false;
  const gone = () => {
    if (done) return;
    done = true;
    onParentGone();
  };
  process.stdin.on('end', gone).on('close', gone).on('error', gone);
  process.stdin.resume();
}
