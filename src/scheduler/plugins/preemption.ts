// DefaultPreemption (PostFilter), limited to resources: when a pod fits nowhere and some nodes
// rejected it only for cpu/memory/pods/extended resources, find the node where evicting the fewest,
// lowest-priority pods (all of lower priority than the incoming pod) makes room, evict them, and
// nominate the node. Nodes rejected by other plugins are "not helpful" for preemption here.
import type { NodeInfo } from '../cache.ts';
import { fitErrorMessage } from '../framework/fiterror.ts';
import { unschedulable, type CycleState, type Handle, type PostFilterPlugin, type PostFilterResult, type Status } from '../framework/interface.ts';
import { podPriority, type PodInfo } from '../podinfo.ts';
import type { Resource } from '../../api/core/requests.ts';

export type Evictor = (victim: PodInfo, preemptor: PodInfo, nodeName: string) => Promise<void>;

const NOT_HELPFUL = 'Preemption is not helpful for scheduling';
const NO_VICTIMS = 'No preemption victims found for incoming pod';

interface Usage extends Resource {
  pods: number;
}

function fits(pod: PodInfo, node: NodeInfo, u: Usage): boolean {
  const a = node.allocatable;
  if (u.pods + 1 > a.pods) return false;
  const r = pod.requests;
  if (r.milliCPU > 0 && a.milliCPU < u.milliCPU + r.milliCPU) return false;
  if (r.memory > 0 && a.memory < u.memory + r.memory) return false;
  for (const [k, v] of Object.entries(r.scalar ?? {})) if (v > 0 && (a.scalar?.[k] ?? 0) < (u.scalar?.[k] ?? 0) + v) return false;
  return true;
}

function addTo(u: Usage, p: PodInfo, sign: 1 | -1): void {
  u.pods += sign;
  u.milliCPU += sign * p.requests.milliCPU;
  u.memory += sign * p.requests.memory;
  for (const [k, v] of Object.entries(p.requests.scalar ?? {})) (u.scalar ??= {})[k] = (u.scalar[k] ?? 0) + sign * v;
}

/**
 * The pods to evict from this node so the pod fits, or undefined: remove every lower-priority pod,
 * then give back ("reprieve") as many as still fit, highest priority first (kube-scheduler's order).
 */
export function selectVictims(pod: PodInfo, node: NodeInfo): PodInfo[] | undefined {
  const prio = podPriority(pod.pod);
  const lower = [...node.pods.values()].filter((p) => podPriority(p.pod) < prio && !p.pod.metadata.deletionTimestamp);
  if (lower.length === 0) return undefined;
  const u: Usage = { pods: node.pods.size, milliCPU: node.requested.milliCPU, memory: node.requested.memory, scalar: { ...node.requested.scalar } };
  for (const p of lower) addTo(u, p, -1);
  if (!fits(pod, node, u)) return undefined;
  lower.sort((a, b) => podPriority(b.pod) - podPriority(a.pod) || (a.pod.metadata.creationTimestamp ?? '').localeCompare(b.pod.metadata.creationTimestamp ?? ''));
  const victims: PodInfo[] = [];
  for (const p of lower) {
    addTo(u, p, 1);
    if (!fits(pod, node, u)) {
      addTo(u, p, -1);
      victims.push(p);
    }
  }
  return victims;
}

/** kube-scheduler's pickOneNodeForPreemption, shortened: lowest highest-victim priority, then lowest priority sum, then fewest victims. */
function better(a: PodInfo[], b: PodInfo[]): boolean {
  const maxP = (v: PodInfo[]) => Math.max(...v.map((p) => podPriority(p.pod)));
  const sumP = (v: PodInfo[]) => v.reduce((s, p) => s + podPriority(p.pod), 0);
  if (maxP(a) !== maxP(b)) return maxP(a) < maxP(b);
  if (sumP(a) !== sumP(b)) return sumP(a) < sumP(b);
  return a.length < b.length;
}

export class DefaultPreemption implements PostFilterPlugin {
  readonly name = 'DefaultPreemption';
  constructor(
    private readonly handle: Handle,
    private readonly evict?: Evictor,
  ) {}

  postFilter(_s: CycleState, pod: PodInfo, filtered: Map<string, Status>, nodeCount: number): PostFilterResult {
    if (pod.pod.spec?.preemptionPolicy === 'Never') return { status: unschedulable('preemption: not eligible due to preemptionPolicy=Never.') };
    // Victims already leaving the nominated node: wait for them rather than evict more.
    const nominated = pod.pod.status?.nominatedNodeName as string | undefined;
    const nominatedNode = nominated ? this.handle.cache.getNode(nominated) : undefined;
    if (nominatedNode && [...nominatedNode.pods.values()].some((p) => p.pod.metadata.deletionTimestamp && podPriority(p.pod) < podPriority(pod.pod)))
      return { nominatedNodeName: nominated, status: unschedulable('preemption: not eligible due to a terminating pod on the nominated node.') };
    const statuses = new Map<string, Status>();
    let best: { node: string; victims: PodInfo[] } | undefined;
    for (const [name, st] of filtered) {
      const node = st.plugin === 'NodeResourcesFit' && st.code === 'Unschedulable' ? this.handle.cache.getNode(name) : undefined;
      const victims = node && selectVictims(pod, node);
      if (victims?.length && (!best || better(victims, best.victims))) best = { node: name, victims };
      statuses.set(name, { code: 'Unschedulable', reasons: [node ? NO_VICTIMS : NOT_HELPFUL] });
    }
    if (!best || !this.evict) return { status: unschedulable('preemption: ' + fitErrorMessage(nodeCount, statuses)) };
    for (const v of best.victims) void this.evict(v, pod, best.node);
    return { nominatedNodeName: best.node, status: { code: 'Success', reasons: [] } };
  }
}
