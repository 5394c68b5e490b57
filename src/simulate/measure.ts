// What `kubesim simulate` records at each measure interval, read through the client like any
// observer: nodes, pods pending/running, requested CPU and memory per node (mean, p90), and the
// scheduling latency of the pods scheduled during the interval (creationTimestamp → PodScheduled's
// lastTransitionTime, both virtual; metav1.Time has whole seconds, so latencies do too).
import { createHash } from 'node:crypto';
import { nearestRank } from '../api/core/quantile.ts';
import { podRequests } from '../api/core/requests.ts';
import { milliValueOrZero, valueOrZero } from '../api/quantity.ts';
import type { KubeObject } from '../api/types.ts';
import type { Client } from '../client/index.ts';

export interface Interval {
  /** Virtual seconds since the start. */
  t: number;
  time: string;
  nodes: number;
  nodesReady: number;
  /** Node objects by their kubesim.io/node-group label (autoscaled groups change over time). */
  nodesByGroup: Record<string, number>;
  podsPending: number;
  podsRunning: number;
  podsTotal: number;
  cpuRequestedMilliPerNode: { mean: number; p90: number };
  memoryRequestedMiBPerNode: { mean: number; p90: number };
  /** Pods whose PodScheduled turned True in [previous measurement, this one), and their latency. */
  scheduled: number;
  schedulingLatencySeconds: { p50: number; p99: number } | null;
  /** Pods whose Ready condition turned True in [previous measurement, this one): creation → Ready. */
  podStartupSeconds: { p50: number; p99: number } | null;
  /** Requested CPU over allocatable per node, %. */
  cpuRequestedPercentPerNode: { mean: number; p90: number };
  /** Simulated usage (metrics.k8s.io NodeMetrics) per node; null before the first scrape. */
  cpuUsedMilliPerNode: { mean: number; p90: number } | null;
  memoryUsedMiBPerNode: { mean: number; p90: number } | null;
  /** Nodes running at least one non-terminal pod no DaemonSet owns. */
  nodesUsed: number;
  /** % of the free CPU of schedulable Ready nodes that sits in pieces smaller than the median pod's CPU request. */
  fragmentationPercent: number;
  /** Taint-manager and kubelet evictions plus drain evictions, and scheduler preemptions, in the interval. */
  evictions: number;
  preemptions: number;
  /** Node-hours so far (Node objects × time, summed over the intervals). */
  nodeHours: number;
  /** Each HorizontalPodAutoscaler's status.currentReplicas, by namespace/name. */
  hpaReplicas: Record<string, number>;
  /** sha256 (12 hex) of the sorted pod → node assignments: same seed, same placement. */
  placementDigest: string;
}

/** Raw samples of an interval, for the run's summary (not in the interval rows). */
export interface Samples {
  scheduling: number[];
  startup: number[];
}

const PODS = { group: '', version: 'v1', plural: 'pods', namespaced: true } as const;
const NODES = { group: '', version: 'v1', plural: 'nodes', namespaced: false } as const;
const NODE_METRICS = { group: 'metrics.k8s.io', version: 'v1beta1', plural: 'nodes', namespaced: false } as const;
const HPAS = { group: 'autoscaling', version: 'v2', plural: 'horizontalpodautoscalers', namespaced: true } as const;

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: number[], p: number): number {
  return nearestRank(sorted, p / 100) ?? 0;
}

export const round1 = (x: number) => Math.round(x * 10) / 10;
export const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { mean: round1(mean(s)), p90: round1(percentile(s, 90)) };
};
const quantiles = (xs: number[]) => (xs.length ? { p50: percentile(xs, 50), p99: percentile(xs, 99) } : null);

export function label(ms: number): string {
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return `${h}h${String(m).padStart(2, '0')}m${sec ? `${String(sec).padStart(2, '0')}s` : ''}`;
}

