// `kubesim simulate`: the whole cluster in one process — the API server on the memory store, the
// controller-manager, the scheduler and one node pool per node group — every component's client on
// the in-process transport and every timer on one VirtualClock; uids, generated names and random
// choices from one seeded Random. Actions fire as virtual timers; a measurement every interval.
import { registry as kinds } from '../api/registry.ts';
import { parseApiVersion } from '../api/types.ts';
import type { KubeObject } from '../api/types.ts';
import { Client, inProcessTransport, type Transport } from '../client/index.ts';
import { seededRandom, VirtualClock, type Random } from '../clock/index.ts';
import { poolSummarySource, startApiServer, startControllerManager, startNodePool, startScheduler } from '../cluster/index.ts';
import { silentLogger, type Logger } from '../log/index.ts';
import type { SchedulerConfigFile } from './compare.ts';
import { evaluate, type AssertionResult } from './assertions.ts';
import { inject, type Component, type FaultRecord } from './faults.ts';
import { expandGenerator } from './generators.ts';
import { formatTable, measure, type Interval, type Samples } from './measure.ts';
import { EventCounter, type Counts } from './observe.ts';
import type { Action, ObjectRef, Scenario } from './scenario.ts';
import { restoreForSimulation, type SnapshotSummary } from './snapshot.ts';
import { scheduleReplay, splitTrace } from './replay.ts';
import type { TraceEvent } from '../snapshot/index.ts';
import { startAutoscaledGroups } from './autoscaler-groups.ts';
import { DEFAULT_AUTOSCALER, type ScaleEvent } from './autoscaler.ts';
import { accumulateNodeHours, summarizeRun, type Summary } from './summary.ts';
import { controllerOptions, DEFAULT_COMPONENTS, nodePoolTimings } from './components.ts';

export interface SimulateOptions {
  seed?: number;
  /** Virtual run length, ms (default the scenario's duration). */
  until?: number;
  speed?: 'max' | number;
  logger?: Logger;
  /** Called with the API server's URL once it serves (to watch a paced run with kubectl). */
  onServing?: (url: string) => void;
  /** Objects of a snapshot (src/snapshot parseSnapshot) restored before the components start. */
  snapshot?: KubeObject[];
  /** A recorded trace (src/snapshot parseTrace): its t-0 state restored like a snapshot, its changes replayed (replay.ts). */
  replay?: TraceEvent[];
  /** A KubeSchedulerConfiguration for the scheduler (`--compare`); its name goes into the report. */
  schedulerConfig?: SchedulerConfigFile;
  /** Called with each interval as it is measured (progress of a long run). */
  onInterval?: (row: Interval) => void;
  /** The virtual clock to run on (default a new one; benches pass an instrumented one). */
  clock?: VirtualClock;
  /** Wraps the in-process transport every component's client uses (benches count the requests). */
  wrapTransport?: (t: Transport) => Transport;
}

export interface SimulationReport {
  scenario: string;
  seed: number;
  start: string;
  durationSeconds: number;
  measureSeconds: number;
  nodeGroups: { name: string; count: number }[];
  intervals: Interval[];
  /** The KubeSchedulerConfiguration file the run used (`--compare`). */
  schedulerConfig?: string;
  /** Actions that failed (time, what, error). */
  errors: { t: number; action: string; error: string }[];
  /** What --from-snapshot restored. */
  snapshot?: SnapshotSummary;
  /** The simulated Cluster Autoscaler's scale-ups and scale-downs (when a group autoscales). */
  autoscaler?: ScaleEvent[];
  faults: FaultRecord[];
  assertions: AssertionResult[];
  summary: Summary;
}

export interface SimulationResult {
  report: SimulationReport;
  wallMs: number;
  timersFired: number;
}

const APPLY_MANAGER = 'kubesim-simulate';

function resourceOf(apiVersion: string, kind: string) {
  const { group, version } = parseApiVersion(apiVersion);
  const rt = kinds.byKind(group, version, kind);
  if (!rt) throw new Error(`no kind ${kind} in ${apiVersion}`);
  return rt;
}

