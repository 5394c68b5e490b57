// The writes of one object as the API server's audit log recorded them (GET /debug/audit/writes):
// who (user, user agent), what (verb, subresource, code) and what admission decided. Re-read when
// the timeline gets a new version. Without auditing (no --audit-policy-file) the server says so.
import { useEffect, useState } from 'preact/hooks';
import { html } from '../html.js';
import { request } from '../lib/api.js';
import { admissionOf, auditQuery } from '../lib/admission.js';

export function Writes({ selected, versions }) {
  const [state, setState] = useState({ items: [], error: null });
  useEffect(() => {
    let live = true;
    const load = () =>
      request('GET', auditQuery(selected)).then(
        (list) => live && setState({ items: list.items ?? [], error: null }),
        (err) => live && setState({ items: [], error: err.status === 404 ? 'The API server audits nothing (start it with --audit-policy-file): no writes recorded.' : `${err.status ?? ''} ${err.message}` }),
      );
    load();
    // a write's audit event is complete once its response is sent, which can be after its watch event
    const again = setTimeout(load, 1000);
    return () => {
      live = false;
      clearTimeout(again);
    };
  }, [`${selected.plural}/${selected.namespace}/${selected.name}`, versions]);
  return html`<section data-testid="writes">
    <h3>Writes (audit log)</h3>
    ${state.error && html`<p class="muted" data-testid="writes-error">${state.error}</p>`}
    ${!state.error && state.items.length === 0 && html`<p class="muted">none recorded</p>`}
    <ol class="plain">${state.items.map((w) => html`<li data-testid="write" data-verb=${w.verb}>
      <span class="muted">${new Date(w.stageTimestamp).toLocaleTimeString()}</span> <b>${w.verb}${w.objectRef?.subresource ? ` ${w.objectRef.subresource}` : ''}</b> ${w.responseStatus?.code ?? ''} by <b>${w.user?.username ?? '?'}</b>
      <span class="muted"> ${w.userAgent ?? ''}</span>
      <ul class="admission">${admissionOf(w.annotations).map((a) => html`<li class=${`adm-${a.kind}`}>${a.text}</li>`)}</ul>
    </li>`)}</ol>
  </section>`;
}
