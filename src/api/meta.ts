// ObjectMeta: its schema, its validation (ValidateObjectMeta / ValidateObjectMetaUpdate), the generic
// field selectors, and defineKind(), which turns a compact per-kind description into a ResourceType.
import { humanDuration } from './duration.ts';
import type { FieldError } from './errors.ts';
import { forbidden, invalidValue, required } from './errors.ts';
import type { KubeObject } from './types.ts';
import type { DeletionStrategy, ResourceType, Schema, Subresources, TableColumn, UpdateStrategy } from './resource.ts';
import { bool, freeform, list, map, mergeList, mergeSet, int64, obj, str, time, typeMismatches, wellTyped as fitsSchema } from './schema.ts';
import {
  FIELD_IMMUTABLE,
  fromChecks,
  isDNS1123Label,
  isQualifiedName,
  nameIsDNSSubdomain,
  validateAnnotations,
  validateLabels,
  type NameValidator,
} from './validation.ts';
import { deepCopy } from './core/json.ts';

export const ownerReferenceSchema: Schema = obj(
  'OwnerReference contains enough information to let you identify an owning object.',
  {
    apiVersion: str('API version of the referent.'),
    kind: str('Kind of the referent.'),
    name: str('Name of the referent.'),
    uid: str('UID of the referent.'),
    controller: bool('If true, this reference points to the managing controller.'),
    blockOwnerDeletion: bool('If true, the owner cannot be deleted from the key-value store until this reference is removed.'),
  },
  { required: ['apiVersion', 'kind', 'name', 'uid'], 'x-kubernetes-map-type': 'atomic' },
);

export const objectMetaSchema: Schema = obj('Standard object metadata.', {
  name: str('Name must be unique within a namespace. Cannot be updated.'),
  generateName: str('An optional prefix used by the server to generate a unique name if name is not provided.'),
  namespace: str('Namespace defines the space within which each name must be unique.'),
  uid: str('UID is the unique in time and space value for this object. Populated by the system.'),
  selfLink: str('Deprecated: selfLink is a legacy read-only field that is no longer populated by the system.'),
  resourceVersion: str('An opaque value that represents the internal version of this object, used for optimistic concurrency.'),
  generation: int64('A sequence number representing a specific generation of the desired state. Populated by the system.'),
  creationTimestamp: time('Timestamp of when this object was created. Populated by the system.'),
  deletionTimestamp: time('RFC 3339 date and time at which this resource will be deleted. Set by the server on graceful deletion.'),
  deletionGracePeriodSeconds: int64('Number of seconds allowed for this object to gracefully terminate before it will be removed.'),
  labels: map('Map of string keys and values that can be used to organize and categorize objects.'),
  annotations: map('Annotations is an unstructured key value map stored with a resource.'),
  ownerReferences: mergeList('List of objects depended by this object.', ownerReferenceSchema, 'uid'),
  finalizers: mergeSet('Must be empty before the object is deleted from the registry.'),
  managedFields: list(
    'ManagedFields maps workflow-id and version to the set of fields that are managed by that workflow.',
    obj('ManagedFieldsEntry is a workflow-id, a FieldSet and the group version of the resource.', {
      manager: str('Manager is an identifier of the workflow managing these fields.'),
      operation: str('Operation is the type of operation which lead to this ManagedFieldsEntry being created.'),
      apiVersion: str('APIVersion defines the version of this resource that this field set applies to.'),
      time: time('Time is the timestamp of when the ManagedFields entry was added.'),
      fieldsType: str('FieldsType is the discriminator for the different fields format and version.'),
      fieldsV1: freeform('FieldsV1 holds the first JSON version format.'),
      subresource: str('Subresource is the name of the subresource used to update that object.'),
    }),
  ),
});

export const listMetaSchema: Schema = obj('Standard list metadata.', {
  resourceVersion: str('String that identifies the server\'s internal version of this object.'),
  continue: str('continue may be set if the user set a limit on the number of items returned.'),
  remainingItemCount: int64('The number of subsequent items in the list which are not included in this list response.'),
});

