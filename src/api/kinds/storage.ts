// storage.k8s.io/v1: StorageClass, CSIDriver, CSINode, VolumeAttachment (all cluster-scoped).
// Defaults, validation (pkg/apis/storage/validation) and the tables kubectl prints.
import type { FieldError } from '../errors.ts';
import { duplicate, forbidden, invalidValue, notSupported, required } from '../errors.ts';
import { age, ageColumn, col, defineKind, keepOldSpec, keepOldStatus } from '../meta.ts';
import { bool, int, int64, list, map, obj, str, time } from '../schema.ts';
import { FIELD_IMMUTABLE, fromChecks, isDNS1123Subdomain, isQualifiedName } from '../validation.ts';
import { jsonEqual } from '../core/json.ts';
import { isDefaultClass } from '../core/volumes.ts';
import { requiredMsg, validateCSIDriverName, volumeSourceFields } from './volumes.ts';

const STORAGE = { group: 'storage.k8s.io', version: 'v1' } as const;
const BINDING_MODES = ['Immediate', 'WaitForFirstConsumer'];
const SC_RECLAIM = ['Delete', 'Retain'];
const immutable = (field: string, a: unknown, b: unknown): FieldError[] => (jsonEqual(a ?? null, b ?? null) ? [] : [invalidValue(field, a ?? null, FIELD_IMMUTABLE)]);

export const storageClass = defineKind({
  ...STORAGE,
  kind: 'StorageClass',
  plural: 'storageclasses',
  shortNames: ['sc'],
  namespaced: false,
  description: 'StorageClass describes the parameters for a class of storage for which PersistentVolumes can be dynamically provisioned.',
  fields: {
    provisioner: str('provisioner indicates the type of the provisioner.'),
    parameters: map('parameters holds the parameters for the provisioner that should create volumes of this storage class.'),
    reclaimPolicy: str('reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class. Defaults to Delete.'),
    mountOptions: list('mountOptions controls the mountOptions for dynamically provisioned PersistentVolumes of this storage class.', str(), { listType: 'atomic' }),
    allowVolumeExpansion: bool('allowVolumeExpansion shows whether the storage class allow volume expand.'),
    volumeBindingMode: str('volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound. When unset, VolumeBindingImmediate is used.'),
    allowedTopologies: list(
      'allowedTopologies restrict the node topologies where volumes can be dynamically provisioned.',
      obj('A topology selector term represents the result of label queries.', {
        matchLabelExpressions: list('A list of topology selector requirements by labels.', obj('A topology selector requirement is a selector that matches given label.', { key: str('The label key that the selector applies to.'), values: list('An array of string values. One value must match the label to be selected.', str(), { listType: 'atomic' }) }), { listType: 'atomic' }),
      }, { 'x-kubernetes-map-type': 'atomic' }),
      { listType: 'atomic' },
    ),
  },
  defaults: (o) => {
    o.reclaimPolicy ||= 'Delete';
    o.volumeBindingMode ||= 'Immediate';
  },
  validate: (o, old) => {
    const errs: FieldError[] = [];
    const p = o.provisioner;
    if (!p) errs.push(required('provisioner'));
    else errs.push(...fromChecks('provisioner', p, isQualifiedName(String(p).toLowerCase())));
    const params = (o.parameters as Record<string, string>) ?? {};
    if (Object.keys(params).length > 512) errs.push({ field: 'parameters', type: 'FieldValueTooLong', detail: 'Too long: may not be more than 512 bytes' });
    let size = 0;
    for (const [k, v] of Object.entries(params)) {
      if (k.length < 1) errs.push(invalidValue('parameters', k, 'field can not be empty.'));
      size += k.length + String(v).length;
    }
    if (size > 256 * 1024) errs.push({ field: 'parameters', type: 'FieldValueTooLong', detail: `Too long: may not be more than ${256 * 1024} bytes` });
    const rp = o.reclaimPolicy as string | undefined;
    const mode = o.volumeBindingMode as string | undefined;
    if (rp && !SC_RECLAIM.includes(rp)) errs.push(notSupported('reclaimPolicy', rp, SC_RECLAIM));
    if (!mode) errs.push(required('volumeBindingMode'));
    else if (!BINDING_MODES.includes(mode)) errs.push(notSupported('volumeBindingMode', mode, BINDING_MODES));
    ((o.allowedTopologies as any[]) ?? []).forEach((t, i) => {
      const exprs: any[] = t?.matchLabelExpressions ?? [];
      const f = `allowedTopologies[${i}].matchLabelExpressions`;
      if (exprs.length === 0) errs.push(requiredMsg(f, 'must have at least one label expression'));
      const keys = new Set<string>();
      exprs.forEach((e, j) => {
        errs.push(...fromChecks(`${f}[${j}].key`, e?.key ?? '', isQualifiedName(e?.key ?? '')));
        if (keys.has(e?.key)) errs.push(duplicate(`${f}[${j}].key`, e.key));
        keys.add(e?.key);
        if ((e?.values ?? []).length === 0) errs.push(requiredMsg(`${f}[${j}].values`, 'must specify as least one value'));
      });
    });
    if (old) {
      if (!jsonEqual(o.parameters ?? {}, old.parameters ?? {})) errs.push(forbidden('parameters', 'updates to parameters are forbidden.'));
      if (o.provisioner !== old.provisioner) errs.push(forbidden('provisioner', 'updates to provisioner are forbidden.'));
      if (o.reclaimPolicy !== old.reclaimPolicy) errs.push(forbidden('reclaimPolicy', 'updates to reclaimPolicy are forbidden.'));
      errs.push(...immutable('volumeBindingMode', o.volumeBindingMode, old.volumeBindingMode));
    }
    return errs;
  },
  // kubectl marks the default class in the NAME cell, so this kind prints its own Name column.
  nameColumn: false,
  columns: [
    col('Name', 'string', 'Name must be unique within a namespace.', 0, 'name'),
    col('Provisioner', 'string', 'provisioner indicates the type of the provisioner.'),
    col('ReclaimPolicy', 'string', 'reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class.'),
    col('VolumeBindingMode', 'string', 'volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound.'),
    col('AllowVolumeExpansion', 'string', 'allowVolumeExpansion shows whether the storage class allow volume expand.'),
    ageColumn,
  ],
  cells: (o, now) => [
    isDefaultClass(o) ? `${o.metadata.name} (default)` : o.metadata.name,
    o.provisioner ?? '',
    o.reclaimPolicy || 'Delete',
    o.volumeBindingMode || 'Immediate',
    o.allowVolumeExpansion === true,
    age(o, now),
  ],
});

