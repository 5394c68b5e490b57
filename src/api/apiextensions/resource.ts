// One served version of a CustomResourceDefinition as a registry entry (ResourceType): names,
// scope, subresources, selectable fields, printer columns, the schema (OpenAPI, explain, apply),
// pruning, defaulting and validation (structural schema, list types, CEL rules, scale paths), the
// strategy (status through /status, generation on changes outside metadata and status) and the
// apiVersion rewrite between versions (conversion None; Webhook's call is the API server's). Pure: the API server registers it.
import type { FieldError } from '../errors.ts';
import { internalError, invalidValue } from '../errors.ts';
import { getPath, objectMetaSchema, STANDARD_VERBS, validateObjectMeta } from '../meta.ts';
import type { ResourceType, Schema, TableColumn } from '../resource.ts';
import { unknownFields } from '../schema.ts';
import type { KubeObject } from '../types.ts';
import { nameIsDNSSubdomain } from '../validation.ts';
import { translateTimestampSince } from '../meta.ts';
import { validateRules } from '../cel/index.ts';
import { applyDefaults, prune, pruneNulls, validateListTypes, validateValue, type JSONSchemaProps } from '../openapi-schema/index.ts';
import { storageDecoder } from './decode.ts';
import { findJsonPath } from './jsonpath.ts';
import { storageVersionOf, type Crd, type CrdVersion, type PrinterColumn } from './types.ts';

/** io.k8s... style definition name of a custom resource: the group reversed (`com.coreos.monitoring.v1.Prometheus`). */
export function crdDefinitionName(group: string, version: string, kind: string): string {
  return `${group.split('.').reverse().join('.')}.${version}.${kind}`;
}

function rootSchema(crd: Crd, v: CrdVersion): Schema {
  const s = (v.schema?.openAPIV3Schema ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }) as Schema & JSONSchemaProps;
  return {
    ...s,
    type: 'object',
    properties: {
      ...(s.properties as Record<string, Schema> | undefined),
      apiVersion: { type: 'string', description: 'APIVersion defines the versioned schema of this representation of an object.' },
      kind: { type: 'string', description: 'Kind is a string value representing the REST resource this object represents.' },
      metadata: objectMetaSchema,
    },
  };
}

