// The node tiles, drawn on one canvas (never a DOM node per pod): a tile per node, colored border
// by state, taints count, a requested-CPU bar, and its pods as small marks colored by phase and
// readiness — or, when they do not fit, one stacked bar of the states. Only visible rows are drawn.
import { NODE_COLORS, POD_COLORS, milliCpu, nodeState, podCpuRequest, podState } from '../lib/status.js';

/** Tile geometry for a node count: bigger tiles for small clusters. */
export function tileSize(count) {
  if (count <= 60) return { w: 200, h: 96, mark: 7, label: true };
  if (count <= 500) return { w: 120, h: 64, mark: 4, label: true };
  return { w: 44, h: 30, mark: 3, label: false };
}

export function layout(count, width) {
  const t = tileSize(count);
  const gap = 4;
  const cols = Math.max(1, Math.floor((width + gap) / (t.w + gap)));
  return { ...t, gap, cols, rows: Math.ceil(count / cols), height: Math.ceil(count / cols) * (t.h + gap) };
}

/** The index of the tile at (x, y) in content coordinates, or -1. */
export function tileAt(lay, x, y, count) {
  const c = Math.floor(x / (lay.w + lay.gap));
  const r = Math.floor(y / (lay.h + lay.gap));
  if (c >= lay.cols || x % (lay.w + lay.gap) > lay.w || y % (lay.h + lay.gap) > lay.h) return -1;
  const i = r * lay.cols + c;
  return i < count ? i : -1;
}

const STATE_ORDER = ['ready', 'running', 'pending', 'terminating', 'succeeded', 'failed', 'unknown'];

/** podsByNode: a PodIndex (lib/podindex.js). */
export function drawTiles(ctx, lay, nodes, podsByNode, scrollTop, viewHeight, selected) {
  const dpr = window.devicePixelRatio || 1;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, ctx.canvas.width, ctx.canvas.height);
  const rowH = lay.h + lay.gap;
  const first = Math.max(0, Math.floor(scrollTop / rowH));
  const last = Math.min(lay.rows - 1, Math.floor((scrollTop + viewHeight) / rowH));
  for (let r = first; r <= last; r++) {
    for (let c = 0; c < lay.cols; c++) {
      const i = r * lay.cols + c;
      if (i >= nodes.length) return;
      drawTile(ctx, lay, c * (lay.w + lay.gap), r * rowH - scrollTop, nodes[i], podsByNode.onNode(nodes[i].metadata.name), nodes[i].metadata.name === selected);
    }
  }
}

function drawTile(ctx, lay, x, y, node, pods, isSelected) {
  const state = nodeState(node);
  ctx.fillStyle = state === 'cordoned' ? '#eceef2' : '#fff';
  ctx.fillRect(x, y, lay.w, lay.h);
  ctx.lineWidth = isSelected ? 3 : 1.5;
  ctx.strokeStyle = isSelected ? '#1b4fd8' : NODE_COLORS[state];
  ctx.strokeRect(x + 0.75, y + 0.75, lay.w - 1.5, lay.h - 1.5);
  if (state === 'cordoned') {
    ctx.strokeStyle = '#c5c9d2';
    ctx.lineWidth = 1;
    for (let k = -lay.h; k < lay.w; k += 10) {
      ctx.beginPath();
      ctx.moveTo(x + Math.max(0, k), y + Math.max(0, -k));
      ctx.lineTo(x + Math.min(lay.w, k + lay.h), y + Math.min(lay.h, lay.w - k));
      ctx.stroke();
    }
  }
  let top = y + 3;
  if (lay.label) {
    ctx.fillStyle = '#1d2430';
    ctx.font = `${lay.w > 150 ? 12 : 10}px system-ui, sans-serif`;
    const taints = node.spec?.taints?.length ?? 0;
    ctx.fillText(`${node.metadata.name}${taints ? ` ⚑${taints}` : ''}`, x + 5, y + 13, lay.w - 10);
    // requested vs allocatable CPU
    const alloc = milliCpu(node.status?.allocatable?.cpu);
    const req = pods.reduce((s, p) => s + podCpuRequest(p), 0);
    const frac = alloc > 0 ? Math.min(1, req / alloc) : 0;
    ctx.fillStyle = '#e3e6ec';
    ctx.fillRect(x + 5, y + 17, lay.w - 10, 3);
    ctx.fillStyle = frac > 0.9 ? '#d43d3d' : '#5b7fd6';
    ctx.fillRect(x + 5, y + 17, (lay.w - 10) * frac, 3);
    top = y + 24;
  }
  const step = lay.mark + 1;
  const perRow = Math.floor((lay.w - 8) / step);
  const fit = perRow * Math.floor((y + lay.h - 3 - top) / step);
  if (pods.length <= fit) {
    pods.forEach((p, k) => {
      ctx.fillStyle = POD_COLORS[podState(p)];
      ctx.fillRect(x + 4 + (k % perRow) * step, top + Math.floor(k / perRow) * step, lay.mark, lay.mark);
    });
  } else {
    // aggregate: one bar, a segment per state
    const counts = {};
    for (const p of pods) counts[podState(p)] = (counts[podState(p)] ?? 0) + 1;
    let cx = x + 4;
    const bw = lay.w - 8;
    for (const s of STATE_ORDER) {
      if (!counts[s]) continue;
      const w = (bw * counts[s]) / pods.length;
      ctx.fillStyle = POD_COLORS[s];
      ctx.fillRect(cx, top, w, Math.max(3, y + lay.h - 4 - top));
      cx += w;
    }
  }
}
