// ReplicaSet reconcile decisions as pure functions (pkg/controller/replicaset/replica_set.go):
// which pods to adopt or release, how many to create, which to delete, and the status to write.
import type { KubeObject } from '../../api/types.ts';
import { isPodActive, isPodAvailable, isPodReady, podCondition, type Condition } from '../util/pod.ts';
import { podsToDelete } from '../util/ranking.ts';
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

/** Seconds until minReadySeconds makes some ready pod available, for a requeue (0 = none needed). */
export function availabilityRequeueSeconds(rs: KubeObject, status: any): number {
  const minReady = rs.spec?.minReadySeconds ?? 0;
  // Kubernetes requeues only once all replicas are ready; requeueing whenever a ready pod is not yet
  // available also lets a rollout with minReadySeconds progress without waiting for a resync.
  if (minReady > 0 && status.availableReplicas < status.readyReplicas) return minReady;
  return 0;
}
