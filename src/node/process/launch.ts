// What a real container instance is started as: node's argv (the preload, the heap limit, the
// container's node arguments with $(VAR) expanded and the script's path mapped), its working
// directory, its environment and the preload's configuration (mounts, addresses, DNS table); and
// the probe context that runs exec probes the same way.
import { serviceEnv } from './svcenv.ts';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { valueOrZero } from '../../api/quantity.ts';
import type { KubeObject } from '../../api/types.ts';
import type { PodSim } from '../podsim.ts';
import { nodeArgs, scriptIndex } from './command.ts';
import { containerEnv, containerMounts, type ConfigSource, type Mount, type PodVolumes } from './config.ts';
import { expandVars } from './fields.ts';
import type { ProbeContext } from './probes.ts';
import { loopbackAlias, loopbackSlot } from './services.ts';

export const PRELOAD = new URL('./preload.cjs', import.meta.url).pathname;
/** `tar` and `test` for kubectl cp: runtime containers have no image filesystem to find them in (builtins.cjs). */
export const BUILTINS = new URL('./builtins.cjs', import.meta.url).pathname;
const BUILTIN_COMMANDS = new Set(['tar', 'test', '[']);
const PATHS = new URL('./paths.cjs', import.meta.url).pathname;
const { mapPath } = createRequire(import.meta.url)('./paths.cjs') as { mapPath(m: Mount[], p: string): string };

/** The preload's configuration (KUBESIM_CONTAINER). */
export interface PreloadConfig {
  paths: string;
  mounts: Mount[];
  workingDir?: string;
  script?: string;
  alias: string;
  /** The machine's loopback slot (podnetwork.ts loopbackSlot): the preload maps cluster addresses with it. */
  slot: number;
  podIP: string;
  namespace: string;
  dns: [string, string][];
}

export interface LaunchSpec {
  /** node's arguments. */
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  /** The container's own variables (for exec probes). */
  vars: Map<string, string>;
  config: PreloadConfig;
  /** limits.memory in bytes (0: none). */
  memoryLimit: number;
  podIP: string;
}

/** Resolves env, materialises volumes under `podDir` and builds the argv of container `spec`. Throws ConfigError. */
export async function launchSpec(src: ConfigSource, volumes: PodVolumes, sim: PodSim, spec: any, podDir: string, allocatable: Record<string, string>, dns: [string, string][], services: KubeObject[] = []): Promise<LaunchSpec> {
  const facts = { pod: sim.pod, podIP: sim.podIP, hostIP: sim.hostIP };
  const vars = serviceEnv(services, sim.namespace, sim.pod.spec?.enableServiceLinks);
  for (const [k, v] of await containerEnv(src, facts, spec, allocatable)) vars.set(k, v);
  const mounts = await containerMounts(volumes, facts, spec, podDir);
  const scratch = join(podDir, 'containers', spec.name);
  await mkdir(scratch, { recursive: true });
  let cwd = scratch;
  if (spec.workingDir) {
    if (mapPath(mounts, spec.workingDir) === spec.workingDir) mounts.push([spec.workingDir, join(scratch, 'workdir')]); // a directory of the container's own
    mounts.sort((a, b) => b[0].length - a[0].length);
    cwd = mapPath(mounts, spec.workingDir);
    await mkdir(cwd, { recursive: true });
  }
  const args = nodeArgs(spec.command, spec.args)!.map((a) => expandVars(a, vars));
  const si = scriptIndex(args);
  const script = si >= 0 ? args[si] : undefined;
  if (script?.startsWith('/')) args[si] = mapPath(mounts, script); // relative scripts resolve in the (mapped) working directory
  const flags = ['--require', PRELOAD];
  const memoryLimit = valueOrZero(spec.resources?.limits?.memory);
  if (memoryLimit > 0) flags.push(`--max-old-space-size=${Math.max(16, Math.floor(memoryLimit / 2 ** 20))}`);
  const podIP = sim.podIP ?? sim.hostIP;
  const config: PreloadConfig = {
    paths: PATHS,
    mounts,
    workingDir: spec.workingDir,
    script: script === undefined ? undefined : script.startsWith('/') ? script : spec.workingDir ? join(spec.workingDir, script) : undefined,
    alias: loopbackAlias(podIP),
    slot: loopbackSlot(),
    podIP,
    namespace: sim.namespace,
    dns,
  };
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOSTNAME: sim.pod.spec?.hostname ?? sim.name, HOME: scratch };
  for (const [k, v] of vars) env[k] = v;
  env.KUBESIM_CONTAINER = JSON.stringify(config);
  return { argv: [...flags, ...args], cwd, env, vars, config, memoryLimit, podIP };
}

/** Where container `spec`'s probes go; an exec probe runs with its env and cwd (a node command with the preload). */
export function probeContext(spec: any, l: LaunchSpec): ProbeContext {
  return {
    podIP: l.podIP,
    address: l.config.alias,
    ports: (spec.ports ?? []).filter((p: any) => typeof p?.containerPort === 'number'),
    exec: (command, timeoutMs) => {
      const { file, argv, cwd, env } = commandIn(l, command);
      return runCommand(file, argv, { cwd, env }, timeoutMs);
    },
  };
}

/**
 * How a command runs in a container's context (exec probes, kubectl exec): its env and cwd; a node
 * command with the preload; `tar`/`test` as built-ins (builtins.cjs, with the preload: volume paths map).
 */
export function commandIn(l: LaunchSpec, command: string[]): { file: string; argv: string[]; cwd: string; env: Record<string, string> } {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
  for (const [k, v] of l.vars) env[k] = v;
  const builtin = command.length > 0 && BUILTIN_COMMANDS.has(command[0].slice(command[0].lastIndexOf('/') + 1));
  const na = builtin ? [BUILTINS, command[0].slice(command[0].lastIndexOf('/') + 1), ...command.slice(1)] : nodeArgs(command, undefined);
  if (na) env.KUBESIM_CONTAINER = JSON.stringify(l.config);
  const [file, argv] = na ? [process.execPath, ['--require', PRELOAD, ...na]] : [command[0], command.slice(1)];
  return { file, argv, cwd: l.cwd, env };
}

/** Starts a command in a container's context with piped stdio (kubectl exec). */
export function spawnIn(l: LaunchSpec, command: string[]): ChildProcess {
  const { file, argv, cwd, env } = commandIn(l, command);
  return spawn(file, argv, { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
}

/** Runs a command (an exec probe) with a timeout: its exit code and combined output. */
function runCommand(file: string, argv: string[], o: { cwd: string; env: Record<string, string> }, timeoutMs: number): Promise<{ code: number | null; output: string; timedOut: boolean }> {
  return new Promise((resolve) => {
    let output = '';
    let timedOut = false;
    const child = spawn(file, argv, { ...o, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
    }, timeoutMs);
    for (const s of [child.stdout, child.stderr]) s?.on('data', (d: Buffer) => (output = (output + d.toString('utf8')).slice(-4096)));
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: 126, output: e.message, timedOut: false });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output, timedOut });
    });
  });
}
