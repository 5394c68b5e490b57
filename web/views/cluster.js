// Cluster: the node tiles (canvas, virtualized), a summary, a paged node table with cordon actions,
// and the selected node's pods.
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from '../html.js';
import { NODE_COLORS, POD_COLORS, nodeState, podState } from '../lib/status.js';
import { cordonAction, deletePodAction, drainAction, isPartitioned, partitionAction, refOf } from '../lib/actions.js';
import { drawTiles, layout, tileAt } from './tiles.js';
import { Pager, usePage } from './pager.js';
import { Activity } from './activity.js';

function count(list, fn) {
  const c = {};
  for (const x of list) c[fn(x)] = (c[fn(x)] ?? 0) + 1;
  return c;
}

function Legend({ colors, counts }) {
  return html`${Object.entries(colors).map(([k, color]) => html`<span class="legend"><i style=${`background:${color}`}></i>${k} <b data-count=${k}>${counts[k] ?? 0}</b></span>`)}`;
}

function Tiles({ nodes, podsByNode, selected, onSelect }) {
  const box = useRef(null);
  const canvas = useRef(null);
  const [, setTick] = useState(0);
  const width = box.current?.clientWidth ?? 1000;
  const lay = layout(nodes.length, width);
  const viewH = Math.min(lay.height, 520);
  const draw = () => {
    const el = box.current;
    const cv = canvas.current;
    if (!el || !cv) return;
    const dpr = window.devicePixelRatio || 1;
    const w = el.clientWidth;
    if (cv.width !== Math.round(w * dpr) || cv.height !== Math.round(viewH * dpr)) {
      cv.width = Math.round(w * dpr);
      cv.height = Math.round(viewH * dpr);
      cv.style.width = `${w}px`;
      cv.style.height = `${viewH}px`;
    }
    drawTiles(cv.getContext('2d'), layout(nodes.length, w), nodes, podsByNode, el.scrollTop, viewH, selected);
  };
  useEffect(draw);
  useEffect(() => {
    const onResize = () => setTick((t) => t + 1);
    window.addEventListener('resize', onResize);
    return () => window.removeEventListener('resize', onResize);
  }, []);
  const click = (e) => {
    const r = box.current.getBoundingClientRect();
    const i = tileAt(lay, e.clientX - r.left, e.clientY - r.top + box.current.scrollTop, nodes.length);
    if (i >= 0) onSelect(nodes[i].metadata.name);
  };
  const hover = (e) => {
    const r = box.current.getBoundingClientRect();
    const i = tileAt(lay, e.clientX - r.left, e.clientY - r.top + box.current.scrollTop, nodes.length);
    const n = nodes[i];
    box.current.title = n ? `${n.metadata.name} — ${nodeState(n)}, ${podsByNode.countOn(n.metadata.name)} pods${n.spec?.taints?.length ? `, ${n.spec.taints.length} taints` : ''}` : '';
  };
  return html`<div class="tiles" ref=${box} style=${`height:${viewH}px`} onScroll=${draw} onClick=${click} onMouseMove=${hover}>
    <canvas ref=${canvas} data-testid="tiles" data-nodes=${nodes.length}></canvas>
    <div style=${`height:${Math.max(0, lay.height - viewH)}px`}></div>
  </div>`;
}

function NodePods({ node, pods, ask, openTimeline }) {
  const shown = pods.slice(0, 100);
  return html`<section class="panel" data-testid="node-detail">
    <div class="row">
      <h3>${node.metadata.name} <span class=${`badge ${nodeState(node)}`}>${nodeState(node)}</span>${isPartitioned(node) && html` <span class="badge notready">partitioned</span>`}</h3>
      <button data-action="drain" onClick=${() => ask(drainAction(node, pods))}>Drain</button>
      ${isPartitioned(node) ? html`<button data-action="heal" onClick=${() => ask(partitionAction(node, false))}>Heal</button>` : html`<button data-action="partition" onClick=${() => ask(partitionAction(node, true))}>Partition</button>`}
    </div>
    ${(node.spec?.taints ?? []).map((t) => html`<span class="taint">${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}</span>`)}
    <table><tbody>
      ${shown.map((p) => html`<tr data-pod=${`${p.metadata.namespace}/${p.metadata.name}`}>
        <td><i class="mark" style=${`background:${POD_COLORS[podState(p)]}`}></i>${p.metadata.namespace}/${p.metadata.name}</td><td>${podState(p)}</td>
        <td><button onClick=${() => openTimeline(refOf(p, 'pods'))}>Timeline</button> <button class="danger" onClick=${() => ask(deletePodAction(p))}>Delete</button></td>
      </tr>`)}
    </tbody></table>
    ${pods.length > shown.length && html`<p class="muted">and ${pods.length - shown.length} more</p>`}
  </section>`;
}

export function ClusterView({ store, ask, openTimeline }) {
  const nodes = store.sortedNodes();
  const pods = store.podIndex();
  const [selected, setSelected] = useState(null);
  const page = usePage(nodes.length, 25);
  const nodeCounts = count(nodes, nodeState);
  const podCounts = pods.counts;
  const selectedNode = nodes.find((n) => n.metadata.name === selected);
  return html`<section>
    <div class="summary" data-testid="summary">
      <span><b data-testid="node-count">${nodes.length}</b> nodes</span> <${Legend} colors=${NODE_COLORS} counts=${nodeCounts} />
      <span class="sep"></span>
      <span><b data-testid="pod-count">${pods.size}</b> pods</span> <${Legend} colors=${POD_COLORS} counts=${podCounts} />
      <span class="muted">${pods.countOn('')} unscheduled</span>
    </div>
    <${Tiles} nodes=${nodes} podsByNode=${pods} selected=${selected} onSelect=${setSelected} />
    <${Activity} samples=${store.activity} />
    ${selectedNode && html`<${NodePods} node=${selectedNode} pods=${pods.onNode(selected)} ask=${ask} openTimeline=${openTimeline} />`}
    <table class="nodes">
      <thead><tr><th>Node</th><th>State</th><th>Taints</th><th>Pods</th><th></th></tr></thead>
      <tbody>
        ${nodes.slice(page.start, page.end).map((n) => {
          const st = nodeState(n);
          return html`<tr data-node=${n.metadata.name} class=${selected === n.metadata.name ? 'selected' : ''}>
            <td><a href="#" onClick=${(e) => (e.preventDefault(), setSelected(n.metadata.name))}>${n.metadata.name}</a></td>
            <td><span class=${`badge ${st}`}>${st}</span>${isPartitioned(n) && html` <span class="badge notready">partitioned</span>`}</td>
            <td>${(n.spec?.taints ?? []).map((t) => html`<span class="taint">${t.key}:${t.effect}</span>`)}</td>
            <td>${pods.countOn(n.metadata.name)}</td>
            <td>
              ${n.spec?.unschedulable ? html`<button onClick=${() => ask(cordonAction(n, false))}>Uncordon</button>` : html`<button onClick=${() => ask(cordonAction(n, true))}>Cordon</button>`}
              <button onClick=${() => openTimeline(refOf(n, 'nodes'))}>Timeline</button>
            </td>
          </tr>`;
        })}
      </tbody>
    </table>
    <${Pager} ...${page} />
  </section>`;
}
