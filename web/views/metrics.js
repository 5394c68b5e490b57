// Control-plane charts from the API server's /metrics (read as the caller, with its token, every few
// seconds while shown): request rate by kind of verb, latency (mean and p99 from
// apiserver_request_duration_seconds), open watches; and the pods waiting for the scheduler (from the
// page's pod informer: the scheduler's own /metrics is not served through the API server).
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from '../html.js';
import { requestText } from '../lib/api.js';
import { between, parseProm, pendingPods, summarize } from '../lib/metrics.js';
import { Chart } from './activity.js';

const SCRAPE_MS = 3000;
const KEEP = 120; // points (6 minutes)
const READS = ['GET', 'LIST'];
const WRITES = ['CREATE', 'UPDATE', 'PATCH', 'DELETE', 'DELETECOLLECTION'];

const sumOf = (rate, verbs) => verbs.reduce((n, v) => n + (rate[v] ?? 0), 0);

/** uPlot columns from the points. Pure. */
export function metricSeries(points) {
  const t = points.map((p) => p.t);
  return {
    rate: [t, points.map((p) => sumOf(p.rate, READS)), points.map((p) => sumOf(p.rate, WRITES)), points.map((p) => p.rate.WATCH ?? 0)],
    latency: [t, points.map((p) => p.meanMs), points.map((p) => p.p99Ms)],
    load: [t, points.map((p) => p.pending), points.map((p) => p.watchers)],
  };
}

export function MetricsCharts({ store }) {
  const [state, setState] = useState({ points: [], error: null });
  const last = useRef(null);
  useEffect(() => {
    let stopped = false;
    const scrape = async () => {
      try {
        const s = summarize(parseProm(await requestText('/metrics')), Date.now() / 1000);
        if (stopped) return;
        const prev = last.current;
        last.current = s;
        if (!prev) return;
        const point = { ...between(prev, s), pending: pendingPods(store.items('pods')) };
        setState((st) => ({ points: [...st.points, point].slice(-KEEP), error: null }));
      } catch (err) {
        if (!stopped) setState((st) => ({ ...st, error: `GET /metrics: ${err.status ?? ''} ${err.message}` }));
      }
    };
    scrape();
    const t = setInterval(scrape, SCRAPE_MS);
    return () => {
      stopped = true;
      clearInterval(t);
    };
  }, [store]);
  const { points, error } = state;
  const latest = points.at(-1);
  return html`<div data-testid="metrics">
    <h3>API server <span class="muted">(from /metrics every ${SCRAPE_MS / 1000}s)</span></h3>
    ${error && html`<div class="error">${error}</div>`}
    ${latest && html`<p data-testid="metrics-latest">requests/s <b data-metric="rate">${Object.values(latest.rate).reduce((a, b) => a + b, 0).toFixed(1)}</b> · p99 <b data-metric="p99">${latest.p99Ms === null ? '–' : `${latest.p99Ms.toFixed(1)} ms`}</b> · open watches <b data-metric="watchers">${latest.watchers}</b> · pending pods <b data-metric="pending">${latest.pending}</b></p>`}
    ${points.length < 2
      ? html`<p class="muted">collecting samples…</p>`
      : html`<div class="charts">
          <${Chart} title="API requests / s" series=${[['reads', '#3b6fd8'], ['writes', '#d9534f'], ['watches opened', '#8a94a6']]} data=${metricSeries(points).rate} testid="chart-requests" />
          <${Chart} title="request latency (ms, watches excluded)" series=${[['mean', '#2e9e4f'], ['p99', '#d9a400']]} data=${metricSeries(points).latency} testid="chart-latency" />
          <${Chart} title="pending pods · open watches" series=${[['pending pods', '#d9534f'], ['open watches', '#9b59b6']]} data=${metricSeries(points).load} testid="chart-load" />
        </div>`}
  </div>`;
}
