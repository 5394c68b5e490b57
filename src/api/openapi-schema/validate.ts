// Validation of a value against a structural schema, as the API server validates custom resources
// (kube-openapi's schema validator with apiextensions' error mapping, list-type uniqueness, and the
// apiVersion/kind checks of embedded resources). Errors name each field the way Kubernetes does:
// `spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"`.
import type { FieldError } from '../errors.ts';
import { duplicate, invalidValue, notSupported, required } from '../errors.ts';
import { compilePattern, formatOk } from './formats.ts';
import { correlateField, correlateItems, deepEqual, unchanged, type Correlated } from './ratchet.ts';
import { additionalOf, child, index, isObject, itemsOf, type JSONSchemaProps } from './types.ts';

/** The JSON type kube-openapi names for a value. */
export function jsonTypeOf(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'array';
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'boolean';
    case 'number':
      return Number.isInteger(v) ? 'integer' : 'number';
    case 'object':
      return 'object';
    default:
      return typeof v;
  }
}

const inBody = (path: string) => `${path} in body`;

/** kube-openapi's InvalidType: the value shown is the JSON type found (or the string, for a format). */
export function typeInvalid(path: string, expected: string, actual: string): FieldError {
  return { field: path, type: 'FieldValueTypeInvalid', detail: `Invalid value: ${JSON.stringify(actual)}: ${inBody(path)} must be of type ${expected}: ${JSON.stringify(actual)}` };
}

function tooLong(path: string, max: number): FieldError {
  return { field: path, type: 'FieldValueTooLong', detail: `Too long: may not be more than ${max} bytes` };
}

function tooMany(path: string, actual: number, max: number): FieldError {
  return { field: path, type: 'FieldValueTooMany', detail: `Too many: ${actual}: must have at most ${max} items` };
}

/** The value Kubernetes prints for an error on a compound value ("object"/"array" are not rendered whole). */
const shown = (v: unknown): unknown => v;

function typeMatches(s: JSONSchemaProps, v: unknown): { ok: boolean; expected: string } {
  if (s['x-kubernetes-int-or-string']) return { ok: typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v)), expected: 'integer,string' };
  const t = s.type;
  if (!t) return { ok: true, expected: '' };
  const actual = jsonTypeOf(v);
  const ok = t === actual || (t === 'number' && actual === 'integer');
  return { ok, expected: t };
}

/** Value validations (enum, bounds, lengths, pattern, format, counts) of one schema node on one value. */
function valueChecks(s: JSONSchemaProps, v: unknown, path: string, out: FieldError[]): void {
  if (s.enum && s.enum.length > 0 && !s.enum.some((e) => deepEqual(e, v))) {
    out.push(notSupported(path, v, s.enum.map((e) => (typeof e === 'string' ? e : JSON.stringify(e)))));
  }
  if (typeof v === 'number') {
    if (s.maximum !== undefined) {
      if (s.exclusiveMaximum ? v >= s.maximum : v > s.maximum) {
        out.push(invalidValue(path, v, `${inBody(path)} should be less than ${s.exclusiveMaximum ? '' : 'or equal to '}${s.maximum}`));
      }
    }
    if (s.minimum !== undefined) {
      if (s.exclusiveMinimum ? v <= s.minimum : v < s.minimum) {
        out.push(invalidValue(path, v, `${inBody(path)} should be greater than ${s.exclusiveMinimum ? '' : 'or equal to '}${s.minimum}`));
      }
    }
    if (s.multipleOf !== undefined && s.multipleOf > 0) {
      const q = v / s.multipleOf;
      if (Math.abs(q - Math.round(q)) > 1e-9) out.push(invalidValue(path, v, `${inBody(path)} should be a multiple of ${s.multipleOf}`));
    }
  }
  if (typeof v === 'string') {
    const len = [...v].length;
    if (s.maxLength !== undefined && len > s.maxLength) out.push(tooLong(path, s.maxLength));
    if (s.minLength !== undefined && len < s.minLength) out.push(invalidValue(path, v, `${inBody(path)} should be at least ${s.minLength} chars long`));
    if (s.pattern !== undefined) {
      const re = compilePattern(s.pattern);
      if (re && !re.test(v)) out.push(invalidValue(path, v, `${inBody(path)} should match '${s.pattern}'`));
    }
    if (s.format && s.type !== 'integer' && s.type !== 'number' && !formatOk(s.format, v)) {
      out.push(typeInvalid(path, s.format, v));
    }
  }
  if (Array.isArray(v)) {
    if (s.maxItems !== undefined && v.length > s.maxItems) out.push(tooMany(path, v.length, s.maxItems));
    if (s.minItems !== undefined && v.length < s.minItems) out.push(invalidValue(path, shown(v), `${inBody(path)} should have at least ${s.minItems} items`));
  }
  if (isObject(v)) {
    const n = Object.keys(v).length;
    if (s.maxProperties !== undefined && n > s.maxProperties) out.push(tooMany(path, n, s.maxProperties));
    if (s.minProperties !== undefined && n < s.minProperties) out.push(invalidValue(path, shown(v), `${inBody(path)} should have at least ${s.minProperties} properties`));
    for (const k of s.required ?? []) if (!Object.hasOwn(v, k)) out.push(required(child(path, k)));
  }
}

