// Workloads: each Deployment → its ReplicaSets (newest revision first) → their Pods, with
// desired/current/ready/updated counts, live: a rolling update shows the new ReplicaSet surge and
// the old one drain. Beside them StatefulSets, DaemonSets → Pods and CronJobs → Jobs → Pods with
// their status as `kubectl get` prints it (these kinds are polled lists, see lib/store.js).
import { useState } from 'preact/hooks';
import { html } from '../html.js';
import { POD_COLORS, podState } from '../lib/status.js';
import { deletePodAction, refOf, scaleAction } from '../lib/actions.js';
import { Pager, usePage } from './pager.js';
import { workloadStatus } from '../lib/workloads.js';

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

function Status({ o }) {
  return html`<span class="counts">${workloadStatus(o).map((c) => html`<span title=${c.title}>${c.label} <b data-count=${c.label}>${c.value}</b></span>`)}</span>`;
}

/** A StatefulSet, DaemonSet, Job or CronJob with what it owns (a CronJob's Jobs, the others' Pods). */
function WorkloadTree({ o, jobs, byOwner, ask, openTimeline }) {
  const owned = o.kind === 'CronJob' ? ownedBy(o.metadata.uid, jobs).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name)) : [];
  return html`<li class="workload" data-workload=${`${o.kind}/${nsName(o)}`}>
    <div class="row">
      <span class="kind">${o.kind}</span> <b>${nsName(o)}</b> <${Status} o=${o} />
      ${o.kind === 'StatefulSet' && html`<button data-action="scale" onClick=${() => ask(scaleAction(o))}>Scale</button>`}
    </div>
    ${o.kind === 'CronJob'
      ? html`<ul>${owned.map((j) => html`<${WorkloadTree} key=${j.metadata.uid} o=${j} jobs=${jobs} byOwner=${byOwner} ask=${ask} openTimeline=${openTimeline} />`)}</ul>`
      : html`<${PodChips} pods=${byOwner.get(o.metadata.uid) ?? []} ask=${ask} openTimeline=${openTimeline} />`}
  </li>`;
}

const OTHER = ['statefulsets', 'daemonsets', 'cronjobs', 'jobs'];

export function WorkloadsView({ store, ask, openTimeline }) {
  const [filter, setFilter] = useState('');
  const deployments = [...store.items('deployments').values()].filter((d) => nsName(d).includes(filter)).sort((a, b) => nsName(a).localeCompare(nsName(b)));
  const rses = [...store.items('replicasets').values()];
  const pods = store.podIndex();
  const byOwner = { get: (uid) => pods.ofOwner(uid) };
  const page = usePage(deployments.length, 30);
  const jobs = [...store.items('jobs').values()];
  const cronUids = new Set([...store.items('cronjobs').values()].map((c) => c.metadata.uid));
  // a CronJob's Jobs are shown under it; the others on their own
  const others = OTHER.flatMap((r) => [...store.items(r).values()].filter((o) => nsName(o).includes(filter) && !(r === 'jobs' && (o.metadata.ownerReferences ?? []).some((ref) => cronUids.has(ref.uid)))).sort((a, b) => nsName(a).localeCompare(nsName(b))));
  return html`<section>
    <div class="toolbar"><input placeholder="filter namespace/name" value=${filter} onInput=${(e) => setFilter(e.target.value)} /> <span class="muted">${deployments.length} deployments</span></div>
    <ul class="tree">
      ${deployments.slice(page.start, page.end).map((d) => html`<${DeploymentTree} key=${d.metadata.uid} d=${d} rses=${rses} byOwner=${byOwner} ask=${ask} openTimeline=${openTimeline} />`)}
    </ul>
    ${deployments.length === 0 && html`<p class="muted">No Deployments yet: <code>kubectl create deployment web --image=nginx --replicas=3</code></p>`}
    <${Pager} ...${page} />
    ${others.length > 0 && html`<h3>StatefulSets, DaemonSets, CronJobs, Jobs <span class="muted">(listed every few seconds)</span></h3>
    <ul class="tree" data-testid="other-workloads">
      ${others.slice(0, 100).map((o) => html`<${WorkloadTree} key=${o.metadata.uid} o=${o} jobs=${jobs} byOwner=${byOwner} ask=${ask} openTimeline=${openTimeline} />`)}
    </ul>
    ${others.length > 100 && html`<p class="muted">+${others.length - 100} more (filter to narrow)</p>`}`}
  </section>`;
}
