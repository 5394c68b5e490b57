// Persistent volume rules several components apply (the API server's admission, the volume
// controller, the scheduler's VolumeBinding plugin, the node agent): the annotations they hand
// each other, which claims a pod uses, whether a claim is bound, a PV's node affinity, the default
// StorageClass, access modes as kubectl prints them.
import type { KubeObject } from '../types.ts';
import { compareQuantities, isQuantity } from '../quantity.ts';
import { labelSelectorMatches } from '../labels.ts';
import { nodeSelectorMatches, type NodeSelector } from './nodeaffinity.ts';

/** Set by the scheduler on a WaitForFirstConsumer claim: the node its first pod goes to. */
export const ANN_SELECTED_NODE = 'volume.kubernetes.io/selected-node';
/** The provisioner asked to provision a claim (and its beta spelling, still written). */
export const ANN_STORAGE_PROVISIONER = 'volume.kubernetes.io/storage-provisioner';
export const ANN_BETA_STORAGE_PROVISIONER = 'volume.beta.kubernetes.io/storage-provisioner';
/** On a PV: the provisioner that created it. */
export const ANN_PROVISIONED_BY = 'pv.kubernetes.io/provisioned-by';
/** On a claim: binding is complete (the controller's own bookkeeping). */
export const ANN_BIND_COMPLETED = 'pv.kubernetes.io/bind-completed';
/** On a PV or claim: the controller (not the user) set claimRef / volumeName. */
export const ANN_BOUND_BY_CONTROLLER = 'pv.kubernetes.io/bound-by-controller';
export const ANN_DEFAULT_CLASS = 'storageclass.kubernetes.io/is-default-class';
export const ANN_BETA_DEFAULT_CLASS = 'storageclass.beta.kubernetes.io/is-default-class';
/** The deprecated class annotation, read before spec.storageClassName as Kubernetes does. */
export const ANN_BETA_STORAGE_CLASS = 'volume.beta.kubernetes.io/storage-class';
export const PVC_PROTECTION_FINALIZER = 'kubernetes.io/pvc-protection';
export const PV_PROTECTION_FINALIZER = 'kubernetes.io/pv-protection';
/** A StorageClass whose volumes are created by hand (local volumes): never provisioned. */
export const NO_PROVISIONER = 'kubernetes.io/no-provisioner';

export const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];

/** The names of the claims a pod's volumes use (persistentVolumeClaim sources), in volume order. */
export function podClaimNames(pod: KubeObject): string[] {
  const vols: any[] = pod.spec?.volumes;
  if (!vols || vols.length === 0) return [];
  const out: string[] = [];
  for (const v of vols) {
    const name = v?.persistentVolumeClaim?.claimName;
    if (name) out.push(name);
  }
  return out;
}

/** GetPersistentVolumeClaimClass: the beta annotation first, then spec.storageClassName ('' = none). */
export function claimClass(claim: KubeObject): string {
  const ann = claim.metadata.annotations?.[ANN_BETA_STORAGE_CLASS];
  if (ann !== undefined) return ann;
  return claim.spec?.storageClassName ?? '';
}

/** GetPersistentVolumeClass: the beta annotation first, then spec.storageClassName. */
export function volumeClass(pv: KubeObject): string {
  const ann = pv.metadata.annotations?.[ANN_BETA_STORAGE_CLASS];
  if (ann !== undefined) return ann;
  return pv.spec?.storageClassName ?? '';
}

/** A claim the binder has finished with: a volume name and phase Bound. */
export function claimIsBound(claim: KubeObject): boolean {
  return !!claim.spec?.volumeName && claim.status?.phase === 'Bound';
}

/** Whether a StorageClass carries the default-class annotation ("true", or its beta spelling). */
export function isDefaultClass(sc: KubeObject): boolean {
  const a = sc.metadata.annotations ?? {};
  return a[ANN_DEFAULT_CLASS] === 'true' || a[ANN_BETA_DEFAULT_CLASS] === 'true';
}

/** The default StorageClass: among those annotated, the newest (then the first by name), as GetDefaultClass. */
export function defaultClass(classes: KubeObject[]): KubeObject | undefined {
  let best: KubeObject | undefined;
  for (const sc of classes) {
    if (!isDefaultClass(sc)) continue;
    if (!best) best = sc;
    else {
      const a = Date.parse(sc.metadata.creationTimestamp ?? '') || 0;
      const b = Date.parse(best.metadata.creationTimestamp ?? '') || 0;
      if (a > b || (a === b && (sc.metadata.name ?? '') < (best.metadata.name ?? ''))) best = sc;
    }
  }
  return best;
}

/** The class's binding mode ('Immediate' when unset, as defaulting makes it). */
export function bindingMode(sc: KubeObject | undefined): 'Immediate' | 'WaitForFirstConsumer' {
  return sc?.volumeBindingMode === 'WaitForFirstConsumer' ? 'WaitForFirstConsumer' : 'Immediate';
}

