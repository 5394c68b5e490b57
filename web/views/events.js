// Events: the cluster's Event objects, newest first, live (what controllers, the scheduler and
// the node agents report while they reconcile).
import { useState } from 'preact/hooks';
import { html } from '../html.js';
import { age } from '../lib/status.js';

const when = (e) => e.lastTimestamp || e.eventTime || e.metadata.creationTimestamp || '';
const SHOWN = 300;

export function EventsView({ store, openTimeline }) {
  const [filter, setFilter] = useState('');
  const all = [...store.items('events').values()];
  const matching = all.filter((e) => !filter || `${e.reason} ${e.message} ${e.involvedObject?.name}`.toLowerCase().includes(filter.toLowerCase()));
  matching.sort((a, b) => when(b).localeCompare(when(a)) || Number(b.metadata.resourceVersion) - Number(a.metadata.resourceVersion));
  const now = Date.now();
  return html`<section>
    <div class="toolbar"><input placeholder="filter reason, message, object" value=${filter} onInput=${(e) => setFilter(e.target.value)} /> <span class="muted" data-testid="event-count">${all.length} events</span></div>
    <table class="events">
      <thead><tr><th>Age</th><th>Type</th><th>Reason</th><th>Object</th><th>Message</th><th>From</th><th>Count</th></tr></thead>
      <tbody>
        ${matching.slice(0, SHOWN).map((e) => {
          const o = e.involvedObject ?? {};
          const plural = o.kind ? `${o.kind.toLowerCase()}s` : '';
          return html`<tr data-testid="event-row" class=${e.type === 'Warning' ? 'warning' : ''}>
            <td>${age(when(e), now)}</td><td>${e.type}</td><td>${e.reason}</td>
            <td><a href="#" onClick=${(ev) => (ev.preventDefault(), openTimeline({ apiVersion: o.apiVersion ?? 'v1', kind: o.kind, plural, namespace: o.namespace, name: o.name }))}>${o.kind}/${o.name}</a></td>
            <td>${e.message}</td><td>${e.source?.component ?? e.reportingComponent ?? ''}</td><td>${e.count ?? 1}</td>
          </tr>`;
        })}
      </tbody>
    </table>
  </section>`;
}
