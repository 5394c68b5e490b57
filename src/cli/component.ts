// What the component commands (scheduler, controller-manager, nodes) share: the flags for
// reaching the API server, serving /metrics and leader election, their parsing, and the
// run-until-signal shutdown.
import type { Command } from 'commander';
import { Client } from '../client/index.ts';
import { CLOCK_SKEW_ENV, parseSkew, realClock, SkewedClock, type Clock } from '../clock/index.ts';
import { exitWithParent } from '../process/index.ts';

/** Prints a usage error naming the flag and exits 2, as the other flag errors do. */
export function fail(msg: string): never {
  console.error(`error: ${msg}`);
  process.exit(2);
}

/** A non-negative number flag. */
export function nonNegative(flag: string, v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) fail(`--${flag} must be a non-negative number (got "${v}")`);
  return n;
}

/** A duration flag as Kubernetes' components take it ("15s", "5m0s", "1m30s", "500ms"), or bare seconds ("15"). */
export function durationSeconds(flag: string, v: string): number {
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v);
  const parts = [...v.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)];
  if (!parts.length || parts.map((p) => p[0]).join('') !== v) fail(`--${flag} must be a duration such as 15s or 5m0s (got "${v}")`);
  return parts.reduce((n, [, x, u]) => n + Number(x) * (u === 'h' ? 3600 : u === 'm' ? 60 : u === 's' ? 1 : 0.001), 0);
}

export interface ConnectionOpts {
  kubeconfig?: string;
  qps: string;
}

export function addConnectionOptions(cmd: Command, qpsHelp = 'client rate limit to the API server (0 = unlimited)'): Command {
  return cmd
    .option('--kubeconfig <path>', 'kubeconfig of the API server (default $KUBECONFIG or ~/.kube/config)')
    .option('--qps <n>', qpsHelp, '0');
}

/**
 * The clock of a component process: the real one, or moved as $KUBESIM_CLOCK_SKEW says
 * (`offsetMs=-120000,rate=1.02`; chaos runs set it for a `skew` fault, docs/chaos.md).
 */
export function componentClock(env: NodeJS.ProcessEnv = process.env): Clock {
  const skew = env[CLOCK_SKEW_ENV];
  if (!skew) return realClock;
  try {
    return new SkewedClock(realClock, parseSkew(skew));
  } catch (e) {
    fail((e as Error).message);
  }
}

/** What a component does when the `kubesim up` that started it is gone: exit, until stopOnSignal makes it a clean stop. */
let parentGone: () => void = () => process.exit(1);

/** The component's client from --kubeconfig and --qps (0 = unlimited), on the component's clock (everything built on it follows). */
export function connect(o: ConnectionOpts, userAgent: string, extra: { maxSockets?: number } = {}): Client {
  // From here on, even while still starting (retrying an API server that is gone with its parent).
  exitWithParent(() => parentGone());
  const qps = nonNegative('qps', o.qps);
  try {
    return Client.fromKubeconfig(o.kubeconfig, { qps: qps || Infinity, userAgent, clock: componentClock(), ...extra });
  } catch (e) {
    fail(`cannot load kubeconfig: ${(e as Error).message}`);
  }
}

export interface LeaderElectionOpts {
  port?: string;
  host: string;
  leaderElect: string | boolean;
  leaseDuration: string;
  renewDeadline: string;
  retryPeriod: string;
  identity?: string;
}

/** --port/--host for /healthz and /metrics, and the leader-election flags for the named Lease. */
export function addLeaderElectionOptions(cmd: Command, lease: string, portHelp: string): Command {
  return cmd
    .option('--port <port>', portHelp)
    .option('--host <host>', 'address of the HTTP server', '127.0.0.1')
    .option('--leader-elect [bool]', `compete for the ${lease} Lease; only the leader works`, 'true')
    .option('--lease-duration <seconds>', 'leader election lease duration', '15')
    .option('--renew-deadline <seconds>', 'leader election renew deadline', '10')
    .option('--retry-period <seconds>', 'leader election retry period', '2')
    .option('--identity <id>', 'leader election identity (default <hostname>_<uuid>)');
}

export function leaderElectionSettings(o: LeaderElectionOpts) {
  return {
    port: o.port !== undefined ? nonNegative('port', o.port) : undefined,
    host: o.host,
    leaderElect: o.leaderElect === true || o.leaderElect === 'true',
    leaseDurationSeconds: nonNegative('lease-duration', o.leaseDuration),
    renewDeadlineSeconds: nonNegative('renew-deadline', o.renewDeadline),
    retryPeriodSeconds: nonNegative('retry-period', o.retryPeriod),
    identity: o.identity,
  };
}

/** How long a component may take to stop (a Lease release to an API server that is gone) before it exits anyway. */
export const STOP_DEADLINE_MS = 10_000;

/**
 * Runs until SIGINT/SIGTERM — or, started by `kubesim up --placement processes`, until that parent
 * is gone — then stops the component, closes its client and exits 0 (1 past STOP_DEADLINE_MS).
 */
export function stopOnSignal(component: { stop(): Promise<void> }, client: Client): void {
  let once: Promise<void> | undefined;
  const shutdown = () =>
    (once ??= (async () => {
      setTimeout(() => {
        console.error(`error: did not stop within ${STOP_DEADLINE_MS / 1000} s; exiting`);
        process.exit(1);
      }, STOP_DEADLINE_MS).unref();
      await component.stop();
      client.close();
      process.exit(0);
    })());
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  parentGone = shutdown;
}