/** The object envelope: apiVersion, kind, metadata plus the kind's own top-level fields. */
export function objectSchema(description: string, fields: Record<string, Schema>): Schema {
  return obj(description, {
    apiVersion: str('APIVersion defines the versioned schema of this representation of an object.'),
    kind: str('Kind is a string value representing the REST resource this object represents.'),
    metadata: objectMetaSchema,
    ...fields,
  });
}

// ---- field selectors ----

export type FieldGetter = (o: KubeObject) => string | undefined;

/** metadata.name and metadata.namespace, available on every kind. */
export const genericFieldSelectors: Record<string, FieldGetter> = {
  'metadata.name': (o) => o.metadata?.name ?? '',
  'metadata.namespace': (o) => o.metadata?.namespace ?? '',
};

/** Every selectable field of a kind (generic ones first), with its getter. */
export function fieldGetters(rt: Pick<ResourceType, 'fieldSelectors'>): Record<string, FieldGetter> {
  return { ...genericFieldSelectors, ...rt.fieldSelectors };
}

/** Reads a dotted path ("spec.nodeName") from an object; non-strings are rendered as Kubernetes does (bool/int → text). */
export function getPath(o: unknown, path: string): unknown {
  let cur: any = o;
  for (const p of path.split('.')) {
    if (cur === null || cur === undefined || typeof cur !== 'object') return undefined;
    cur = cur[p];
  }
  return cur;
}

/** A getter that returns the dotted path's value as a string ('' when absent, like Go's zero value). */
export function pathGetter(path: string): FieldGetter {
  return (o) => {
    const v = getPath(o, path);
    return v === undefined || v === null ? '' : String(v);
  };
}

// ---- ObjectMeta validation ----

export interface MetaValidationOptions {
  namespaced: boolean;
  nameValidator: NameValidator;
}

/** ValidateObjectMeta: name/generateName, namespace, labels, annotations, ownerReferences, finalizers. */
export function validateObjectMeta(meta: KubeObject['metadata'] | undefined, o: MetaValidationOptions): FieldError[] {
  const errs: FieldError[] = [];
  if (!meta || typeof meta !== 'object') return [required('metadata')];
  if (meta.generateName && !meta.name) {
    errs.push(...fromChecks('metadata.generateName', meta.generateName, o.nameValidator(meta.generateName, true)));
  }
  if (!meta.name) {
    if (!meta.generateName) errs.push({ field: 'metadata.name', type: 'FieldValueRequired', detail: 'Required value: name or generateName is required' });
  } else {
    errs.push(...fromChecks('metadata.name', meta.name, checkedName(o.nameValidator, meta.name)));
  }
  if (o.namespaced) {
    if (!meta.namespace) errs.push(required('metadata.namespace'));
    else errs.push(...fromChecks('metadata.namespace', meta.namespace, checkedName(namespaceName, meta.namespace)));
  } else if (meta.namespace) {
    errs.push(forbidden('metadata.namespace', 'not allowed on this type'));
  }
  if (meta.generation !== undefined && (typeof meta.generation !== 'number' || meta.generation < 0)) {
    errs.push(invalidValue('metadata.generation', meta.generation, 'must be greater than or equal to 0'));
  }
  errs.push(...validateLabels(meta.labels, 'metadata.labels'));
  errs.push(...validateAnnotations(meta.annotations, 'metadata.annotations'));
  errs.push(...validateOwnerReferences(meta.ownerReferences));
  errs.push(...validateFinalizers(meta.finalizers));
  return errs;
}

const namespaceName: NameValidator = (n) => isDNS1123Label(n);

/**
 * Names a validator found valid (every write of an object checks its name and namespace again),
 * per validator; emptied when full. The checks are pure functions of the string.
 */
const validNames = new Map<NameValidator, Set<string>>();
const VALID_NAMES_MAX = 16_384;

function checkedName(validator: NameValidator, name: string): string[] {
  let known = validNames.get(validator);
  if (known?.has(name)) return [];
  const msgs = validator(name, false);
  if (msgs.length === 0) {
    if (!known) validNames.set(validator, (known = new Set()));
    if (known.size >= VALID_NAMES_MAX) known.clear();
    known.add(name);
  }
  return msgs;
}