function columnsOf(v: CrdVersion): PrinterColumn[] {
  const cols = v.additionalPrinterColumns ?? [];
  return cols.length ? cols : [{ name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' }];
}

/** One cell of an additionalPrinterColumn, typed as the table convertor types it. */
export function columnCell(c: PrinterColumn, obj: KubeObject, now: Date): unknown {
  const found = findJsonPath(obj, c.jsonPath);
  if (found.length === 0) return null;
  const v = found[0];
  if (v === null || v === undefined) return null;
  switch (c.type) {
    case 'string':
      return typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
    case 'integer':
      return typeof v === 'number' ? Math.trunc(v) : null;
    case 'number':
      return typeof v === 'number' ? v : null;
    case 'boolean':
      return typeof v === 'boolean' ? v : null;
    case 'date':
      if (typeof v !== 'string') return null;
      return Number.isNaN(Date.parse(v)) ? '<invalid>' : translateTimestampSince(v, now);
    default:
      return null;
  }
}

const goValue = (v: unknown) => (v !== null && typeof v === 'object' ? JSON.stringify(v) : String(v));
const goKind = (v: unknown) => (typeof v === 'string' ? 'string' : typeof v === 'boolean' ? 'bool' : Array.isArray(v) ? '[]interface {}' : typeof v === 'object' ? 'map[string]interface {}' : 'float64');

/** ValidateScaleSpec/Status: the replicas paths hold non-negative int32s, the selector path a string. */
function validateScalePaths(v: CrdVersion, obj: KubeObject): FieldError[] {
  const sc = v.subresources?.scale;
  if (!sc) return [];
  const errs: FieldError[] = [];
  for (const p of [sc.specReplicasPath, sc.statusReplicasPath]) {
    const x = getPath(obj, p.replace(/^\./, ''));
    if (x === undefined || x === null) continue;
    if (typeof x !== 'number' || !Number.isInteger(x)) errs.push(invalidValue(p, 0, `${p.replace(/^\./, '')} accessor error: ${goValue(x)} is of the type ${goKind(x)}, expected int64`));
    else if (x < 0) errs.push(invalidValue(p, x, 'should be a non-negative integer'));
    else if (x > 2147483647) errs.push(invalidValue(p, x, 'should be less than or equal to 2147483647'));
  }
  if (sc.labelSelectorPath) {
    const x = getPath(obj, sc.labelSelectorPath.replace(/^\./, ''));
    if (x !== undefined && x !== null && typeof x !== 'string') {
      errs.push(invalidValue(sc.labelSelectorPath, '', `${sc.labelSelectorPath.replace(/^\./, '')} accessor error: ${goValue(x)} is of the type ${goKind(x)}, expected string`));
    }
  }
  return errs;
}

const BLOCKING = 'some validation rules were not checked because the object was invalid; correct the existing errors to complete validation';

/** Everything but metadata (and status, when it has its own subresource) differs: generation + 1. */
function changedOutside(obj: KubeObject, old: KubeObject, hasStatus: boolean): boolean {
  const strip = (o: KubeObject) => {
    const { metadata: _m, status: _s, ...rest } = o;
    return JSON.stringify(hasStatus ? rest : { ...rest, status: o.status });
  };
  return strip(obj) !== strip(old);
}

export interface CustomResourceOptions {
  /** Kubernetes' warning for deprecated versions (deprecationWarning or the default one). */
  warning?: string;
}

/** The default deprecation warning: `<group>/<version> <Kind> is deprecated; use <group>/<newer> <Kind>`. */
export function deprecationWarning(crd: Crd, v: CrdVersion, compare: (a: string, b: string) => number): string | undefined {
  if (!v.deprecated) return undefined;
  if (v.deprecationWarning !== undefined) return v.deprecationWarning;
  const { group, names } = crd.spec;
  const msg = `${group}/${v.name} ${names.kind} is deprecated`;
  // compare(a, b) < 0 when a has the higher priority (discovery order)
  const newer = crd.spec.versions.filter((x) => x.served && !x.deprecated && compare(x.name, v.name) < 0).sort((a, b) => compare(a.name, b.name));
  return newer.length ? `${msg}; use ${group}/${newer[0].name} ${names.kind}` : msg;
}

/** Webhook conversion's local step: an object already in `apiVersion` passes; any other needs the webhook. */
function alreadyIn(apiVersion: string): (obj: KubeObject) => KubeObject {
  return (obj) => {
    if (obj.apiVersion === apiVersion) return obj;
    throw internalError(`conversion of ${obj.apiVersion ?? ''} to ${apiVersion} needs the conversion webhook`);
  };
}

/** The registry entry serving `version` of a CRD. */
export function customResourceType(crd: Crd, versionName: string, o: CustomResourceOptions = {}): ResourceType {
  const v = crd.spec.versions.find((x) => x.name === versionName)!;
  const names = { ...crd.spec.names, ...(crd.status?.acceptedNames ?? {}) };
  const group = crd.spec.group;
  const kind = names.kind;
  const namespaced = crd.spec.scope === 'Namespaced';
  const schema = v.schema?.openAPIV3Schema as JSONSchemaProps | undefined;
  const hasStatus = !!v.subresources?.status;
  const scale = v.subresources?.scale;
  const storage = storageVersionOf(crd) ?? versionName;
  const apiVersion = `${group}/${versionName}`;
  const cols = columnsOf(v);
  const webhook = crd.spec.conversion?.strategy === 'Webhook';
  const fieldSelectors: ResourceType['fieldSelectors'] = {};
  for (const f of v.selectableFields ?? []) {
    const path = f.jsonPath.replace(/^\./, '');
    fieldSelectors[path] = (obj) => {
      const x = getPath(obj, path);
      return x === undefined || x === null ? undefined : String(x);
    };
  }
  const decode = storageDecoder(crd);
  const hasRules = JSON.stringify(schema ?? {}).includes('"x-kubernetes-validations"');
  // an update ratchets (CRDValidationRatcheting): errors of values unchanged from `old` do not count;
  // metadata's update rules (immutable uid, name, ...) are the API server's, for every kind
  const validate = (obj: KubeObject, old?: KubeObject, warn?: (text: string) => void): FieldError[] => {
    const errs: FieldError[] = [...validateObjectMeta(obj.metadata, { namespaced, nameValidator: nameIsDNSSubdomain })];
    if (schema) {
      const withoutMeta = (o: KubeObject) => ({ ...o, metadata: {} });
      const s = { ...schema, properties: { ...schema.properties, metadata: { type: 'object' } } };
      errs.push(...validateValue(s, withoutMeta(obj), '', old ? { old: withoutMeta(old) } : undefined));
    }
    errs.push(...validateScalePaths(v, obj));
    if (schema) errs.push(...validateListTypes(schema, obj));
    if (hasRules) {
      if (errs.some((e) => e.type === 'FieldValueTypeInvalid')) errs.push(invalidValue('<nil>', null, BLOCKING));
      else errs.push(...validateRules(schema!, obj, old, warn));
    }
    return errs;
  };
  const rt: ResourceType = {
    group,
    version: versionName,
    kind,
    listKind: names.listKind ?? `${kind}List`,
    plural: names.plural,
    singular: names.singular ?? kind.toLowerCase(),
    shortNames: names.shortNames ?? [],
    categories: names.categories ?? [],
    namespaced,
    subresources: {
      ...(hasStatus ? { status: true } : {}),
      ...(scale ? { scale: { specReplicasPath: scale.specReplicasPath.replace(/^\./, ''), statusReplicasPath: scale.statusReplicasPath.replace(/^\./, ''), ...(scale.labelSelectorPath ? { labelSelectorPath: scale.labelSelectorPath } : {}) } } : {}),
    },
    verbs: STANDARD_VERBS,
    fieldSelectors,
    schema: rootSchema(crd, v),
    defaults: (obj) => {
      // conversion None: the object is stored in the storage version, only apiVersion changes
      // (Webhook: it stays in the request version until the API server converts it to store it)
      if (storage !== versionName && !webhook) obj.apiVersion = `${group}/${storage}`;
      if (!schema) return;
      pruneNulls(obj, schema);
      applyDefaults(obj, schema);
    },
    validate,
    ...(decode ? { decode } : {}),
    strategy: {
      hasStatus,
      specFields: [],
      specChanged: (obj, old) => changedOutside(obj, old, hasStatus),
      ...(hasStatus
        ? {
            prepareForCreate: (obj) => void delete obj.status,
          }
        : {}),
    },
    table: {
      columns: cols.map((c): TableColumn => ({
        name: c.name,
        type: c.type as TableColumn['type'],
        ...(c.format ? { format: c.format } : {}),
        description: c.description ?? `Custom resource definition column (in JSONPath format): ${c.jsonPath}`,
        priority: (c.priority ?? 0) > 0 ? 1 : 0,
      })),
      cells: (obj, now) => cols.map((c) => columnCell(c, obj, now)),
    },
    openapi: { definitionName: crdDefinitionName(group, versionName, kind), inline: true },
    noStrategicMerge: true,
    ...(o.warning ? { warning: o.warning } : {}),
    pruneUnknownFields: (obj) => {
        const paths = schema ? prune(obj as Record<string, unknown>, schema) : [];
        const meta = obj.metadata && typeof obj.metadata === 'object' ? unknownFields(objectMetaSchema, obj.metadata, 'metadata') : [];
        for (const p of meta) {
          const parts = p.split('.');
          if (parts.length === 2) delete (obj.metadata as Record<string, unknown>)[parts[1]];
        }
        return [...paths, ...meta].sort();
    },
  };
  if (webhook) {
    // The API server sets conversion.convert (the webhook call); these only let converted objects through.
    rt.conversion = { storageVersion: storage, toStorage: alreadyIn(`${group}/${storage}`), fromStorage: alreadyIn(apiVersion) };
  } else if (storage !== versionName || crd.spec.versions.length > 1 || (crd.status?.storedVersions?.length ?? 0) > 1) {
    rt.conversion = {
      storageVersion: storage,
      toStorage: (obj) => ({ ...obj, apiVersion: `${group}/${storage}` }),
      fromStorage: (obj) => (obj.apiVersion === apiVersion ? obj : { ...obj, apiVersion }),
    };
  }
  return rt;
}
