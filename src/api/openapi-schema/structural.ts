// Validation of a CRD's schema itself (openAPIV3Schema), as apiextensions validates it: the
// structural schema rules (every field typed, value validations only in allOf/anyOf/oneOf/not and
// inside the structural skeleton, metadata restricted), the OpenAPI subset Kubernetes supports, the
// list/map extensions, defaults that validate and are pruned, and x-kubernetes-validations shapes.
// (Compiling the CEL rules is src/api/cel's job.) Paths: `...openAPIV3Schema.properties[spec].type`.
import type { FieldError } from '../errors.ts';
import { forbidden, invalidValue, notSupported, required } from '../errors.ts';
import { compilePattern } from './formats.ts';
import { prune } from './prune.ts';
import { fieldPathValid } from './fieldpath.ts';
import { additionalOf, child, index, key, itemsOf, type JSONSchemaProps } from './types.ts';
import { validateValue } from './validate.ts';
import { deepCopy } from '../core/json.ts';

const TYPES = ['array', 'boolean', 'integer', 'number', 'object', 'string'];
const ROOT_WITH_STATUS = ['description', 'type', 'format', 'title', 'maximum', 'exclusiveMaximum', 'minimum', 'exclusiveMinimum', 'maxLength', 'minLength', 'pattern', 'maxItems', 'minItems', 'uniqueItems', 'multipleOf', 'required', 'items', 'properties', 'externalDocs', 'example', 'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-validations'];
const ROOT_WITH_STATUS_GO = ['Description', 'Type', 'Format', 'Title', 'Maximum', 'ExclusiveMaximum', 'Minimum', 'ExclusiveMinimum', 'MaxLength', 'MinLength', 'Pattern', 'MaxItems', 'MinItems', 'UniqueItems', 'MultipleOf', 'Required', 'Items', 'Properties', 'ExternalDocs', 'Example', 'XPreserveUnknownFields', 'XValidations'];
const REASONS = ['FieldValueDuplicate', 'FieldValueForbidden', 'FieldValueInvalid', 'FieldValueRequired'];
const META = new Set(['metadata', 'kind', 'apiVersion']);

type Level = 'root' | 'item' | 'field';

const req = (field: string, detail: string): FieldError => ({ field, type: 'FieldValueRequired', detail: `Required value: ${detail}` });

// ---- structural invariants (ValidateStructural) ----