export function validateOwnerReferences(refs: unknown): FieldError[] {
  if (refs === undefined || refs === null) return [];
  if (!Array.isArray(refs)) return [invalidValue('metadata.ownerReferences', refs, 'must be a list')];
  const errs: FieldError[] = [];
  const controllers: string[] = [];
  for (const r of refs as any[]) {
    const f = 'metadata.ownerReferences';
    if (!r?.apiVersion) errs.push(invalidValue(`${f}.apiVersion`, r?.apiVersion ?? '', 'version must not be empty'));
    if (!r?.kind) errs.push(invalidValue(`${f}.kind`, r?.kind ?? '', 'kind must not be empty'));
    if (!r?.name) errs.push(invalidValue(`${f}.name`, r?.name ?? '', 'name must not be empty'));
    if (!r?.uid) errs.push(invalidValue(`${f}.uid`, r?.uid ?? '', 'uid must not be empty'));
    if (r?.controller === true) controllers.push(`${r.kind}/${r.name}`);
  }
  if (controllers.length > 1) {
    errs.push({
      field: 'metadata.ownerReferences',
      type: 'FieldValueInvalid',
      detail: `Invalid value: ${JSON.stringify(refs)}: Only one reference can have Controller set to true. Found "true" in references for ${controllers.join(' and ')}`,
    });
  }
  return errs;
}

export function validateFinalizers(fins: unknown): FieldError[] {
  if (fins === undefined || fins === null) return [];
  if (!Array.isArray(fins)) return [invalidValue('metadata.finalizers', fins, 'must be a list')];
  const errs: FieldError[] = [];
  for (const f of fins) {
    if (typeof f !== 'string') {
      errs.push(invalidValue('metadata.finalizers', f, 'must be a string'));
      continue;
    }
    errs.push(...fromChecks('metadata.finalizers', f, isQualifiedName(f)));
    // Standard finalizers without a '/' must be the ones Kubernetes knows.
    if (!f.includes('/') && !['kubernetes', 'orphan', 'foregroundDeletion'].includes(f)) {
      errs.push(invalidValue('metadata.finalizers', f, `name is neither a standard finalizer name nor is it fully qualified`));
    }
  }
  return errs;
}

/** An immutable metadata field's error when it changed ('' and absent are the same). */
function immutable(errs: FieldError[], field: string, a: unknown, b: unknown): void {
  if (a !== b && !(a === undefined && b === '') && !(a === '' && b === undefined)) errs.push(invalidValue(`metadata.${field}`, a ?? '', FIELD_IMMUTABLE));
}

/**
 * ValidateObjectMetaUpdate, on metadata after BeforeUpdate carried the stored identity over:
 * name, namespace, uid, creationTimestamp, deletionTimestamp and its grace period are immutable; no
 * new finalizers while deleting.
 */
export function validateObjectMetaUpdate(meta: KubeObject['metadata'], old: KubeObject['metadata']): FieldError[] {
  const errs: FieldError[] = [];
  // Absent name/namespace mean "not sent" (the API server fills them from the stored object).
  if (meta.name !== undefined) immutable(errs, 'name', meta.name, old.name);
  if (meta.namespace !== undefined) immutable(errs, 'namespace', meta.namespace, old.namespace);
  if (meta.uid !== undefined) immutable(errs, 'uid', meta.uid, old.uid);
  if (meta.creationTimestamp !== undefined) immutable(errs, 'creationTimestamp', meta.creationTimestamp, old.creationTimestamp);
  immutable(errs, 'deletionTimestamp', meta.deletionTimestamp ?? undefined, old.deletionTimestamp ?? undefined);
  immutable(errs, 'deletionGracePeriodSeconds', meta.deletionGracePeriodSeconds ?? undefined, old.deletionGracePeriodSeconds ?? undefined);
  if (old.deletionTimestamp) {
    const before = new Set(old.finalizers ?? []);
    if ((meta.finalizers ?? []).some((f) => !before.has(f))) {
      errs.push(forbidden('metadata.finalizers', 'no new finalizers can be added if the object is being deleted, found new finalizers ' + JSON.stringify((meta.finalizers ?? []).filter((f) => !before.has(f)))));
    }
  }
  return errs;
}