async function runAction(client: Client, a: Action, random: Random, counts: EventCounter): Promise<void> {
  if ('apply' in a) {
    for (const m of a.apply) {
      const rt = resourceOf(m.apiVersion!, m.kind!);
      await client.resource(rt).patch(m.metadata.name!, m, { type: 'apply', fieldManager: APPLY_MANAGER, force: true, namespace: rt.namespaced ? m.metadata.namespace ?? 'default' : undefined });
    }
  } else if ('scale' in a) {
    const r = a.scale;
    await client.resource(resourceOf(r.apiVersion, r.kind)).patch(r.name, { spec: { replicas: r.replicas } }, { type: 'merge', namespace: r.namespace });
  } else if ('delete' in a) {
    const r: ObjectRef = a.delete;
    await client.resource(resourceOf(r.apiVersion, r.kind)).delete(r.name, { namespace: r.namespace, propagationPolicy: 'Background' });
  } else if ('load' in a) {
    const r = a.load;
    const annotations = { ...(r.cpu !== undefined ? { 'kubesim.io/load-cpu': r.cpu } : {}), ...(r.memory !== undefined ? { 'kubesim.io/load-memory': r.memory } : {}) };
    await client.resource(resourceOf(r.apiVersion, r.kind)).patch(r.name, { metadata: { annotations } }, { type: 'merge', namespace: r.namespace });
  } else {
    counts.add('evictions', await drain(client, a.drain, random));
  }
}

/** kubectl drain: cordon, then evict every pod on the node that no DaemonSet owns; returns the evictions. */
async function drain(client: Client, d: { node?: string; group?: string }, random: Random): Promise<number> {
  const nodes = client.resource(resourceOf('v1', 'Node'));
  let name = d.node;
  if (!name) {
    const names = (await nodes.list({})).items.map((n) => n.metadata.name!).filter((n) => n.startsWith(`${d.group}-`)).sort();
    if (!names.length) throw new Error(`no node in group ${d.group}`);
    name = names[random.int(names.length)];
  }
  await nodes.patch(name, { spec: { unschedulable: true } }, { type: 'merge' });
  const pods = client.resource<KubeObject>(resourceOf('v1', 'Pod'));
  const on = (await pods.list({ fieldSelector: `spec.nodeName=${name}` })).items;
  let evicted = 0;
  for (const p of on) {
    if ((p.metadata.ownerReferences ?? []).some((o: any) => o.kind === 'DaemonSet')) continue;
    if (p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed') continue;
    await pods
      .createSubresource(p.metadata.name!, 'eviction', { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: p.metadata.name, namespace: p.metadata.namespace } }, { namespace: p.metadata.namespace })
      .then(() => evicted++, () => {});
  }
  return evicted;
}

const describe = (a: Action) => ('apply' in a ? `apply ${a.apply.map((m) => `${m.kind}/${m.metadata.name}`).join(',')}` : 'scale' in a ? `scale ${a.scale.kind}/${a.scale.name}=${a.scale.replicas}` : 'delete' in a ? `delete ${a.delete.kind}/${a.delete.name}` : 'load' in a ? `load ${a.load.kind}/${a.load.name}` : `drain ${a.drain.node ?? `a node of ${a.drain.group}`}`);

