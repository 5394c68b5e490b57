// ownerReferences helpers (metav1.GetControllerOf, NewControllerRef) and ControllerRefManager's
// claim: which objects an owner adopts or releases, and the patches that do it.
import { isStatusError } from '../../api/errors.ts';
import type { KubeObject, OwnerReference } from '../../api/types.ts';
import { metaNamespaceKey, type ResourceClient } from '../../client/index.ts';

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


/** AdoptPod/AdoptReplicaSet's merge patch: our controller reference added to the object's. */
export function adoptPatch(obj: KubeObject, ref: OwnerReference): object {
  return { metadata: { ownerReferences: [...(obj.metadata.ownerReferences ?? []), ref] } };
}

/** ReleasePod/ReleaseReplicaSet's merge patch: the owner's reference removed (null when none remain). */
export function releasePatch(obj: KubeObject, ownerUid: string): object {
  const rest = (obj.metadata.ownerReferences ?? []).filter((r) => r.uid !== ownerUid);
  return { metadata: { ownerReferences: rest.length ? rest : null } };
}

/**
 * Writes a claim's adoptions and releases through `client`. A failed patch is logged and left for
 * the next sync (the object is then still an orphan or still matches nothing); a released object
 * that is already gone is not an error.
 */
export async function writeClaim(
  client: ResourceClient,
  claim: ClaimPlan,
  ref: OwnerReference,
  logger: { debug(o: object, msg?: string): void },
): Promise<void> {
  const patch = (obj: KubeObject, body: object, what: string) =>
    client.patch(obj.metadata.name!, body, { namespace: obj.metadata.namespace, type: 'merge' }).catch((e) => {
      if (!(what === 'release' && isStatusError(e, 404))) logger.debug({ err: String(e), object: metaNamespaceKey(obj) }, `${what} failed`);
    });
  await Promise.all([
    ...claim.adopt.map((o) => patch(o, adoptPatch(o, ref), 'adopt')),
    ...claim.release.map((o) => patch(o, releasePatch(o, ref.uid), 'release')),
  ]);
}
