// Node lifecycle decisions as pure functions (pkg/controller/nodelifecycle and the taint-eviction
// controller): is a node's heartbeat stale, which conditions and taints it should carry, and when
// each pod on a NoExecute-tainted node must be evicted.
import type { KubeObject } from '../../api/types.ts';
import type { Condition } from '../util/pod.ts';
import { nowIso } from '../util/conditions.ts';
import {
  TaintNodeDiskPressure,
  TaintNodeMemoryPressure,
  TaintNodeNetworkUnavailable,
  TaintNodeNotReady as TaintNotReady,
  TaintNodePIDPressure,
  TaintNodeUnreachable as TaintUnreachable,
  TaintNodeUnschedulable as TaintUnschedulable,
  toleratesTaint,
  type Taint,
  type Toleration,
} from '../../api/core/taints.ts';
import { deepCopy } from '../../api/core/json.ts';

export type { Taint, Toleration };


/** TaintNodesByCondition (nodeConditionToTaintKeyStatusMap): a NoSchedule taint while the condition is True. */
export const conditionTaints = new Map([
  ['MemoryPressure', TaintNodeMemoryPressure],
  ['DiskPressure', TaintNodeDiskPressure],
  ['PIDPressure', TaintNodePIDPressure],
  ['NetworkUnavailable', TaintNodeNetworkUnavailable],
]);
const conditionTaintKeys = new Set(conditionTaints.values());

/** When this controller last saw a node's heartbeat change, on its own clock. */
export interface HeartbeatProbe {
  /** The Lease's renewTime and the Ready condition's lastHeartbeatTime, as last seen. */
  renewTime: unknown;
  heartbeat: unknown;
  at: number;
}

/**
 * nodeHealthData.probeTimestamp (tryUpdateNodeHealth): the controller's own time at which the
 * node's Lease renewTime or Ready heartbeat last changed. The node's timestamps are only compared
 * for change, never against our clock, so a node whose clock is skewed (ahead or behind) is judged
 * by whether it keeps renewing, as in Kubernetes.
 */
export function observeHeartbeat(prev: HeartbeatProbe | undefined, node: KubeObject, lease: KubeObject | undefined, now: number): HeartbeatProbe {
  const ready = (node.status?.conditions as Condition[] | undefined)?.find((c) => c.type === 'Ready');
  // compared as they are (no text made per node per period: 1,000 nodes every period)
  const renewTime = lease?.spec?.renewTime ?? '';
  const heartbeat = ready?.lastHeartbeatTime ?? '';
  return prev && prev.renewTime === renewTime && prev.heartbeat === heartbeat ? prev : { renewTime, heartbeat, at: now };
}

/** Conditions the kubelet owns, set to Unknown when it stops posting status (tryUpdateNodeHealth). */
const kubeletConditions = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];

/** The node's conditions once its heartbeat is stale, or undefined when they already say so. */
export function unknownConditions(node: KubeObject, now: number): Condition[] | undefined {
  const conds: Condition[] = deepCopy(node.status?.conditions ?? []);
  let changed = false;
  for (const type of kubeletConditions) {
    let c = conds.find((x) => x.type === type);
    if (!c) {
      if (type !== 'Ready') continue;
      c = { type, status: 'Unknown' };
      conds.push(c);
      changed = true;
    }
    if (c.status === 'Unknown' && c.reason === 'NodeStatusUnknown') continue;
    c.status = 'Unknown';
    c.reason = 'NodeStatusUnknown';
    c.message = 'Kubelet stopped posting node status.';
    c.lastTransitionTime = nowIso(now);
    changed = true;
  }
  return changed ? conds : undefined;
}

export function readyStatus(node: KubeObject): string {
  return (node.status?.conditions as Condition[] | undefined)?.find((c) => c.type === 'Ready')?.status ?? 'Unknown';
}

/**
 * The node's taints as the node lifecycle controller wants them: not-ready or unreachable
 * (NoSchedule and NoExecute) per its Ready condition, memory/disk/pid-pressure and
 * network-unavailable (NoSchedule) while that condition is True, unschedulable per
 * spec.unschedulable; other taints untouched, existing timeAdded kept. Undefined when nothing changes.
 */
