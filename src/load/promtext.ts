// Reads one histogram out of a Prometheus text exposition (what GET /metrics answers).
import type { Buckets } from './stats.ts';

export interface LabeledBuckets {
  labels: Record<string, string>;
  buckets: Buckets;
}

function parseLabels(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of s.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) out[m[1]] = m[2].replace(/\\(.)/g, (_, c) => (c === 'n' ? '\n' : c));
  return out;
}

const parseLe = (v: string) => (v === '+Inf' ? Infinity : Number(v));

/**
 * The `<name>_bucket` series, one entry per label set (the `le` label taken out), buckets in
 * ascending order. Unparseable lines are skipped.
 */
export function parseHistogram(text: string, name: string): LabeledBuckets[] {
  const byKey = new Map<string, { labels: Record<string, string>; pairs: [number, number][] }>();
  const prefix = `${name}_bucket{`;
  for (const line of text.split('\n')) {
    if (!line.startsWith(prefix)) continue;
    const close = line.lastIndexOf('}');
    if (close < 0) continue;
    const labels = parseLabels(line.slice(prefix.length, close));
    const value = Number(line.slice(close + 1).trim().split(/\s+/)[0]);
    if (labels.le === undefined || !Number.isFinite(value)) continue;
    const le = parseLe(labels.le);
    delete labels.le;
    const key = JSON.stringify(Object.entries(labels).sort());
    let e = byKey.get(key);
    if (!e) byKey.set(key, (e = { labels, pairs: [] }));
    e.pairs.push([le, value]);
  }
  return [...byKey.values()].map(({ labels, pairs }) => {
    pairs.sort((a, b) => a[0] - b[0]);
    return { labels, buckets: { le: pairs.map((p) => p[0]), counts: pairs.map((p) => p[1]) } };
  });
}
