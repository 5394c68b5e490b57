// Quantiles of samples and of Prometheus histogram bucket deltas; the /metrics text parser; server rows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addBuckets, deltaBuckets, histogramQuantile, quantile, summarize } from '../../src/load/stats.ts';
import { parseHistogram } from '../../src/load/promtext.ts';
import { normalizeVerb, Recorder, serverRows } from '../../src/load/requests.ts';

test('quantile by nearest rank', () => {
  const s = Array.from({ length: 100 }, (_, i) => i + 1);
  for (const [q, want] of [[0.5, 50], [0.9, 90], [0.99, 99], [1, 100], [0, 1]] as const) assert.equal(quantile(s, q), want, `q=${q}`);
  assert.ok(Number.isNaN(quantile([], 0.5)));
  assert.deepEqual(summarize([3, 1, 2]), { count: 3, p50Ms: 2, p90Ms: 3, p99Ms: 3, maxMs: 3 });
});

const B = (le: number[], counts: number[]) => ({ le, counts });

test('histogramQuantile interpolates inside the bucket, as Prometheus does', () => {
  const cases: [string, number, ReturnType<typeof B>, number][] = [
    ['all in the first bucket: linear from 0', 0.5, B([0.1, 1, Infinity], [10, 10, 10]), 0.05],
    ['rank in the second bucket', 0.5, B([0.1, 1, Infinity], [5, 15, 15]), 0.1 + 0.9 * ((7.5 - 5) / 10)],
    ['p99 of 100 with one slow', 0.99, B([0.01, 0.1, 1, Infinity], [98, 99, 100, 100]), 0.1],
    ['rank in +Inf answers the highest finite bound', 0.99, B([0.5, 1, Infinity], [50, 50, 100]), 1],
    ['exact bucket edge', 1, B([0.5, 1, Infinity], [4, 8, 8]), 1],
  ];
  for (const [what, q, b, want] of cases) assert.ok(Math.abs(histogramQuantile(q, b) - want) < 1e-9, `${what}: got ${histogramQuantile(q, b)}`);
  assert.ok(Number.isNaN(histogramQuantile(0.5, B([1, Infinity], [0, 0]))), 'no observations');
  assert.ok(Number.isNaN(histogramQuantile(0.5, B([], []))));
});

test('bucket deltas and sums', () => {
  assert.deepEqual(deltaBuckets(B([1, Infinity], [3, 4]), B([1, Infinity], [5, 9])), B([1, Infinity], [2, 5]));
  assert.deepEqual(deltaBuckets(undefined, B([1, Infinity], [5, 9])), B([1, Infinity], [5, 9]));
  assert.deepEqual(addBuckets(B([1, Infinity], [1, 2]), B([1, Infinity], [3, 3])), B([1, Infinity], [4, 5]));
});

const metrics = (n: number, slow: number) => `# HELP apiserver_request_duration_seconds x
# TYPE apiserver_request_duration_seconds histogram
apiserver_request_duration_seconds_bucket{le="0.005",verb="GET",resource="pods",scope="resource"} ${n}
apiserver_request_duration_seconds_bucket{le="1",verb="GET",resource="pods",scope="resource"} ${n + slow}
apiserver_request_duration_seconds_bucket{le="+Inf",verb="GET",resource="pods",scope="resource"} ${n + slow}
apiserver_request_duration_seconds_sum{verb="GET",resource="pods",scope="resource"} 1
apiserver_request_duration_seconds_count{verb="GET",resource="pods",scope="resource"} ${n + slow}
apiserver_request_duration_seconds_bucket{le="0.005",verb="CREATE",resource="pods",scope="resource"} ${n}
apiserver_request_duration_seconds_bucket{le="+Inf",verb="CREATE",resource="pods",scope="resource"} ${n}
apiserver_request_duration_seconds_bucket{le="0.005",verb="WATCH",resource="pods",scope="cluster"} 0
apiserver_request_duration_seconds_bucket{le="+Inf",verb="WATCH",resource="pods",scope="cluster"} 7
apiserver_request_total{verb="GET",resource="pods",code="200"} 3
apiserver_request_duration_seconds_bucket{component="apiserver",le="0.005",verb="POST",resource="pods",subresource="binding",scope="resource"} ${n}
apiserver_request_duration_seconds_bucket{component="apiserver",le="+Inf",verb="POST",resource="pods",subresource="binding",scope="resource"} ${n}
`;

test('parseHistogram takes the buckets per label set, le out', () => {
  const h = parseHistogram(metrics(10, 0), 'apiserver_request_duration_seconds');
  assert.equal(h.length, 4);
  assert.deepEqual(h[0], { labels: { verb: 'GET', resource: 'pods', scope: 'resource' }, buckets: B([0.005, 1, Infinity], [10, 10, 10]) });
});

test('serverRows: quantiles of the delta between scrapes; WATCH left out; verbs as Kubernetes names them', () => {
  const rows = serverRows(metrics(10, 0), metrics(108, 2));
  assert.deepEqual(rows.map((r) => `${r.verb} ${r.resource} ${r.scope} ${r.count}`), ['GET pods resource 100', 'POST pods resource 98', 'POST pods/binding resource 98']);
  assert.ok(rows[0].p50Ms > 0 && rows[0].p50Ms <= 5, `p50 ${rows[0].p50Ms}`);
  assert.ok(rows[0].p99Ms > 5 && rows[0].p99Ms <= 1000, `p99 ${rows[0].p99Ms}`);
  assert.deepEqual(serverRows(metrics(10, 0), metrics(10, 0)), [], 'nothing happened in between');
  assert.equal(normalizeVerb('update'), 'PUT');
});

test('Recorder: per (verb, resource, scope) rows; failures counted, not sampled', async () => {
  const r = new Recorder();
  await r.time('GET', 'pods', 'resource', async () => 1);
  await assert.rejects(r.time('GET', 'pods', 'resource', async () => {
    throw new Error('boom');
  }));
  r.record('LIST', 'pods', 'cluster', 12);
  const rows = r.rows();
  assert.deepEqual(rows.map((x) => [x.verb, x.scope, x.count, x.errors]), [['GET', 'resource', 2, 1], ['LIST', 'cluster', 1, 0]]);
  assert.equal(rows[1].p99Ms, 12);
  assert.equal(r.total, 3);
  assert.match(r.lastError!, /boom/);
});