// ---- CSIDriver ----

const LIFECYCLE_MODES = ['Ephemeral', 'Persistent'];
const FS_GROUP_POLICIES = ['File', 'None', 'ReadWriteOnceWithFSType'];

export const csiDriver = defineKind({
  ...STORAGE,
  kind: 'CSIDriver',
  plural: 'csidrivers',
  namespaced: false,
  description: 'CSIDriver captures information about a Container Storage Interface (CSI) volume driver deployed on the cluster.',
  fields: {
    spec: obj('spec represents the specification of the CSI Driver.', {
      attachRequired: bool('attachRequired indicates this CSI volume driver requires an attach operation. Defaults to true.'),
      podInfoOnMount: bool('podInfoOnMount indicates this CSI volume driver requires additional pod information (like podName, podUID, etc.) during mount operations. Defaults to false.'),
      volumeLifecycleModes: list('volumeLifecycleModes defines what kind of volumes this CSI volume driver supports. Defaults to Persistent.', str(), { listType: 'set' }),
      storageCapacity: bool('storageCapacity indicates that the CSI volume driver wants pod scheduling to consider the storage capacity that the driver deployment will report. Defaults to false.'),
      fsGroupPolicy: str('fsGroupPolicy defines if the underlying volume supports changing ownership and permission of the volume before being mounted.'),
      tokenRequests: list('tokenRequests indicates the CSI driver needs pods\' service account tokens it is mounting volume for to do necessary authentication.', obj('TokenRequest contains parameters of a service account token.', { audience: str('audience is the intended audience of the token.'), expirationSeconds: int64('expirationSeconds is the duration of validity of the token.') }), { listType: 'atomic' }),
      requiresRepublish: bool('requiresRepublish indicates the CSI driver wants NodePublishVolume being periodically called to reflect any possible change in the mounted volume.'),
      seLinuxMount: bool('seLinuxMount specifies if the CSI driver supports "-o context" mount option.'),
    }),
  },
  nameValidator: (n) => (n.length > 63 ? ['must be no more than 63 characters', ...isDNS1123Subdomain(n.toLowerCase())] : isDNS1123Subdomain(n.toLowerCase())),
  defaults: (o) => {
    const s = (o.spec ??= {});
    s.attachRequired ??= true;
    s.podInfoOnMount ??= false;
    s.storageCapacity ??= false;
    s.requiresRepublish ??= false;
    s.seLinuxMount ??= false;
    s.fsGroupPolicy ??= 'ReadWriteOnceWithFSType';
    if (!s.volumeLifecycleModes || s.volumeLifecycleModes.length === 0) s.volumeLifecycleModes = ['Persistent'];
  },
  validate: (o, old) => {
    const s = o.spec ?? {};
    const errs: FieldError[] = [];
    if (s.attachRequired === undefined) errs.push(required('spec.attachRequired'));
    if (s.podInfoOnMount === undefined) errs.push(required('spec.podInfoOnMount'));
    for (const m of s.volumeLifecycleModes ?? []) if (!LIFECYCLE_MODES.includes(m)) errs.push(notSupported('spec.volumeLifecycleModes', m, LIFECYCLE_MODES));
    if (s.fsGroupPolicy !== undefined && !FS_GROUP_POLICIES.includes(s.fsGroupPolicy)) errs.push(notSupported('spec.fsGroupPolicy', s.fsGroupPolicy, FS_GROUP_POLICIES));
    const auds = new Set<string>();
    ((s.tokenRequests as any[]) ?? []).forEach((t, i) => {
      const a = t?.audience ?? '';
      if (auds.has(a)) errs.push(duplicate(`spec.tokenRequests[${i}].audience`, a));
      auds.add(a);
      if (t?.expirationSeconds !== undefined && t.expirationSeconds < 600) errs.push(invalidValue(`spec.tokenRequests[${i}].expirationSeconds`, t.expirationSeconds, 'may not specify a duration less than 10 minutes'));
    });
    if (old) {
      errs.push(...immutable('spec.attachRequired', s.attachRequired, old.spec?.attachRequired));
      errs.push(...immutable('spec.fsGroupPolicy', s.fsGroupPolicy, old.spec?.fsGroupPolicy));
      errs.push(...immutable('spec.volumeLifecycleModes', s.volumeLifecycleModes, old.spec?.volumeLifecycleModes));
    }
    return errs;
  },
  columns: [
    col('AttachRequired', 'boolean', 'attachRequired indicates this CSI volume driver requires an attach operation.'),
    col('PodInfoOnMount', 'boolean', 'podInfoOnMount indicates this CSI volume driver requires additional pod information during mount operations.'),
    col('StorageCapacity', 'boolean', 'storageCapacity indicates that the CSI volume driver wants pod scheduling to consider the storage capacity.'),
    col('TokenRequests', 'string', "tokenRequests indicates the CSI driver needs pods' service account tokens it is mounting volume for."),
    col('RequiresRepublish', 'boolean', 'requiresRepublish indicates the CSI driver wants NodePublishVolume being periodically called.'),
    col('Modes', 'string', 'volumeLifecycleModes defines what kind of volumes this CSI volume driver supports.'),
    ageColumn,
  ],
  cells: (o, now) => {
    const s = o.spec ?? {};
    const tokens = Array.isArray(s.tokenRequests) ? s.tokenRequests.map((t: any) => t.audience).join(',') : '<unset>';
    const modes = ((s.volumeLifecycleModes as string[]) ?? []).join(',') || '<none>';
    return [s.attachRequired ?? true, s.podInfoOnMount ?? false, s.storageCapacity ?? false, tokens, s.requiresRepublish ?? false, modes, age(o, now)];
  },
});

