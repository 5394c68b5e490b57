// Quantiles of latency samples, and the histogram_quantile of Prometheus over bucket deltas.
import { nearestRank } from '../api/core/quantile.ts';

export interface Summary {
  count: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** The q-quantile (0..1) of ascending samples by nearest rank; NaN when empty. */
export function quantile(sorted: readonly number[], q: number): number {
  return nearestRank(sorted, q) ?? NaN;
}

/** p50/p90/p99/max of samples in milliseconds (rounded to 0.01 ms). */
export function summarize(samplesMs: readonly number[]): Summary {
  const s = [...samplesMs].sort((a, b) => a - b);
  const r = (x: number) => (Number.isNaN(x) ? NaN : Math.round(x * 100) / 100);
  return { count: s.length, p50Ms: r(quantile(s, 0.5)), p90Ms: r(quantile(s, 0.9)), p99Ms: r(quantile(s, 0.99)), maxMs: r(s[s.length - 1] ?? NaN) };
}

/** Cumulative buckets of one histogram: upper bound `le` (Infinity for +Inf) → observations ≤ le. */
export interface Buckets {
  le: number[];
  counts: number[];
}

/**
 * Prometheus' histogram_quantile: the rank q·total falls into a bucket; interpolate linearly
 * between the bucket's bounds (the first bucket's lower bound is 0). A rank in the +Inf bucket
 * answers the highest finite bound. NaN without observations.
 */
export function histogramQuantile(q: number, b: Buckets): number {
  const n = b.le.length;
  if (n === 0) return NaN;
  const total = b.counts[n - 1];
  if (!(total > 0)) return NaN;
  const rank = q * total;
  let i = b.counts.findIndex((c) => c >= rank);
  if (i < 0) i = n - 1;
  if (b.le[i] === Infinity) return n >= 2 ? b.le[n - 2] : NaN;
  const lower = i === 0 ? 0 : b.le[i - 1];
  const below = i === 0 ? 0 : b.counts[i - 1];
  const inBucket = b.counts[i] - below;
  if (inBucket <= 0) return b.le[i];
  return lower + (b.le[i] - lower) * ((rank - below) / inBucket);
}

/** after − before, bucket by bucket (a bucket unknown before counts from 0). */
export function deltaBuckets(before: Buckets | undefined, after: Buckets): Buckets {
  if (!before) return { le: [...after.le], counts: [...after.counts] };
  const prev = new Map(before.le.map((le, i) => [le, before.counts[i]]));
  return { le: [...after.le], counts: after.counts.map((c, i) => Math.max(0, c - (prev.get(after.le[i]) ?? 0))) };
}

/** Sums histograms with the same bounds (label sets folded together). */
export function addBuckets(a: Buckets | undefined, b: Buckets): Buckets {
  if (!a) return { le: [...b.le], counts: [...b.counts] };
  const m = new Map(a.le.map((le, i) => [le, a.counts[i]]));
  for (let i = 0; i < b.le.length; i++) m.set(b.le[i], (m.get(b.le[i]) ?? 0) + b.counts[i]);
  const le = [...m.keys()].sort((x, y) => x - y);
  return { le, counts: le.map((x) => m.get(x)!) };
}
