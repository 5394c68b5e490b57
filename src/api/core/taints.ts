// Taints and tolerations (core/v1 Taint, Toleration; v1helper.ToleratesTaint and
// FindMatchingUntoleratedTaint). The one implementation the scheduler, the node agent and the
// controllers share.

export type TaintEffect = 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';

export interface Taint {
  key: string;
  value?: string;
  effect: TaintEffect | string;
  /** Only for NoExecute taints: when the taint was added (RFC 3339). */
  timeAdded?: string;
}

export interface Toleration {
  key?: string;
  /** Equal (the default when empty) or Exists. */
  operator?: 'Exists' | 'Equal' | string;
  value?: string;
  /** Empty matches every effect. */
  effect?: string;
  tolerationSeconds?: number;
}

/** The taints Kubernetes' node controllers and kubelet put on nodes (well_known_taints.go). */
export const TaintNodeNotReady = 'node.kubernetes.io/not-ready';
export const TaintNodeUnreachable = 'node.kubernetes.io/unreachable';
export const TaintNodeUnschedulable = 'node.kubernetes.io/unschedulable';
export const TaintNodeMemoryPressure = 'node.kubernetes.io/memory-pressure';
export const TaintNodeDiskPressure = 'node.kubernetes.io/disk-pressure';
export const TaintNodePIDPressure = 'node.kubernetes.io/pid-pressure';
export const TaintNodeNetworkUnavailable = 'node.kubernetes.io/network-unavailable';

/**
 * Toleration.ToleratesTaint: the effect matches (or the toleration names none), the key matches
 * (or the toleration names none), and then Exists tolerates any value while Equal (or an empty
 * operator) needs the same value. Any other operator tolerates nothing.
 */
export function toleratesTaint(tol: Toleration, taint: Taint): boolean {
  if (tol.effect && tol.effect !== taint.effect) return false;
  if (tol.key && tol.key !== taint.key) return false;
  switch (tol.operator ?? '') {
    case '':
    case 'Equal':
      return (tol.value ?? '') === (taint.value ?? '');
    case 'Exists':
      return true;
    default:
      return false;
  }
}

/** Some toleration in the list tolerates the taint. */
export function taintTolerated(taint: Taint, tolerations: readonly Toleration[]): boolean {
  for (const t of tolerations) if (toleratesTaint(t, taint)) return true;
  return false;
}

/**
 * FindMatchingUntoleratedTaint: the first taint that passes `include` (all taints when omitted)
 * and that no toleration tolerates.
 */
export function findUntoleratedTaint(
  taints: readonly Taint[],
  tolerations: readonly Toleration[],
  include?: (t: Taint) => boolean,
): Taint | undefined {
  for (const taint of taints) {
    if (include && !include(taint)) continue;
    if (!taintTolerated(taint, tolerations)) return taint;
  }
  return undefined;
}

/** Filters for findUntoleratedTaint: the effects that keep a pod off a node, and the one that evicts. */
export const doNotScheduleEffects = (t: Taint): boolean => t.effect === 'NoSchedule' || t.effect === 'NoExecute';
export const noExecuteEffect = (t: Taint): boolean => t.effect === 'NoExecute';