// ---- CSINode ----

export const csiNode = defineKind({
  ...STORAGE,
  kind: 'CSINode',
  plural: 'csinodes',
  namespaced: false,
  description: 'CSINode holds information about all CSI drivers installed on a node.',
  fields: {
    spec: obj('spec is the specification of CSINode', {
      drivers: list(
        'drivers is a list of information of all CSI Drivers existing on a node.',
        obj('CSINodeDriver holds information about the specification of one CSI driver installed on a node', {
          name: str('name represents the name of the CSI driver that this object refers to.'),
          nodeID: str('nodeID of the node from the driver point of view.'),
          topologyKeys: list('topologyKeys is the list of keys supported by the driver.', str(), { listType: 'atomic' }),
          allocatable: obj('allocatable represents the volume resources of a node that are available for scheduling.', { count: int('count indicates the maximum number of unique volumes managed by the CSI driver that can be used on a node.') }),
        }),
        { strategy: 'merge', mergeKey: 'name', listType: 'map', mapKeys: ['name'] },
      ),
    }),
  },
  validate: (o) => {
    const drivers: any[] = o.spec?.drivers;
    const errs: FieldError[] = [];
    if (!Array.isArray(drivers)) return [required('spec.drivers')];
    const names = new Set<string>();
    drivers.forEach((d, i) => {
      const f = `spec.drivers[${i}]`;
      errs.push(...validateCSIDriverName(d?.name, `${f}.name`));
      if (names.has(d?.name)) errs.push(duplicate(`${f}.name`, d.name));
      names.add(d?.name);
      if (!d?.nodeID) errs.push(required(`${f}.nodeID`));
      else if (String(d.nodeID).length > 192) errs.push({ field: `${f}.nodeID`, type: 'FieldValueTooLong', detail: 'Too long: may not be more than 192 bytes' });
      for (const k of d?.topologyKeys ?? []) errs.push(...fromChecks(`${f}.topologyKeys`, k, isQualifiedName(k)));
      const c = d?.allocatable?.count;
      if (c !== undefined && c !== null && c < 0) errs.push(invalidValue(`${f}.allocatable.count`, c, 'must be greater than or equal to 0'));
    });
    return errs;
  },
  columns: [col('Drivers', 'integer', 'Drivers indicates the number of CSI drivers registered on the node'), ageColumn],
  cells: (o, now) => [((o.spec?.drivers as unknown[]) ?? []).length, age(o, now)],
});

