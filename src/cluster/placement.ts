// `kubesim up --placement processes`: the API server stays in this process (its own core) and the
// scheduler, controller-manager and node pool run as child processes (`kubesim scheduler|
// controller-manager|nodes`), each with its own kubeconfig from the data dir. Their logs (pino, the
// one KUBESIM_LOG_LEVEL they inherit) go to this process's stderr; other stdout lines are logged here.
// None is restarted: the first to exit is reported (component, exit code) on `exited`. stop() ends
// them by pid; a child also exits when this process is gone (its stdin pipe closes).
import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Logger } from '../log/index.ts';
import { componentKubeconfigPath, spawnKubesim, stopChild, type ComponentProcess } from '../process/index.ts';

export const PLACEMENTS = ['single', 'processes'] as const;
export type Placement = (typeof PLACEMENTS)[number];

/** What the child processes are started with: `kubesim up`'s flags that concern them. */
export interface ComponentFlags {
  dataDir: string;
  nodes: number;
  /** spread | binpack | round-robin */
  policy: string;
  nodeMonitorGracePeriodSeconds?: number;
  defaultTolerationSeconds?: number;
  hpaSyncPeriodSeconds?: number;
  hpaDownscaleStabilizationSeconds?: number;
  hpaTolerance?: number;
  /** --service-account-signing-key-file of `up` (default D/pki/sa.key): signs legacy token Secrets. */
  serviceAccountSigningKeyFile?: string;
}

/** Whether a line is a pino JSON line. Pure. */
export function isLogLine(line: string): boolean {
  if (!line.startsWith('{"level":')) return false;
  try {
    return typeof JSON.parse(line).level === 'number';
  } catch {
    return false;
  }
}

const opt = (flag: string, v: number | string | undefined) => (v === undefined ? [] : [flag, String(v)]);

/** The argv of each component process, in start order (no node pool for --nodes 0). Pure but for the data dir's files. */
export function componentArgs(f: ComponentFlags): [ComponentProcess, string[]][] {
  const kc = (c: ComponentProcess) => ['--kubeconfig', componentKubeconfigPath(f.dataDir, c)];
  const pki = (n: string) => join(f.dataDir, 'pki', n);
  const saKey = f.serviceAccountSigningKeyFile ?? (existsSync(pki('sa.key')) ? pki('sa.key') : undefined);
  const ca = existsSync(pki('ca.crt')) ? pki('ca.crt') : undefined;
  const caKey = ca && existsSync(pki('ca.key')) ? pki('ca.key') : undefined;
  const cm = [
    'controller-manager', ...kc('controller-manager'),
    ...opt('--node-monitor-grace-period', f.nodeMonitorGracePeriodSeconds),
    ...opt('--default-toleration-seconds', f.defaultTolerationSeconds),
    ...opt('--horizontal-pod-autoscaler-sync-period', f.hpaSyncPeriodSeconds),
    ...opt('--horizontal-pod-autoscaler-downscale-stabilization', f.hpaDownscaleStabilizationSeconds),
    ...opt('--horizontal-pod-autoscaler-tolerance', f.hpaTolerance),
    ...opt('--service-account-private-key-file', saKey),
    ...opt('--root-ca-file', ca),
    ...(caKey ? ['--cluster-signing-cert-file', ca!, '--cluster-signing-key-file', caKey] : []),
  ];
  const out: [ComponentProcess, string[]][] = [
    ['controller-manager', cm],
    ['scheduler', ['scheduler', ...kc('scheduler'), '--policy', f.policy]],
  ];
  if (f.nodes > 0) out.push(['nodes', ['nodes', ...kc('nodes'), '--count', String(f.nodes)]]);
  return out;
}

export interface ComponentExit {
  component: ComponentProcess;
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ComponentProcesses {
  pids: Record<string, number>;
  /** Resolves with the first component that exits unasked (none is restarted). */
  exited: Promise<ComponentExit>;
  /** SIGTERM to each by pid (node pool first), SIGKILL after the grace period; waits for every exit. */
  stop(): Promise<void>;
}

/** Starts the component processes against the API server whose kubeconfigs are in the data dir. */
export function startComponentProcesses(f: ComponentFlags, logger: Logger, bin?: string): ComponentProcesses {
  const children: [ComponentProcess, ChildProcess][] = [];
  let stopping = false;
  let report: (e: ComponentExit) => void = () => {};
  const exited = new Promise<ComponentExit>((r) => (report = r));
  for (const [component, args] of componentArgs(f)) {
    const child = spawnKubesim(args, { bin, stdout: 'pipe', stderr: 'inherit', exitWithParent: true });
    const log = logger.child({ component, childPid: child.pid });
    // Some components log pino lines on stdout: those pass through as written (already filtered by
    // the child's level); the rest (a command's own report lines) are logged as this component's.
    createInterface({ input: child.stdout! }).on('line', (line) => (isLogLine(line) ? process.stderr.write(line + '\n') : log.info(line)));
    child.once('exit', (code, signal) => {
      if (stopping) return;
      log.error({ code, signal }, 'component exited');
      report({ component, code, signal });
    });
    child.once('error', (err) => {
      if (stopping) return;
      log.error({ err }, 'component could not start');
      report({ component, code: null, signal: null });
    });
    children.push([component, child]);
    log.info({ args }, 'component started');
  }
  return {
    pids: Object.fromEntries(children.map(([c, p]) => [c, p.pid ?? 0])),
    exited,
    async stop() {
      stopping = true;
      await Promise.all(children.reverse().map(([, p]) => stopChild(p, 'SIGTERM', 15_000)));
    },
  };
}
