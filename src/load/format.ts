// The report as text: the request latencies (client and server side), pod startup, scheduling
// throughput, and the SLO table (SLO, threshold, measured, PASS/FAIL).
import type { LoadReport } from './run.ts';
import type { RequestRow } from './requests.ts';
import type { SloResult } from './slo.ts';
import type { Summary } from './stats.ts';

/** Columns padded to their widest cell; numbers right-aligned. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const right = header.map((_, i) => rows.length > 0 && rows.every((r) => /^[\d.,]+( ?[a-z/]+)?$|^-$/.test(r[i])));
  const line = (cells: string[]) => cells.map((c, i) => (right[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

const ms = (x: number | null | undefined) => (x === null || x === undefined || Number.isNaN(x) ? '-' : x >= 1000 ? `${(x / 1000).toFixed(2)}s` : `${x.toFixed(1)}ms`);

function requestTable(rows: RequestRow[], withErrors: boolean): string {
  return table(
    ['VERB', 'RESOURCE', 'SCOPE', 'COUNT', ...(withErrors ? ['ERRORS'] : []), 'P50', 'P90', 'P99'],
    rows.map((r) => [r.verb, r.resource, r.scope || '-', String(r.count), ...(withErrors ? [String(r.errors ?? 0)] : []), ms(r.p50Ms), ms(r.p90Ms), ms(r.p99Ms)]),
  );
}

export function sloTable(slos: SloResult[]): string {
  return table(
    ['SLO', 'SOURCE', 'THRESHOLD', 'MEASURED', 'WORST', 'RESULT'],
    slos.map((s) => [s.slo, s.source, ms(s.thresholdMs), ms(s.measuredMs), s.worst ?? '-', s.status]),
  );
}

export function formatReport(r: LoadReport): string {
  const out: string[] = [];
  const p = r.parameters;
  out.push(`kubesim load --profile ${r.profile}: run ${r.run} against ${r.server}, ${r.elapsedSeconds}s${r.interrupted ? ' (interrupted)' : ''}`);
  out.push(`  nodes ${p.nodes}, pods per node ${p.podsPerNode}, qps ${p.qps}, duration ${p.durationSeconds}s, namespaces ${p.namespaces}`);
  out.push(`  calls ${r.calls.issued}, errors ${r.calls.errors}${r.calls.skipped ? `, skipped (too many in flight) ${r.calls.skipped}` : ''}${r.calls.lastError ? `; last error: ${r.calls.lastError}` : ''}`);
  if (r.density) out.push(`  density: ${r.density.readyPods}/${r.density.targetPods} pods Ready${r.density.timedOut ? ' (timed out)' : ''}`);
  out.push('', 'Client-side latency (the load generator\'s own calls):', requestTable(r.requests.client, true));
  if (r.requests.server) out.push('', 'Server-side latency (apiserver_request_duration_seconds, every client, between two scrapes):', requestTable(r.requests.server, false));
  else out.push('', `Server-side latency: unavailable (${r.requests.serverError ?? 'no /metrics'})`);
  if (r.podStartup) {
    const s = r.podStartup;
    const row = (name: string, x: Summary) => [name, String(x.count), ms(x.p50Ms), ms(x.p90Ms), ms(x.p99Ms)];
    out.push('', `Pod startup (${s.pods} pods, observed by a watch):`, table(['PHASE', 'PODS', 'P50', 'P90', 'P99'], [
      row('created → scheduled', s.createdToScheduled),
      row('scheduled → running', s.scheduledToRunning),
      row('created → running (containers started)', s.createdToRunning),
      row('created → Ready', s.createdToReady),
    ]));
  }
  if (r.scheduling) out.push(`Scheduling throughput: ${r.scheduling.podsPerSecond} pods/s average (${r.scheduling.pods} pods over ${r.scheduling.seconds}s), ${r.scheduling.maxPerSecond} in the busiest second`);
  out.push('', 'SLOs:', sloTable(r.slos), '', r.passed ? 'All SLOs with data: PASS' : r.slos.some((x) => x.status === 'FAIL') ? 'SLO FAILED' : 'FAILED: not every pod was Ready by the deadline');
  out.push(r.cleanup.remaining.length ? `cleanup: ${r.cleanup.remaining.length} namespace(s) still terminating: ${r.cleanup.remaining.join(', ')}` : `cleanup: ${r.cleanup.namespaces.length} namespace(s) deleted`);
  return out.join('\n');
}
