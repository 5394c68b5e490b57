// Which pods a controller deletes first when it scales down (controller_utils.go ActivePodsWithRanks,
// getPodsToDelete): shared by the ReplicaSet and Job controllers.
import type { KubeObject } from '../../api/types.ts';
import { isPodActive, isPodReady, podCondition, restartCount } from './pod.ts';

const phaseRank: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

/**
 * getPodsToDelete: pods ranked the way ActivePodsWithRanks sorts them (controller_utils.go), first `n`.
 * `related` are the active pods of the same owner family, used to rank pods doubled up on a node first.
 */
export function podsToDelete(pods: KubeObject[], related: KubeObject[], n: number, now: number): KubeObject[] {
  if (n >= pods.length) return pods.slice();
  const perNode = new Map<string, number>();
  for (const p of related) {
    const node = p.spec?.nodeName;
    if (node && isPodActive(p)) perNode.set(node, (perNode.get(node) ?? 0) + 1);
  }
  const rank = (p: KubeObject) => (p.spec?.nodeName ? perNode.get(p.spec.nodeName) ?? 0 : 0);
  return pods
    .slice()
    .sort((a, b) => comparePodsForDeletion(a, b, rank(a), rank(b), now))
    .slice(0, n);
}

/** Negative when `a` should be deleted before `b`. */
export function comparePodsForDeletion(a: KubeObject, b: KubeObject, rankA: number, rankB: number, now: number): number {
  // 1. Unassigned < assigned.
  const assignedA = a.spec?.nodeName ? 1 : 0;
  const assignedB = b.spec?.nodeName ? 1 : 0;
  if (assignedA !== assignedB) return assignedA - assignedB;
  // 2. Pending < Unknown < Running.
  const phA = phaseRank[a.status?.phase ?? 'Pending'] ?? 0;
  const phB = phaseRank[b.status?.phase ?? 'Pending'] ?? 0;
  if (phA !== phB) return phA - phB;
  // 3. Not ready < ready.
  const rA = isPodReady(a) ? 1 : 0;
  const rB = isPodReady(b) ? 1 : 0;
  if (rA !== rB) return rA - rB;
  // 4. Lower pod-deletion-cost < higher.
  const cA = deletionCost(a);
  const cB = deletionCost(b);
  if (cA !== cB) return cA - cB;
  // 5. Doubled up on a node (higher rank) < not.
  if (rankA !== rankB) return rankB - rankA;
  // 6. Ready for less time < more time (both ready here, or both not).
  if (rA === 1) {
    const tA = readySince(a);
    const tB = readySince(b);
    if (tA !== tB) return logBucket(now - tA) - logBucket(now - tB) || tB - tA;
  }
  // 7. Higher restart count < lower.
  const rcA = restartCount(a);
  const rcB = restartCount(b);
  if (rcA !== rcB) return rcB - rcA;
  // 8. Newer < older.
  const ctA = a.metadata.creationTimestamp ? Date.parse(a.metadata.creationTimestamp) : Infinity;
  const ctB = b.metadata.creationTimestamp ? Date.parse(b.metadata.creationTimestamp) : Infinity;
  if (ctA !== ctB) return ctB - ctA;
  return (a.metadata.uid ?? '') < (b.metadata.uid ?? '') ? -1 : (a.metadata.uid ?? '') > (b.metadata.uid ?? '') ? 1 : 0;
}

function deletionCost(p: KubeObject): number {
  const v = Number(p.metadata.annotations?.['controller.kubernetes.io/pod-deletion-cost']);
  return Number.isFinite(v) ? v : 0;
}

function readySince(p: KubeObject): number {
  const t = podCondition(p, 'Ready')?.lastTransitionTime;
  return t ? Date.parse(t) : Infinity;
}

/** LogarithmicScaleDown: durations compared on a log2 scale of seconds, so similar ages tie. */
function logBucket(ms: number): number {
  const s = Math.max(0, ms / 1000);
  return s < 1 ? 0 : Math.floor(Math.log2(s)) + 1;
}
