// PersistentVolume (cluster-scoped) and PersistentVolumeClaim (namespaced), core/v1: schemas,
// defaults, validation (ValidatePersistentVolume*, ValidatePersistentVolumeClaim*) with
// Kubernetes' messages, strategies and the tables kubectl prints for them.
import type { KubeObject } from '../types.ts';
import type { FieldError } from '../errors.ts';
import { forbidden, invalidValue, notSupported, required } from '../errors.ts';
import { age, ageColumn, col, defineKind, keepOldSpec, keepOldStatus } from '../meta.ts';
import { canonicalQuantity, compareQuantities, isQuantity, validateQuantityMap } from '../quantity.ts';
import { list, map, obj, quantity, str, time } from '../schema.ts';
import { validateLabelSelector } from '../labels.ts';
import { FIELD_IMMUTABLE } from '../validation.ts';
import { jsonEqual, deepCopy } from '../core/json.ts';
import { accessModesString, claimClass, volumeClass } from '../core/volumes.ts';
import { conditionsSchema, labelSelectorSchema, objectReferenceSchema } from './common.ts';
import {
  nodeSelectorSchema,
  requiredMsg,
  validateAccessModes,
  validateClassName,
  validateNodeSelector,
  validatePositiveQuantity,
  validateVolumeSource,
  volumeSourceFields,
  VOLUME_MODES,
} from './volumes.ts';

const CORE = { group: '', version: 'v1' } as const;
const RECLAIM_POLICIES = ['Delete', 'Recycle', 'Retain'];
const nowSeconds = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

/** Status writes stamp lastPhaseTransitionTime when the phase changes (PersistentVolumeLastPhaseTransitionTime). */
function stampPhaseTransition(o: KubeObject, old?: KubeObject): void {
  const st = o.status;
  if (!st || typeof st !== 'object') return;
  if (old && old.status?.phase === st.phase) {
    if (old.status?.lastPhaseTransitionTime && st.lastPhaseTransitionTime === undefined) st.lastPhaseTransitionTime = old.status.lastPhaseTransitionTime;
    return;
  }
  st.lastPhaseTransitionTime = nowSeconds();
}

