// What `kubesim simulate` records at each measure interval, read through the client like any
// observer: nodes, pods pending/running, requested CPU and memory per node (mean, p90), and the
// scheduling latency of the pods scheduled during the interval (creationTimestamp → PodScheduled's
// lastTransitionTime, both virtual; metav1.Time has whole seconds, so latencies do too).
import { createHash } from 'node:crypto';
import { podRequests } from '../api/core/requests.ts';
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
  /** Each HorizontalPodAutoscaler's status.currentReplicas, by namespace/name. */
  hpaReplicas: Record<string, number>;
  /** sha256 (12 hex) of the sorted pod → node assignments: same seed, same placement. */
  placementDigest: string;
}

const PODS = { group: '', version: 'v1', plural: 'pods', namespaced: true } as const;
const NODES = { group: '', version: 'v1', plural: 'nodes', namespaced: false } as const;
const HPAS = { group: 'autoscaling', version: 'v2', plural: 'horizontalpodautoscalers', namespaced: true } as const;

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

const round1 = (x: number) => Math.round(x * 10) / 10;
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

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
export function summarize(nodes: KubeObject[], pods: KubeObject[], t: number, since: number, start: number, hpas: KubeObject[] = []): Interval {
  const terminal = (p: KubeObject) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
  const perNode = new Map<string, { cpu: number; mem: number }>(nodes.map((n) => [n.metadata.name!, { cpu: 0, mem: 0 }]));
  const latencies: number[] = [];
  const placement: string[] = [];
  for (const p of pods) {
    const node = p.spec?.nodeName as string | undefined;
    if (node && !terminal(p)) {
      const r = podRequests(p);
      const slot = perNode.get(node);
      if (slot) {
        slot.cpu += r.milliCPU;
        slot.mem += r.memory;
      }
    }
    if (node) placement.push(`${p.metadata.namespace}/${p.metadata.name}=${node}`);
    const cond = (p.status?.conditions ?? []).find((c: any) => c.type === 'PodScheduled' && c.status === 'True');
    const at = cond ? Date.parse(cond.lastTransitionTime) : NaN;
    const created = Date.parse(p.metadata.creationTimestamp ?? '');
    if (Number.isFinite(at) && at >= since && at < t && Number.isFinite(created)) latencies.push(Math.max(0, at - created) / 1000);
  }
  const cpu = [...perNode.values()].map((v) => v.cpu).sort((a, b) => a - b);
  const mem = [...perNode.values()].map((v) => v.mem / 2 ** 20).sort((a, b) => a - b);
  latencies.sort((a, b) => a - b);
  const ready = nodes.filter((n) => (n.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True')).length;
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
    schedulingLatencySeconds: latencies.length ? { p50: percentile(latencies, 50), p99: percentile(latencies, 99) } : null,
    hpaReplicas: Object.fromEntries(hpas.map((h) => [`${h.metadata.namespace}/${h.metadata.name}`, Number(h.status?.currentReplicas ?? 0)] as const).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    placementDigest: createHash('sha256').update(placement.sort().join('\n')).digest('hex').slice(0, 12),
  };
}

/** Reads nodes and pods through the client and summarizes them. */
export async function measure(client: Client, t: number, since: number, start: number): Promise<Interval> {
  const [nodes, pods, hpas] = await Promise.all([client.resource(NODES).list({}), client.resource(PODS).list({}), client.resource(HPAS).list({})]);
  return summarize(nodes.items, pods.items, t, since, start, hpas.items);
}

/** The report as a fixed-width table. */
export function formatTable(rows: Interval[]): string {
  const withHpa = rows.some((r) => Object.keys(r.hpaReplicas).length > 0);
  const head = ['time', 'nodes', 'ready', 'pending', 'running', 'cpu(m)/node mean', 'p90', 'mem(Mi)/node mean', 'p90', 'scheduled', 'latency p50(s)', 'p99(s)', ...(withHpa ? ['hpa replicas'] : [])];
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
    r.scheduled,
    r.schedulingLatencySeconds?.p50 ?? '-',
    r.schedulingLatencySeconds?.p99 ?? '-',
    ...(withHpa ? [Object.values(r.hpaReplicas).reduce((a, b) => a + b, 0)] : []),
  ].map(String));
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  return [head, ...body].map((cols) => cols.map((c, i) => c.padStart(widths[i])).join('  ')).join('\n');
}
