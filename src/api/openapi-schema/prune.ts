// Pruning and defaulting of custom resources by their structural schema (apiextensions-apiserver's
// pruning and defaulting algorithms): fields the schema does not declare are dropped (and their
// paths reported for fieldValidation), non-nullable nulls without a default are dropped, and
// defaults are filled in, deepest last, as Kubernetes applies them when it decodes a request.
import { additionalOf, isObject, itemsOf, type JSONSchemaProps } from './types.ts';
import { deepCopy } from '../core/json.ts';

const META_FIELDS = new Set(['apiVersion', 'kind', 'metadata']);

const join = (path: string, k: string) => (path ? `${path}.${k}` : k);

function pruneWalk(x: unknown, s: JSONSchemaProps | undefined, path: string, embedded: boolean, out: string[]): void {
  if (s?.['x-kubernetes-preserve-unknown-fields']) return skipPrune(x, s, path, out);
  if (Array.isArray(x)) {
    const items = itemsOf(s);
    x.forEach((v, i) => pruneWalk(v, items, `${path}[${i}]`, !!items?.['x-kubernetes-embedded-resource'], out));
    return;
  }
  if (!isObject(x)) return;
  if (!s) {
    for (const k of Object.keys(x)) {
      out.push(join(path, k));
      delete x[k];
    }
    return;
  }
  const addl = additionalOf(s);
  for (const k of Object.keys(x)) {
    if (embedded && META_FIELDS.has(k)) continue;
    const prop = s.properties && Object.hasOwn(s.properties, k) ? s.properties[k] : undefined;
    if (prop) pruneWalk(x[k], prop, join(path, k), !!prop['x-kubernetes-embedded-resource'], out);
    else if (addl) pruneWalk(x[k], addl, join(path, k), !!addl['x-kubernetes-embedded-resource'], out);
    else if (s.additionalProperties === true) continue;
    else {
      out.push(join(path, k));
      delete x[k];
    }
  }
}

/** Under x-kubernetes-preserve-unknown-fields: unknown keys stay, declared ones are still pruned inside. */
function skipPrune(x: unknown, s: JSONSchemaProps, path: string, out: string[]): void {
  if (Array.isArray(x)) {
    const items = itemsOf(s);
    if (items) x.forEach((v, i) => skipPrune(v, items, `${path}[${i}]`, out));
    return;
  }
  if (!isObject(x)) return;
  const addl = additionalOf(s);
  const embedded = !!s['x-kubernetes-embedded-resource'];
  for (const k of Object.keys(x)) {
    if (embedded && META_FIELDS.has(k)) continue;
    const prop = s.properties && Object.hasOwn(s.properties, k) ? s.properties[k] : undefined;
    if (prop) pruneWalk(x[k], prop, join(path, k), !!prop['x-kubernetes-embedded-resource'], out);
    else if (addl) pruneWalk(x[k], addl, join(path, k), !!addl['x-kubernetes-embedded-resource'], out);
  }
}

/**
 * Drops every field of a resource the schema does not declare (in place) and returns their paths,
 * sorted: `spec.foo`, `spec.items[0].bar`. apiVersion, kind and metadata of the resource (and of
 * x-kubernetes-embedded-resource objects) are left to the caller.
 */
export function prune(obj: Record<string, unknown>, s: JSONSchemaProps | undefined): string[] {
  const out: string[] = [];
  pruneWalk(obj, s, '', true, out);
  return out.sort();
}

const nonNullableNull = (x: unknown, s: JSONSchemaProps | undefined) => x === null && !!s && !s.nullable;

function propSchema(s: JSONSchemaProps | undefined, k: string): JSONSchemaProps | undefined {
  if (!s) return undefined;
  if (s.properties && Object.hasOwn(s.properties, k)) return s.properties[k];
  return additionalOf(s);
}

/** Removes nulls the schema does not allow and cannot default (PruneNonNullableNullsWithoutDefaults). */
export function pruneNulls(x: unknown, s: JSONSchemaProps | undefined): void {
  if (Array.isArray(x)) {
    const items = itemsOf(s);
    for (const v of x) pruneNulls(v, items);
    return;
  }
  if (!isObject(x)) return;
  for (const k of Object.keys(x)) {
    const sub = propSchema(s, k);
    if (nonNullableNull(x[k], sub) && sub!.default === undefined) delete x[k];
    else pruneNulls(x[k], sub);
  }
}

/** Fills in the schema's defaults (in place): absent or non-nullable null properties get a copy of theirs. */
export function applyDefaults(x: unknown, s: JSONSchemaProps | undefined): void {
  if (!s) return;
  if (Array.isArray(x)) {
    const items = itemsOf(s);
    if (!items) return;
    for (let i = 0; i < x.length; i++) {
      if (nonNullableNull(x[i], items) && items.default !== undefined) x[i] = deepCopy(items.default);
      applyDefaults(x[i], items);
    }
    return;
  }
  if (!isObject(x)) return;
  for (const [k, prop] of Object.entries(s.properties ?? {})) {
    if (prop.default === undefined) continue;
    if (!Object.hasOwn(x, k) || nonNullableNull(x[k], prop)) x[k] = deepCopy(prop.default);
  }
  const addl = additionalOf(s);
  for (const k of Object.keys(x)) {
    const prop = s.properties && Object.hasOwn(s.properties, k) ? s.properties[k] : undefined;
    if (prop) applyDefaults(x[k], prop);
    else if (addl) {
      if (nonNullableNull(x[k], addl) && addl.default !== undefined) x[k] = deepCopy(addl.default);
      applyDefaults(x[k], addl);
    }
  }
}
