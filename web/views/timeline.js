// An object's timeline: every watch event of that one object, each with its resourceVersion, a
// diff against the version before it, who changed it (the managedFields entry the write touched)
// — beside the Events whose involvedObject is that object. The history comes from a watch with a
// metadata.name field selector from the oldest resourceVersion the server still has; once it has
// caught up with the informer's copy it is closed and the informer's events carry on (a browser
// has six connections per server over HTTP/1.1: the page must not hold more streams than needed).
import { useEffect, useState } from 'preact/hooks';
import { html } from '../html.js';
import { pathOf, watchSse } from '../lib/api.js';
import { changedBy, diffObjects } from '../lib/diff.js';
import { age } from '../lib/status.js';
import { deletePodAction, scaleAction } from '../lib/actions.js';
import { Scheduling } from './scheduling.js';
import { Writes } from './writes.js';

const MAX_DIFF = 40;

/** "too old resource version: 1 (345)" → 345 */
export const oldestOf = (message) => /\((\d+)\)/.exec(message ?? '')?.[1];

const keyOfRef = (ref) => (ref.namespace ? `${ref.namespace}/${ref.name}` : ref.name);

function useObjectHistory(store, ref) {
  const [state, setState] = useState({ entries: [], error: null });
  useEffect(() => {
    if (!ref) return;
    const ctrl = new AbortController();
    const entries = [];
    const key = keyOfRef(ref);
    const informer = store.informers[ref.plural];
    let last;
    let lastRv = 0;
    let replaying = true;
    const buffered = [];
    const add = (ev, rv) => {
      if (Number(rv) <= lastRv) return; // seen through the other source
      lastRv = Number(rv);
      entries.push({ type: ev.type, rv: String(rv), at: replaying ? undefined : new Date(), who: changedBy(last, ev.object), diff: diffObjects(ev.type === 'ADDED' ? undefined : last, ev.type === 'DELETED' ? undefined : ev.object), object: ev.object });
      last = ev.type === 'DELETED' ? undefined : ev.object;
      setState({ entries: [...entries], error: null });
    };
    // live events from the informer: held while the history replays, then applied in order
    const live = (ev) => {
      if (ev.type === 'BOOKMARK' || ev.type === 'ERROR') return;
      const o = ev.object.metadata;
      if ((o.namespace ? `${o.namespace}/${o.name}` : o.name) !== key) return;
      if (replaying) buffered.push(ev);
      else add(ev, o.resourceVersion);
    };
    informer?.listeners.add(live);
    const caughtUp = () => {
      const cur = informer?.items.get(key);
      return cur !== undefined && lastRv >= Number(cur.metadata.resourceVersion);
    };
    const collection = pathOf({ ...ref, name: undefined });
    const replay = async (from) => {
      // no informer (or the object is gone): the stream stays open for live events, bounded in time
      const timeout = informer && informer.items.has(key) ? '' : '&timeoutSeconds=300';
      const url = `${collection}?watch=1&fieldSelector=${encodeURIComponent(`metadata.name=${ref.name}`)}&resourceVersion=${from}${timeout}`;
      const local = new AbortController();
      ctrl.signal.addEventListener('abort', () => local.abort());
      let retry;
      try {
        await watchSse(url, {
          signal: local.signal,
          onEvent: (ev, id) => {
            if (ev.type === 'ERROR') {
              if (ev.object.code === 410 && oldestOf(ev.object.message)) retry = oldestOf(ev.object.message);
              else setState((s) => ({ ...s, error: ev.object.message }));
              return;
            }
            if (ev.type === 'BOOKMARK') return;
            add(ev, id ?? ev.object.metadata.resourceVersion);
            if (caughtUp()) local.abort();
          },
          onOpen: () => {
            if (caughtUp()) local.abort();
          },
        });
      } catch (err) {
        if (!local.signal.aborted || ctrl.signal.aborted) throw err;
      }
      if (retry && !ctrl.signal.aborted) return replay(retry);
    };
    setState({ entries: [], error: null });
    replay('1')
      .catch((err) => !ctrl.signal.aborted && setState((s) => ({ ...s, error: err.message })))
      .finally(() => {
        replaying = false;
        for (const ev of buffered.splice(0)) add(ev, ev.object.metadata.resourceVersion);
      });
    return () => {
      ctrl.abort();
      informer?.listeners.delete(live);
    };
  }, [ref && `${ref.plural}/${ref.namespace}/${ref.name}`]);
  return state;
}

const line = (d) => `${d.op} ${d.path}: ${d.op === '~' ? `${d.from} → ${d.to}` : d.op === '+' ? d.to : d.from}`;