// ---- VolumeAttachment ----

const volumeErrorSchema = obj('VolumeError captures an error encountered during a volume operation.', {
  time: time('time represents the time the error was encountered.'),
  message: str('message represents the error encountered during Attach or Detach operation.'),
  errorCode: int('errorCode is a numeric gRPC code representing the error encountered during Attach or Detach operations.'),
});

export const volumeAttachment = defineKind({
  ...STORAGE,
  kind: 'VolumeAttachment',
  plural: 'volumeattachments',
  namespaced: false,
  subresources: { status: true },
  description: 'VolumeAttachment captures the intent to attach or detach the specified volume to/from the specified node.',
  fields: {
    spec: obj('spec represents specification of the desired attach/detach volume behavior.', {
      attacher: str('attacher indicates the name of the volume driver that MUST handle this request.'),
      source: obj('source represents the volume that should be attached.', {
        persistentVolumeName: str('persistentVolumeName represents the name of the persistent volume to attach.'),
        inlineVolumeSpec: obj('inlineVolumeSpec contains all the information necessary to attach a persistent volume defined by a pod\'s inline VolumeSource.', volumeSourceFields, { 'x-kubernetes-preserve-unknown-fields': true }),
      }),
      nodeName: str('nodeName represents the node that the volume should be attached to.'),
    }),
    status: obj('status represents status of the VolumeAttachment request.', {
      attached: bool('attached indicates the volume is successfully attached.'),
      attachmentMetadata: map('attachmentMetadata is populated with any information returned by the attach operation.'),
      attachError: volumeErrorSchema,
      detachError: volumeErrorSchema,
    }),
  },
  validate: (o, old) => {
    const s = o.spec ?? {};
    const errs: FieldError[] = [];
    if (!s.attacher) errs.push(required('spec.attacher'));
    else errs.push(...validateCSIDriverName(s.attacher, 'spec.attacher'));
    const src = s.source ?? {};
    const hasPV = src.persistentVolumeName !== undefined && src.persistentVolumeName !== null;
    const hasInline = src.inlineVolumeSpec !== undefined && src.inlineVolumeSpec !== null;
    if (!hasPV && !hasInline) errs.push(requiredMsg('spec.source', 'must specify exactly one of inlineVolumeSpec and persistentVolumeName'));
    else if (hasPV && hasInline) errs.push(forbidden('spec.source', 'must specify exactly one of inlineVolumeSpec and persistentVolumeName'));
    else if (hasPV) {
      if (src.persistentVolumeName === '') errs.push(requiredMsg('spec.source.persistentVolumeName', 'must specify non empty persistentVolumeName'));
      else errs.push(...fromChecks('spec.source.persistentVolumeName', src.persistentVolumeName, isDNS1123Subdomain(src.persistentVolumeName)));
    }
    errs.push(...fromChecks('spec.nodeName', s.nodeName ?? '', isDNS1123Subdomain(s.nodeName ?? '')));
    if (old && !jsonEqual(o.spec, old.spec)) errs.push(invalidValue('spec', o.spec, FIELD_IMMUTABLE));
    return errs;
  },
  strategy: { prepareForCreate: (o) => void delete o.status, prepareForUpdate: keepOldStatus, prepareForStatusUpdate: keepOldSpec },
  columns: [
    col('Attacher', 'string', 'attacher indicates the name of the volume driver that MUST handle this request.', 0, 'name'),
    col('PV', 'string', 'persistentVolumeName represents the name of the persistent volume to attach.'),
    col('Node', 'string', 'nodeName represents the node that the volume should be attached to.'),
    col('Attached', 'boolean', 'attached indicates the volume is successfully attached.'),
    ageColumn,
  ],
  cells: (o, now) => [o.spec?.attacher ?? '', o.spec?.source?.persistentVolumeName ?? '', o.spec?.nodeName ?? '', o.status?.attached === true, age(o, now)],
});

