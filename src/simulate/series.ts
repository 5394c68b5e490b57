// The report's intervals as a CSV time series (`--csv FILE`, one row per interval, a column per
// number, HPA replica counts as `hpa:<namespace>/<name>`) and as a hand-written SVG line plot
// (`--plot FILE.svg`) of the main series, each scaled to its own maximum: pods running and pending,
// nodes ready, requested and used CPU per node, HPA replicas (sum). Pure functions of the rows, so
// the same report gives the same bytes.
import type { Interval } from './measure.ts';

type Column = [string, (r: Interval) => number | string | undefined];

const COLUMNS: Column[] = [
  ['t', (r) => r.t],
  ['time', (r) => r.time],
  ['nodes', (r) => r.nodes],
  ['nodesReady', (r) => r.nodesReady],
  ['nodesUsed', (r) => r.nodesUsed],
  ['podsPending', (r) => r.podsPending],
  ['podsRunning', (r) => r.podsRunning],
  ['podsTotal', (r) => r.podsTotal],
  ['cpuRequestedMilliPerNodeMean', (r) => r.cpuRequestedMilliPerNode.mean],
  ['cpuRequestedMilliPerNodeP90', (r) => r.cpuRequestedMilliPerNode.p90],
  ['memoryRequestedMiBPerNodeMean', (r) => r.memoryRequestedMiBPerNode.mean],
  ['memoryRequestedMiBPerNodeP90', (r) => r.memoryRequestedMiBPerNode.p90],
  ['cpuRequestedPercentPerNodeMean', (r) => r.cpuRequestedPercentPerNode.mean],
  ['cpuUsedMilliPerNodeMean', (r) => r.cpuUsedMilliPerNode?.mean],
  ['cpuUsedMilliPerNodeP90', (r) => r.cpuUsedMilliPerNode?.p90],
  ['memoryUsedMiBPerNodeMean', (r) => r.memoryUsedMiBPerNode?.mean],
  ['memoryUsedMiBPerNodeP90', (r) => r.memoryUsedMiBPerNode?.p90],
  ['scheduled', (r) => r.scheduled],
  ['schedulingLatencyP50', (r) => r.schedulingLatencySeconds?.p50],
  ['schedulingLatencyP99', (r) => r.schedulingLatencySeconds?.p99],
  ['podStartupP50', (r) => r.podStartupSeconds?.p50],
  ['podStartupP99', (r) => r.podStartupSeconds?.p99],
  ['fragmentationPercent', (r) => r.fragmentationPercent],
  ['evictions', (r) => r.evictions],
  ['preemptions', (r) => r.preemptions],
  ['nodeHours', (r) => r.nodeHours],
];

export function toCsv(rows: Interval[]): string {
  const hpas = [...new Set(rows.flatMap((r) => Object.keys(r.hpaReplicas)))].sort();
  const head = [...COLUMNS.map(([n]) => n), ...hpas.map((h) => `hpa:${h}`)];
  const lines = rows.map((r) => [...COLUMNS.map(([, f]) => f(r) ?? ''), ...hpas.map((h) => r.hpaReplicas[h] ?? '')].join(','));
  return [head.join(','), ...lines].join('\n') + '\n';
}

const SERIES: { name: string; color: string; f: (r: Interval) => number | undefined }[] = [
  { name: 'pods running', color: '#1f77b4', f: (r) => r.podsRunning },
  { name: 'pods pending', color: '#d62728', f: (r) => r.podsPending },
  { name: 'nodes ready', color: '#2ca02c', f: (r) => r.nodesReady },
  { name: 'cpu requested/node (m)', color: '#ff7f0e', f: (r) => r.cpuRequestedMilliPerNode.mean },
  { name: 'cpu used/node (m)', color: '#9467bd', f: (r) => r.cpuUsedMilliPerNode?.mean },
  { name: 'hpa replicas', color: '#8c564b', f: (r) => (Object.keys(r.hpaReplicas).length ? Object.values(r.hpaReplicas).reduce((a, b) => a + b, 0) : undefined) },
];

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A line per series, each scaled to its own maximum (labelled in the legend). */
export function toSvg(rows: Interval[], title: string): string {
  const [W, H, L, R, T, B] = [900, 420, 50, 230, 40, 40];
  const pw = W - L - R;
  const ph = H - T - B;
  const tMax = Math.max(1, ...rows.map((r) => r.t));
  const x = (t: number) => (L + (pw * t) / tMax).toFixed(1);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${L}" y="22" font-size="15">${esc(title)}</text>`,
    `<rect x="${L}" y="${T}" width="${pw}" height="${ph}" fill="none" stroke="#999"/>`,
  ];
  for (let i = 0; i <= 4; i++) {
    const t = (tMax * i) / 4;
    const h = Math.floor(t / 3600);
    const m = Math.round((t % 3600) / 60);
    out.push(`<text x="${x(t)}" y="${H - B + 16}" text-anchor="middle">${h}h${String(m).padStart(2, '0')}m</text>`);
  }
  let legend = 0;
  for (const s of SERIES) {
    const pts = rows.map((r) => [r.t, s.f(r)] as const).filter((p): p is readonly [number, number] => p[1] !== undefined);
    if (!pts.length) continue;
    const max = Math.max(...pts.map((p) => p[1]));
    const y = (v: number) => (T + ph - (max > 0 ? (ph * v) / max : 0)).toFixed(1);
    out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${pts.map(([t, v]) => `${x(t)},${y(v)}`).join(' ')}"/>`);
    const ly = T + 10 + legend++ * 20;
    out.push(`<line x1="${W - R + 15}" y1="${ly}" x2="${W - R + 35}" y2="${ly}" stroke="${s.color}" stroke-width="3"/>`);
    out.push(`<text x="${W - R + 40}" y="${ly + 4}">${esc(`${s.name} (max ${max})`)}</text>`);
  }
  out.push('</svg>');
  return out.join('\n') + '\n';
}
