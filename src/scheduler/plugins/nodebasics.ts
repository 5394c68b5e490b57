// The per-node yes/no plugins: NodeName, NodeUnschedulable, NodeAffinity (+ nodeSelector) and
// TaintToleration; the latter two also score preferences.
import type { NodeInfo } from '../cache.ts';
import {
  defaultNormalizeScore,
  MAX_NODE_SCORE,
  unresolvable,
  type CycleState,
  type FilterPlugin,
  type NodeScore,
  type ScorePlugin,
  type Status,
} from '../framework/interface.ts';
import type { PodInfo } from '../podinfo.ts';
import { doNotScheduleEffects, findUntoleratedTaint, taintTolerated, TaintNodeUnschedulable } from '../../api/core/taints.ts';
import { nodeSelectorTermMatches, requiredNodeAffinityMatches, type NodeSelectorTerm } from '../../api/core/nodeaffinity.ts';

export const ERR_NODE_NAME = "node(s) didn't match the requested node name";
export const ERR_UNSCHEDULABLE = 'node(s) were unschedulable';
export const ERR_NODE_AFFINITY = "node(s) didn't match Pod's node affinity/selector";

export class NodeName implements FilterPlugin {
  readonly name = 'NodeName';
  filter(_s: CycleState, pod: PodInfo, node: NodeInfo): Status | null {
    const want = pod.pod.spec?.nodeName;
    return want && want !== node.name ? unresolvable(ERR_NODE_NAME) : null;
  }
}

export class NodeUnschedulable implements FilterPlugin {
  readonly name = 'NodeUnschedulable';
  filter(_s: CycleState, pod: PodInfo, node: NodeInfo): Status | null {
    if (!node.unschedulable) return null;
    const taint = { key: TaintNodeUnschedulable, effect: 'NoSchedule' };
    return taintTolerated(taint, pod.tolerations) ? null : unresolvable(ERR_UNSCHEDULABLE);
  }
}

export class NodeAffinity implements FilterPlugin, ScorePlugin {
  readonly name = 'NodeAffinity';
  filter(_s: CycleState, pod: PodInfo, node: NodeInfo): Status | null {
    return requiredNodeAffinityMatches(pod.pod.spec, node.name, node.labels) ? null : unresolvable(ERR_NODE_AFFINITY);
  }
  /** The sum of the weights of the preferred terms the node matches. */
  score(_s: CycleState, pod: PodInfo, node: NodeInfo): number {
    const prefs: { weight: number; preference: NodeSelectorTerm }[] =
      pod.pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
    let sum = 0;
    for (const p of prefs) if (p.weight && nodeSelectorTermMatches(p.preference, node.name, node.labels)) sum += p.weight;
    return sum;
  }
  normalizeScore(_s: CycleState, _p: PodInfo, scores: NodeScore[]): void {
    defaultNormalizeScore(MAX_NODE_SCORE, false, scores);
  }
}

export class TaintToleration implements FilterPlugin, ScorePlugin {
  readonly name = 'TaintToleration';
  filter(_s: CycleState, pod: PodInfo, node: NodeInfo): Status | null {
    const taint = findUntoleratedTaint(node.taints, pod.tolerations, doNotScheduleEffects);
    return taint ? unresolvable(`node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`) : null;
  }
  /** How many PreferNoSchedule taints the pod does not tolerate; fewer is better. */
  score(_s: CycleState, pod: PodInfo, node: NodeInfo): number {
    // the tolerations that can match are picked once a node has a PreferNoSchedule taint (most have none)
    let tols: typeof pod.tolerations | undefined;
    let n = 0;
    for (const taint of node.taints) {
      if (taint.effect !== 'PreferNoSchedule') continue;
      tols ??= pod.tolerations.filter((t) => !t.effect || t.effect === 'PreferNoSchedule');
      if (!taintTolerated(taint, tols)) n++;
    }
    return n;
  }
  normalizeScore(_s: CycleState, _p: PodInfo, scores: NodeScore[]): void {
    defaultNormalizeScore(MAX_NODE_SCORE, true, scores);
  }
}
