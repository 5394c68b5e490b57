// The whole run in one row (the report's `summary`, and a column of `--compare`): pods scheduled,
// pending time (creation → PodScheduled) and pod startup (creation → Ready) p50/p99 over every pod
// of the run, node CPU utilization (requested / allocatable) mean and p90 over the intervals, nodes
// used at most, mean fragmentation, evictions, preemptions, node-hours.
import { mean, percentile, round1, type Interval, type Samples } from './measure.ts';

export interface Summary {
  podsScheduled: number;
  pendingSeconds: { p50: number; p99: number } | null;
  podStartupSeconds: { p50: number; p99: number } | null;
  /** Mean over the intervals of the per-node mean, and of the per-node p90, of requested CPU %. */
  cpuUtilizationPercent: { mean: number; p90: number };
  nodesUsedMax: number;
  fragmentationPercentMean: number;
  evictions: number;
  preemptions: number;
  nodeHours: number;
}

/** Running node-hours: Node objects × the time since the previous row, summed (rows sorted by t). */
export function accumulateNodeHours(rows: Interval[]): void {
  let sum = 0;
  let prev = 0;
  for (const r of rows) {
    sum += (r.nodes * (r.t - prev)) / 3600;
    prev = r.t;
    r.nodeHours = round1(sum);
  }
}

export function summarizeRun(rows: Interval[], samples: Samples): Summary {
  const q = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length ? { p50: percentile(s, 50), p99: percentile(s, 99) } : null;
  };
  return {
    podsScheduled: rows.reduce((a, r) => a + r.scheduled, 0),
    pendingSeconds: q(samples.scheduling),
    podStartupSeconds: q(samples.startup),
    cpuUtilizationPercent: { mean: round1(mean(rows.map((r) => r.cpuRequestedPercentPerNode.mean))), p90: round1(mean(rows.map((r) => r.cpuRequestedPercentPerNode.p90))) },
    nodesUsedMax: Math.max(0, ...rows.map((r) => r.nodesUsed)),
    fragmentationPercentMean: round1(mean(rows.map((r) => r.fragmentationPercent))),
    evictions: rows.reduce((a, r) => a + r.evictions, 0),
    preemptions: rows.reduce((a, r) => a + r.preemptions, 0),
    nodeHours: rows.at(-1)?.nodeHours ?? 0,
  };
}

const q2 = (v: { p50: number; p99: number } | null, k: 'p50' | 'p99') => (v ? String(v[k]) : '-');

/** Side by side: one column per run (`--compare`). */
export function formatCompare(columns: { name: string; summary: Summary; failed?: number }[]): string {
  const rows: [string, (s: Summary) => string][] = [
    ['pods scheduled', (s) => String(s.podsScheduled)],
    ['pending p50 (s)', (s) => q2(s.pendingSeconds, 'p50')],
    ['pending p99 (s)', (s) => q2(s.pendingSeconds, 'p99')],
    ['startup p50 (s)', (s) => q2(s.podStartupSeconds, 'p50')],
    ['startup p99 (s)', (s) => q2(s.podStartupSeconds, 'p99')],
    ['cpu utilization mean (%)', (s) => String(s.cpuUtilizationPercent.mean)],
    ['cpu utilization p90 (%)', (s) => String(s.cpuUtilizationPercent.p90)],
    ['nodes used (max)', (s) => String(s.nodesUsedMax)],
    ['fragmentation (%)', (s) => String(s.fragmentationPercentMean)],
    ['evictions', (s) => String(s.evictions)],
    ['preemptions', (s) => String(s.preemptions)],
    ['node-hours', (s) => String(s.nodeHours)],
  ];
  const table = [['', ...columns.map((c) => c.name)], ...rows.map(([label, f]) => [label, ...columns.map((c) => f(c.summary))])];
  if (columns.some((c) => c.failed)) table.push(['assertions failed', ...columns.map((c) => String(c.failed ?? 0))]);
  const widths = table[0].map((_, i) => Math.max(...table.map((r) => r[i].length)));
  return table.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')).join('\n');
}
