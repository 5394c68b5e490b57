// One load run: namespaces of its own, a pod watch for startup times, /metrics scraped before and
// after, the profile's calls, then cleanup (the namespaces deleted and waited for) and the report.
import { randomBytes } from 'node:crypto';
import { Client, sleep } from '../client/index.ts';
import { namespace, REFS, RUN_LABEL } from './objects.ts';
import { Pacer } from './pacer.ts';
import { PodWatch } from './podwatch.ts';
import { runChurn, runDensity, runMix, type ProfileContext } from './profiles.ts';
import { Recorder, serverRows, type RequestRow } from './requests.ts';
import { evaluateSlos, sloPassed, type SloResult } from './slo.ts';
import { schedulingThroughput, startupSamples, type Throughput } from './startup.ts';
import { summarize, type Summary } from './stats.ts';

export type Profile = 'density' | 'load' | 'churn';
export const PROFILES: readonly Profile[] = ['density', 'load', 'churn'];

export interface LoadOptions {
  client: Client;
  profile: Profile;
  /** Nodes to size density/load by; default: the Ready, schedulable nodes. */
  nodes?: number;
  podsPerNode: number;
  qps: number;
  /** load/churn: how long to issue calls; density: the deadline for every pod to be Ready. */
  durationMs: number;
  namespacePrefix: string;
  signal?: AbortSignal;
  /** Called about once a second with a one-line status. */
  progress?: (line: string) => void;
  seed?: number;
  /** How long cleanup waits for the namespaces to be gone (ms, default 120 s). */
  cleanupTimeoutMs?: number;
}

export interface LoadReport {
  profile: Profile;
  server: string;
  run: string;
  startedAt: string;
  elapsedSeconds: number;
  interrupted: boolean;
  parameters: { nodes: number; podsPerNode: number; qps: number; durationSeconds: number; namespaces: number };
  calls: { issued: number; errors: number; skipped: number; lastError?: string };
  requests: { client: RequestRow[]; server: RequestRow[] | null; serverError?: string };
  podStartup: { pods: number; createdToScheduled: Summary; scheduledToRunning: Summary; createdToRunning: Summary; createdToReady: Summary } | null;
  scheduling: Throughput | null;
  density?: { targetPods: number; readyPods: number; timedOut: boolean };
  slos: SloResult[];
  passed: boolean;
  cleanup: { namespaces: string[]; remaining: string[] };
}