function structural(s: JSONSchemaProps, lvl: Level, path: string, out: FieldError[]): void {
  const items = itemsOf(s);
  if (s.type === 'array' && !items) out.push(req(child(path, 'items'), 'must be specified'));
  if (items) structural(items, 'item', child(path, 'items'), out);
  for (const [k, p] of Object.entries(s.properties ?? {})) structural(p, 'field', key(child(path, 'properties'), k), out);
  if (s.additionalProperties !== undefined && s.additionalProperties !== false) {
    if (lvl === 'root') out.push(forbidden(child(path, 'additionalProperties'), 'must not be used at the root'));
    const a = additionalOf(s);
    if (a) structural(a, 'field', child(path, 'additionalProperties'), out);
  }
  if (s['x-kubernetes-int-or-string'] && s['x-kubernetes-preserve-unknown-fields']) {
    out.push(invalidValue(child(path, 'x-kubernetes-preserve-unknown-fields'), true, 'must be false if x-kubernetes-int-or-string is true'));
  }
  if (s['x-kubernetes-int-or-string'] && s['x-kubernetes-embedded-resource']) {
    out.push(invalidValue(child(path, 'x-kubernetes-embedded-resource'), true, 'must be false if x-kubernetes-int-or-string is true'));
  }
  const intOrStringAnyOf = !!s['x-kubernetes-int-or-string'] && isIntOrStringAnyOf(s.anyOf);
  if (!intOrStringAnyOf) s.anyOf?.forEach((v, i) => nested(v, index(child(path, 'anyOf'), i), out));
  s.allOf?.forEach((v, i) => nested(v, index(child(path, 'allOf'), i), out, !!s['x-kubernetes-int-or-string'] && i === 0 && isIntOrStringAnyOf(v.anyOf)));
  s.oneOf?.forEach((v, i) => nested(v, index(child(path, 'oneOf'), i), out));
  if (s.not) nested(s.not, child(path, 'not'), out);
  if (s.pattern !== undefined && !compilePattern(s.pattern)) {
    out.push(invalidValue(child(path, 'pattern'), s.pattern, "must be a valid regular expression, but isn't: error parsing regexp"));
  }
  const checkMetadata = lvl === 'root' || !!s['x-kubernetes-embedded-resource'];
  if (s['x-kubernetes-embedded-resource'] && s.type !== 'object') {
    out.push(s.type ? invalidValue(child(path, 'type'), s.type, 'must be object if x-kubernetes-embedded-resource is true') : req(child(path, 'type'), 'must be object if x-kubernetes-embedded-resource is true'));
  } else if (!s.type && !s['x-kubernetes-int-or-string'] && !s['x-kubernetes-preserve-unknown-fields']) {
    const what = lvl === 'root' ? 'must not be empty at the root' : lvl === 'item' ? 'must not be empty for specified array items' : 'must not be empty for specified object fields';
    out.push(req(child(path, 'type'), what));
  }
  if (s['x-kubernetes-embedded-resource'] && s.additionalProperties !== undefined) {
    out.push(forbidden(child(path, 'additionalProperties'), 'must not be used if x-kubernetes-embedded-resource is set'));
  }
  if (lvl === 'root' && s.type && s.type !== 'object') out.push(invalidValue(child(path, 'type'), s.type, 'must be object at the root'));
  const props = s.properties ?? {};
  if (checkMetadata && props.kind && props.kind.type !== 'string') out.push(invalidValue(`${key(child(path, 'properties'), 'kind')}.type`, props.kind.type ?? '', 'must be string'));
  if (checkMetadata && props.apiVersion && props.apiVersion.type !== 'string') out.push(invalidValue(`${key(child(path, 'properties'), 'apiVersion')}.type`, props.apiVersion.type ?? '', 'must be string'));
  if (props.metadata) metadataInvariants(props.metadata, checkMetadata, lvl, key(child(path, 'properties'), 'metadata'), out);
  if (s['x-kubernetes-embedded-resource'] && !s['x-kubernetes-preserve-unknown-fields'] && Object.keys(props).length === 0) {
    out.push(req(child(path, 'properties'), 'must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields'));
  }
}

function isIntOrStringAnyOf(anyOf: JSONSchemaProps[] | undefined): boolean {
  return anyOf?.length === 2 && anyOf[0].type === 'integer' && anyOf[1].type === 'string' && Object.keys(anyOf[0]).length === 1 && Object.keys(anyOf[1]).length === 1;
}

function metadataInvariants(m: JSONSchemaProps, checkMetadata: boolean, lvl: Level, path: string, out: FieldError[]): void {
  if (checkMetadata && m.type !== 'object') out.push(invalidValue(child(path, 'type'), m.type ?? '', 'must be object'));
  if (lvl !== 'root') return;
  // At the resource root only restrictions of name and generateName may be given.
  const props = Object.keys(m.properties ?? {});
  const namesOnly = props.every((p) => p === 'name' || p === 'generateName');
  const other = Object.keys(m).some((k) => k !== 'type' && k !== 'default' && k !== 'properties' && (m as Record<string, unknown>)[k] !== undefined);
  if (!namesOnly || other) out.push(forbidden(path, 'must not specify anything other than name and generateName, but metadata is implicitly specified'));
}