function Diff({ diff, collapsed }) {
  const shown = diff.slice(0, MAX_DIFF);
  const body = html`<div class="diff">${shown.map((d) => html`<div class=${d.op === '+' ? 'add' : d.op === '-' ? 'del' : 'chg'}>${line(d)}</div>`)}${diff.length > shown.length && html`<div class="muted">… ${diff.length - shown.length} more</div>`}</div>`;
  return collapsed ? html`<details><summary class="muted">${diff.length} fields set</summary>${body}</details>` : body;
}

/** Who wrote a version: its managedFields managers, else what the diff says about the writer. */
function writer(e) {
  if (e.who.length) return e.who.join(', ');
  if (e.diff.length && e.diff.every((d) => d.path.startsWith('status.') || d.path === 'status')) return 'a status writer (no fieldManager sent)';
  return 'a writer that sent no fieldManager';
}

function Picker({ onPick }) {
  const [plural, setPlural] = useState('pods');
  const [ns, setNs] = useState('default');
  const [name, setName] = useState('');
  const api = { pods: 'v1', nodes: 'v1', deployments: 'apps/v1', replicasets: 'apps/v1', configmaps: 'v1' };
  const submit = (e) => {
    e.preventDefault();
    onPick({ apiVersion: api[plural], plural, namespace: plural === 'nodes' ? undefined : ns, name });
  };
  return html`<form class="toolbar" onSubmit=${submit}>
    <select value=${plural} onChange=${(e) => setPlural(e.target.value)}>${Object.keys(api).map((p) => html`<option value=${p}>${p}</option>`)}</select>
    ${plural !== 'nodes' && html`<input placeholder="namespace" value=${ns} onInput=${(e) => setNs(e.target.value)} size="12" />`}
    <input placeholder="name" name="name" value=${name} onInput=${(e) => setName(e.target.value)} />
    <button type="submit">Show timeline</button>
  </form>`;
}

/** The actions the timeline offers for its object: act, then watch the reconciliation it starts. */
function Actions({ store, selected, ask }) {
  const key = selected.namespace ? `${selected.namespace}/${selected.name}` : selected.name;
  const obj = store.items(selected.plural).get(key);
  if (!obj) return null;
  if (selected.plural === 'deployments' || selected.plural === 'replicasets') return html`<button data-action="scale" onClick=${() => ask(scaleAction(obj))}>Scale</button>`;
  if (selected.plural === 'pods') return html`<button class="danger" data-action="delete" onClick=${() => ask(deletePodAction(obj))}>Delete</button>`;
  return null;
}

export function TimelineView({ store, selected, openTimeline, ask }) {
  const { entries, error } = useObjectHistory(store, selected);
  const events = selected
    ? [...store.items('events').values()].filter((e) => e.involvedObject?.name === selected.name && (e.involvedObject?.namespace ?? undefined) === (selected.namespace ?? undefined) && (!selected.kind || e.involvedObject?.kind === selected.kind))
    : [];
  events.sort((a, b) => (a.lastTimestamp ?? '').localeCompare(b.lastTimestamp ?? '') || Number(a.metadata.resourceVersion) - Number(b.metadata.resourceVersion));
  return html`<section>
    <${Picker} onPick=${openTimeline} />
    ${!selected && html`<p class="muted">Pick an object here, or click "Timeline" on one in another view.</p>`}
    ${selected && html`<div class="row"><h2 data-testid="timeline-title">${selected.plural}/${selected.namespace ? `${selected.namespace}/` : ''}${selected.name}</h2> <${Actions} store=${store} selected=${selected} ask=${ask} /></div>`}
    ${error && html`<div class="error">${error}</div>`}
    <div class="timeline-grid">
      <ol class="timeline">
        ${entries.map((e, i) => html`<li data-testid="timeline-row" data-rv=${e.rv} data-type=${e.type}>
          <div class="row"><b>#${i + 1}</b> <span class=${`badge ev-${e.type.toLowerCase()}`}>${e.type}</span> <span>resourceVersion <code>${e.rv}</code></span>
            <span class="muted">generation ${e.object.metadata.generation ?? '–'}</span>
            <span>by <b>${writer(e)}</b></span>
            <span class="muted">${e.at ? `live at ${e.at.toLocaleTimeString()}` : 'from the watch history'}</span></div>
          <${Diff} diff=${e.diff} collapsed=${e.type === 'ADDED'} />
        </li>`)}
      </ol>
      ${selected && html`<aside>
        ${selected.plural === 'pods' && html`<${Scheduling} pod=${store.items('pods').get(`${selected.namespace}/${selected.name}`)} events=${events} />`}
        <h3>Events about it</h3>
        ${events.length === 0 && html`<p class="muted">none</p>`}
        <ul class="plain">${events.map((e) => html`<li><span class="muted">${age(e.lastTimestamp)}</span> <b>${e.reason}</b> ${e.message} <span class="muted">(${e.source?.component ?? ''})</span></li>`)}</ul>
        <${Writes} selected=${selected} versions=${entries.length} />
      </aside>`}
    </div>
  </section>`;
}
