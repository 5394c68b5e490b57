// V8's young generation for the commands that allocate the most short-lived objects. `kubesim
// simulate` makes hundreds of MiB of garbage a virtual minute (request and response bodies, kubelet
// summaries, list pages). With V8's default semi-space (16 MiB) a scavenge comes every few MiB of
// allocation, and objects that live across a few of them (a request in flight, a scrape being
// parsed) are promoted to the old generation, which then saws and needs full mark-compacts: the
// garbage collector was a fifth of all CPU. With YOUNG_SEMI_SPACE_MB MiB, scavenges are ~8x rarer and
// fewer objects survive them (measured on the day-1000-nodes scenario, issue 21's report: 64 MiB took
// 84 s and 128 MiB 69-72 s, with the scavenges' time halved; 256 and 512 MiB were no faster than
// 128, with more memory: bench/RESULTS.md). The size
// is fixed when V8 sets up its heap (v8.setFlagsFromString at run time leaves new space as it was), so
// the command re-executes node with the flag: one child, stdio inherited, signals passed on, its exit
// code (or signal) is ours. A flag the user gave (on the command line or in NODE_OPTIONS) is left alone.
import { spawn } from 'node:child_process';
import { hasExited } from './exited.ts';

/** MiB of each of the young generation's two semi-spaces (V8's --max-semi-space-size). */
export const YOUNG_SEMI_SPACE_MB = 128;

/** The subcommands that run with it. */
export const YOUNG_GENERATION_COMMANDS: ReadonlySet<string> = new Set(['simulate']);

/**
 * MiB of semi-space for the components `kubesim up --placement processes` (and chaos runs) spawn:
 * they get the flag on their command line from their parent (spawnKubesim), no re-execution. Not
 * shown to help yet: at the goal size of issue 19 (5,000 nodes, 150,000 pods) the components with it
 * had 1.19× and 0.99× the pods Ready in 420 s of a run without (every process with it: 1.31×); at 500
 * nodes it changed nothing (bench/RESULTS.md, 2026-12-03). It aims at V8 promoting short-lived
 * request objects out of a 16 MiB young generation.
 */
export const COMPONENT_SEMI_SPACE_MB: Readonly<Record<string, number>> = { scheduler: 64, 'controller-manager': 64, nodes: 64 };

/**
 * The young-generation flag a spawned `kubesim <command>` child gets, or none when the command has no
 * size or the child's node options (NODE_OPTIONS, the other flags it is started with) already set one. Pure.
 */
export function componentYoungGenerationFlags(command: string | undefined, childFlags: readonly string[], nodeOptions = ''): string[] {
  const mb = command === undefined ? undefined : COMPONENT_SEMI_SPACE_MB[command];
  if (mb === undefined || setsSemiSpace(childFlags, nodeOptions)) return [];
  return [`--max-semi-space-size=${mb}`];
}

const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR2'];

/** Whether node's flags (execArgv, NODE_OPTIONS) already size the semi-space. Pure. */
export function setsSemiSpace(execArgv: readonly string[], nodeOptions = ''): boolean {
  return [...execArgv, ...nodeOptions.split(/\s+/)].some((a) => /^--max[-_]semi[-_]space[-_]size(=|$)/.test(a));
}

/**
 * The node arguments to re-execute with (execArgv, the flag, then the script and its arguments), or
 * undefined when `command` does not want it or node already has it. Pure.
 */
export function youngGenerationArgs(command: string | undefined, execArgv: readonly string[], argv: readonly string[], nodeOptions = ''): string[] | undefined {
  if (command === undefined || !YOUNG_GENERATION_COMMANDS.has(command)) return undefined;
  if (setsSemiSpace(execArgv, nodeOptions)) return undefined;
  return [...execArgv, `--max-semi-space-size=${YOUNG_SEMI_SPACE_MB}`, ...argv.slice(1)];
}

/**
 * Re-executes this process with the young-generation flag when `command` wants it and node lacks it:
 * returns a promise that never resolves (this process exits as its child does), or false when
 * nothing was done and the caller should run the command itself.
 */
export function reexecWithYoungGeneration(command: string | undefined): false | Promise<never> {
  const args = youngGenerationArgs(command, process.execArgv, process.argv, process.env.NODE_OPTIONS);
  if (!args) return false;
  const child = spawn(process.execPath, args, { stdio: 'inherit' });
  // Ctrl-C in a terminal reaches both processes (one process group); the child takes the first, a
  // second one to an exited child is ignored.
  const forward = (sig: NodeJS.Signals) => {
    if (!hasExited(child)) child.kill(sig);
  };
  for (const sig of SIGNALS) process.on(sig, forward);
  return new Promise<never>(() => {
    child.on('error', (e) => {
      console.error(`kubesim: cannot start node with --max-semi-space-size: ${e.message}`);
      process.exit(1);
    });
    child.on('exit', (code, signal) => {
      if (signal) {
        // Die of the same signal, as the shell expects (e.g. 130 after Ctrl-C).
        for (const sig of SIGNALS) process.off(sig, forward);
        process.kill(process.pid, signal);
        return;
      }
      process.exit(code ?? 1);
    });
  });
}