/** A value-validation schema (inside allOf/anyOf/oneOf/not) must add no structure of its own. */
function nested(v: JSONSchemaProps, path: string, out: FieldError[], skipAnyOf = false): void {
  if (v.type) out.push(forbidden(child(path, 'type'), 'must be empty to be structural'));
  if (v.additionalProperties !== undefined) out.push(forbidden(child(path, 'additionalProperties'), 'must be undefined to be structural'));
  if (v.default !== undefined) out.push(forbidden(child(path, 'default'), 'must be undefined to be structural'));
  if (v.title) out.push(forbidden(child(path, 'title'), 'must be empty to be structural'));
  if (v.description) out.push(forbidden(child(path, 'description'), 'must be empty to be structural'));
  if (v.nullable) out.push(forbidden(child(path, 'nullable'), 'must be false to be structural'));
  if (v['x-kubernetes-preserve-unknown-fields']) out.push(forbidden(child(path, 'x-kubernetes-preserve-unknown-fields'), 'must be false to be structural'));
  if (v['x-kubernetes-embedded-resource']) out.push(forbidden(child(path, 'x-kubernetes-embedded-resource'), 'must be false to be structural'));
  if (v['x-kubernetes-int-or-string']) out.push(forbidden(child(path, 'x-kubernetes-int-or-string'), 'must be false to be structural'));
  if (v['x-kubernetes-list-map-keys']?.length) out.push(forbidden(child(path, 'x-kubernetes-list-map-keys'), 'must be empty to be structural'));
  if (v['x-kubernetes-list-type'] !== undefined) out.push(forbidden(child(path, 'x-kubernetes-list-type'), 'must be undefined to be structural'));
  if (v['x-kubernetes-map-type'] !== undefined) out.push(forbidden(child(path, 'x-kubernetes-map-type'), 'must be undefined to be structural'));
  if (v['x-kubernetes-validations']?.length) out.push(forbidden(child(path, 'x-kubernetes-validations'), 'must be empty to be structural'));
  if (v.properties?.metadata) out.push(forbidden(key(child(path, 'properties'), 'metadata'), 'must not be specified in a nested context'));
  if (!skipAnyOf) v.anyOf?.forEach((x, i) => nested(x, index(child(path, 'anyOf'), i), out));
  v.allOf?.forEach((x, i) => nested(x, index(child(path, 'allOf'), i), out));
  v.oneOf?.forEach((x, i) => nested(x, index(child(path, 'oneOf'), i), out));
  if (v.not) nested(v.not, child(path, 'not'), out);
  const items = itemsOf(v);
  if (items) nested(items, child(path, 'items'), out);
  for (const [k, p] of Object.entries(v.properties ?? {})) if (k !== 'metadata') nested(p, key(child(path, 'properties'), k), out);
}

/** Fields that value validations name must exist in the structural skeleton. */
function completeness(s: JSONSchemaProps, path: string, out: FieldError[]): void {
  const check = (v: JSONSchemaProps, vPath: string, sNode: JSONSchemaProps | undefined, sPath: string) => {
    const walkV = (x: JSONSchemaProps, xp: string, node: JSONSchemaProps | undefined, np: string): void => {
      if (!node) {
        out.push(req(np, `because it is defined in ${xp}`));
        return;
      }
      for (const [k, p] of Object.entries(x.properties ?? {})) {
        const sub = node.properties?.[k] ?? additionalOf(node);
        if (!sub) out.push(req(key(child(np, 'properties'), k), `because it is defined in ${key(child(xp, 'properties'), k)}`));
        else walkV(p, key(child(xp, 'properties'), k), sub, key(child(np, 'properties'), k));
      }
      const xi = itemsOf(x);
      if (xi) walkV(xi, child(xp, 'items'), itemsOf(node), child(np, 'items'));
      for (const [name, list] of [['allOf', x.allOf], ['anyOf', x.anyOf], ['oneOf', x.oneOf]] as const) list?.forEach((y, i) => walkV(y, index(child(xp, name), i), node, np));
      if (x.not) walkV(x.not, child(xp, 'not'), node, np);
    };
    walkV(v, vPath, sNode, sPath);
  };
  for (const [name, list] of [['allOf', s.allOf], ['anyOf', s.anyOf], ['oneOf', s.oneOf]] as const) list?.forEach((v, i) => check(v, index(child(path, name), i), s, path));
  if (s.not) check(s.not, child(path, 'not'), s, path);
  for (const [k, p] of Object.entries(s.properties ?? {})) completeness(p, key(child(path, 'properties'), k), out);
  const items = itemsOf(s);
  if (items) completeness(items, child(path, 'items'), out);
  const a = additionalOf(s);
  if (a) completeness(a, child(path, 'additionalProperties'), out);
}

// ---- the supported OpenAPI subset and Kubernetes' extensions (ValidateCustomResourceDefinitionOpenAPISchema) ----

interface Ctx {
  allowDefaults: boolean;
  defaultsReason?: string;
  insideMeta: boolean;
}

