// Pod garbage collection decisions (pkg/controller/podgc) as pure functions.
import type { KubeObject } from '../../api/types.ts';
import { isPodTerminated } from '../util/pod.ts';

export interface PodGCPlan {
  /** Terminated pods beyond the threshold, oldest first. */
  terminated: KubeObject[];
  /** Pods bound to nodes that do not exist. */
  orphaned: KubeObject[];
  /** Terminating pods that no kubelet will finish: unscheduled, or on an unreachable/not-ready node past their grace period. */
  terminating: KubeObject[];
}

const created = (p: KubeObject) => Date.parse(p.metadata.creationTimestamp ?? '') || 0;

/** The nodes by name: a Map, or the node informer's lister (no copy of 1,000 nodes every 20 s). */
export interface NodeLookup {
  get(name: string): KubeObject | undefined;
}

export function podGCPlan(pods: KubeObject[], nodes: NodeLookup, threshold: number, now: number): PodGCPlan {
  const terminatedAll = pods.filter((p) => isPodTerminated(p) && !p.metadata.deletionTimestamp);
  const excess = terminatedAll.length - threshold;
  const terminated = excess > 0 ? terminatedAll.sort((a, b) => created(a) - created(b)).slice(0, excess) : [];
  const orphaned = pods.filter((p) => p.spec?.nodeName && !nodes.get(p.spec.nodeName));
  const terminating = pods.filter((p) => {
    if (!p.metadata.deletionTimestamp) return false;
    if (!p.spec?.nodeName) return true;
    const node = nodes.get(p.spec.nodeName);
    if (!node) return false; // handled as orphaned
    const ready = (node.status?.conditions ?? []).find((c: any) => c.type === 'Ready')?.status;
    return ready !== 'True' && Date.parse(p.metadata.deletionTimestamp) <= now;
  });
  return { terminated, orphaned, terminating };
}
