// Kinds kubesim stores and validates but runs nothing for: core/v1 PodTemplate, node.k8s.io/v1
// RuntimeClass and apps/v1 ControllerRevision (the history objects StatefulSet/DaemonSet controllers
// write; `kubectl rollout history` reads them).
import type { KubeObject } from '../types.ts';
import type { FieldError } from '../errors.ts';
import { required } from '../errors.ts';
import { age, ageColumn, col, defineKind } from '../meta.ts';
import { formatLabels } from '../labels.ts';
import { validateQuantityMap } from '../quantity.ts';
import { freeform, int64, list, map, obj, quantity, str } from '../schema.ts';
import { FIELD_IMMUTABLE, fromChecks, invalidRendered, nameIsDNSLabel, validateLabels, validateNonnegative } from '../validation.ts';
import { jsonEqual } from '../core/json.ts';
import { invalidValue } from '../errors.ts';
import { defaultPodSpec, podTemplateSpecSchema, toleration, validatePodSpec, validateTolerations } from './podspec.ts';

// ---- PodTemplate ----

export const podTemplate = defineKind({
  group: '',
  version: 'v1',
  kind: 'PodTemplate',
  plural: 'podtemplates',
  namespaced: true,
  description: 'PodTemplate describes a template for creating copies of a predefined pod.',
  fields: { template: { ...podTemplateSpecSchema, description: 'Template defines the pods that will be created from this pod template.' } },
  defaults: (o) => {
    const t = o.template as any;
    if (t && typeof t === 'object') defaultPodSpec(t.spec);
  },
  // ValidatePodTemplate → ValidatePodTemplateSpec: template labels/annotations and its pod spec.
  validate: (o) => {
    const t = (o.template as any) ?? {};
    return [...validateLabels(t.metadata?.labels, 'template.metadata.labels'), ...validatePodSpec(t.spec, 'template.spec')];
  },
  strategy: { specFields: ['template'] },
  columns: [
    col('Containers', 'string', 'Names of each container in the template.'),
    col('Images', 'string', 'Images referenced by each container in the template.'),
    col('Pod Labels', 'string', 'The labels for the pod template.'),
  ],
  cells: (o) => {
    const t = o.template as any;
    const cs: any[] = t?.spec?.containers ?? [];
    return [cs.map((c) => c?.name ?? '').join(','), cs.map((c) => c?.image ?? '').join(','), formatLabels(t?.metadata?.labels)];
  },
});

// ---- RuntimeClass ----

export const runtimeClass = defineKind({
  group: 'node.k8s.io',
  version: 'v1',
  kind: 'RuntimeClass',
  plural: 'runtimeclasses',
  namespaced: false,
  description: 'RuntimeClass defines a class of container runtime supported in the cluster. The RuntimeClass is used to determine which container runtime is used to run all containers in a pod.',
  fields: {
    handler: str('handler specifies the underlying runtime and configuration that the CRI implementation will use to handle pods of this class. The handler must be lowercase, conform to the DNS Label (RFC 1123) requirements, and is immutable.'),
    overhead: obj('overhead represents the resource overhead associated with running a pod for a given RuntimeClass.', {
      podFixed: map('podFixed represents the fixed resource overhead associated with running a pod.', quantity()),
    }),
    scheduling: obj('scheduling holds the scheduling constraints to ensure that pods running with this RuntimeClass are scheduled to nodes that support it.', {
      nodeSelector: map('nodeSelector lists labels that must be present on nodes that support this RuntimeClass.'),
      tolerations: list('tolerations are appended (excluding duplicates) to pods running with this RuntimeClass during admission.', toleration, { listType: 'atomic' }),
    }),
  },
  // ValidateRuntimeClass: handler a DNS label; overhead quantities; scheduling labels and tolerations.
  validate: (o) => {
    const handler = typeof o.handler === 'string' ? o.handler : '';
    const errs: FieldError[] = [...fromChecks('handler', handler, nameIsDNSLabel(handler, false))];
    const overhead = o.overhead as any;
    const scheduling = o.scheduling as any;
    errs.push(...validateQuantityMap(overhead?.podFixed, 'overhead.podFixed'));
    errs.push(...validateLabels(scheduling?.nodeSelector, 'scheduling.nodeSelector'));
    errs.push(...validateTolerations(scheduling?.tolerations, 'scheduling.tolerations'));
    return errs;
  },
  strategy: {
    validateUpdate: (o, old) => (o.handler !== old.handler ? [invalidValue('handler', o.handler ?? '', FIELD_IMMUTABLE)] : []),
  },
  columns: [col('Handler', 'string', 'handler specifies the underlying runtime and configuration that the CRI implementation will use to handle pods of this class.'), ageColumn],
  cells: (o, now) => [o.handler ?? '', age(o, now)],
});

// ---- ControllerRevision ----

/** printers.go: the controller as `<kind>.<group>/<name>` (formatResourceName with kind), "<none>" without one. */
export function controllerOfCell(o: KubeObject): string {
  const ref = (o.metadata.ownerReferences ?? []).find((r) => r?.controller === true);
  if (!ref) return '<none>';
  const group = String(ref.apiVersion ?? '').includes('/') ? String(ref.apiVersion).split('/')[0] : '';
  return `${(group ? `${ref.kind}.${group}` : ref.kind).toLowerCase()}/${ref.name}`;
}

export const controllerRevision = defineKind({
  group: 'apps',
  version: 'v1',
  kind: 'ControllerRevision',
  plural: 'controllerrevisions',
  namespaced: true,
  description: 'ControllerRevision implements an immutable snapshot of state data. Clients are responsible for serializing and deserializing the objects that contain their internal state.',
  fields: {
    data: freeform('Data is the serialized representation of the state.'),
    revision: int64('Revision indicates the revision of the state represented by Data.'),
  },
  defaults: (o) => {
    o.revision ??= 0; // int64, not omitempty
  },
  validate: (o) => {
    const errs: FieldError[] = [];
    if (o.data === undefined || o.data === null) errs.push({ ...required('data'), detail: 'Required value: data is mandatory' });
    errs.push(...validateNonnegative('revision', o.revision));
    return errs;
  },
  strategy: {
    validateUpdate: (o, old) => (jsonEqual(o.data, old.data) ? [] : [invalidRendered('data', 'runtime.RawExtension{...}', FIELD_IMMUTABLE)]),
  },
  columns: [col('Controller', 'string', 'Controller of the object'), col('Revision', 'string', 'Revision indicates the revision of the state represented by Data.'), ageColumn],
  cells: (o, now) => [controllerOfCell(o), o.revision ?? 0, age(o, now)],
});