function openapi(s: JSONSchemaProps, path: string, ctx: Ctx, isRoot: boolean, out: FieldError[]): void {
  if (s.type !== undefined && !TYPES.includes(s.type) && s.type !== 'null') out.push(notSupported(child(path, 'type'), s.type, TYPES));
  if (s.default !== undefined && !ctx.allowDefaults) out.push(forbidden(child(path, 'default'), `must not be set${ctx.defaultsReason ? ' ' + ctx.defaultsReason : ''}`));
  if (s.id) out.push(forbidden(child(path, 'id'), 'id is not supported'));
  if (s.additionalItems !== undefined) out.push(forbidden(child(path, 'additionalItems'), 'additionalItems is not supported'));
  if (s.patternProperties && Object.keys(s.patternProperties).length) out.push(forbidden(child(path, 'patternProperties'), 'patternProperties is not supported'));
  if (s.definitions && Object.keys(s.definitions).length) out.push(forbidden(child(path, 'definitions'), 'definitions is not supported'));
  if (s.dependencies !== undefined) out.push(forbidden(child(path, 'dependencies'), 'dependencies is not supported'));
  if (s.$ref !== undefined) out.push(forbidden(child(path, '$ref'), '$ref is not supported'));
  if (s.type === 'null') out.push(forbidden(child(path, 'type'), 'type cannot be set to null, use nullable as an alternative'));
  if (Array.isArray(s.items)) out.push(forbidden(child(path, 'items'), 'items must be a schema object and not an array'));
  if (ctx.insideMeta && s['x-kubernetes-embedded-resource']) out.push(forbidden(child(path, 'x-kubernetes-embedded-resource'), 'must not be used inside of resource meta'));
  if (s.uniqueItems) out.push(forbidden(child(path, 'uniqueItems'), 'uniqueItems cannot be set to true since the runtime complexity becomes quadratic'));
  const a = additionalOf(s);
  if (s.additionalProperties !== undefined && Object.keys(s.properties ?? {}).length) {
    if (s.additionalProperties === false || a) out.push(forbidden(child(path, 'additionalProperties'), 'additionalProperties and properties are mutual exclusive'));
  }
  if (a) openapi(a, child(path, 'additionalProperties'), ctx.insideMeta ? { ...ctx, allowDefaults: false, defaultsReason: 'inside additionalProperties applying to object metadata' } : ctx, false, out);
  for (const [k, p] of Object.entries(s.properties ?? {})) {
    let sub = ctx;
    if ((isRoot || s['x-kubernetes-embedded-resource']) && META.has(k)) {
      sub = { ...sub, insideMeta: true };
      if (isRoot) sub = { ...sub, allowDefaults: false, defaultsReason: `in top-level ${k}` };
    }
    openapi(p, key(child(path, 'properties'), k), sub, false, out);
  }
  if (s.not) openapi(s.not, child(path, 'not'), ctx, false, out);
  for (const [name, list] of [['allOf', s.allOf], ['oneOf', s.oneOf], ['anyOf', s.anyOf]] as const) list?.forEach((v, i) => openapi(v, index(child(path, name), i), ctx, false, out));
  const items = itemsOf(s);
  if (items) openapi(items, child(path, 'items'), ctx, false, out);
  extensions(s, path, out);
  rules(s, path, out);
}

