// Bodies of the subresources that are not a kind of their own: pods/binding (v1 Binding),
// */scale (autoscaling/v1 Scale), pods/eviction (policy/v1 Eviction), with schemas and helpers.
import type { KubeObject, ObjectMeta } from './types.ts';
import type { FieldError } from './errors.ts';
import { invalidValue, required } from './errors.ts';
import type { ResourceType, Schema } from './resource.ts';
import { getPath, objectSchema } from './meta.ts';
import { freeform, int, obj, str } from './schema.ts';
import { labelSelectorQuery, type LabelSelector } from './labels.ts';
import { objectReferenceSchema } from './kinds/common.ts';
import { validateNonnegative } from './validation.ts';
import { deepCopy } from './core/json.ts';

export interface Binding extends KubeObject {
  apiVersion?: 'v1';
  kind?: 'Binding';
  target: { apiVersion?: string; kind?: string; name: string; namespace?: string };
}

export interface Scale extends KubeObject {
  apiVersion?: 'autoscaling/v1';
  kind?: 'Scale';
  spec: { replicas?: number };
  status?: { replicas: number; selector?: string };
}

export interface Eviction extends KubeObject {
  apiVersion?: 'policy/v1';
  kind?: 'Eviction';
  deleteOptions?: Record<string, unknown>;
}

export const bindingSchema: Schema = objectSchema('Binding ties one object to another; for example, a pod is bound to a node by a scheduler.', { target: objectReferenceSchema });
export const scaleSchema: Schema = objectSchema('Scale represents a scaling request for a resource.', {
  spec: obj('spec defines the behavior of the scale.', { replicas: int('replicas is the desired number of instances for the scaled object.') }),
  status: obj('status is the current status of the scale.', {
    replicas: int('replicas is the actual number of observed instances of the scaled object.'),
    selector: str('selector is the label query over pods that should match the replicas count.'),
  }),
});
export const evictionSchema: Schema = objectSchema('Eviction evicts a pod from its node subject to certain policies and safety constraints.', {
  deleteOptions: freeform('DeleteOptions may be provided'),
});

/** The subresource body kinds, for discovery: {group, version, kind} per subresource name. */
export const SUBRESOURCE_KINDS: Record<string, { group: string; version: string; kind: string }> = {
  status: { group: '', version: '', kind: '' }, // same kind as the parent
  scale: { group: 'autoscaling', version: 'v1', kind: 'Scale' },
  binding: { group: '', version: 'v1', kind: 'Binding' },
  eviction: { group: 'policy', version: 'v1', kind: 'Eviction' },
  log: { group: '', version: 'v1', kind: 'Pod' },
};

/** Verbs of each subresource as discovery lists them. */
export const SUBRESOURCE_VERBS: Record<string, string[]> = {
  status: ['get', 'patch', 'update'],
  scale: ['get', 'patch', 'update'],
  binding: ['create'],
  eviction: ['create'],
  log: ['get'],
};

/** Builds the autoscaling/v1 Scale of an object whose kind has a scale subresource. */
export function scaleOf(rt: ResourceType, o: KubeObject): Scale {
  const sc = rt.subresources.scale;
  if (!sc) throw new Error(`${rt.plural} has no scale subresource`);
  const m = o.metadata;
  const meta: ObjectMeta = { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp };
  for (const k of Object.keys(meta) as (keyof ObjectMeta)[]) if (meta[k] === undefined) delete meta[k];
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: meta,
    spec: { replicas: Number(getPath(o, sc.specReplicasPath) ?? 0) },
    status: { replicas: Number(getPath(o, sc.statusReplicasPath) ?? 0), selector: scaleSelector(o, sc.labelSelectorPath) },
  };
}

/** The Scale's selector string: a string at labelSelectorPath when the object has one, else spec.selector. */
function scaleSelector(o: KubeObject, labelSelectorPath: string | undefined): string {
  const at = labelSelectorPath ? getPath(o, labelSelectorPath.replace(/^\./, '')) : undefined;
  return typeof at === 'string' ? at : labelSelectorQuery(asLabelSelector(o.spec?.selector));
}

/** A workload's selector as a LabelSelector: ReplicationControllers carry a plain label map instead. */
function asLabelSelector(selector: unknown): LabelSelector | undefined {
  if (!selector || typeof selector !== 'object') return undefined;
  const s = selector as Record<string, unknown>;
  return 'matchLabels' in s || 'matchExpressions' in s ? (s as LabelSelector) : { matchLabels: s as Record<string, string> };
}

/** Writes a Scale's spec.replicas into a copy of the object. */
export function applyScale(rt: ResourceType, o: KubeObject, scale: Scale): KubeObject {
  const sc = rt.subresources.scale;
  if (!sc) throw new Error(`${rt.plural} has no scale subresource`);
  const out = deepCopy(o);
  const parts = sc.specReplicasPath.split('.');
  let cur: any = out;
  for (const p of parts.slice(0, -1)) cur = cur[p] ??= {};
  cur[parts[parts.length - 1]] = scale.spec?.replicas ?? 0;
  return out;
}

/** ValidateScale: `spec.replicas: Invalid value: -1: must be greater than or equal to 0`. */
export function validateScale(scale: unknown): FieldError[] {
  const s = scale as Scale;
  if (!s || typeof s !== 'object') return [required('spec')];
  return validateNonnegative('spec.replicas', s.spec?.replicas);
}

/** A pods/binding body: target.name is required; target.kind must be empty or Node. */
export function validateBinding(b: unknown): FieldError[] {
  const x = b as Binding;
  const errs: FieldError[] = [];
  if (!x?.target?.name) errs.push(required('target.name'));
  if (x?.target?.kind && x.target.kind !== 'Node') errs.push(invalidValue('target.kind', x.target.kind, "must be empty or 'Node'"));
  return errs;
}
