// Reconciliation as it happens: watch events per second by resource (a Deployment scaled shows the
// ReplicaSet, pod and event writes the controllers make), and pods ready vs not ready. uPlot charts
// over the store's per-second samples.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import { html } from '../html.js';

const WINDOW = 180; // seconds shown at most
const MIN_SPAN = 30; // and at least

const SERIES = [
  ['pods', '#2e9e4f'],
  ['replicasets', '#3b6fd8'],
  ['deployments', '#9b59b6'],
  ['nodes', '#d9a400'],
  ['events', '#8a94a6'],
];

/** Column-major data for uPlot from the samples. Pure. */
export function eventSeries(samples) {
  return [samples.map((s) => s.t), ...SERIES.map(([r]) => samples.map((s) => s.events[r] ?? 0))];
}

export function podSeries(samples) {
  return [samples.map((s) => s.t), samples.map((s) => s.ready), samples.map((s) => s.notReady)];
}

export function Chart({ title, series, data, testid }) {
  const el = useRef(null);
  const plot = useRef(null);
  useEffect(() => {
    const width = Math.max(300, (el.current.parentElement?.clientWidth ?? 600) / 2 - 24);
    plot.current = new uPlot({ title, width, height: 150, series: [{}, ...series.map(([label, stroke]) => ({ label, stroke, width: 1.5 }))], scales: { x: { time: true, range: (u, min, max) => [Math.min(Math.max(min, max - WINDOW), max - MIN_SPAN), max] } }, axes: [{}, { size: 40 }], legend: { live: false } }, data, el.current);
    return () => plot.current.destroy();
  }, []);
  useEffect(() => {
    plot.current?.setData(data);
  });
  return html`<div class="chart" ref=${el} data-testid=${testid}></div>`;
}

export function Activity({ samples }) {
  if (samples.length < 2) return html`<div class="charts muted">collecting activity…</div>`;
  return html`<div class="charts">
    <${Chart} title="watch events / s" series=${SERIES} data=${eventSeries(samples)} testid="chart-events" />
    <${Chart} title="pods" series=${[['ready', '#2e9e4f'], ['not ready', '#d9a400']]} data=${podSeries(samples)} testid="chart-pods" />
  </div>`;
}