function extensions(s: JSONSchemaProps, path: string, out: FieldError[]): void {
  if (s['x-kubernetes-preserve-unknown-fields'] === false) out.push(invalidValue(child(path, 'x-kubernetes-preserve-unknown-fields'), false, 'must be true or undefined'));
  const mt = s['x-kubernetes-map-type'];
  if (mt !== undefined && s.type !== 'object') {
    out.push(s.type ? invalidValue(child(path, 'type'), s.type, 'must be object if x-kubernetes-map-type is specified') : req(child(path, 'type'), 'must be object if x-kubernetes-map-type is specified'));
  }
  if (mt !== undefined && mt !== 'atomic' && mt !== 'granular') out.push(notSupported(child(path, 'x-kubernetes-map-type'), mt, ['atomic', 'granular']));
  const lt = s['x-kubernetes-list-type'];
  const items = itemsOf(s);
  if (lt !== undefined && s.type !== 'array') {
    out.push(s.type ? invalidValue(child(path, 'type'), s.type, 'must be array if x-kubernetes-list-type is specified') : req(child(path, 'type'), 'must be array if x-kubernetes-list-type is specified'));
  } else if (lt === 'set' && items) {
    if (items.type === 'array' && items['x-kubernetes-list-type'] !== undefined && items['x-kubernetes-list-type'] !== 'atomic') {
      out.push(invalidValue(child(child(path, 'items'), 'x-kubernetes-list-type'), items['x-kubernetes-list-type'], 'must be atomic as item of a list with x-kubernetes-list-type=set'));
    }
    if (items.type === 'object' && items['x-kubernetes-map-type'] !== 'atomic') {
      out.push(invalidValue(child(child(path, 'items'), 'x-kubernetes-map-type'), items['x-kubernetes-map-type'] ?? null, 'must be atomic as item of a list with x-kubernetes-list-type=set'));
    }
  }
  if (lt !== undefined && !['atomic', 'set', 'map'].includes(lt)) out.push(notSupported(child(path, 'x-kubernetes-list-type'), lt, ['atomic', 'set', 'map']));
  const keys = s['x-kubernetes-list-map-keys'] ?? [];
  if (keys.length) {
    if (lt === undefined) out.push(req(child(path, 'x-kubernetes-list-type'), 'must be map if x-kubernetes-list-map-keys is non-empty'));
    else if (lt !== 'map') out.push(invalidValue(child(path, 'x-kubernetes-list-type'), lt, 'must be map if x-kubernetes-list-map-keys is non-empty'));
  }
  if (lt === 'map') {
    if (!keys.length) out.push(req(child(path, 'x-kubernetes-list-map-keys'), 'must not be empty if x-kubernetes-list-type is map'));
    if (!items) out.push(req(child(path, 'items'), 'must have a schema if x-kubernetes-list-type is map'));
    else if (items.type !== 'object') out.push(invalidValue(child(child(path, 'items'), 'type'), items.type ?? '', "must be object if parent array's x-kubernetes-list-type is map"));
    else {
      const seen = new Set<string>();
      for (const k of keys) {
        const ks = items.properties?.[k];
        if (!ks) out.push(invalidValue(child(path, 'x-kubernetes-list-map-keys'), keys, 'entries must all be names of item properties'));
        else if (ks.type === 'array' || ks.type === 'object') out.push(invalidValue(`${key(child(child(path, 'items'), 'properties'), k)}.type`, items.type, "must be a scalar type if parent array's x-kubernetes-list-type is map"));
        if (seen.has(k)) out.push(invalidValue(child(path, 'x-kubernetes-list-map-keys'), keys, 'must not contain duplicate entries'));
        seen.add(k);
      }
    }
  }
  if ((lt === 'set' || lt === 'map') && items) {
    if (items.nullable) out.push(forbidden(child(child(path, 'items'), 'nullable'), `cannot be nullable when x-kubernetes-list-type is ${lt}`));
    if (lt === 'map') {
      for (const k of keys) {
        const ks = items.properties?.[k];
        if (!ks) continue;
        if (!(items.required ?? []).includes(k) && ks.default === undefined) {
          out.push(req(`${key(child(child(path, 'items'), 'properties'), k)}.default`, 'this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property'));
        }
        if (ks.nullable) out.push(forbidden(`${key(child(child(path, 'items'), 'properties'), k)}.nullable`, 'this property is in x-kubernetes-list-map-keys, so it cannot be nullable'));
      }
    }
  }
}

function rules(s: JSONSchemaProps, path: string, out: FieldError[]): void {
  (s['x-kubernetes-validations'] ?? []).forEach((r, i) => {
    const p = index(child(path, 'x-kubernetes-validations'), i);
    const rule = (r.rule ?? '').trim();
    const msg = (r.message ?? '').trim();
    if (!rule) out.push(req(child(p, 'rule'), 'rule is not specified'));
    else if (r.message && !msg) out.push(invalidValue(child(p, 'message'), r.message, 'must be non-empty if specified'));
    else if (/[\n\r]/.test(msg)) out.push(invalidValue(child(p, 'message'), r.message, 'must not contain line breaks'));
    else if (/[\n\r]/.test(rule) && !msg) out.push(req(child(p, 'message'), 'message must be specified if rule contains line breaks'));
    if (r.messageExpression !== undefined && r.messageExpression.length > 0 && !r.messageExpression.trim()) out.push(req(child(p, 'messageExpression'), 'messageExpression must be non-empty if specified'));
    if (r.reason !== undefined && !REASONS.includes(r.reason)) out.push(notSupported(child(p, 'reason'), r.reason, REASONS));
    if (r.fieldPath !== undefined && r.fieldPath.length > 0 && !r.fieldPath.trim()) out.push(invalidValue(child(p, 'fieldPath'), r.fieldPath, 'must be non-empty if specified'));
    if (r.fieldPath && /[\n\r]/.test(r.fieldPath)) out.push(invalidValue(child(p, 'fieldPath'), r.fieldPath, 'must not contain line breaks'));
    if (r.fieldPath && r.fieldPath.trim() && !fieldPathValid(s, r.fieldPath)) out.push(invalidValue(child(p, 'fieldPath'), r.fieldPath, 'must be a valid path'));
  });
}

