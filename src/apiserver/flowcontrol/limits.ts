// Seats: the server's concurrency limit (--max-requests-inflight + --max-mutating-requests-inflight)
// divided among the priority levels by their nominal concurrency shares, as Kubernetes computes each
// level's NominalCL = ceil(ServerCL * NCS / sum of every level's NCS). Borrowing (lendablePercent) is
// not modelled: a level executes at most its nominal limit.
import type { KubeObject } from '../../api/types.ts';

export const DEFAULT_MAX_REQUESTS_INFLIGHT = 400;
export const DEFAULT_MAX_MUTATING_REQUESTS_INFLIGHT = 200;

/** A level's nominal concurrency shares (exempt levels: spec.exempt's, default 0; limited: default 30). */
export function sharesOf(pl: KubeObject): number {
  const s = pl.spec ?? {};
  if (s.type === 'Exempt') return s.exempt?.nominalConcurrencyShares ?? 0;
  return s.limited?.nominalConcurrencyShares ?? 30;
}

/** NominalCL per level name. */
export function nominalLimits(serverLimit: number, levels: { name: string; shares: number }[]): Map<string, number> {
  const sum = levels.reduce((a, l) => a + Math.max(0, l.shares), 0);
  const out = new Map<string, number>();
  for (const l of levels) out.set(l.name, sum > 0 ? Math.ceil((serverLimit * Math.max(0, l.shares)) / sum) : 0);
  return out;
}
