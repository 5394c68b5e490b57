// Kubernetes' SLOs (sig-scalability's api_call_latency and pod_startup_latency) and their
// evaluation against the measured rows.
import type { RequestRow } from './requests.ts';
import type { Summary } from './stats.ts';

export type SloStatus = 'PASS' | 'FAIL' | 'NO DATA';

export interface SloResult {
  slo: string;
  /** Where the figure comes from: the load generator's own calls, the server's histogram, or the pod watch. */
  source: 'client' | 'server' | 'watch';
  thresholdMs: number;
  /** The worst p99 over the pairs the SLO covers (null without samples). */
  measuredMs: number | null;
  /** The pair that gave the measured value, e.g. "PATCH deployments". */
  worst?: string;
  status: SloStatus;
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE', 'APPLY']);

/** The API call SLOs: which rows each covers (Kubernetes takes the p99 of every pair) and the bound. */
export const API_SLOS: { slo: string; thresholdMs: number; covers(r: RequestRow): boolean }[] = [
  { slo: 'mutating API calls, single object: p99 ≤ 1s', thresholdMs: 1000, covers: (r) => r.scope === 'resource' && MUTATING.has(r.verb) },
  { slo: 'read-only API calls, single object: p99 ≤ 1s', thresholdMs: 1000, covers: (r) => r.scope === 'resource' && r.verb === 'GET' },
  { slo: 'LIST in a namespace: p99 ≤ 5s', thresholdMs: 5000, covers: (r) => r.scope === 'namespace' && r.verb === 'LIST' },
  { slo: 'LIST of the cluster: p99 ≤ 30s', thresholdMs: 30000, covers: (r) => r.scope === 'cluster' && r.verb === 'LIST' },
];

export const POD_STARTUP_THRESHOLD_MS = 5000;

function status(measured: number | null, threshold: number): SloStatus {
  return measured === null ? 'NO DATA' : measured <= threshold ? 'PASS' : 'FAIL';
}

/** One row per API SLO and source with data, then the pod startup SLOs when pods were measured. */
export function evaluateSlos(input: {
  client: RequestRow[];
  server?: RequestRow[];
  podStartup?: { createdToRunning: Summary; createdToReady: Summary };
}): SloResult[] {
  const out: SloResult[] = [];
  for (const def of API_SLOS) {
    for (const [source, rows] of [['client', input.client], ['server', input.server]] as const) {
      if (!rows) continue;
      const covered = rows.filter((r) => def.covers(r) && r.count > (r.errors ?? 0) && Number.isFinite(r.p99Ms));
      if (covered.length === 0 && source === 'server') continue;
      const worst = covered.reduce<RequestRow | undefined>((w, r) => (!w || r.p99Ms > w.p99Ms ? r : w), undefined);
      const measuredMs = worst ? worst.p99Ms : null;
      out.push({ slo: def.slo, source, thresholdMs: def.thresholdMs, measuredMs, worst: worst && `${worst.verb} ${worst.resource}`, status: status(measuredMs, def.thresholdMs) });
    }
  }
  if (input.podStartup) {
    for (const [slo, s] of [
      ['pod startup, created → running, containers started: p99 ≤ 5s', input.podStartup.createdToRunning],
      ['pod startup, created → Ready: p99 ≤ 5s', input.podStartup.createdToReady],
    ] as const) {
      const measuredMs = s.count > 0 ? s.p99Ms : null;
      out.push({ slo, source: 'watch', thresholdMs: POD_STARTUP_THRESHOLD_MS, measuredMs, status: status(measuredMs, POD_STARTUP_THRESHOLD_MS) });
    }
  }
  return out;
}

/** Whether the run passes: no SLO failed (NO DATA is not a failure). */
export const sloPassed = (results: SloResult[]) => results.every((r) => r.status !== 'FAIL');