// ---- defineKind ----

export const STANDARD_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export interface KindDef {
  group: string;
  version: string;
  kind: string;
  plural: string;
  singular?: string;
  shortNames?: string[];
  categories?: string[];
  namespaced: boolean;
  subresources?: Subresources;
  verbs?: string[];
  fieldSelectors?: Record<string, FieldGetter>;
  /** Description of the kind and its top-level fields besides apiVersion/kind/metadata. */
  description: string;
  fields: Record<string, Schema>;
  /** Name syntax (default DNS-1123 subdomain). */
  nameValidator?: NameValidator;
  defaults?(obj: KubeObject): void;
  /** Kind-specific validation; metadata is validated by defineKind. */
  validate?(obj: KubeObject, old?: KubeObject): FieldError[];
  strategy?: Partial<UpdateStrategy>;
  deletion?: DeletionStrategy;
  columns?: TableColumn[];
  cells?(obj: KubeObject, now: Date): unknown[];
  /** False for kinds whose first column is not NAME (events). */
  nameColumn?: boolean;
}

/** Builds a ResourceType from a compact definition. Metadata validation is included in validate(). */
export function defineKind(k: KindDef): ResourceType {
  const hasStatus = !!k.subresources?.status;
  const nameValidator = k.nameValidator ?? nameIsDNSSubdomain;
  const schema = objectSchema(k.description, k.fields);
  // Strategy hooks assume the declared types; a mistyped object is left alone (validate() rejects it).
  const wellTyped = (o: KubeObject) => fitsSchema(schema, o);
  const raw: UpdateStrategy = {
    hasStatus,
    specFields: [],
    ...(hasStatus ? { prepareForUpdate: keepOldStatus, prepareForStatusUpdate: keepOldSpec } : {}),
    ...k.strategy,
  };
  const strategy: UpdateStrategy = { hasStatus: raw.hasStatus, specFields: raw.specFields };
  if (raw.prepareForCreate) strategy.prepareForCreate = (o) => void (wellTyped(o) && raw.prepareForCreate!(o));
  if (raw.prepareForUpdate) strategy.prepareForUpdate = (o, old) => void (wellTyped(o) && raw.prepareForUpdate!(o, old));
  if (raw.prepareForStatusUpdate) strategy.prepareForStatusUpdate = (o, old) => void (wellTyped(o) && raw.prepareForStatusUpdate!(o, old));
  if (raw.validateUpdate) strategy.validateUpdate = (o, old) => (wellTyped(o) && wellTyped(old) ? raw.validateUpdate!(o, old) : []);
  const columns = k.columns ?? [ageColumn];
  const cells = k.cells ?? ((o: KubeObject, now: Date) => [age(o, now)]);
  const rt: ResourceType = {
    group: k.group,
    version: k.version,
    kind: k.kind,
    listKind: `${k.kind}List`,
    plural: k.plural,
    singular: k.singular ?? k.kind.toLowerCase(),
    shortNames: k.shortNames ?? [],
    categories: k.categories ?? [],
    namespaced: k.namespaced,
    subresources: k.subresources ?? {},
    verbs: k.verbs ?? STANDARD_VERBS,
    fieldSelectors: k.fieldSelectors ?? {},
    schema,
    defaults: (o) => {
      // A body with wrongly typed fields is left as sent: validate() reports them (defaulting
      // code may assume the types the schema declares).
      if (!k.defaults || !fitsSchema(schema, o)) return;
      k.defaults(o);
    },
    validate: (o, old) => {
      const mismatches = fitsSchema(schema, o) ? [] : typeMismatches(schema, o);
      if (mismatches.length > 0) return mismatches.map((m) => invalidValue(m.path, m.value, `${m.path} in body must be of type ${m.expected}: "${m.actual}"`));
      return [...validateObjectMeta(o.metadata, { namespaced: k.namespaced, nameValidator }), ...(k.validate ? k.validate(o, old) : [])];
    },
    strategy,
    ...(k.deletion ? { deletion: k.deletion } : {}),
    table: {
      columns,
      // A row never fails a whole list: an object the printer cannot read gets "<unknown>" cells.
      cells: (o, now) => {
        try {
          return cells(o, now);
        } catch {
          return columns.map(() => '<unknown>');
        }
      },
      ...(k.nameColumn === false ? { nameColumn: false } : {}),
    },
  };
  return rt;
}

