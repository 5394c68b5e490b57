// Per (verb, resource, scope) latency rows: recorded by the client around each call, and computed
// from the server's apiserver_request_duration_seconds between two scrapes.
import { parseHistogram } from './promtext.ts';
import { addBuckets, deltaBuckets, histogramQuantile, summarize, type Buckets } from './stats.ts';

/** Kubernetes' scope of a request: one object, a namespace's collection, the cluster's collection ('' = the server did not say). */
export type RequestScope = 'resource' | 'namespace' | 'cluster' | '';

export interface RequestRow {
  verb: string;
  resource: string;
  scope: RequestScope;
  count: number;
  /** Calls that failed (client side only). */
  errors?: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
}

/** The verb names of Kubernetes' metrics: kubesim's CREATE/UPDATE are POST/PUT there. */
export function normalizeVerb(v: string): string {
  const u = v.toUpperCase();
  return u === 'CREATE' ? 'POST' : u === 'UPDATE' ? 'PUT' : u;
}

const key = (verb: string, resource: string, scope: string) => `${verb} ${resource} ${scope}`;

const byKey = (a: RequestRow, b: RequestRow) => a.resource.localeCompare(b.resource) || a.verb.localeCompare(b.verb) || a.scope.localeCompare(b.scope);

/** Client-side samples per call kind. */
export class Recorder {
  private readonly samples = new Map<string, { verb: string; resource: string; scope: RequestScope; ms: number[]; errors: number }>();
  total = 0;
  errors = 0;
  lastError?: string;

  record(verb: string, resource: string, scope: RequestScope, ms: number, failed = false): void {
    const k = key(verb, resource, scope);
    let e = this.samples.get(k);
    if (!e) this.samples.set(k, (e = { verb, resource, scope, ms: [], errors: 0 }));
    this.total++;
    if (failed) {
      e.errors++;
      this.errors++;
    } else e.ms.push(ms);
  }

  /** Runs fn and records its latency (failures are counted, their latency is not sampled). */
  async time<T>(verb: string, resource: string, scope: RequestScope, fn: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    try {
      const r = await fn();
      this.record(verb, resource, scope, performance.now() - t0);
      return r;
    } catch (e) {
      this.record(verb, resource, scope, performance.now() - t0, true);
      this.lastError = `${verb} ${resource}: ${(e as Error).message}`;
      throw e;
    }
  }

  rows(): RequestRow[] {
    return [...this.samples.values()]
      .map(({ verb, resource, scope, ms, errors }) => {
        const s = summarize(ms);
        return { verb, resource, scope, count: s.count + errors, errors, p50Ms: s.p50Ms, p90Ms: s.p90Ms, p99Ms: s.p99Ms };
      })
      .sort(byKey);
  }
}

export const REQUEST_DURATION = 'apiserver_request_duration_seconds';

/**
 * Rows from two scrapes of /metrics: the bucket deltas of apiserver_request_duration_seconds per
 * (verb, resource[/subresource], scope), other labels folded together; WATCH and CONNECT are left out (their
 * duration is a stream's length), as are rows without requests in between.
 */
export function serverRows(beforeText: string, afterText: string): RequestRow[] {
  const before = new Map<string, Buckets>();
  const fold = (m: Map<string, Buckets>, text: string) => {
    for (const h of parseHistogram(text, REQUEST_DURATION)) {
      const verb = normalizeVerb(h.labels.verb ?? '');
      const resource = h.labels.subresource ? `${h.labels.resource}/${h.labels.subresource}` : (h.labels.resource ?? '');
      const k = key(verb, resource, h.labels.scope ?? '');
      m.set(k, addBuckets(m.get(k), h.buckets));
    }
  };
  fold(before, beforeText);
  const after = new Map<string, Buckets>();
  fold(after, afterText);
  const rows: RequestRow[] = [];
  for (const [k, b] of after) {
    const [verb, resource, scope] = k.split(' ') as [string, string, RequestScope];
    if (verb === 'WATCH' || verb === 'CONNECT' || !resource) continue;
    const d = deltaBuckets(before.get(k), b);
    const count = d.counts[d.counts.length - 1] ?? 0;
    if (!(count > 0)) continue;
    const ms = (q: number) => Math.round(histogramQuantile(q, d) * 1000 * 100) / 100;
    rows.push({ verb, resource, scope, count, p50Ms: ms(0.5), p90Ms: ms(0.9), p99Ms: ms(0.99) });
  }
  return rows.sort(byKey);
}
