// What PersistentVolume, PersistentVolumeClaim and the storage.k8s.io kinds share: node selector
// validation (ValidateNodeSelector), access modes, class names, the PV volume sources kubesim
// models (hostPath, local, csi, nfs; the in-tree rest are accepted as given), quantities.
import type { FieldError } from '../errors.ts';
import { forbidden, invalidValue, notSupported, required } from '../errors.ts';
import { parseQuantity } from '../quantity.ts';
import type { Schema } from '../resource.ts';
import { bool, freeform, list, map, obj, str } from '../schema.ts';
import { ACCESS_MODES } from '../core/volumes.ts';
import { fromChecks, isDNS1123Subdomain, isQualifiedName, isValidLabelValue } from '../validation.ts';

/** field.Required with a message: `Required value: <msg>`. */
export const requiredMsg = (field: string, msg: string): FieldError => ({ field, type: 'FieldValueRequired', detail: `Required value: ${msg}` });

export const VOLUME_MODES = ['Block', 'Filesystem'];

const requirementSchema = obj('A node selector requirement is a selector that contains values, a key, and an operator that relates the key and values.', {
  key: str('The label key that the selector applies to.'),
  operator: str("Represents a key's relationship to a set of values. Valid operators are In, NotIn, Exists, DoesNotExist. Gt, and Lt."),
  values: list('An array of string values.', str(), { listType: 'atomic' }),
});

export const nodeSelectorSchema = (description: string): Schema =>
  obj(
    description,
    {
      nodeSelectorTerms: list(
        'Required. A list of node selector terms. The terms are ORed.',
        obj('A null or empty node selector term matches no objects. The requirements of them are ANDed.', {
          matchExpressions: list("A list of node selector requirements by node's labels.", requirementSchema, { listType: 'atomic' }),
          matchFields: list("A list of node selector requirements by node's fields.", requirementSchema, { listType: 'atomic' }),
        }, { 'x-kubernetes-map-type': 'atomic' }),
        { listType: 'atomic' },
      ),
    },
    { 'x-kubernetes-map-type': 'atomic' },
  );

/** ValidateNodeSelector: at least one term; each requirement's operator, values and key. */
export function validateNodeSelector(sel: any, field: string): FieldError[] {
  const terms: any[] = sel?.nodeSelectorTerms ?? [];
  const tf = `${field}.nodeSelectorTerms`;
  if (terms.length === 0) return [requiredMsg(tf, 'must have at least one node selector term')];
  const errs: FieldError[] = [];
  terms.forEach((t, i) => {
    ((t?.matchExpressions as any[]) ?? []).forEach((r, j) => errs.push(...validateRequirement(r, `${tf}[${i}].matchExpressions[${j}]`)));
    ((t?.matchFields as any[]) ?? []).forEach((r, j) => errs.push(...validateFieldRequirement(r, `${tf}[${i}].matchFields[${j}]`)));
  });
  return errs;
}