// ---- update strategy building blocks ----

/** Main-resource update: status changes are ignored (status is written only via /status). */
export function keepOldStatus(o: KubeObject, old: KubeObject): void {
  if (old.status === undefined) delete o.status;
  else o.status = keptCopy(old.status);
}

/**
 * A value carried from the stored object into the new one: the stored object's frozen parts are
 * shared as they are (nothing can change them, and the store serializes the new object anyway),
 * anything else is cloned so the new object never aliases a caller's mutable value.
 */
function keptCopy<T>(v: T): T {
  return v !== null && typeof v === 'object' && Object.isFrozen(v) ? v : deepCopy(v);
}

/**
 * Status update: everything but status comes from the old object. Labels, annotations, finalizers
 * and ownerReferences may not change through /status either (Kubernetes resets spec; metadata
 * changes via /status are dropped since 1.23 for most kinds).
 */
export function keepOldSpec(o: KubeObject, old: KubeObject): void {
  const status = o.status;
  const rv = o.metadata?.resourceVersion;
  // the merged object's keys in the stored object's order (apiVersion, kind, metadata, spec, status),
  // status where the stored one has it or last; written in place when the request already has that
  // order (no delete: the object keeps its fast shape), else rebuilt in that order
  const rebuild = !sameKeyOrder(o, old, status !== undefined);
  if (rebuild) for (const k of Object.keys(o)) delete o[k];
  for (const k in old) {
    if (k !== 'status') (o as any)[k] = keptOld(k, (old as any)[k]);
    else if (rebuild && status !== undefined) o.status = status;
  }
  if (rebuild && status !== undefined && !('status' in old)) o.status = status;
  // resourceVersion from the request is kept so the API server can do its CAS check.
  if (rv !== undefined) o.metadata.resourceVersion = rv;
}

/** metadata is written after (resourceVersion) and by the update path (generation, managedFields): its own top level. */
function keptOld(k: string, v: unknown): unknown {
  return k === 'metadata' && v !== null && typeof v === 'object' && Object.isFrozen(v) ? { ...v } : keptCopy(v);
}

/** Whether o's own keys are old's (status only when o has one, last when old has none), in old's order. */
function sameKeyOrder(o: KubeObject, old: KubeObject, withStatus: boolean): boolean {
  const have = Object.keys(o);
  let i = 0;
  let statusSeen = false;
  for (const k in old) {
    if (k === 'status') {
      statusSeen = true;
      if (!withStatus) continue;
    }
    if (have[i++] !== k) return false;
  }
  if (withStatus && !statusSeen && have[i++] !== 'status') return false;
  return i === have.length;
}

/** Resets status to a fresh value on create (kinds whose status is owned by controllers). */
export const resetStatus =
  (fresh: () => unknown = () => ({})) =>
  (o: KubeObject): void => {
    o.status = fresh();
  };

// ---- table helpers ----

export const ageColumn: TableColumn = {
  name: 'Age',
  type: 'string',
  description: 'CreationTimestamp is a timestamp representing the server time when this object was created.',
  priority: 0,
};

/** AGE cell: "<unknown>" without a creationTimestamp, else HumanDuration(now - created). */
export function age(o: KubeObject, now: Date): string {
  return translateTimestampSince(o.metadata?.creationTimestamp, now);
}

export function translateTimestampSince(ts: string | undefined, now: Date): string {
  if (!ts) return '<unknown>';
  const t = Date.parse(ts);
  if (Number.isNaN(t)) return '<unknown>';
  return humanDuration(now.getTime() - t);
}

export function col(name: string, type: TableColumn['type'], description: string, priority: 0 | 1 = 0, format?: string): TableColumn {
  return format ? { name, type, format, description, priority } : { name, type, description, priority };
}
