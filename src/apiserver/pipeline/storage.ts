// Built-in storage admission, as kube-apiserver enables it by default:
// - DefaultStorageClass: a claim created without a class gets the default StorageClass.
// - PersistentVolumeClaimResize: a claim may grow only when bound and its class allows expansion.
// - StorageObjectInUseProtection: new claims and volumes carry the pvc-/pv-protection finalizer
//   (the volume controller removes it once nothing uses the object).
import { StatusError } from '../../api/errors.ts';
import { compareQuantities, isQuantity } from '../../api/quantity.ts';
import type { KubeObject } from '../../api/types.ts';
import {
  ANN_BETA_STORAGE_CLASS,
  claimClass,
  defaultClass,
  PV_PROTECTION_FINALIZER,
  PVC_PROTECTION_FINALIZER,
} from '../../api/core/volumes.ts';
import type { AdmissionAttributes, AdmissionPlugin } from './index.ts';

const isCore = (a: AdmissionAttributes, plural: string) => a.rt.group === '' && a.rt.plural === plural && !a.subresource;

/** The three storage plugins, reading StorageClasses through `listClasses`. */
export function storageAdmission(listClasses: () => Promise<KubeObject[]>): AdmissionPlugin[] {
  return [defaultStorageClass(listClasses), storageObjectInUseProtection(), persistentVolumeClaimResize(listClasses)];
}

export function defaultStorageClass(listClasses: () => Promise<KubeObject[]>): AdmissionPlugin {
  return {
    name: 'DefaultStorageClass',
    typedMutation: true,
    admit(a) {
      if (a.operation !== 'CREATE' || !isCore(a, 'persistentvolumeclaims') || !a.object) return;
      const pvc = a.object;
      // A class (even "" = none) or the beta annotation means the user chose.
      if (pvc.metadata.annotations?.[ANN_BETA_STORAGE_CLASS] !== undefined) return;
      if (pvc.spec?.storageClassName !== undefined && pvc.spec?.storageClassName !== null) return;
      return listClasses().then((classes) => {
        const def = defaultClass(classes);
        if (def) (pvc.spec ??= {}).storageClassName = def.metadata.name;
      });
    },
  };
}

export function storageObjectInUseProtection(): AdmissionPlugin {
  return {
    name: 'StorageObjectInUseProtection',
    typedMutation: true,
    admit(a) {
      if (a.operation !== 'CREATE' || !a.object) return;
      const fin = isCore(a, 'persistentvolumeclaims') ? PVC_PROTECTION_FINALIZER : isCore(a, 'persistentvolumes') ? PV_PROTECTION_FINALIZER : undefined;
      if (!fin) return;
      const fins = (a.object.metadata.finalizers ??= []);
      if (!fins.includes(fin)) fins.push(fin);
    },
  };
}

export function persistentVolumeClaimResize(listClasses: () => Promise<KubeObject[]>): AdmissionPlugin {
  return {
    name: 'PersistentVolumeClaimResize',
    validate(a) {
      if (a.operation !== 'UPDATE' || !isCore(a, 'persistentvolumeclaims') || !a.object || !a.oldObject) return;
      const next = a.object.spec?.resources?.requests?.storage;
      const prev = a.oldObject.spec?.resources?.requests?.storage;
      if (!isQuantity(next) || !isQuantity(prev) || compareQuantities(next, prev) <= 0) return;
      if (a.oldObject.status?.phase !== 'Bound') throw forbidden(a, 'Only bound persistent volume claims can be expanded');
      const name = claimClass(a.object);
      return (name ? listClasses() : Promise.resolve([])).then((classes) => {
        const sc = name ? classes.find((c) => c.metadata.name === name) : undefined;
        if (sc?.allowVolumeExpansion !== true) throw forbidden(a, 'only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize');
      });
    },
  };
}

/** admission.NewForbidden: `<resource> "<name>" is forbidden: <why>`. */
function forbidden(a: AdmissionAttributes, why: string): StatusError {
  return new StatusError(403, 'Forbidden', `${a.rt.plural} "${a.name ?? ''}" is forbidden: ${why}`, { name: a.name, kind: a.rt.plural });
}