export const persistentVolume = defineKind({
  ...CORE,
  kind: 'PersistentVolume',
  plural: 'persistentvolumes',
  shortNames: ['pv'],
  namespaced: false,
  subresources: { status: true },
  description: 'PersistentVolume (PV) is a storage resource provisioned by an administrator. It is analogous to a node.',
  fields: {
    spec: obj('spec defines a specification of a persistent volume owned by the cluster. Provisioned by an administrator.', {
      capacity: map("capacity is the description of the persistent volume's resources and capacity.", quantity()),
      accessModes: list('accessModes contains all ways the volume can be mounted.', str(), { listType: 'atomic' }),
      claimRef: { ...objectReferenceSchema, description: 'claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim. Expected to be non-nil when bound.' },
      persistentVolumeReclaimPolicy: str('persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim. Valid options are Retain (default for manually created PersistentVolumes), Delete (default for dynamically provisioned PersistentVolumes), and Recycle (deprecated).'),
      storageClassName: str('storageClassName is the name of StorageClass to which this persistent volume belongs. Empty value means that this volume does not belong to any StorageClass.'),
      mountOptions: list('mountOptions is the list of mount options, e.g. ["ro", "soft"].', str(), { listType: 'atomic' }),
      volumeMode: str('volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state. Value of Filesystem is implied when not included in spec.'),
      nodeAffinity: obj('nodeAffinity defines constraints that limit what nodes this volume can be accessed from.', { required: nodeSelectorSchema('required specifies hard node constraints that must be met.') }),
      volumeAttributesClassName: str('Name of VolumeAttributesClass to which this persistent volume belongs.'),
      ...volumeSourceFields,
    }),
    status: obj('status represents the current information/status for the persistent volume. Populated by the system.', {
      phase: str('phase indicates if a volume is available, bound to a claim, or released by a claim.'),
      message: str('message is a human-readable message indicating details about why the volume is in this state.'),
      reason: str('reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy display in the CLI.'),
      lastPhaseTransitionTime: time('lastPhaseTransitionTime is the time the phase transitioned from one to another.'),
    }),
  },
  defaults: (o) => {
    const spec = (o.spec ??= {});
    spec.persistentVolumeReclaimPolicy ||= 'Retain';
    spec.volumeMode ??= 'Filesystem';
    if (spec.hostPath) spec.hostPath.type ??= '';
  },
  validate: (o, old) => {
    const spec = o.spec ?? {};
    const errs: FieldError[] = [...validateAccessModes(spec.accessModes, 'spec.accessModes')];
    const cap = spec.capacity;
    if (!cap || Object.keys(cap).length === 0) errs.push(required('spec.capacity'));
    if (!cap || cap.storage === undefined || Object.keys(cap).length > 1) errs.push(notSupported('spec.capacity', cap ?? {}, ['storage']));
    for (const [k, v] of Object.entries(cap ?? {})) errs.push(...validatePositiveQuantity(v, `spec.capacity[${k}]`));
    const rp = spec.persistentVolumeReclaimPolicy;
    if (rp && !RECLAIM_POLICIES.includes(rp)) errs.push(notSupported('spec.persistentVolumeReclaimPolicy', rp, RECLAIM_POLICIES));
    if (spec.nodeAffinity) {
      if (spec.nodeAffinity.required) errs.push(...validateNodeSelector(spec.nodeAffinity.required, 'spec.nodeAffinity.required'));
      else errs.push(requiredMsg('spec.nodeAffinity.required', 'must specify required node constraints'));
    }
    errs.push(...validateVolumeSource(spec, 'spec'));
    if (spec.local && !spec.nodeAffinity) errs.push(requiredMsg('spec.nodeAffinity', 'Local volume requires node affinity'));
    errs.push(...validateClassName(spec.storageClassName, 'spec.storageClassName'));
    if (spec.volumeMode !== undefined && !VOLUME_MODES.includes(spec.volumeMode)) errs.push(notSupported('spec.volumeMode', spec.volumeMode, VOLUME_MODES));
    const phase = o.status?.phase;
    if (phase && !['Pending', 'Available', 'Bound', 'Released', 'Failed'].includes(phase)) errs.push(notSupported('status.phase', phase, ['Available', 'Bound', 'Failed', 'Pending', 'Released']));
    if (old) errs.push(...validatePVUpdate(o, old));
    return errs;
  },
  strategy: {
    prepareForCreate: (o) => {
      o.status = { phase: 'Pending', lastPhaseTransitionTime: nowSeconds() };
    },
    prepareForUpdate: keepOldStatus,
    prepareForStatusUpdate: (o, old) => {
      keepOldSpec(o, old);
      stampPhaseTransition(o, old);
    },
  },
  columns: [
    col('Capacity', 'string', "capacity is the description of the persistent volume's resources and capacity."),
    col('Access Modes', 'string', 'accessModes contains all ways the volume can be mounted.'),
    col('Reclaim Policy', 'string', 'persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim.'),
    col('Status', 'string', 'phase indicates if a volume is available, bound to a claim, or released by a claim.'),
    col('Claim', 'string', 'claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim.'),
    col('StorageClass', 'string', 'StorageClass of the pv'),
    col('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pv'),
    col('Reason', 'string', 'reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy display in the CLI.'),
    ageColumn,
    col('VolumeMode', 'string', 'volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state.', 1),
  ],
  cells: (o, now) => {
    const spec = o.spec ?? {};
    const ref = spec.claimRef ? `${spec.claimRef.namespace ?? ''}/${spec.claimRef.name ?? ''}` : '';
    const phase = o.metadata.deletionTimestamp ? 'Terminating' : (o.status?.phase ?? '');
    return [
      quantityCell(spec.capacity?.storage) || '0',
      accessModesString(spec.accessModes),
      spec.persistentVolumeReclaimPolicy ?? '',
      phase,
      ref,
      volumeClass(o),
      spec.volumeAttributesClassName ?? '<unset>',
      o.status?.reason ?? '',
      age(o, now),
      spec.volumeMode ?? '<unset>',
    ];
  },
});