/** allOf/anyOf/oneOf/not: value-only schemas over the same value. */
function combinators(s: JSONSchemaProps, v: unknown, path: string, out: FieldError[]): void {
  for (const sub of s.allOf ?? []) walk(sub, v, path, out, true);
  if (s.anyOf?.length) {
    if (!s.anyOf.some((sub) => errorsOf(sub, v, path).length === 0)) {
      const nested = s.anyOf.flatMap((sub) => errorsOf(sub, v, path));
      out.push(...nested, invalidValue(path, shown(v), `${inBody(path)} must validate at least one schema (anyOf)`));
    }
  }
  if (s.oneOf?.length) {
    const passing = s.oneOf.filter((sub) => errorsOf(sub, v, path).length === 0).length;
    if (passing !== 1) out.push(invalidValue(path, shown(v), `${inBody(path)} must validate one and only one schema (oneOf)`));
  }
  if (s.not && errorsOf(s.not, v, path).length === 0) out.push(invalidValue(path, shown(v), `${inBody(path)} must not validate the schema (not)`));
}

function errorsOf(s: JSONSchemaProps, v: unknown, path: string): FieldError[] {
  const out: FieldError[] = [];
  walk(s, v, path, out, true);
  return out;
}

/**
 * One node and its subtree. c: the correlated old value on an update (ratcheting); a node equal to
 * it is not validated at all, as Kubernetes drops every error of an unchanged node's subtree.
 */
function walk(s: JSONSchemaProps, v: unknown, path: string, out: FieldError[], nested = false, c: Correlated = undefined): void {
  if (unchanged(v, c)) return;
  if (v === null || v === undefined) {
    if (!nested && (s.type || s['x-kubernetes-int-or-string']) && !s.nullable) out.push(typeInvalid(path, s['x-kubernetes-int-or-string'] ? 'integer,string' : s.type!, 'null'));
    return;
  }
  const t = typeMatches(s, v);
  if (!t.ok) {
    out.push(typeInvalid(path, t.expected, jsonTypeOf(v)));
    return;
  }
  valueChecks(s, v, path, out);
  combinators(s, v, path, out);
  if (Array.isArray(v)) {
    const items = itemsOf(s);
    const old = correlateItems(s, c);
    if (items) v.forEach((x, i) => walk(items, x, index(path, i), out, nested, old(x)));
    return;
  }
  if (isObject(v)) {
    const props = s.properties;
    const addl = additionalOf(s);
    for (const k of Object.keys(v)) {
      const sub = props && Object.hasOwn(props, k) ? props[k] : addl;
      if (sub) walk(sub, v[k], child(path, k), out, nested, correlateField(s, c, k, path === '' && !nested));
    }
  }
}

/**
 * Schema validation of a whole value (an object, or a subtree with its path). old: the value before
 * an update, for ratcheting (errors of unchanged nodes do not count).
 */
export function validateValue(s: JSONSchemaProps, value: unknown, path = '', old?: { old: unknown }): FieldError[] {
  const out: FieldError[] = [];
  walk(s, value, path, out, false, old);
  return out;
}

// ---- x-kubernetes-list-type set/map uniqueness ----

const keyOf = (v: unknown) => (v !== null && typeof v === 'object' ? JSON.stringify(v) : `${typeof v}:${String(v)}`);

function listTypeWalk(s: JSONSchemaProps, v: unknown, path: string, out: FieldError[]): void {
  if (Array.isArray(v)) {
    const lt = s['x-kubernetes-list-type'];
    if (lt === 'set') {
      const seen = new Map<string, number>();
      v.forEach((x, i) => {
        const k = keyOf(x);
        const n = seen.get(k) ?? 0;
        if (n === 1) out.push(duplicate(index(path, i), x));
        seen.set(k, n + 1);
      });
    } else if (lt === 'map') {
      const keys = s['x-kubernetes-list-map-keys'] ?? [];
      const items = itemsOf(s);
      const seen = new Set<string>();
      v.forEach((x, i) => {
        if (!isObject(x)) {
          out.push(invalidValue(index(path, i), x, 'must be an object for an array of list-type map'));
          return;
        }
        const ident: Record<string, unknown> = {};
        for (const k of keys) {
          const val = x[k] ?? items?.properties?.[k]?.default;
          if (val !== undefined) ident[k] = val;
        }
        const id = JSON.stringify(keys.map((k) => ident[k] ?? null));
        if (seen.has(id)) out.push(duplicate(index(path, i), keys.length === 1 ? (Object.keys(ident).length ? { [keys[0]]: ident[keys[0]] } : {}) : ident));
        seen.add(id);
      });
    }
    const items = itemsOf(s);
    if (items) v.forEach((x, i) => listTypeWalk(items, x, index(path, i), out));
    return;
  }
  if (isObject(v)) {
    const addl = additionalOf(s);
    for (const k of Object.keys(v)) {
      const sub = s.properties && Object.hasOwn(s.properties, k) ? s.properties[k] : addl;
      if (sub) listTypeWalk(sub, v[k], child(path, k), out);
    }
  }
}

/** Duplicates in x-kubernetes-list-type set and map lists (`spec.ports[1]: Duplicate value: {"name":"a"}`). */
export function validateListTypes(s: JSONSchemaProps, value: unknown, path = ''): FieldError[] {
  const out: FieldError[] = [];
  listTypeWalk(s, value, path, out);
  return out;
}
