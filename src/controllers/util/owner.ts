// ownerReferences helpers (metav1.GetControllerOf, NewControllerRef).
import type { KubeObject, OwnerReference } from '../../api/types.ts';

export function controllerOf(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((r) => r.controller === true);
}

export function isControlledBy(obj: KubeObject, owner: KubeObject): boolean {
  const ref = controllerOf(obj);
  return !!ref && ref.uid === owner.metadata.uid;
}

export function newControllerRef(owner: KubeObject, apiVersion: string, kind: string): OwnerReference {
  return {
    apiVersion,
    kind,
    name: owner.metadata.name!,
    uid: owner.metadata.uid!,
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** Objects indexed by their controller's uid, and orphans under `orphan/<namespace>` (claim candidates). */
export const BY_CONTROLLER = 'byControllerUid';
export const controllerIndex = (o: KubeObject): string[] => [controllerOf(o)?.uid ?? `orphan/${o.metadata.namespace}`];

export interface ClaimPlan {
  /** Pods this owner controls after the claim (already owned + to adopt, minus released). */
  owned: KubeObject[];
  adopt: KubeObject[];
  release: KubeObject[];
}

/**
 * ControllerRefManager.ClaimPods/ClaimReplicaSets: owned pods that stop matching are released; orphans that match are
 * adopted (unless the owner is being deleted); pods controlled by someone else are left alone.
 */
export function claimObjects(owner: KubeObject, objs: KubeObject[], matches: (obj: KubeObject) => boolean): ClaimPlan {
  const plan: ClaimPlan = { owned: [], adopt: [], release: [] };
  for (const pod of objs) {
    const ref = controllerOf(pod);
    if (ref) {
      if (ref.uid !== owner.metadata.uid) continue;
      if (matches(pod)) plan.owned.push(pod);
      else if (!pod.metadata.deletionTimestamp) plan.release.push(pod);
      continue;
    }
    if (!matches(pod) || owner.metadata.deletionTimestamp || pod.metadata.deletionTimestamp) continue;
    plan.adopt.push(pod);
    plan.owned.push(pod);
  }
  return plan;
}

