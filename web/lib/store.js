// The cluster as the page sees it: one informer per resource it shows, and a change signal batched
// to one per animation frame (a burst of watch events renders once). The low-churn workload kinds
// (POLLED) are read with a list every few seconds instead: each open watch holds one of the six
// connections a browser gives a server over HTTP/1.1 (see README).
import { Informer } from './informer.js';
import { request } from './api.js';
import { PodIndex } from './podindex.js';

export const RESOURCES = {
  nodes: { path: '/api/v1/nodes', kind: 'Node', apiVersion: 'v1' },
  pods: { path: '/api/v1/pods', kind: 'Pod', apiVersion: 'v1' },
  deployments: { path: '/apis/apps/v1/deployments', kind: 'Deployment', apiVersion: 'apps/v1' },
  replicasets: { path: '/apis/apps/v1/replicasets', kind: 'ReplicaSet', apiVersion: 'apps/v1' },
  events: { path: '/api/v1/events', kind: 'Event', apiVersion: 'v1' },
};

/** Read with a list every POLL_MS (as the caller: its token, its RBAC), not watched. */
export const POLLED = {
  statefulsets: { path: '/apis/apps/v1/statefulsets', kind: 'StatefulSet', apiVersion: 'apps/v1' },
  daemonsets: { path: '/apis/apps/v1/daemonsets', kind: 'DaemonSet', apiVersion: 'apps/v1' },
  jobs: { path: '/apis/batch/v1/jobs', kind: 'Job', apiVersion: 'batch/v1' },
  cronjobs: { path: '/apis/batch/v1/cronjobs', kind: 'CronJob', apiVersion: 'batch/v1' },
};
export const POLL_MS = 2000;

/** A polled list's items keyed namespace/name, with the kind and apiVersion lists leave out. Pure. */
export function itemsOf(list, { kind, apiVersion }) {
  const m = new Map();
  for (const o of list?.items ?? []) m.set(`${o.metadata.namespace}/${o.metadata.name}`, { kind, apiVersion, ...o });
  return m;
}

const HISTORY = 180; // seconds of activity kept for the charts
const collator = new Intl.Collator(undefined, { numeric: true });

export function createStore() {
  const subscribers = new Set();
  let scheduled = false;
  let counting = {};
  let sampler;
  let poller;
  let polling = false;
  // derived caches: the pod index (per event), the node names in order (when the set changes)
  let pods = { index: new PodIndex(), generation: -1 };
  let nodes = { names: [], generation: -1, dirty: true };
  const store = {
    version: 0,
    /**
     * What the page has done, for benchmarks and tests (app.js exposes it as window.dashboardStats):
     * watch events applied per resource, the same counts as of the last finished render, renders
     * (frames) and the milliseconds they took in all.
     */
    stats: { applied: {}, rendered: {}, frames: 0, renderMs: 0 },
    informers: {},
    /** name → { items, error } for the POLLED kinds. */
    polled: {},
    /** Per second: t (unix s), watch events per resource, pods ready / not ready. */
    activity: [],
    subscribe(fn) {
      subscribers.add(fn);
      return () => subscribers.delete(fn);
    },
    changed() {
      if (scheduled) return;
      scheduled = true;
      requestAnimationFrame(() => {
        scheduled = false;
        const t0 = performance.now();
        const applied = { ...store.stats.applied };
        store.version++;
        for (const fn of subscribers) fn(store.version);
        // preact renders in a microtask queued by the first setState above: this one runs after it
        Promise.resolve().then(() => {
          store.stats.frames++;
          store.stats.renderMs += performance.now() - t0;
          store.stats.rendered = applied;
        });
      });
    },
    /** The pods by node and owner, counted by state (lib/podindex.js): current, never recomputed per render. */
    podIndex() {
      const inf = store.informers.pods;
      if (inf && pods.generation !== inf.generation) pods = { index: new PodIndex(inf.items), generation: inf.generation };
      return pods.index;
    },
    /** The nodes by name (numeric order), sorted again only when a node comes or goes. */
    sortedNodes() {
      const inf = store.informers.nodes;
      if (!inf) return [];
      if (nodes.dirty || nodes.generation !== inf.generation) nodes = { names: [...inf.items.keys()].sort(collator.compare), generation: inf.generation, dirty: false };
      return nodes.names.map((n) => inf.items.get(n));
    },
    items(name) {
      return store.informers[name]?.items ?? store.polled[name]?.items ?? new Map();
    },
    synced() {
      return Object.values(store.informers).every((i) => i.synced);
    },
    errors() {
      return [...Object.entries(store.informers), ...Object.entries(store.polled)]
        .filter(([, i]) => i.error)
        .map(([n, i]) => ({ resource: n, status: i.error.status, message: i.error.message }));
    },
    start() {
      for (const [name, r] of Object.entries(RESOURCES)) {
        const inf = new Informer(r.path, r, () => store.changed());
        inf.listeners.add(() => {
          counting[name] = (counting[name] ?? 0) + 1;
          store.stats.applied[name] = (store.stats.applied[name] ?? 0) + 1;
        });
        store.informers[name] = inf;
        if (name === 'pods') inf.listeners.add((ev, old, kept) => pods.generation === inf.generation && pods.index.apply(ev, old, kept));
        if (name === 'nodes') inf.listeners.add((ev, old) => (ev.type === 'DELETED' || !old) && (nodes.dirty = true));
        inf.run();
      }
      sampler = setInterval(() => store.sample(), 1000);
      store.poll();
      poller = setInterval(() => store.poll(), POLL_MS);
    },
    /** One list per POLLED kind, one after another (never more than one connection). */
    async poll() {
      if (polling) return; // the previous round is still reading
      polling = true;
      const target = store.polled;
      for (const [name, r] of Object.entries(POLLED)) {
        try {
          target[name] = { items: itemsOf(await request('GET', r.path), r), error: null };
        } catch (err) {
          target[name] = { items: target[name]?.items ?? new Map(), error: err };
        }
      }
      polling = false;
      store.changed();
    },
    sample() {
      const { ready, size: total } = store.podIndex();
      store.activity.push({ t: Math.floor(Date.now() / 1000), events: counting, ready, notReady: total - ready });
      if (store.activity.length > HISTORY) store.activity.shift();
      counting = {};
      store.changed();
    },
    stop() {
      clearInterval(sampler);
      clearInterval(poller);
      for (const i of Object.values(store.informers)) i.stop();
      store.informers = {};
      store.polled = {};
      pods = { index: new PodIndex(), generation: -1 };
      nodes = { names: [], generation: -1, dirty: true };
    },
  };
  return store;
}