const isReady = (n: any) => !n.spec?.unschedulable && (n.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');

async function readyNodes(client: Client): Promise<number> {
  const nodes = await client.resource(REFS.nodes).listAll();
  return nodes.items.filter(isReady).length;
}

async function scrape(client: Client): Promise<string> {
  const r = await client.requestBuffer({ path: '/metrics', accept: 'text/plain', noRateLimit: true, timeoutMs: 30_000 });
  return r.body.toString('utf8');
}

/** Namespaces per profile: density by its plan, load one per 100 nodes (2..10), churn one. */
function namespaceCount(profile: Profile, nodes: number): number {
  if (profile === 'churn') return 1;
  if (profile === 'density') return Math.max(1, Math.ceil(nodes / 100));
  return Math.min(10, Math.max(2, Math.ceil(nodes / 100)));
}

export async function runLoad(o: LoadOptions): Promise<LoadReport> {
  const { client } = o;
  const run = randomBytes(3).toString('hex');
  const startedAt = new Date();
  const t0 = performance.now();
  const nodes = o.nodes ?? (await readyNodes(client));
  if (nodes < 1 && o.profile === 'density') throw new Error('no Ready nodes to place pods on (give --nodes)');
  const recorder = new Recorder();
  let serverError: string | undefined;
  const before = await scrape(client).catch((e) => {
    serverError = `GET /metrics: ${(e as Error).message}`;
    return undefined;
  });

  const names = Array.from({ length: namespaceCount(o.profile, nodes) }, (_, i) => `${o.namespacePrefix}-${run}-${i}`);
  const created: string[] = [];
  const watch = new PodWatch(client, `${RUN_LABEL}=${run}`);
  const pods = watch.pods;
  const pacer = new Pacer();
  let interrupted = false;
  let result = { issued: 0, skipped: 0 };
  let density: Awaited<ReturnType<typeof runDensity>> | undefined;
  let status = () => '';
  const timer = setInterval(() => o.progress?.(`[${o.profile}] ${((performance.now() - t0) / 1000).toFixed(0)}s  calls ${recorder.total} (errors ${recorder.errors})  in flight ${pacer.inflight}${status()}`), 1000);
  try {
    for (const ns of names) {
      await recorder.time('POST', 'namespaces', 'resource', () => client.resource(REFS.namespaces).create(namespace(run, ns)));
      created.push(ns);
    }
    await watch.start();
    const ctx: ProfileContext = { client, run, namespaces: names, recorder, pacer, pods, nodes, podsPerNode: o.podsPerNode, qps: o.qps, durationMs: o.durationMs, signal: o.signal, seed: o.seed ?? 1, setStatus: (f) => (status = f) };
    if (o.profile === 'density') {
      density = await runDensity(ctx);
      result = { issued: density.issued, skipped: 0 };
    } else result = o.profile === 'load' ? await runMix(ctx) : await runChurn(ctx);
    await pacer.drain();
  } finally {
    interrupted = o.signal?.aborted ?? false;
    clearInterval(timer);
    await watch.stop().catch(() => {});
  }
  const after = before === undefined ? undefined : await scrape(client).catch((e) => void (serverError = `GET /metrics: ${(e as Error).message}`));
  const server = before !== undefined && after ? serverRows(before, after) : null;

  o.progress?.(`[${o.profile}] cleaning up ${created.length} namespace(s)`);
  const remaining = await cleanup(client, run, created, o.cleanupTimeoutMs ?? 120_000);

  const samples = startupSamples(pods.values());
  const podStartup = pods.size === 0 ? null : {
    pods: pods.size,
    createdToScheduled: summarize(samples.createdToScheduled),
    scheduledToRunning: summarize(samples.scheduledToRunning),
    createdToRunning: summarize(samples.createdToRunning),
    createdToReady: summarize(samples.createdToReady),
  };
  const schedTimes = [...pods.values()].map((t) => t.scheduledConditionMs).filter((x): x is number => x !== undefined);
  const client_ = recorder.rows();
  const slos = evaluateSlos({ client: client_, server: server ?? undefined, podStartup: podStartup ?? undefined });
  return {
    profile: o.profile,
    server: client.server,
    run,
    startedAt: startedAt.toISOString(),
    elapsedSeconds: Math.round((performance.now() - t0) / 100) / 10,
    interrupted,
    parameters: { nodes, podsPerNode: o.podsPerNode, qps: o.qps, durationSeconds: o.durationMs / 1000, namespaces: names.length },
    calls: { issued: recorder.total, errors: recorder.errors, skipped: result.skipped, lastError: recorder.lastError },
    requests: { client: client_, server, ...(serverError ? { serverError } : {}) },
    podStartup,
    scheduling: schedTimes.length ? schedulingThroughput(schedTimes) : null,
    ...(density ? { density: { targetPods: density.targetPods, readyPods: density.readyPods, timedOut: density.timedOut } } : {}),
    slos,
    // density also fails when its pods were not all Ready by the deadline
    passed: sloPassed(slos) && !density?.timedOut,
    cleanup: { namespaces: created, remaining },
  };
}

/** Deletes the run's namespaces and waits until they are gone; answers those still there at the deadline. */
async function cleanup(client: Client, run: string, names: string[], timeoutMs: number): Promise<string[]> {
  const nsClient = client.resource(REFS.namespaces);
  await Promise.all(names.map((n) => nsClient.delete(n, { propagationPolicy: 'Background' }).catch(() => {})));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = await nsClient
      .list({ labelSelector: `${RUN_LABEL}=${run}` })
      .then((l) => l.items.map((n) => n.metadata!.name!))
      .catch(() => names);
    if (left.length === 0 || Date.now() > deadline) return left;
    await sleep(500);
  }
}
