// The API server's /metrics read by the page: a Prometheus text parser, and the rates and latencies
// between two scrapes (what a rate() and histogram_quantile() over them would answer). Pure.

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** [{ name, labels, value }] of every sample line (comments skipped). */
export function parseProm(text) {
  const out = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = LINE.exec(line);
    if (!m) continue;
    const labels = {};
    for (const l of (m[2] ?? '').matchAll(LABEL)) labels[l[1]] = l[2].replace(/\\(.)/g, (_, c) => (c === 'n' ? '\n' : c));
    out.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return out;
}

/** Per-scrape totals the charts need: requests by verb, the duration histogram summed over labels, open watches. */
export function summarize(samples, t) {
  const byVerb = {};
  const buckets = new Map();
  let sum = 0;
  let count = 0;
  let watchers = 0;
  for (const s of samples) {
    if (s.name === 'apiserver_request_total') byVerb[s.labels.verb] = (byVerb[s.labels.verb] ?? 0) + s.value;
    else if (s.name === 'apiserver_request_duration_seconds_bucket') buckets.set(s.labels.le, (buckets.get(s.labels.le) ?? 0) + s.value);
    else if (s.name === 'apiserver_request_duration_seconds_sum') sum += s.value;
    else if (s.name === 'apiserver_request_duration_seconds_count') count += s.value;
    else if (s.name === 'apiserver_registered_watchers') watchers += s.value;
  }
  return { t, byVerb, buckets, sum, count, watchers };
}

/** The q-quantile of cumulative bucket counts (le → count) as histogram_quantile does: linear in the bucket. */
export function quantile(q, buckets) {
  const rows = [...buckets].map(([le, c]) => [le === '+Inf' ? Infinity : Number(le), c]).sort((a, b) => a[0] - b[0]);
  const total = rows.at(-1)?.[1] ?? 0;
  if (total <= 0) return undefined;
  const rank = q * total;
  let prevLe = 0;
  let prevC = 0;
  for (const [le, c] of rows) {
    if (c >= rank) {
      if (le === Infinity) return prevLe;
      return prevLe + ((le - prevLe) * (rank - prevC)) / Math.max(c - prevC, 1e-9);
    }
    prevLe = le;
    prevC = c;
  }
  return prevLe;
}

/** One chart point from two summaries: requests/s by verb, mean and p99 latency (ms), open watches. */
export function between(a, b) {
  const dt = Math.max(b.t - a.t, 1e-3);
  const rate = {};
  for (const [verb, v] of Object.entries(b.byVerb)) rate[verb] = Math.max(0, v - (a.byVerb[verb] ?? 0)) / dt;
  const delta = new Map([...b.buckets].map(([le, c]) => [le, Math.max(0, c - (a.buckets.get(le) ?? 0))]));
  const n = b.count - a.count;
  const p99 = quantile(0.99, delta);
  return { t: b.t, rate, meanMs: n > 0 ? ((b.sum - a.sum) / n) * 1000 : null, p99Ms: p99 === undefined ? null : p99 * 1000, watchers: b.watchers };
}

/** Pods not bound to a node yet and not finished or deleting (what the scheduler has pending). */
export function pendingPods(pods) {
  let n = 0;
  for (const p of pods.values()) if (!p.spec?.nodeName && !p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed') n++;
  return n;
}
