// Workloads: each Deployment → its ReplicaSets (newest revision first) → their Pods, with
// desired/current/ready/updated counts, live: a rolling update shows the new ReplicaSet surge and
// the old one drain.
import { useState } from 'preact/hooks';
import { html } from '../html.js';
import { indexPods } from '../lib/store.js';
import { POD_COLORS, podState } from '../lib/status.js';
import { deletePodAction, refOf, scaleAction } from '../lib/actions.js';
import { Pager, usePage } from './pager.js';

const REVISION = 'deployment.kubernetes.io/revision';
const nsName = (o) => `${o.metadata.namespace}/${o.metadata.name}`;
const MAX_CHIPS = 60;

function ownedBy(uid, items) {
  return items.filter((o) => (o.metadata.ownerReferences ?? []).some((r) => r.uid === uid && r.controller !== false));
}

function Counts({ desired, current, ready, updated }) {
  return html`<span class="counts">
    <span title="desired (spec.replicas)">desired <b data-count="desired">${desired ?? 0}</b></span>
    <span title="current (status.replicas)">current <b data-count="current">${current ?? 0}</b></span>
    <span title="ready (status.readyReplicas)">ready <b data-count="ready">${ready ?? 0}</b></span>
    ${updated !== undefined && html`<span title="updated (status.updatedReplicas)">updated <b data-count="updated">${updated}</b></span>`}
  </span>`;
}

function PodChips({ pods, ask, openTimeline }) {
  const sorted = [...pods].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  return html`<div class="chips">
    ${sorted.slice(0, MAX_CHIPS).map((p) => {
      const st = podState(p);
      return html`<span class="chip" data-pod=${nsName(p)} data-state=${st} title=${`${p.metadata.name} — ${st}${p.spec?.nodeName ? ` on ${p.spec.nodeName}` : ''}`}>
        <i class="mark" style=${`background:${POD_COLORS[st]}`}></i>
        <a href="#" onClick=${(e) => (e.preventDefault(), openTimeline(refOf(p, 'pods')))}>${p.metadata.name}</a>
        <button class="x" title="delete pod" onClick=${() => ask(deletePodAction(p))}>×</button>
      </span>`;
    })}
    ${sorted.length > MAX_CHIPS && html`<span class="muted">+${sorted.length - MAX_CHIPS} more</span>`}
  </div>`;
}

function DeploymentTree({ d, rses, byOwner, ask, openTimeline }) {
  const mine = ownedBy(d.metadata.uid, rses).sort((a, b) => Number(b.metadata.annotations?.[REVISION] ?? 0) - Number(a.metadata.annotations?.[REVISION] ?? 0));
  return html`<li class="deployment" data-deployment=${nsName(d)}>
    <div class="row">
      <span class="kind">Deployment</span> <b>${nsName(d)}</b>
      <${Counts} desired=${d.spec?.replicas} current=${d.status?.replicas} ready=${d.status?.readyReplicas} updated=${d.status?.updatedReplicas ?? 0} />
      <button data-action="scale" onClick=${() => ask(scaleAction(d))}>Scale</button>
      <button onClick=${() => openTimeline(refOf(d, 'deployments'))}>Timeline</button>
    </div>
    <ul>
      ${mine.map((rs) => {
        const pods = byOwner.get(rs.metadata.uid) ?? [];
        return html`<li class="replicaset" data-rs=${nsName(rs)}>
          <div class="row">
            <span class="kind">ReplicaSet</span> ${rs.metadata.name} <span class="muted">rev ${rs.metadata.annotations?.[REVISION] ?? '?'}</span>
            <${Counts} desired=${rs.spec?.replicas} current=${rs.status?.replicas} ready=${rs.status?.readyReplicas} />
            <button onClick=${() => openTimeline(refOf(rs, 'replicasets'))}>Timeline</button>
          </div>
          <${PodChips} pods=${pods} ask=${ask} openTimeline=${openTimeline} />
        </li>`;
      })}
    </ul>
  </li>`;
}

export function WorkloadsView({ store, ask, openTimeline }) {
  const [filter, setFilter] = useState('');
  const deployments = [...store.items('deployments').values()].filter((d) => nsName(d).includes(filter)).sort((a, b) => nsName(a).localeCompare(nsName(b)));
  const rses = [...store.items('replicasets').values()];
  const { byOwner } = indexPods(store.items('pods'));
  const page = usePage(deployments.length, 30);
  return html`<section>
    <div class="toolbar"><input placeholder="filter namespace/name" value=${filter} onInput=${(e) => setFilter(e.target.value)} /> <span class="muted">${deployments.length} deployments</span></div>
    <ul class="tree">
      ${deployments.slice(page.start, page.end).map((d) => html`<${DeploymentTree} key=${d.metadata.uid} d=${d} rses=${rses} byOwner=${byOwner} ask=${ask} openTimeline=${openTimeline} />`)}
    </ul>
    ${deployments.length === 0 && html`<p class="muted">No Deployments yet: <code>kubectl create deployment web --image=nginx --replicas=3</code></p>`}
    <${Pager} ...${page} />
  </section>`;
}
