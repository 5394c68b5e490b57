// A pod's scheduling in its timeline: placed where and why, or why not (the scheduler's counted
// filter reasons), and with kubesim.io/explain-scheduling=true the filter result and scores per node.
import { html } from '../html.js';
import { EXPLAIN_ANNOTATION, decisionRows, schedulingOf } from '../lib/scheduling.js';

const MAX_ROWS = 20;

function Decision({ d }) {
  const rows = decisionRows(d);
  const shown = rows.slice(0, MAX_ROWS);
  return html`<div data-testid="scheduling-decision">
    <p class="muted">attempt ${d.attempt ?? '?'} at ${d.time ?? '?'}, profile ${d.profile ?? 'default-scheduler'}: ${d.evaluatedNodes ?? '?'} of ${d.numAllNodes ?? '?'} nodes evaluated, ${d.feasibleNodes ?? '?'} feasible</p>
    <table class="decision"><thead><tr><th>node</th><th>filter</th><th>score</th></tr></thead><tbody>
      ${shown.map((r) => html`<tr data-node=${r.node} class=${r.selected ? 'selected' : ''}>
        <td>${r.selected ? '✔ ' : ''}${r.node}</td><td>${r.filter}</td>
        <td title=${Object.entries(r.scores).map(([p, s]) => `${p}: ${s}`).join('\n')}>${r.total ?? '–'}${Object.keys(r.scores).length > 0 && html` <span class="muted">(${Object.entries(r.scores).filter(([, s]) => s).map(([p, s]) => `${p} ${s}`).join(', ')})</span>`}</td>
      </tr>`)}
    </tbody></table>
    ${rows.length > shown.length && html`<p class="muted">and ${rows.length - shown.length} more nodes</p>`}
  </div>`;
}

export function Scheduling({ pod, events }) {
  if (!pod) return null;
  const s = schedulingOf(pod, events);
  return html`<section data-testid="scheduling" data-state=${s.state}>
    <h3>Scheduling</h3>
    <p><span class=${`badge ${s.state === 'scheduled' ? 'ready' : s.state === 'unschedulable' ? 'notready' : ''}`}>${s.state}</span>
      ${s.node && html` on <b>${s.node}</b>`}${s.failures > 0 && html` <span class="muted">after ${s.failures} failed attempt${s.failures > 1 ? 's' : ''}</span>`}</p>
    ${s.message && html`<p class="muted" data-testid="scheduling-message">${s.message}</p>`}
    ${s.reasons.length > 0 && html`<ul class="plain" data-testid="scheduling-reasons">${s.reasons.map((r) => html`<li><b>${r.count ?? ''}</b> ${r.reason}</li>`)}</ul>`}
    ${s.rest && html`<p class="muted">${s.rest}</p>`}
    ${s.decision ? html`<${Decision} d=${s.decision} />` : html`<p class="muted">Per-node filter and scores: annotate the pod <code>${EXPLAIN_ANNOTATION}=true</code> before it is scheduled.</p>`}
  </section>`;
}