function validateRequirement(r: any, f: string): FieldError[] {
  const errs: FieldError[] = [];
  const vals: string[] = r?.values ?? [];
  switch (r?.operator) {
    case 'In':
    case 'NotIn':
      if (vals.length === 0) errs.push(requiredMsg(`${f}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (vals.length > 0) errs.push(forbidden(`${f}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      break;
    case 'Gt':
    case 'Lt':
      if (vals.length !== 1) errs.push(requiredMsg(`${f}.values`, "must be specified single value when `operator` is 'Lt' or 'Gt'"));
      break;
    default:
      errs.push(invalidValue(`${f}.operator`, r?.operator ?? '', 'not a valid selector operator'));
  }
  errs.push(...fromChecks(`${f}.key`, r?.key ?? '', isQualifiedName(r?.key ?? '')));
  for (const v of vals) errs.push(...fromChecks(`${f}.values`, v, isValidLabelValue(v)));
  return errs;
}

function validateFieldRequirement(r: any, f: string): FieldError[] {
  const errs: FieldError[] = [];
  if (r?.operator === 'In' || r?.operator === 'NotIn') {
    if ((r.values ?? []).length !== 1) errs.push(requiredMsg(`${f}.values`, "must be only one value when `operator` is 'In' or 'NotIn' for node field selector"));
  } else errs.push(invalidValue(`${f}.operator`, r?.operator ?? '', 'not a valid selector operator'));
  if (r?.key !== 'metadata.name') errs.push(notSupported(`${f}.key`, r?.key ?? '', ['metadata.name']));
  return errs;
}

/** Access modes: at least one (message given), each supported, ReadWriteOncePod alone. */
export function validateAccessModes(modes: unknown, field: string, emptyMsg?: string): FieldError[] {
  const list = Array.isArray(modes) ? modes : [];
  const errs: FieldError[] = [];
  if (list.length === 0) errs.push(emptyMsg ? requiredMsg(field, emptyMsg) : required(field));
  let rwop = false;
  let other = false;
  for (const m of list) {
    if (!ACCESS_MODES.includes(m)) errs.push(notSupported(field, m, ACCESS_MODES));
    else if (m === 'ReadWriteOncePod') rwop = true;
    else other = true;
  }
  if (rwop && other) errs.push(forbidden(field, 'may not use ReadWriteOncePod with other access modes'));
  return errs;
}

/** ValidateClassName (a DNS subdomain), for storageClassName and volumeAttributesClassName. */
export function validateClassName(v: unknown, field: string): FieldError[] {
  if (typeof v !== 'string' || v === '') return [];
  return fromChecks(field, v, isDNS1123Subdomain(v));
}

/** ValidatePositiveQuantityValue + validateBasicResource: a quantity greater than zero. */
export function validatePositiveQuantity(v: unknown, field: string): FieldError[] {
  try {
    const q = parseQuantity(v as string);
    if (q.nano < 0n) return [invalidValue(field, v, 'must be a valid resource quantity')];
    if (q.nano === 0n) return [invalidValue(field, v, 'must be greater than zero')];
    return [];
  } catch (e) {
    return [invalidValue(field, v, (e as Error).message)];
  }
}

/** A CSI driver name (ValidateCSIDriverName): required, at most 63 characters, a DNS subdomain (lower-cased). */
export function validateCSIDriverName(v: unknown, field: string): FieldError[] {
  if (typeof v !== 'string' || v === '') return [required(field)];
  const errs: FieldError[] = [];
  if (v.length > 63) errs.push({ field, type: 'FieldValueTooLong', detail: `Too long: may not be more than 63 bytes` });
  errs.push(...fromChecks(field, v, isDNS1123Subdomain(v.toLowerCase())));
  return errs;
}

const secretRef = (d: string) => obj(d, { name: str('name is unique within a namespace to reference a secret resource.'), namespace: str('namespace defines the space within which the secret name must be unique.') }, { 'x-kubernetes-map-type': 'atomic' });

/** The PV sources with a schema; the deprecated in-tree ones are free-form. */
export const volumeSourceFields: Record<string, Schema> = {
  hostPath: obj('hostPath represents a directory on the host. Provisioned by a developer or tester.', { path: str('path of the directory on the host.'), type: str('type for HostPath Volume. Defaults to ""') }),
  local: obj('local represents directly-attached storage with node affinity', { path: str('path of the full path to the volume on the node.'), fsType: str('fsType is the filesystem type to mount.') }),
  csi: obj('csi represents storage that is handled by an external CSI driver.', {
    driver: str('driver is the name of the driver to use for this volume. Required.'),
    volumeHandle: str('volumeHandle is the unique volume name returned by the CSI volume plugin’s CreateVolume to refer to the volume on all subsequent calls. Required.'),
    readOnly: bool('readOnly value to pass to ControllerPublishVolumeRequest. Defaults to false (read/write).'),
    fsType: str('fsType to mount.'),
    volumeAttributes: map('volumeAttributes of the volume to publish.'),
    controllerPublishSecretRef: secretRef('controllerPublishSecretRef is a reference to the secret object containing sensitive information to pass to the CSI driver to complete the CSI ControllerPublishVolume and ControllerUnpublishVolume calls.'),
    nodeStageSecretRef: secretRef('nodeStageSecretRef is a reference to the secret object containing sensitive information to pass to the CSI driver to complete the CSI NodeStageVolume and NodeStageVolume and NodeUnstageVolume calls.'),
    nodePublishSecretRef: secretRef('nodePublishSecretRef is a reference to the secret object containing sensitive information to pass to the CSI driver to complete the CSI NodePublishVolume and NodeUnpublishVolume calls.'),
    controllerExpandSecretRef: secretRef('controllerExpandSecretRef is a reference to the secret object containing sensitive information to pass to the CSI driver to complete the CSI ControllerExpandVolume call.'),
    nodeExpandSecretRef: secretRef('nodeExpandSecretRef is a reference to the secret object containing sensitive information to pass to the CSI driver to complete the CSI NodeExpandVolume call.'),
  }),
  nfs: obj('nfs represents an NFS mount on the host.', { server: str('server is the hostname or IP address of the NFS server.'), path: str('path that is exported by the NFS server.'), readOnly: bool('readOnly here will force the NFS export to be mounted with read-only permissions.') }),
  ...Object.fromEntries(
    ['awsElasticBlockStore', 'gcePersistentDisk', 'glusterfs', 'iscsi', 'rbd', 'cinder', 'cephfs', 'fc', 'flocker', 'flexVolume', 'azureFile', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'portworxVolume', 'scaleIO', 'storageos'].map(
      (k) => [k, freeform(`${k} volume source (deprecated or in-tree; accepted as given).`)],
    ),
  ),
};

const HOST_PATH_TYPES = ['', 'BlockDevice', 'CharDevice', 'Directory', 'DirectoryOrCreate', 'File', 'FileOrCreate', 'Socket'];

const noBacksteps = (p: string, field: string): FieldError[] => (p.split('/').includes('..') ? [invalidValue(field, p, "must not contain '..'")] : []);

/** Exactly one volume source, each validated as Kubernetes does for the ones kubesim models. */
export function validateVolumeSource(spec: any, field: string): FieldError[] {
  const errs: FieldError[] = [];
  const present = Object.keys(volumeSourceFields).filter((k) => spec?.[k] !== undefined && spec?.[k] !== null);
  if (present.length === 0) return [requiredMsg(field, 'must specify a volume type')];
  for (const k of present.slice(1)) errs.push(forbidden(`${field}.${k}`, 'may not specify more than 1 volume type'));
  const k = present[0];
  const s = spec[k];
  const f = `${field}.${k}`;
  if (k === 'hostPath') {
    if (!s.path) errs.push(required(`${f}.path`));
    else errs.push(...noBacksteps(s.path, `${f}.path`));
    if (s.type !== undefined && !HOST_PATH_TYPES.includes(s.type)) errs.push(notSupported(`${f}.type`, s.type, HOST_PATH_TYPES));
  } else if (k === 'local') {
    if (!s.path) errs.push(required(`${f}.path`));
    else errs.push(...noBacksteps(s.path, `${f}.path`));
  } else if (k === 'csi') {
    errs.push(...validateCSIDriverName(s.driver, `${f}.driver`));
    if (!s.volumeHandle) errs.push(required(`${f}.volumeHandle`));
  } else if (k === 'nfs') {
    if (!s.server) errs.push(required(`${f}.server`));
    if (!s.path) errs.push(required(`${f}.path`));
    else if (!s.path.startsWith('/')) errs.push(invalidValue(`${f}.path`, s.path, 'must be an absolute path'));
  }
  return errs;
}
