// NodeResourcesFit (filter: requests of bound + assumed pods; score: LeastAllocated = spread,
// MostAllocated = bin-pack) and NodeResourcesBalancedAllocation.
import type { NodeInfo } from '../cache.ts';
import { MAX_NODE_SCORE, unschedulable, type FilterPlugin, type Handle, type ScorePlugin, type Status } from '../framework/interface.ts';
import { podPriority, type PodInfo } from '../podinfo.ts';
import type { Resource } from '../../api/core/requests.ts';

export type ScoringStrategy = 'LeastAllocated' | 'MostAllocated';

/** No reason: the pod fits (shared and frozen: a fit, the common answer, allocates nothing). */
const FITS: readonly string[] = Object.freeze([]);

/** Which of cpu, memory and pod count do not fit; the reasons kube-scheduler reports (FITS when none). */
export function insufficientResources(pod: PodInfo, node: NodeInfo, held: Resource & { pods: number } = NONE): readonly string[] {
  let reasons: string[] | undefined;
  if (node.pods.size + held.pods + 1 > node.allocatable.pods) (reasons ??= []).push('Too many pods');
  const r = pod.requests;
  if (r.milliCPU === 0 && r.memory === 0 && !r.scalar) return reasons ?? FITS;
  if (r.milliCPU > 0 && node.allocatable.milliCPU < r.milliCPU + node.requested.milliCPU + held.milliCPU) (reasons ??= []).push('Insufficient cpu');
  if (r.memory > 0 && node.allocatable.memory < r.memory + node.requested.memory + held.memory) (reasons ??= []).push('Insufficient memory');
  if (r.scalar) {
    // ephemeral-storage first, then extended resources (nvidia.com/gpu, ...), by name.
    const names = Object.keys(r.scalar).sort((a, b) => (a === 'ephemeral-storage' ? -1 : b === 'ephemeral-storage' ? 1 : a < b ? -1 : 1));
    for (const name of names) {
      const want = r.scalar[name];
      const used = (node.requested.scalar?.[name] ?? 0) + (held.scalar?.[name] ?? 0);
      if (want > 0 && (node.allocatable.scalar?.[name] ?? 0) < want + used) (reasons ??= []).push(`Insufficient ${name}`);
    }
  }
  return reasons ?? FITS;
}

export function leastRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.trunc(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}

export function mostRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0) return 0;
  return Math.trunc((Math.min(requested, capacity) * MAX_NODE_SCORE) / capacity);
}

const NONE = { milliCPU: 0, memory: 0, pods: 0 };

/** Room held on the node for pods nominated there with at least this pod's priority (not the pod itself). */
export function heldForNominated(pod: PodInfo, nominated: Map<string, PodInfo> | undefined): Resource & { pods: number } {
  if (!nominated) return NONE;
  const prio = podPriority(pod.pod);
  const held: Resource & { pods: number } = { milliCPU: 0, memory: 0, pods: 0 };
  for (const [key, p] of nominated) {
    if (key === pod.key || podPriority(p.pod) < prio) continue;
    held.pods++;
    held.milliCPU += p.requests.milliCPU;
    held.memory += p.requests.memory;
    for (const [k, v] of Object.entries(p.requests.scalar ?? {})) (held.scalar ??= {})[k] = (held.scalar[k] ?? 0) + v;
  }
  return held;
}

export class NodeResourcesFit implements FilterPlugin, ScorePlugin {
  readonly name = 'NodeResourcesFit';
  constructor(
    readonly strategy: ScoringStrategy = 'LeastAllocated',
    private readonly handle?: Handle,
  ) {}

  filter(_s: unknown, pod: PodInfo, node: NodeInfo): Status | null {
    const reasons = insufficientResources(pod, node, heldForNominated(pod, this.handle?.cache.nominatedPods(node.name)));
    return reasons.length ? unschedulable(...reasons) : null;
  }

  /** cpu and memory, weight 1 each, with the non-zero defaults for unset requests (as kube-scheduler scores). */
  score(_s: unknown, pod: PodInfo, node: NodeInfo): number {
    const f = this.strategy === 'MostAllocated' ? mostRequestedScore : leastRequestedScore;
    const cpu = f(node.nonZeroRequested.milliCPU + pod.nonZero.milliCPU, node.allocatable.milliCPU);
    const mem = f(node.nonZeroRequested.memory + pod.nonZero.memory, node.allocatable.memory);
    return Math.trunc((cpu + mem) / 2);
  }
}

/** Favors nodes whose cpu and memory fractions stay close: (1 - std deviation) * 100. */
export class BalancedAllocation implements ScorePlugin {
  readonly name = 'NodeResourcesBalancedAllocation';

  score(_s: unknown, pod: PodInfo, node: NodeInfo): number {
    // the standard deviation of the cpu and memory fractions (0 with fewer than two): no array a node
    const a = node.allocatable;
    let std = 0;
    if (a.milliCPU > 0 && a.memory > 0) {
      const cpu = Math.min(1, (node.requested.milliCPU + pod.requests.milliCPU) / a.milliCPU);
      const mem = Math.min(1, (node.requested.memory + pod.requests.memory) / a.memory);
      std = Math.abs(cpu - mem) / 2;
    }
    return Math.trunc((1 - std) * MAX_NODE_SCORE);
  }
}
