// Nearest-rank quantiles, the one definition the load generator's and the simulator's reports use.

/** The q-quantile (0..1) of ascending samples by nearest rank; undefined when there are none. */
export function nearestRank(sorted: ArrayLike<number>, q: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}