const quantityCell = (q: unknown): string => (isQuantity(q) ? canonicalQuantity(q as string) : '');

/** ValidatePersistentVolumeUpdate: the volume source and volumeMode are immutable; nodeAffinity once set. */
function validatePVUpdate(o: KubeObject, old: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const src = (s: any) => Object.fromEntries(Object.keys(volumeSourceFields).filter((k) => s?.[k] !== undefined).map((k) => [k, s[k]]));
  if (!jsonEqual(src(o.spec), src(old.spec))) errs.push(forbidden('spec.persistentvolumesource', 'spec.persistentvolumesource is immutable after creation'));
  if ((o.spec?.volumeMode ?? null) !== (old.spec?.volumeMode ?? null)) errs.push(invalidValue('volumeMode', o.spec?.volumeMode ?? null, FIELD_IMMUTABLE));
  if (old.spec?.nodeAffinity && !jsonEqual(o.spec?.nodeAffinity, old.spec.nodeAffinity)) errs.push(invalidValue('nodeAffinity.required', o.spec?.nodeAffinity?.required ?? null, FIELD_IMMUTABLE));
  return errs;
}

// ---- PersistentVolumeClaim ----

const CLAIM_PHASES = ['Bound', 'Lost', 'Pending'];
const typedRef = (d: string, extra: Record<string, ReturnType<typeof str>> = {}) =>
  obj(d, { apiGroup: str('APIGroup is the group for the resource being referenced.'), kind: str('Kind is the type of resource being referenced'), name: str('Name is the name of resource being referenced'), ...extra });

export const claimSpecSchema = obj('spec defines the desired characteristics of a volume requested by a pod author.', {
  accessModes: list('accessModes contains the desired access modes the volume should have.', str(), { listType: 'atomic' }),
  selector: { ...labelSelectorSchema, description: 'selector is a label query over volumes to consider for binding.' },
  resources: obj('resources represents the minimum resources the volume should have.', {
    limits: map('Limits describes the maximum amount of compute resources allowed.', quantity()),
    requests: map('Requests describes the minimum amount of compute resources required.', quantity()),
  }),
  volumeName: str('volumeName is the binding reference to the PersistentVolume backing this claim.'),
  storageClassName: str('storageClassName is the name of the StorageClass required by the claim.'),
  volumeMode: str('volumeMode defines what type of volume is required by the claim. Value of Filesystem is implied when not included in claim spec.'),
  dataSource: typedRef('dataSource field can be used to specify either an existing VolumeSnapshot object, an existing PVC or an existing custom resource that implements data population.'),
  dataSourceRef: typedRef('dataSourceRef specifies the object from which to populate the volume with data, if a non-empty volume is desired.', { namespace: str('Namespace is the namespace of resource being referenced.') }),
  volumeAttributesClassName: str('volumeAttributesClassName may be used to set the VolumeAttributesClass used by this claim.'),
});

