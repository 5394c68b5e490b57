// ReplicaSet reconcile decisions as pure functions (pkg/controller/replicaset/replica_set.go):
// which pods to adopt or release, how many to create, which to delete, and the status to write.
import type { KubeObject } from '../../api/types.ts';
import { isPodActive, isPodAvailable, isPodReady, podCondition, restartCount, type Condition } from '../util/pod.ts';
import { removeCondition, setCondition, nowIso } from '../util/conditions.ts';

/** Kubernetes caps one sync's creations/deletions (BurstReplicas). */
export const BurstReplicas = 500;

export type ReplicaPlan = { action: 'none' } | { action: 'create'; count: number } | { action: 'delete'; pods: KubeObject[] };

/** manageReplicas: the difference between active owned pods and desired replicas, capped at BurstReplicas. */
export function planReplicas(desired: number, active: KubeObject[], related: KubeObject[], now: number): ReplicaPlan {
  const diff = active.length - desired;
  if (diff < 0) return { action: 'create', count: Math.min(-diff, BurstReplicas) };
  if (diff > 0) return { action: 'delete', pods: podsToDelete(active, related, Math.min(diff, BurstReplicas), now) };
  return { action: 'none' };
}

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

export interface ReplicaSetStatusInput {
  rs: KubeObject;
  /** Active pods the ReplicaSet controls. */
  pods: KubeObject[];
  /** The error of this sync's create/delete step, if any (becomes the ReplicaFailure condition). */
  manageError?: { reason: 'FailedCreate' | 'FailedDelete'; message: string };
  now: number;
}

/** calculateStatus: counts and the ReplicaFailure condition. */
export function replicaSetStatus({ rs, pods, manageError, now }: ReplicaSetStatusInput): any {
  const templateLabels: Record<string, string> = rs.spec?.template?.metadata?.labels ?? {};
  const minReady = rs.spec?.minReadySeconds ?? 0;
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  for (const p of pods) {
    const labels = p.metadata.labels ?? {};
    if (Object.entries(templateLabels).every(([k, v]) => labels[k] === v)) fullyLabeled++;
    if (isPodReady(p)) {
      ready++;
      if (isPodAvailable(p, minReady, now)) available++;
    }
  }
  let conditions: Condition[] = rs.status?.conditions ?? [];
  if (manageError) {
    conditions = setCondition(conditions, { type: 'ReplicaFailure', status: 'True', reason: manageError.reason, message: manageError.message, lastTransitionTime: nowIso(now) });
  } else {
    conditions = removeCondition(conditions, 'ReplicaFailure');
  }
  const status: any = {
    replicas: pods.length,
    fullyLabeledReplicas: fullyLabeled,
    readyReplicas: ready,
    availableReplicas: available,
    observedGeneration: rs.metadata.generation ?? 1,
  };
  if (conditions.length) status.conditions = conditions;
  return status;
}

/** Whether writing `next` would change anything (updateReplicaSetStatus skips no-op writes). */
export function statusChanged(old: any, next: any): boolean {
  const o = old ?? {};
  for (const f of ['replicas', 'fullyLabeledReplicas', 'readyReplicas', 'availableReplicas', 'observedGeneration']) {
    if ((o[f] ?? 0) !== (next[f] ?? 0)) return true;
  }
  return JSON.stringify(o.conditions ?? []) !== JSON.stringify(next.conditions ?? []);
}

/** A pod from the ReplicaSet's template (controller.GetPodFromTemplate). */
export function podFromTemplate(owner: KubeObject, ownerApiVersion: string, ownerKind: string): KubeObject {
  const t = owner.spec?.template ?? {};
  const meta = t.metadata ?? {};
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `${owner.metadata.name}-`,
      namespace: owner.metadata.namespace,
      labels: { ...(meta.labels ?? {}) },
      ...(meta.annotations ? { annotations: { ...meta.annotations } } : {}),
      ...(meta.finalizers ? { finalizers: [...meta.finalizers] } : {}),
      ownerReferences: [
        { apiVersion: ownerApiVersion, kind: ownerKind, name: owner.metadata.name!, uid: owner.metadata.uid!, controller: true, blockOwnerDeletion: true },
      ],
    },
    spec: structuredClone(t.spec ?? {}),
  };
}

/** Seconds until minReadySeconds makes some ready pod available, for a requeue (0 = none needed). */
export function availabilityRequeueSeconds(rs: KubeObject, status: any): number {
  const minReady = rs.spec?.minReadySeconds ?? 0;
  // Kubernetes requeues only once all replicas are ready; requeueing whenever a ready pod is not yet
  // available also lets a rollout with minReadySeconds progress without waiting for a resync.
  if (minReady > 0 && status.availableReplicas < status.readyReplicas) return minReady;
  return 0;
}
