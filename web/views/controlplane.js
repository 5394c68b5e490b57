// Control plane: who leads (the leader-election Leases in kube-system: holder, renewals, transitions)
// and the nodes' heartbeats (their Leases in kube-node-lease). Leases are read with a list every few
// seconds rather than a watch: the page's connection budget goes to its informers (see README).
import { useEffect, useState } from 'preact/hooks';
import { html } from '../html.js';
import { request } from '../lib/api.js';
import { MetricsCharts } from './metrics.js';

const POLL_MS = 3000;
const STALE_S = 40; // the node lifecycle controller's default grace period

const secondsSince = (t, now) => (t ? Math.max(0, Math.round((now - Date.parse(t)) / 1000)) : undefined);

/** Leader leases and heartbeat summary from a Lease list. Pure. */
export function readLeases(items, now = Date.now()) {
  const leaders = [];
  const beats = [];
  for (const l of items) {
    const age = secondsSince(l.spec?.renewTime, now);
    if (l.metadata.namespace === 'kube-node-lease') beats.push({ node: l.metadata.name, age });
    else leaders.push({ name: `${l.metadata.namespace}/${l.metadata.name}`, holder: l.spec?.holderIdentity ?? '', age, duration: l.spec?.leaseDurationSeconds, transitions: l.spec?.leaseTransitions ?? 0, expired: age !== undefined && l.spec?.leaseDurationSeconds !== undefined && age > l.spec.leaseDurationSeconds });
  }
  leaders.sort((a, b) => a.name.localeCompare(b.name));
  const stale = beats.filter((b) => b.age === undefined || b.age > STALE_S).sort((a, b) => (b.age ?? Infinity) - (a.age ?? Infinity));
  return { leaders, beats: beats.length, stale, freshest: Math.min(...beats.map((b) => b.age ?? Infinity)) };
}

export function ControlPlaneView({ store }) {
  const [state, setState] = useState({ leases: null, error: null });
  useEffect(() => {
    let stopped = false;
    const poll = async () => {
      try {
        const list = await request('GET', '/apis/coordination.k8s.io/v1/leases');
        if (!stopped) setState({ leases: list.items, error: null });
      } catch (err) {
        if (!stopped) setState((s) => ({ ...s, error: err.message }));
      }
    };
    poll();
    const t = setInterval(poll, POLL_MS);
    return () => {
      stopped = true;
      clearInterval(t);
    };
  }, []);
  if (!state.leases) return html`<p class="muted">${state.error ?? 'reading Leases…'}</p>`;
  const { leaders, beats, stale } = readLeases(state.leases);
  return html`<section>
    ${state.error && html`<div class="error">${state.error}</div>`}
    <${MetricsCharts} store=${store} />
    <h3>Leader election</h3>
    <table class="leases">
      <thead><tr><th>Lease</th><th>Holder</th><th>Renewed</th><th>Duration</th><th>Transitions</th></tr></thead>
      <tbody>
        ${leaders.map((l) => html`<tr data-lease=${l.name} class=${l.expired ? 'warning' : ''}>
          <td>${l.name}</td><td data-holder>${l.holder || html`<span class="muted">none</span>`}</td>
          <td>${l.age === undefined ? '–' : `${l.age}s ago`}${l.expired ? ' (expired: a new leader may take over)' : ''}</td>
          <td>${l.duration ?? '–'}s</td><td>${l.transitions}</td>
        </tr>`)}
      </tbody>
    </table>
    ${leaders.length === 0 && html`<p class="muted">No leader-election Leases.</p>`}
    <h3>Node heartbeats</h3>
    <p data-testid="heartbeats"><b>${beats - stale.length}</b> of ${beats} node Leases renewed in the last ${STALE_S}s</p>
    ${stale.length > 0 && html`<table><thead><tr><th>Node</th><th>Last heartbeat</th></tr></thead><tbody>
      ${stale.slice(0, 50).map((b) => html`<tr class="warning"><td>${b.node}</td><td>${b.age === undefined ? 'never' : `${b.age}s ago`}</td></tr>`)}
    </tbody></table>`}
  </section>`;
}