/** ValidatePersistentVolumeClaimSpec (also for volumeClaimTemplates). */
export function validateClaimSpec(spec: any, f: string): FieldError[] {
  const errs = validateAccessModes(spec?.accessModes, `${f}.accessModes`, 'at least 1 access mode is required');
  if (spec?.selector) errs.push(...validateLabelSelector(spec.selector, `${f}.selector`));
  const storage = spec?.resources?.requests?.storage;
  if (storage === undefined) errs.push(required(`${f}.resources[storage]`));
  else errs.push(...validatePositiveQuantity(storage, `${f}.resources[storage]`));
  errs.push(...validateQuantityMap(spec?.resources?.limits, `${f}.resources.limits`));
  errs.push(...validateClassName(spec?.storageClassName, `${f}.storageClassName`));
  if (spec?.volumeMode !== undefined && !VOLUME_MODES.includes(spec.volumeMode)) errs.push(notSupported(`${f}.volumeMode`, spec.volumeMode, VOLUME_MODES));
  for (const k of ['dataSource', 'dataSourceRef']) {
    const ds = spec?.[k];
    if (!ds) continue;
    if (!ds.name) errs.push(required(`${f}.${k}.name`));
    if (!ds.kind) errs.push(required(`${f}.${k}.kind`));
    if (!ds.apiGroup && ds.kind !== 'PersistentVolumeClaim') errs.push(invalidValue(`${f}.${k}`, ds.kind ?? '', "must be 'PersistentVolumeClaim' when referencing the default apiGroup"));
  }
  errs.push(...validateClassName(spec?.volumeAttributesClassName, `${f}.volumeAttributesClassName`));
  return errs;
}

/** Go-ish field names for the immutability diff (core.PersistentVolumeClaimSpec{...}). */
const GO_FIELDS: Record<string, string> = { accessModes: 'AccessModes', selector: 'Selector', resources: 'Resources', volumeName: 'VolumeName', storageClassName: 'StorageClassName', volumeMode: 'VolumeMode', dataSource: 'DataSource', dataSourceRef: 'DataSourceRef', volumeAttributesClassName: 'VolumeAttributesClassName' };

function specDiff(oldSpec: any, newSpec: any): string {
  const lines = ['  core.PersistentVolumeClaimSpec{'];
  for (const [k, g] of Object.entries(GO_FIELDS)) {
    if (jsonEqual(oldSpec?.[k], newSpec?.[k])) continue;
    if (oldSpec?.[k] !== undefined) lines.push(`-   ${g}: ${JSON.stringify(oldSpec[k])},`);
    if (newSpec?.[k] !== undefined) lines.push(`+   ${g}: ${JSON.stringify(newSpec[k])},`);
  }
  lines.push('  }');
  return lines.join('\n');
}

/** ValidatePersistentVolumeClaimUpdate: only resources.requests (bound claims) and a first volumeName may change. */
export function validateClaimUpdate(o: KubeObject, old: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const next = deepCopy(o.spec ?? {});
  const prev = deepCopy(old.spec ?? {});
  if (!prev.volumeName) {
    if (next.volumeName === undefined) delete prev.volumeName;
    else prev.volumeName = next.volumeName;
  }
  // A claim without a class may get one (validateStorageClassUpgradeFromNil).
  const oldAnn = old.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'];
  if (prev.storageClassName === undefined && next.storageClassName !== undefined && (oldAnn === undefined || oldAnn === next.storageClassName)) prev.storageClassName = next.storageClassName;
  const bound = o.status?.phase === 'Bound';
  if (bound && next.resources?.requests) {
    if (prev.resources?.requests?.storage !== undefined) next.resources.requests.storage = prev.resources.requests.storage;
    else delete next.resources.requests.storage;
  }
  if (bound && next.volumeAttributesClassName !== undefined) next.volumeAttributesClassName = prev.volumeAttributesClassName;
  if (!jsonEqual(next, prev)) errs.push(forbidden('spec', `spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n${specDiff(prev, next)}`));
  const newSize = o.spec?.resources?.requests?.storage;
  const oldSize = old.spec?.resources?.requests?.storage;
  if (isQuantity(newSize) && isQuantity(oldSize) && compareQuantities(newSize, oldSize) < 0) {
    // RecoverVolumeExpansionFailure (beta, on in 1.32): a request may shrink, but not to status.capacity or below.
    const statusSize = old.status?.capacity?.storage ?? '0';
    if (!isQuantity(statusSize) || compareQuantities(newSize, statusSize) <= 0) errs.push(forbidden('spec.resources.requests.storage', 'field can not be less than status.capacity'));
  }
  if ((o.spec?.volumeMode ?? null) !== (old.spec?.volumeMode ?? null)) errs.push(invalidValue('volumeMode', o.spec?.volumeMode ?? null, FIELD_IMMUTABLE));
  return errs;
}