export function desiredTaints(node: KubeObject, now: number): Taint[] | undefined {
  const current: Taint[] = node.spec?.taints ?? [];
  const readyKeys = new Set([TaintNotReady, TaintUnreachable, TaintUnschedulable]);
  // Condition taints are ours only as NoSchedule (like Kubernetes): a user's other effect on the key stays.
  const managed = (t: Taint) => readyKeys.has(t.key) || (conditionTaintKeys.has(t.key) && t.effect === 'NoSchedule');
  const want: Taint[] = [];
  const ready = readyStatus(node);
  const key = ready === 'False' ? TaintNotReady : ready === 'Unknown' ? TaintUnreachable : undefined;
  const keep = (t: Taint) => current.find((c) => c.key === t.key && c.effect === t.effect);
  if (key) {
    want.push(keep({ key, effect: 'NoSchedule' }) ?? { key, effect: 'NoSchedule' });
    want.push(keep({ key, effect: 'NoExecute' }) ?? { key, effect: 'NoExecute', timeAdded: nowIso(now) });
  }
  for (const c of (node.status?.conditions as Condition[] | undefined) ?? []) {
    const taintKey = c.status === 'True' ? conditionTaints.get(c.type) : undefined;
    if (taintKey && !want.some((t) => t.key === taintKey)) want.push(keep({ key: taintKey, effect: 'NoSchedule' }) ?? { key: taintKey, effect: 'NoSchedule' });
  }
  if (node.spec?.unschedulable) want.push(keep({ key: TaintUnschedulable, effect: 'NoSchedule' }) ?? { key: TaintUnschedulable, effect: 'NoSchedule', timeAdded: nowIso(now) });
  const next = [...current.filter((t) => !managed(t)), ...want];
  const same = next.length === current.length && next.every((t) => current.includes(t));
  return same ? undefined : next;
}

/** What the DefaultTolerationSeconds admission plugin adds to every pod (the API server does it). */
export const AdmissionDefaultTolerationSeconds = 300;

/**
 * The pod's tolerations as the taint manager applies them. Tolerations shaped like the admission
 * default (not-ready/unreachable, Exists, NoExecute, 300 s) — or missing, if the pod was stored without
 * admission — count as `defaultSeconds`, so simulations can shorten evictions without editing pods.
 */
export function effectiveTolerations(pod: KubeObject, defaultSeconds: number): Toleration[] {
  const tols: Toleration[] = pod.spec?.tolerations ?? [];
  const isDefaultKey = (k?: string) => k === TaintNotReady || k === TaintUnreachable;
  const out = tols.map((t) =>
    isDefaultKey(t.key) && t.operator === 'Exists' && t.effect === 'NoExecute' && t.tolerationSeconds === AdmissionDefaultTolerationSeconds
      ? { ...t, tolerationSeconds: defaultSeconds }
      : t,
  );
  for (const key of [TaintNotReady, TaintUnreachable]) {
    const has = tols.some((t) => (t.key === key || (!t.key && t.operator === 'Exists')) && (!t.effect || t.effect === 'NoExecute'));
    if (!has) out.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: defaultSeconds });
  }
  return out;
}

/**
 * processPodOnNode: when a pod on a node with these NoExecute taints must go — 'now' if some taint
 * is not tolerated, at (taint time + min tolerationSeconds) if tolerated for a while, 'never' if forever.
 */
export function evictionTime(tolerations: Toleration[], taints: Taint[], now: number): number | 'never' {
  const noExecute = taints.filter((t) => t.effect === 'NoExecute');
  if (noExecute.length === 0) return 'never';
  let min = Infinity;
  let since = 0;
  for (const taint of noExecute) {
    const matching = tolerations.filter((t) => toleratesTaint(t, taint));
    if (matching.length === 0) return now;
    for (const t of matching) if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null) min = Math.min(min, Math.max(0, t.tolerationSeconds));
    since = Math.max(since, Date.parse(taint.timeAdded ?? '') || now);
  }
  return min === Infinity ? 'never' : since + min * 1000;
}

/** MarkPodsNotReady: the pod's conditions with Ready=False, or undefined when already so. */
export function notReadyConditions(pod: KubeObject, now: number): Condition[] | undefined {
  const conds: Condition[] = deepCopy(pod.status?.conditions ?? []);
  const c = conds.find((x) => x.type === 'Ready');
  if (!c || c.status === 'False') return undefined;
  c.status = 'False';
  c.lastTransitionTime = nowIso(now);
  return conds;
}
