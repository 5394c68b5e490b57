// The decisions of the PersistentVolume controller (pkg/controller/volume/persistentvolume) and of
// kubesim's simulated provisioner, as pure functions over cached state: which volume a claim binds
// to (the smallest fit, as findMatchingVolume), when a claim waits for its first consumer, when a
// volume is provisioned (and its shape), release and reclaim, expansion, the protection finalizers.
import type { KubeObject } from '../../api/types.ts';
import { compareQuantities } from '../../api/quantity.ts';
import {
  ANN_BOUND_BY_CONTROLLER,
  ANN_SELECTED_NODE,
  bindingMode,
  claimClass,
  findBestMatch,
  NO_PROVISIONER,
  storageOf,
  volumeBoundToClaim,
} from '../../api/core/volumes.ts';
import { deepCopy } from '../../api/core/json.ts';

export { findBestMatch, volumeBoundToClaim };

export type ClaimAction =
  | { kind: 'none' }
  /** A claim created before any default class existed gets it now (retroactive default class). */
  | { kind: 'setClass'; className: string }
  | { kind: 'waitForFirstConsumer' }
  /** Bind claim and volume both ways and mark both Bound (each step skipped when already done). */
  | { kind: 'bind'; volume: KubeObject }
  | { kind: 'provision'; volume: KubeObject; provisioner: string }
  /** Nothing to bind to yet: an event explains why (once per message). */
  | { kind: 'pending'; type: 'Normal' | 'Warning'; reason: string; message: string }
  | { kind: 'lost'; reason: string; message: string }
  /** Bound, and the request grew past the volume: resize the volume to `size`. */
  | { kind: 'expand'; volume: KubeObject; size: string };

export type VolumeAction =
  | { kind: 'none' }
  | { kind: 'phase'; phase: 'Available' | 'Bound' | 'Released' }
  /** Released with reclaim policy Delete: the volume goes. */
  | { kind: 'delete' }
  /** Recycle (deprecated): scrubbed and Available again, claimRef cleared. */
  | { kind: 'recycle' }
  /** Bound by the controller to a claim that bound another volume: roll the binding back. */
  | { kind: 'unbind' };

export interface ClaimView {
  claim: KubeObject;
  /** The volume named by claim.spec.volumeName, if any. */
  volume?: KubeObject;
  /** Every volume (for matching unbound claims). */
  volumes: KubeObject[];
  classes: Map<string, KubeObject>;
  /** The default class's name, when there is one. */
  defaultClass?: string;
}

/** The claim reference a bound volume carries. */
export function claimRefOf(claim: KubeObject): Record<string, string> {
  return {
    kind: 'PersistentVolumeClaim',
    namespace: claim.metadata.namespace ?? '',
    name: claim.metadata.name!,
    uid: claim.metadata.uid ?? '',
    apiVersion: 'v1',
    resourceVersion: claim.metadata.resourceVersion ?? '',
  };
}

/** The volume the simulated provisioner creates for a claim: pvc-<uid>, pre-bound, on the selected node if any. */
export function provisionedVolume(claim: KubeObject, sc: KubeObject, node?: string): KubeObject {
  const name = `pvc-${claim.metadata.uid}`;
  const spec: Record<string, unknown> = {
    capacity: { storage: storageOf(claim, 'spec.resources.requests') ?? '0' },
    accessModes: deepCopy(claim.spec?.accessModes ?? []),
    persistentVolumeReclaimPolicy: (sc.reclaimPolicy as string) || 'Delete',
    storageClassName: sc.metadata.name,
    volumeMode: claim.spec?.volumeMode ?? 'Filesystem',
    claimRef: claimRefOf(claim),
    hostPath: { path: `/var/lib/kubesim/volumes/${name}`, type: 'DirectoryOrCreate' },
  };
  if (Array.isArray(sc.mountOptions)) spec.mountOptions = deepCopy(sc.mountOptions);
  if (node) spec.nodeAffinity = { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [node] }] }] } };
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name, annotations: { 'pv.kubernetes.io/provisioned-by': sc.provisioner as string } },
    spec,
  };
}