function countByGroup(nodes: KubeObject[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const n of nodes) {
    const g = n.metadata.labels?.['kubesim.io/node-group'];
    if (g !== undefined) out[g] = (out[g] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** The interval's numbers from the current nodes and pods (pure). */
export interface Extra {
  hpas?: KubeObject[];
  nodeMetrics?: KubeObject[];
  counts?: { evictions: number; preemptions: number };
  /** Node-hours before this interval. */
  nodeHoursBefore?: number;
  samples?: Samples;
}

/**
 * podRequests for many pods: pods of one template have the same requests, so the sum is worked out
 * once per distinct (containers' and init containers' resources, restart policies, overhead).
 */
function requestsMemo(): (p: KubeObject) => { milliCPU: number; memory: number } {
  const seen = new Map<string, { milliCPU: number; memory: number }>();
  return (p) => {
    const spec = p.spec ?? {};
    const key = JSON.stringify([(spec.containers ?? []).map((c: any) => c?.resources), (spec.initContainers ?? []).map((c: any) => [c?.resources, c?.restartPolicy]), spec.overhead]);
    let r = seen.get(key);
    if (!r) seen.set(key, (r = podRequests(p)));
    return r;
  };
}

export function summarize(nodes: KubeObject[], pods: KubeObject[], t: number, since: number, start: number, extra: Extra = {}): Interval {
  const requestsOf = requestsMemo();
  const hpas = extra.hpas ?? [];
  const terminal = (p: KubeObject) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
  const perNode = new Map<string, { cpu: number; mem: number }>(nodes.map((n) => [n.metadata.name!, { cpu: 0, mem: 0 }]));
  const latencies: number[] = [];
  const startups: number[] = [];
  const requestsCpu: number[] = [];
  const used = new Set<string>();
  const placement: string[] = [];
  for (const p of pods) {
    const node = p.spec?.nodeName as string | undefined;
    if (node && !terminal(p)) {
      const r = requestsOf(p);
      const slot = perNode.get(node);
      if (slot) {
        slot.cpu += r.milliCPU;
        slot.mem += r.memory;
      }
      requestsCpu.push(r.milliCPU);
      if (!(p.metadata.ownerReferences ?? []).some((o: any) => o.kind === 'DaemonSet')) used.add(node);
    }
    if (node) placement.push(`${p.metadata.namespace}/${p.metadata.name}=${node}`);
    let cond: any;
    let readyCond: any;
    for (const c of p.status?.conditions ?? []) {
      if (c.status !== 'True') continue;
      if (c.type === 'PodScheduled') cond ??= c;
      else if (c.type === 'Ready') readyCond ??= c;
    }
    const at = cond ? Date.parse(cond.lastTransitionTime) : NaN;
    const readyAt = readyCond ? Date.parse(readyCond.lastTransitionTime) : NaN;
    const inInterval = (x: number) => Number.isFinite(x) && x >= since && x < t;
    if (inInterval(at) || inInterval(readyAt)) {
      const created = Date.parse(p.metadata.creationTimestamp ?? '');
      if (inInterval(at) && Number.isFinite(created)) latencies.push(Math.max(0, at - created) / 1000);
      if (inInterval(readyAt) && Number.isFinite(created)) startups.push(Math.max(0, readyAt - created) / 1000);
    }
  }
  const isReady = (n: KubeObject) => (n.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');
  const allocCpu = (n: KubeObject) => milliValueOrZero(n.status?.allocatable?.cpu ?? n.status?.capacity?.cpu);
  const pct = nodes.map((n) => {
    const a = allocCpu(n);
    return a > 0 ? (100 * perNode.get(n.metadata.name!)!.cpu) / a : 0;
  });
  requestsCpu.sort((a, b) => a - b);
  const median = percentile(requestsCpu, 50);
  let free = 0;
  let stranded = 0;
  for (const n of nodes) {
    if (!isReady(n) || n.spec?.unschedulable) continue;
    const f = Math.max(0, allocCpu(n) - perNode.get(n.metadata.name!)!.cpu);
    free += f;
    if (f < median) stranded += f;
  }
  const metrics = extra.nodeMetrics ?? [];
  const usedCpu = metrics.map((m) => milliValueOrZero((m as any).usage?.cpu));
  const usedMem = metrics.map((m) => valueOrZero((m as any).usage?.memory) / 2 ** 20);
  latencies.sort((a, b) => a - b);
  startups.sort((a, b) => a - b);
  if (extra.samples) {
    extra.samples.scheduling.push(...latencies);
    extra.samples.startup.push(...startups);
  }
  const cpu = [...perNode.values()].map((v) => v.cpu).sort((a, b) => a - b);
  const mem = [...perNode.values()].map((v) => v.mem / 2 ** 20).sort((a, b) => a - b);
  const ready = nodes.filter(isReady).length;
  return {
    t: Math.round((t - start) / 1000),
    time: label(t - start),
    nodes: nodes.length,
    nodesReady: ready,
    nodesByGroup: countByGroup(nodes),
    podsPending: pods.filter((p) => !terminal(p) && !p.spec?.nodeName).length,
    podsRunning: pods.filter((p) => p.status?.phase === 'Running').length,
    podsTotal: pods.length,
    cpuRequestedMilliPerNode: { mean: round1(mean(cpu)), p90: round1(percentile(cpu, 90)) },
    memoryRequestedMiBPerNode: { mean: round1(mean(mem)), p90: round1(percentile(mem, 90)) },
    scheduled: latencies.length,
    schedulingLatencySeconds: quantiles(latencies),
    podStartupSeconds: quantiles(startups),
    cpuRequestedPercentPerNode: stats(pct),
    cpuUsedMilliPerNode: metrics.length ? stats(usedCpu) : null,
    memoryUsedMiBPerNode: metrics.length ? stats(usedMem) : null,
    nodesUsed: used.size,
    fragmentationPercent: free > 0 ? round1((100 * stranded) / free) : 0,
    evictions: extra.counts?.evictions ?? 0,
    preemptions: extra.counts?.preemptions ?? 0,
    nodeHours: round1((extra.nodeHoursBefore ?? 0) + (nodes.length * Math.max(0, t - since)) / 3_600_000),
    hpaReplicas: Object.fromEntries(hpas.map((h) => [`${h.metadata.namespace}/${h.metadata.name}`, Number(h.status?.currentReplicas ?? 0)] as const).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    placementDigest: createHash('sha256').update(placement.sort().join('\n')).digest('hex').slice(0, 12),
  };
}

/** Reads nodes, pods, HPAs and NodeMetrics through the client and summarizes them. */
export async function measure(client: Client, t: number, since: number, start: number, extra: Omit<Extra, 'hpas' | 'nodeMetrics'> = {}): Promise<Interval> {
  // read-only answers (no copy in process): summarize only reads them
  const [nodes, pods, hpas, nodeMetrics] = await Promise.all([
    client.resource(NODES).list({ readonly: true }),
    client.resource(PODS).list({ readonly: true }),
    client.resource(HPAS).list({ readonly: true }),
    client.resource(NODE_METRICS).list({}).then((l) => l.items, () => []),
  ]);
  return summarize(nodes.items, pods.items, t, since, start, { ...extra, hpas: hpas.items, nodeMetrics });
}

/** The report as a fixed-width table. */
export function formatTable(rows: Interval[]): string {
  const withHpa = rows.some((r) => Object.keys(r.hpaReplicas).length > 0);
  const head = ['time', 'nodes', 'ready', 'pending', 'running', 'cpu(m)/node mean', 'p90', 'mem(Mi)/node mean', 'p90', 'used cpu(m)/node mean', 'scheduled', 'latency p50(s)', 'p99(s)', 'startup p50(s)', 'p99(s)', 'evicted', 'preempted', 'node-h', ...(withHpa ? ['hpa replicas'] : [])];
  const body = rows.map((r) => [
    r.time,
    r.nodes,
    r.nodesReady,
    r.podsPending,
    r.podsRunning,
    r.cpuRequestedMilliPerNode.mean,
    r.cpuRequestedMilliPerNode.p90,
    r.memoryRequestedMiBPerNode.mean,
    r.memoryRequestedMiBPerNode.p90,
    r.cpuUsedMilliPerNode?.mean ?? '-',
    r.scheduled,
    r.schedulingLatencySeconds?.p50 ?? '-',
    r.schedulingLatencySeconds?.p99 ?? '-',
    r.podStartupSeconds?.p50 ?? '-',
    r.podStartupSeconds?.p99 ?? '-',
    r.evictions,
    r.preemptions,
    r.nodeHours,
    ...(withHpa ? [Object.values(r.hpaReplicas).reduce((a, b) => a + b, 0)] : []),
  ].map(String));
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  return [head, ...body].map((cols) => cols.map((c, i) => c.padStart(widths[i])).join('  ')).join('\n');
}
