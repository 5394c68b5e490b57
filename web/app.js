// The dashboard shell: login (token from the form or #token=...), the tabs, the confirm dialog and
// the store every view reads. Views talk to the cluster only through lib/api.js.
import { render } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { html } from './html.js';
import { initToken, hasToken, setToken } from './lib/api.js';
import { createStore } from './lib/store.js';
import { ClusterView } from './views/cluster.js';
import { WorkloadsView } from './views/workloads.js';
import { EventsView } from './views/events.js';
import { TimelineView } from './views/timeline.js';
import { ControlPlaneView } from './views/controlplane.js';
import { ConfirmDialog } from './views/confirm.js';

const TABS = [
  ['cluster', 'Cluster'],
  ['workloads', 'Workloads'],
  ['events', 'Events'],
  ['timeline', 'Timeline'],
  ['controlplane', 'Control plane'],
];

function useStoreVersion(store) {
  const [, setV] = useState(0);
  useEffect(() => store.subscribe(setV), [store]);
}

function Login({ onDone }) {
  const [value, setValue] = useState('');
  const submit = (e) => {
    e.preventDefault();
    setToken(value.trim());
    onDone();
  };
  return html`<form class="login" onSubmit=${submit}>
    <label>Bearer token <input type="password" name="token" autocomplete="off" value=${value} onInput=${(e) => setValue(e.target.value)} /></label>
    <button type="submit">Sign in</button>
    ${hasToken() && html`<button type="button" onClick=${() => (setToken(''), onDone())}>Sign out</button>`}
    <span class="muted">or open the dashboard with <code>#token=…</code> (kept in this tab only)</span>
  </form>`;
}

function App() {
  const [session, setSession] = useState(0);
  const store = useMemo(() => createStore(), []);
  window.dashboardStats = store.stats; // read by bench/dashboard.ts
  const [tab, setTab] = useState('cluster');
  const [selected, setSelected] = useState(null);
  const [confirm, setConfirm] = useState(null);
  const [toast, setToast] = useState(null);
  const [showLogin, setShowLogin] = useState(false);
  useStoreVersion(store);

  useEffect(() => {
    store.start();
    return () => store.stop();
  }, [session]);

  const errors = store.errors();
  const unauthorized = errors.some((e) => e.status === 401 || e.status === 403);
  const ctx = {
    store,
    openTimeline: (ref) => {
      setSelected(ref);
      setTab('timeline');
    },
    /** Asks before an action; run() does it and its promise's outcome becomes a toast. */
    ask: (opts) => setConfirm(opts),
    notify: (text, error = false) => {
      setToast({ text, error });
      setTimeout(() => setToast((t) => (t?.text === text ? null : t)), 4000);
    },
  };

  return html`<header>
      <h1>kubesim</h1>
      <nav>${TABS.map(([id, label]) => html`<button class=${tab === id ? 'tab active' : 'tab'} data-tab=${id} onClick=${() => setTab(id)}>${label}</button>`)}</nav>
      <span class="status" data-testid="sync">${store.synced() ? 'live' : 'syncing…'}</span>
      <button class="link" onClick=${() => setShowLogin(!showLogin)}>${hasToken() ? 'token set' : 'sign in'}</button>
    </header>
    ${(showLogin || unauthorized) && html`<${Login} onDone=${() => (setShowLogin(false), setSession(session + 1))} />`}
    ${errors.length > 0 && html`<div class="error" data-testid="errors">${errors.map((e) => html`<div>${e.resource}: ${e.status ?? ''} ${e.message}</div>`)}</div>`}
    <main>
      ${tab === 'cluster' && html`<${ClusterView} ...${ctx} />`}
      ${tab === 'workloads' && html`<${WorkloadsView} ...${ctx} />`}
      ${tab === 'events' && html`<${EventsView} ...${ctx} />`}
      ${tab === 'timeline' && html`<${TimelineView} ...${ctx} selected=${selected} />`}
      ${tab === 'controlplane' && html`<${ControlPlaneView} ...${ctx} />`}
    </main>
    ${confirm && html`<${ConfirmDialog} ...${confirm} notify=${ctx.notify} onClose=${() => setConfirm(null)} />`}
    ${toast && html`<div class=${toast.error ? 'toast error' : 'toast'} data-testid="toast">${toast.text}</div>`}`;
}

initToken();
const root = document.getElementById('app');
root.textContent = '';
render(html`<${App} />`, root);