export const persistentVolumeClaim = defineKind({
  ...CORE,
  kind: 'PersistentVolumeClaim',
  plural: 'persistentvolumeclaims',
  shortNames: ['pvc'],
  namespaced: true,
  subresources: { status: true },
  description: "PersistentVolumeClaim is a user's request for and claim to a persistent volume",
  fields: {
    spec: claimSpecSchema,
    status: obj('status represents the current information/status of a persistent volume claim. Read-only.', {
      phase: str('phase represents the current phase of PersistentVolumeClaim.'),
      accessModes: list('accessModes contains the actual access modes the volume backing the PVC has.', str(), { listType: 'atomic' }),
      capacity: map('capacity represents the actual resources of the underlying volume.', quantity()),
      conditions: conditionsSchema("conditions is the current Condition of persistent volume claim. If underlying persistent volume is being resized then the Condition will be set to 'Resizing'."),
      allocatedResources: map('allocatedResources tracks the resources allocated to a PVC including its capacity.', quantity()),
      allocatedResourceStatuses: map('allocatedResourceStatuses stores status of resource being resized for the given PVC.'),
      currentVolumeAttributesClassName: str('currentVolumeAttributesClassName is the current name of the VolumeAttributesClass the PVC is using.'),
      modifyVolumeStatus: obj('ModifyVolumeStatus represents the status object of ControllerModifyVolume operation.', { targetVolumeAttributesClassName: str('targetVolumeAttributesClassName is the name of the VolumeAttributesClass the PVC currently being reconciled'), status: str('status is the status of the ControllerModifyVolume operation.') }),
    }),
  },
  defaults: (o) => {
    const spec = (o.spec ??= {});
    spec.volumeMode ??= 'Filesystem';
  },
  validate: (o, old) => {
    const errs = validateClaimSpec(o.spec, 'spec');
    const phase = o.status?.phase;
    if (phase && !CLAIM_PHASES.includes(phase)) errs.push(notSupported('status.phase', phase, CLAIM_PHASES));
    errs.push(...validateQuantityMap(o.status?.capacity, 'status.capacity'));
    if (old) errs.push(...validateClaimUpdate(o, old));
    return errs;
  },
  strategy: {
    prepareForCreate: (o) => {
      o.status = { phase: 'Pending' };
    },
    prepareForUpdate: keepOldStatus,
    prepareForStatusUpdate: keepOldSpec,
  },
  columns: [
    col('Status', 'string', 'phase represents the current phase of PersistentVolumeClaim.'),
    col('Volume', 'string', 'volumeName is the binding reference to the PersistentVolume backing this claim.'),
    col('Capacity', 'string', 'capacity represents the actual resources of the underlying volume.'),
    col('Access Modes', 'string', 'accessModes contains the actual access modes the volume backing the PVC has.'),
    col('StorageClass', 'string', 'StorageClass of the pvc'),
    col('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pvc'),
    ageColumn,
    col('VolumeMode', 'string', 'volumeMode defines what type of volume is required by the claim.', 1),
  ],
  cells: (o, now) => {
    const spec = o.spec ?? {};
    const bound = !!spec.volumeName;
    return [
      o.metadata.deletionTimestamp ? 'Terminating' : (o.status?.phase ?? ''),
      spec.volumeName ?? '',
      bound ? quantityCell(o.status?.capacity?.storage) || '0' : '',
      bound ? accessModesString(o.status?.accessModes) : '',
      claimClass(o),
      spec.volumeAttributesClassName ?? '<unset>',
      age(o, now),
      spec.volumeMode ?? '<unset>',
    ];
  },
});