/** Runs a scenario on virtual time and returns its report. */
export async function simulate(scenario: Scenario, opts: SimulateOptions = {}): Promise<SimulationResult> {
  const seed = opts.seed ?? 1;
  const until = opts.until ?? scenario.duration;
  const components = scenario.components ?? DEFAULT_COMPONENTS;
  const clock = opts.clock ?? new VirtualClock({ speed: opts.speed ?? 'max' });
  const random = seededRandom(seed);
  const logger = opts.logger ?? silentLogger;
  const start = clock.now();
  const wall0 = Date.now();

  // The metrics-server reads the node pools' summaries in-process (objects, no HTTP or JSON text).
  const kubelets = new Map<string, ReturnType<typeof poolSummarySource>>();
  const api = await startApiServer({ clock, random, metricResolutionMs: components.metricsServer.metricResolutionSeconds * 1000, kubeletSummaries: (url, sink) => kubelets.get(url)?.(sink), logger: logger.child({ component: 'apiserver' }) });
  const lean = inProcessTransport(api.server, { clock });
  const transport = opts.wrapTransport ? opts.wrapTransport(lean) : lean;
  const clientFor = (userAgent: string) => new Client({ server: 'http://in-process', transport, qps: Infinity, userAgent, clock });
  const stops: (() => Promise<void>)[] = [];
  const report: SimulationReport = {
    scenario: scenario.name,
    seed,
    start: new Date(start).toISOString(),
    durationSeconds: Math.round(until / 1000),
    measureSeconds: Math.round(scenario.measure / 1000),
    nodeGroups: scenario.nodeGroups.map((g) => ({ name: g.name, count: g.count })),
    ...(opts.schedulerConfig ? { schedulerConfig: opts.schedulerConfig.name } : {}),
    intervals: [],
    errors: [],
    faults: [],
    assertions: [],
    summary: summarizeRun([], { scheduling: [], startup: [] }),
  };
  // Generated workloads are drawn before anything else uses the Random, so the plan is the seed's.
  const generated = scenario.generators.flatMap((g) => expandGenerator(g, until, random));
  const actionList = [...scenario.actions, ...generated].map((a, i) => ({ a, i })).sort((x, y) => x.a.at - y.a.at || x.i - y.i).map((x) => x.a);
  try {
    opts.onServing?.(api.url);
    const trace = opts.replay ? splitTrace(opts.replay) : undefined;
    const restored = opts.snapshot || trace ? await restoreForSimulation(clientFor('kubesim-snapshot'), [...(opts.snapshot ?? []), ...(trace?.initial ?? [])], clock, logger, stops, nodePoolTimings(components.kubelet)) : undefined;
    report.snapshot = restored?.summary;
    // The scheduler and the controller-manager can be killed and restarted by faults.
    const starters: Record<Component, () => Promise<{ stop(): Promise<void> }>> = {
      'controller-manager': () =>
        startControllerManager({ ...controllerOptions(components.controllerManager), client: clientFor('kube-controller-manager'), logger: logger.child({ component: 'controller-manager' }), leaderElect: false }),
      scheduler: () =>
        startScheduler({
          client: clientFor('kube-scheduler'),
          logger: logger.child({ component: 'scheduler' }),
          leaderElect: false,
          policy: scenario.scheduler.policy,
          config: opts.schedulerConfig?.config,
          queue: opts.schedulerConfig?.queue,
          random: () => random.next(),
          yieldEveryCycles: 8,
        }),
    };
    const running = new Map<Component, { stop(): Promise<void> }>();
    const startComponent = async (c: Component) => void (running.has(c) || running.set(c, await starters[c]()));
    const stopComponent = async (c: Component) => {
      const r = running.get(c);
      running.delete(c);
      await r?.stop();
    };
    await startComponent('controller-manager');
    await startComponent('scheduler');
    stops.push(async () => {
      for (const c of [...running.keys()].reverse()) await stopComponent(c);
    });
    for (const g of scenario.nodeGroups) {
      if (g.autoscaling) continue; // autoscaler-groups.ts
      const pool = await startNodePool({
        client: clientFor(`kubesim-node-pool-${g.name}`),
        count: g.count,
        prefix: g.name,
        cpu: g.capacity.cpu,
        memory: g.capacity.memory,
        pods: g.capacity.pods,
        labels: { ...g.labels, 'kubesim.io/node-group': g.name },
        taints: g.taints as any,
        zones: g.zones,
        processes: false,
        simulatedHttp: false,
        ...nodePoolTimings(components.kubelet),
        clock,
        logger: logger.child({ component: 'node-pool', group: g.name }),
      });
      kubelets.set(pool.kubeletUrl, poolSummarySource(pool));
      stops.push(async () => {
        kubelets.delete(pool.kubeletUrl);
        await pool.stop();
      });
    }
    const autoscaled = scenario.nodeGroups.filter((g) => g.autoscaling);
    if (autoscaled.length) report.autoscaler = (await startAutoscaledGroups({ groups: autoscaled, config: scenario.autoscaler ?? DEFAULT_AUTOSCALER, clientFor, clock, random, logger, stops, timings: nodePoolTimings(components.kubelet) })).events;

    const client = clientFor('kubesim-simulate');
    const counter = new EventCounter(client);
    await counter.start();
    stops.push(() => counter.stop());
    const pending = new Set<Promise<void>>();
    const track = (p: Promise<void>) => {
      pending.add(p);
      void p.finally(() => pending.delete(p));
    };
    // Actions at the same time run in scenario order, one after another.
    const byTime = new Map<number, Action[]>();
    for (const a of actionList) if (a.at <= until) byTime.set(a.at, [...(byTime.get(a.at) ?? []), a]);
    for (const [at, list] of byTime) {
      clock.setTimeout(() => {
        track(
          (async () => {
            for (const a of list) {
              await runAction(client, a, random, counter).catch((e) => report.errors.push({ t: Math.round(at / 1000), action: describe(a), error: (e as Error).message }));
            }
          })(),
        );
      }, at);
    }
    if (trace) await scheduleReplay(clientFor('kubesim-replay'), trace.changes, clock, start, until, restored!.uids, track, report.errors);
    const target = { client, random, startComponent, stopComponent };
    for (const f of scenario.faults) {
      if (f.at > until) continue;
      clock.setTimeout(() => {
        track(
          inject(target, f).then(
            ({ record, heal }) => {
              report.faults.push(record);
              if (f.for === undefined || f.at + f.for > until) return;
              clock.setTimeout(() => {
                track(heal().then(() => void (record.healedAt = Math.round((f.at + f.for!) / 1000)), (e) => void (record.error = `heal: ${(e as Error).message}`)));
              }, f.for);
            },
            (e) => void report.faults.push({ t: Math.round(f.at / 1000), fault: f.type, error: (e as Error).message }),
          ),
        );
      }, f.at);
    }
    for (const a of scenario.assertions) {
      if (a.at > until) continue;
      clock.setTimeout(() => track(evaluate(client, a).then((r) => void report.assertions.push(r))), a.at);
    }
    const samples: Samples = { scheduling: [], startup: [] };
    let lastCounts: Counts = { evictions: 0, preemptions: 0 };
    let since = start;
    // Every interval, and the end of the run when it falls between two.
    const points: number[] = [];
    for (let t = scenario.measure; t <= until; t += scenario.measure) points.push(t);
    if (until > 0 && points.at(-1) !== until) points.push(until);
    for (const t of points) {
      clock.setTimeout(() => {
        const prev = since;
        since = start + t;
        const now = { ...counter.totals };
        const counts = { evictions: now.evictions - lastCounts.evictions, preemptions: now.preemptions - lastCounts.preemptions };
        lastCounts = now;
        track(
          measure(client, start + t, prev, start, { counts, samples }).then((row) => {
            report.intervals.push(row);
            opts.onInterval?.(row);
          }),
        );
      }, t);
    }
    await clock.run(start + until);
    await Promise.all([...pending]);
    report.intervals.sort((a, b) => a.t - b.t);
    accumulateNodeHours(report.intervals);
    report.faults.sort((a, b) => a.t - b.t);
    report.assertions.sort((a, b) => a.t - b.t);
    report.summary = summarizeRun(report.intervals, samples);
    return { report, wallMs: Date.now() - wall0, timersFired: clock.fired };
  } finally {
    // Stopping drains queues and waits on timers: let virtual time run on while the components stop.
    clock.stop();
    const stopping = (async () => {
      for (const stop of stops.reverse()) await stop().catch(() => {});
      await api.close();
    })();
    let done = false;
    void stopping.finally(() => (done = true));
    // advanceTo fires what is due and settles; with nothing due it returns at once, so turn the
    // event loop here or the loop would spin on microtasks while stop() waits on I/O or setImmediate.
    while (!done) if ((await clock.advanceTo(clock.now() + 1000)) === 0) await new Promise<void>((r) => setImmediate(r));
    await stopping;
  }
}

export { formatTable };
