// The simulated Cluster Autoscaler's decisions, as pure functions over views of nodes and pods:
// which node group to grow for the unschedulable pods and by how many nodes (a first-fit estimate
// per group, the group picked by the expander), and which node to remove (requested utilization
// below the threshold for the unneeded time, its pods fitting on the other nodes). Cluster
// Autoscaler's defaults: --scale-down-utilization-threshold 0.5, --scale-down-unneeded-time 10m,
// --scale-down-delay-after-add 10m, --scan-interval 10s, --expander least-waste (ours; CA's is random).
import { findUntoleratedTaint, doNotScheduleEffects, type Taint } from '../api/core/taints.ts';
import { requiredNodeAffinityMatches } from '../api/core/nodeaffinity.ts';
import type { Random } from '../clock/index.ts';

export interface Capacity {
  milliCPU: number;
  memory: number;
  pods: number;
}

export interface GroupView {
  name: string;
  min: number;
  max: number;
  /** Nodes of the group now (Node objects) and nodes asked for but not there yet. */
  size: number;
  upcoming: number;
  /** A new node's allocatable, labels and taints. */
  capacity: Capacity;
  labels: Record<string, string>;
  taints: Taint[];
}

export interface NodeView {
  name: string;
  group?: string;
  allocatable: Capacity;
  labels: Record<string, string>;
  taints: Taint[];
  /** Ready, not cordoned, not being removed. */
  schedulable: boolean;
}

export interface PodView {
  key: string;
  requests: Capacity; // pods: 1
  spec: any;
  nodeName?: string;
  /** Owned by a DaemonSet: stays with its node, never moved. */
  daemonSet: boolean;
  /** No controller owns it: nothing would recreate it, so its node is not removed. */
  bare: boolean;
}

export type Expander = 'least-waste' | 'random';

const fitsShape = (p: PodView, name: string, labels: Record<string, string>, taints: Taint[]) =>
  !findUntoleratedTaint(taints, p.spec?.tolerations ?? [], doNotScheduleEffects) && requiredNodeAffinityMatches(p.spec, name, labels);

const fitsFree = (r: Capacity, free: Capacity) => r.milliCPU <= free.milliCPU && r.memory <= free.memory && r.pods <= free.pods;
const minus = (a: Capacity, b: Capacity): Capacity => ({ milliCPU: a.milliCPU - b.milliCPU, memory: a.memory - b.memory, pods: a.pods - b.pods });

/** Requested resources of the pods on each node. */
export function usedByNode(pods: PodView[]): Map<string, Capacity> {
  const used = new Map<string, Capacity>();
  for (const p of pods) {
    if (!p.nodeName) continue;
    const u = used.get(p.nodeName) ?? { milliCPU: 0, memory: 0, pods: 0 };
    used.set(p.nodeName, { milliCPU: u.milliCPU + p.requests.milliCPU, memory: u.memory + p.requests.memory, pods: u.pods + p.requests.pods });
  }
  return used;
}

interface Bin {
  name: string;
  labels: Record<string, string>;
  taints: Taint[];
  free: Capacity;
}

/** First fit of the pods into the bins (bins' free capacity shrinks); returns the pods that did not fit. */
export function firstFit(pods: PodView[], bins: Bin[]): PodView[] {
  const left: PodView[] = [];
  for (const p of pods) {
    const b = bins.find((x) => fitsShape(p, x.name, x.labels, x.taints) && fitsFree(p.requests, x.free));
    if (b) b.free = minus(b.free, p.requests);
    else left.push(p);
  }
  return left;
}

const bySize = (a: PodView, b: PodView) => b.requests.milliCPU - a.requests.milliCPU || b.requests.memory - a.requests.memory || (a.key < b.key ? -1 : 1);

export interface ScaleUp {
  group: string;
  nodes: number;
  /** Pending pods the new nodes would take. */
  pods: number;
}

/**
 * Where the unschedulable pods go: first onto free room on the schedulable nodes and on the nodes
 * already coming up; the rest decide a scale-up — per group with room below max, how many new nodes
 * a first-fit-decreasing packing needs (at most max − size − upcoming) — and the expander picks one.
 */