/** A PV's required node affinity against a node (no affinity = any node). */
export function volumeNodeAffinityMatches(pv: KubeObject, nodeName: string, labels: Record<string, string> | undefined): boolean {
  const req: NodeSelector | undefined = pv.spec?.nodeAffinity?.required;
  if (!req) return true;
  return nodeSelectorMatches(req.nodeSelectorTerms ?? [], nodeName, labels ?? {});
}

/** A StorageClass's allowedTopologies against a node's labels (none = any node). */
export function classTopologyMatches(sc: KubeObject | undefined, labels: Record<string, string> | undefined): boolean {
  const terms = (sc?.allowedTopologies as any[] | undefined) ?? [];
  if (terms.length === 0) return true;
  const l = labels ?? {};
  return terms.some((t) => ((t?.matchLabelExpressions as any[]) ?? []).every((e) => Object.hasOwn(l, e.key) && (e.values ?? []).includes(l[e.key])));
}

/** GetAccessModesAsString: RWO, ROX, RWX, RWOP in that order, comma separated. */
export function accessModesString(modes: unknown): string {
  const m = new Set(Array.isArray(modes) ? modes : []);
  const out: string[] = [];
  if (m.has('ReadWriteOnce')) out.push('RWO');
  if (m.has('ReadOnlyMany')) out.push('ROX');
  if (m.has('ReadWriteMany')) out.push('RWX');
  if (m.has('ReadWriteOncePod')) out.push('RWOP');
  return out.join(',');
}

/**
 * The provisioner of kubesim's default class `standard`. The simulated provisioner also serves every
 * other provisioner name (there is no external provisioner to wait for), except NO_PROVISIONER.
 */
export const SIMULATED_PROVISIONER = 'kubesim.io/simulated';

/** A storage quantity of a claim or volume (undefined when absent or malformed). */
export const storageOf = (o: KubeObject | undefined, path: 'spec.capacity' | 'status.capacity' | 'spec.resources.requests'): string | undefined => {
  if (!o) return undefined;
  const v = path === 'spec.capacity' ? o.spec?.capacity?.storage : path === 'status.capacity' ? o.status?.capacity?.storage : o.spec?.resources?.requests?.storage;
  return isQuantity(v) ? String(v) : undefined;
};

/** IsVolumeBoundToClaim: claimRef names the claim, and its uid (when set) is the claim's. */
export function volumeBoundToClaim(pv: KubeObject, claim: KubeObject): boolean {
  const ref = pv.spec?.claimRef;
  if (!ref || ref.name !== claim.metadata.name || (ref.namespace ?? '') !== (claim.metadata.namespace ?? '')) return false;
  return !ref.uid || ref.uid === claim.metadata.uid;
}

/** The volume's access modes include every mode the claim asks for. */
function accessModesFit(claim: KubeObject, pv: KubeObject): boolean {
  const have = new Set<string>(pv.spec?.accessModes ?? []);
  return ((claim.spec?.accessModes as string[]) ?? []).every((m) => have.has(m));
}

/**
 * findMatchingVolume: a volume pre-bound to the claim wins; otherwise the smallest Available,
 * unclaimed volume of the claim's class, volume mode and selector, with enough capacity and the
 * claim's access modes (and, given a node, node affinity to it). With delayBinding and no node,
 * only a pre-bound volume is returned (the scheduler picks for WaitForFirstConsumer claims).
 */
export function findBestMatch(claim: KubeObject, volumes: KubeObject[], opts: { delayBinding: boolean; node?: { name: string; labels?: Record<string, string> }; exclude?: Set<string> } = { delayBinding: false }): KubeObject | undefined {
  const request = storageOf(claim, 'spec.resources.requests') ?? '0';
  const cls = claimClass(claim);
  const mode = claim.spec?.volumeMode ?? 'Filesystem';
  let best: KubeObject | undefined;
  for (const pv of volumes) {
    if (pv.metadata.deletionTimestamp || opts.exclude?.has(pv.metadata.name!)) continue;
    const cap = storageOf(pv, 'spec.capacity');
    if (!cap || compareQuantities(cap, request) < 0) continue;
    if ((pv.spec?.volumeMode ?? 'Filesystem') !== mode || !accessModesFit(claim, pv)) continue;
    const nodeOk = !opts.node || volumeNodeAffinityMatches(pv, opts.node.name, opts.node.labels);
    if (volumeBoundToClaim(pv, claim)) return nodeOk ? pv : undefined;
    if (!opts.node && opts.delayBinding) continue;
    if (pv.status?.phase !== 'Available' || pv.spec?.claimRef) continue;
    if (claim.spec?.selector && !labelSelectorMatches(claim.spec.selector, pv.metadata.labels)) continue;
    if (volumeClass(pv) !== cls || !nodeOk) continue;
    if (!best || compareQuantities(cap, storageOf(best, 'spec.capacity')!) < 0) best = pv;
  }
  return best;
}