/** What a claim needs next. */
export function planClaim(v: ClaimView): ClaimAction {
  const { claim } = v;
  if (claim.metadata.deletionTimestamp) return { kind: 'none' };
  const volumeName: string | undefined = claim.spec?.volumeName;
  if (!volumeName) return planUnboundClaim(v);
  const pv = v.volume;
  if (!pv) {
    if (claim.status?.phase === 'Bound') return { kind: 'lost', reason: 'ClaimLost', message: 'Bound claim has lost its PersistentVolume. Data on the volume is lost!' };
    return { kind: 'none' }; // pre-bound to a volume that does not exist yet
  }
  const ref = pv.spec?.claimRef;
  if (!ref) return { kind: 'bind', volume: pv };
  if (!volumeBoundToClaim(pv, claim)) {
    if (claim.status?.phase === 'Bound') return { kind: 'lost', reason: 'ClaimMisbound', message: 'Two claims are bound to the same volume, this one is bound incorrectly' };
    return { kind: 'pending', type: 'Warning', reason: 'FailedBinding', message: `volume "${volumeName}" already bound to a different claim.` };
  }
  if (!ref.uid || pv.status?.phase !== 'Bound' || claim.status?.phase !== 'Bound' || storageOf(claim, 'status.capacity') === undefined) return { kind: 'bind', volume: pv };
  const want = storageOf(claim, 'spec.resources.requests');
  const have = storageOf(pv, 'spec.capacity');
  const shown = storageOf(claim, 'status.capacity');
  if (want && have && compareQuantities(want, have) > 0) return { kind: 'expand', volume: pv, size: want };
  if (have && shown && compareQuantities(have, shown) > 0) return { kind: 'bind', volume: pv }; // status catches up with a resized volume
  return { kind: 'none' };
}

function planUnboundClaim(v: ClaimView): ClaimAction {
  const { claim } = v;
  const specClass = claim.spec?.storageClassName;
  const annClass = claim.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'];
  if ((specClass === undefined || specClass === null) && annClass === undefined && v.defaultClass) return { kind: 'setClass', className: v.defaultClass };
  const cls = claimClass(claim);
  const sc = cls ? v.classes.get(cls) : undefined;
  const delay = bindingMode(sc) === 'WaitForFirstConsumer';
  const match = findBestMatch(claim, v.volumes, { delayBinding: delay });
  if (match) return { kind: 'bind', volume: match };
  if (cls === '') return { kind: 'pending', type: 'Normal', reason: 'FailedBinding', message: 'no persistent volumes available for this claim and no storage class is set' };
  if (!sc) return { kind: 'pending', type: 'Warning', reason: 'ProvisioningFailed', message: `storageclass.storage.k8s.io "${cls}" not found` };
  const node = claim.metadata.annotations?.[ANN_SELECTED_NODE];
  if (delay && !node) return { kind: 'waitForFirstConsumer' };
  const provisioner = sc.provisioner as string;
  if (provisioner === NO_PROVISIONER) {
    return {
      kind: 'pending',
      type: 'Normal',
      reason: 'ExternalProvisioning',
      message: `Waiting for a volume to be created either by the external provisioner '${provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`,
    };
  }
  if (v.volumes.some((pv) => pv.metadata.name === `pvc-${claim.metadata.uid}`)) return { kind: 'none' }; // provisioned; binds on its event
  return { kind: 'provision', volume: provisionedVolume(claim, sc, delay ? node : undefined), provisioner };
}

/**
 * What a volume needs next. `claim` is the claim its claimRef names (undefined = not found, after
 * the caller double-checked with a live read).
 */
export function planVolume(pv: KubeObject, claim: KubeObject | undefined): VolumeAction {
  if (pv.metadata.deletionTimestamp) return { kind: 'none' };
  const phase = pv.status?.phase;
  const ref = pv.spec?.claimRef;
  if (!ref || !ref.uid) {
    // Unclaimed, or pre-bound by the user to a claim name: Available (a Released volume stays so until reclaimed).
    if (phase === 'Released' || phase === 'Failed') return { kind: 'none' };
    return phase === 'Available' ? { kind: 'none' } : { kind: 'phase', phase: 'Available' };
  }
  if (!claim || claim.metadata.uid !== ref.uid) {
    if (phase !== 'Released' && phase !== 'Failed') return { kind: 'phase', phase: 'Released' };
    const policy = pv.spec?.persistentVolumeReclaimPolicy;
    if (phase === 'Released' && policy === 'Delete') return { kind: 'delete' };
    if (phase === 'Released' && policy === 'Recycle') return { kind: 'recycle' };
    return { kind: 'none' };
  }
  const claimVolume = claim.spec?.volumeName;
  if (claimVolume && claimVolume !== pv.metadata.name) {
    return pv.metadata.annotations?.[ANN_BOUND_BY_CONTROLLER] === 'yes' ? { kind: 'unbind' } : { kind: 'none' };
  }
  return phase === 'Bound' ? { kind: 'none' } : { kind: 'phase', phase: 'Bound' };
}

/** A terminating claim may lose pvc-protection once no running pod uses it. */
export function claimInUse(claim: KubeObject, pods: KubeObject[]): boolean {
  for (const p of pods) {
    if (p.metadata.namespace !== claim.metadata.namespace) continue;
    const phase = p.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') continue;
    for (const v of (p.spec?.volumes as any[]) ?? []) if (v?.persistentVolumeClaim?.claimName === claim.metadata.name) return true;
  }
  return false;
}

/** A terminating volume may lose pv-protection once it is not bound to a claim. */
export function volumeInUse(pv: KubeObject): boolean {
  return pv.status?.phase === 'Bound';
}