export function planScaleUp(pending: PodView[], nodes: NodeView[], pods: PodView[], groups: GroupView[], expander: Expander, random: Random): ScaleUp | undefined {
  const used = usedByNode(pods);
  const bins: Bin[] = nodes.filter((n) => n.schedulable).map((n) => ({ name: n.name, labels: n.labels, taints: n.taints, free: minus(n.allocatable, used.get(n.name) ?? { milliCPU: 0, memory: 0, pods: 0 }) }));
  for (const g of groups) for (let i = 0; i < g.upcoming; i++) bins.push({ name: `${g.name}-upcoming-${i}`, labels: g.labels, taints: g.taints, free: { ...g.capacity } });
  const left = firstFit([...pending].sort(bySize), bins);
  if (!left.length) return undefined;
  const options: (ScaleUp & { waste: number })[] = [];
  for (const g of groups) {
    const room = g.max - g.size - g.upcoming;
    if (room <= 0) continue;
    const fresh: Bin[] = [];
    let placed = 0;
    for (const p of left) {
      if (!fitsShape(p, `${g.name}-new`, g.labels, g.taints) || !fitsFree(p.requests, g.capacity)) continue;
      let b = fresh.find((x) => fitsFree(p.requests, x.free));
      if (!b) {
        if (fresh.length >= room) continue;
        b = { name: `${g.name}-new-${fresh.length}`, labels: g.labels, taints: g.taints, free: { ...g.capacity } };
        fresh.push(b);
      }
      b.free = minus(b.free, p.requests);
      placed++;
    }
    if (!fresh.length) continue;
    const cpu = fresh.reduce((s, b) => s + b.free.milliCPU, 0) / (g.capacity.milliCPU * fresh.length || 1);
    const mem = fresh.reduce((s, b) => s + b.free.memory, 0) / (g.capacity.memory * fresh.length || 1);
    options.push({ group: g.name, nodes: fresh.length, pods: placed, waste: (cpu + mem) / 2 });
  }
  if (!options.length) return undefined;
  const pick = expander === 'random' ? options[random.int(options.length)] : [...options].sort((a, b) => a.waste - b.waste || b.pods - a.pods || (a.group < b.group ? -1 : 1))[0];
  return { group: pick.group, nodes: pick.nodes, pods: pick.pods };
}

/** Requested utilization of a node: the larger of its CPU and memory requests over allocatable. */
export function utilization(n: NodeView, used: Capacity | undefined): number {
  if (!used) return 0;
  return Math.max(n.allocatable.milliCPU ? used.milliCPU / n.allocatable.milliCPU : 0, n.allocatable.memory ? used.memory / n.allocatable.memory : 0);
}

export interface ScaleDownInput {
  nodes: NodeView[];
  pods: PodView[];
  groups: GroupView[];
  /** Node → since when it has been unneeded (carried from the previous scan). */
  unneededSince: ReadonlyMap<string, number>;
  now: number;
  threshold: number;
  unneededTimeMs: number;
}

export interface ScaleDown {
  unneededSince: Map<string, number>;
  /** The node to drain and remove (at most one a scan), with its group. */
  remove?: { node: string; group: string };
}

/**
 * Nodes of autoscaled groups under the utilization threshold are unneeded from the first scan that
 * sees them so; one unneeded for unneededTime whose group is above min, with no bare pod, whose
 * movable pods all fit (first fit) on the other schedulable nodes, is removed.
 */
export function planScaleDown(i: ScaleDownInput): ScaleDown {
  const used = usedByNode(i.pods);
  const groups = new Map(i.groups.map((g) => [g.name, g]));
  const unneededSince = new Map<string, number>();
  const candidates: NodeView[] = [];
  for (const n of i.nodes) {
    if (!n.group || !groups.has(n.group) || !n.schedulable) continue;
    if (utilization(n, used.get(n.name)) >= i.threshold) continue;
    const since = i.unneededSince.get(n.name) ?? i.now;
    unneededSince.set(n.name, since);
    if (i.now - since >= i.unneededTimeMs) candidates.push(n);
  }
  for (const n of candidates.sort((a, b) => utilization(a, used.get(a.name)) - utilization(b, used.get(b.name)) || (a.name < b.name ? -1 : 1))) {
    const g = groups.get(n.group!)!;
    if (g.size <= g.min) continue;
    const on = i.pods.filter((p) => p.nodeName === n.name && !p.daemonSet);
    if (on.some((p) => p.bare)) continue;
    const others: Bin[] = i.nodes.filter((m) => m.schedulable && m.name !== n.name).map((m) => ({ name: m.name, labels: m.labels, taints: m.taints, free: minus(m.allocatable, used.get(m.name) ?? { milliCPU: 0, memory: 0, pods: 0 }) }));
    if (firstFit([...on].sort(bySize), others).length) continue;
    return { unneededSince, remove: { node: n.name, group: g.name } };
  }
  return { unneededSince };
}