// ---- defaults ----

function defaults(s: JSONSchemaProps, path: string, out: FieldError[]): void {
  if (s.default !== undefined) {
    const p = child(path, 'default');
    const copy = deepCopy(s.default);
    const errs = validateValue(s, copy, p);
    out.push(...errs);
    if (!errs.length && copy !== null && typeof copy === 'object' && !Array.isArray(copy) && !s['x-kubernetes-preserve-unknown-fields']) {
      const pruned = prune({ v: copy } as Record<string, unknown>, { type: 'object', properties: { v: s } });
      if (pruned.length) out.push(invalidValue(p, s.default, `must not have unknown fields`));
    }
  }
  for (const [k, p] of Object.entries(s.properties ?? {})) defaults(p, key(child(path, 'properties'), k), out);
  const items = itemsOf(s);
  if (items) defaults(items, child(path, 'items'), out);
  const a = additionalOf(s);
  if (a) defaults(a, child(path, 'additionalProperties'), out);
}

export interface SchemaCheckOptions {
  /** The version (or CRD) enables the status subresource: only some keywords are allowed at the root. */
  statusEnabled: boolean;
}

/**
 * Every problem with one openAPIV3Schema, path = `spec.versions[0].schema.openAPIV3Schema`.
 * Structural errors come sorted as Kubernetes sorts them; CEL rules are not compiled here.
 */
export function validateSchemaDefinition(s: JSONSchemaProps, path: string, o: SchemaCheckOptions): FieldError[] {
  const out: FieldError[] = [];
  if (o.statusEnabled) {
    for (const k of Object.keys(s)) {
      if (k === 'type') {
        if (s.type !== 'object') {
          out.push(invalidValue(child(path, 'type'), s.type, 'only "object" is allowed as the type at the root of the schema if the status subresource is enabled'));
          break;
        }
        continue;
      }
      if (!ROOT_WITH_STATUS.includes(k) && (s as Record<string, unknown>)[k] !== undefined) {
        out.push(invalidValue(path, s, `only [${ROOT_WITH_STATUS_GO.join(' ')}] fields are allowed at the root of the schema if the status subresource is enabled`));
        break;
      }
    }
  }
  if (s.nullable) out.push(forbidden(child(path, 'nullable'), 'nullable cannot be true at the root'));
  const st: FieldError[] = [];
  structural(s, 'root', path, st);
  completeness(s, path, st);
  st.sort((a, b) => (`${a.field}: ${a.detail}` < `${b.field}: ${b.detail}` ? -1 : 1));
  out.push(...st);
  if (st.length === 0) defaults(s, path, out);
  openapi(s, path, { allowDefaults: true, insideMeta: false }, true, out);
  return out;
}

/** Whether any schema node matches (walks properties, items, additionalProperties and combinators). */
export function schemaHas(s: JSONSchemaProps | undefined, pred: (s: JSONSchemaProps) => boolean): boolean {
  if (!s) return false;
  if (pred(s)) return true;
  const items = s.items;
  if (Array.isArray(items) ? items.some((i) => schemaHas(i, pred)) : schemaHas(items, pred)) return true;
  for (const list of [s.allOf, s.anyOf, s.oneOf]) if (list?.some((x) => schemaHas(x, pred))) return true;
  if (schemaHas(s.not, pred)) return true;
  if (Object.values(s.properties ?? {}).some((p) => schemaHas(p, pred))) return true;
  return schemaHas(additionalOf(s), pred);
}
