// Strategic merge patch, driven by the kind's schema: lists marked patchStrategy "merge" are merged
// by their patchMergeKey (primitive lists are unioned), others are replaced; directives `$patch`,
// `$retainKeys`, `$setElementOrder/<list>`, `$deleteFromPrimitiveList/<list>`; null deletes a field.
// Follows k8s.io/apimachinery/pkg/util/strategicpatch (mergeMap / mergeSlice).
import type { Schema } from '../../api/resource.ts';
import { childSchema, isMergeList, mergeKeyOf, strategyOf } from './schema.ts';
import { deepEqual, isObject } from './json.ts';

/** A patch the library rejects: code 400 (bad format) or 422 (content does not fit). */
export class SmpError extends Error {
  constructor(
    readonly code: 400 | 422,
    message: string,
  ) {
    super(message);
  }
}

const DIRECTIVE = '$patch';
const RETAIN_KEYS = '$retainKeys';
const SET_ORDER = '$setElementOrder/';
const DELETE_PRIMITIVE = '$deleteFromPrimitiveList/';

/** Go's %v rendering of a map, for error messages (`map[image:nginx]`). */
function goMap(v: unknown): string {
  if (isObject(v)) {
    return `map[${Object.keys(v)
      .sort()
      .map((k) => `${k}:${goMap(v[k])}`)
      .join(' ')}]`;
  }
  if (Array.isArray(v)) return `[${v.map(goMap).join(' ')}]`;
  return v === null ? '<nil>' : String(v);
}

/** Applies patch to a copy of original. */
export function strategicMergePatch<T extends Record<string, any>>(original: T, patch: Record<string, any>, schema: Schema | undefined): T {
  return mergeMap(structuredClone(original), structuredClone(patch), schema) as T;
}

function mergeMap(original: Record<string, any>, patch: Record<string, any>, schema: Schema | undefined): Record<string, any> {
  if (DIRECTIVE in patch) {
    const d = patch[DIRECTIVE];
    if (d === 'replace') {
      delete patch[DIRECTIVE];
      return mergeMap({}, patch, schema);
    }
    if (d === 'delete') return {};
    if (d !== 'merge') throw new SmpError(400, `unknown patch type: ${d} in map: ${goMap(patch)}`);
    delete patch[DIRECTIVE];
  }

  if (RETAIN_KEYS in patch) {
    const keep = patch[RETAIN_KEYS];
    if (!Array.isArray(keep)) throw new SmpError(400, 'invalid patch format of retainKeys');
    for (const k of Object.keys(patch)) {
      if (k === RETAIN_KEYS || k.startsWith('$')) continue;
      if (!keep.includes(k)) throw new SmpError(422, "patch content doesn't match retainKeys list");
    }
    for (const k of Object.keys(original)) if (!keep.includes(k)) delete original[k];
    delete patch[RETAIN_KEYS];
  }

  const orders: Record<string, unknown[]> = {};
  for (const k of Object.keys(patch)) {
    if (k.startsWith(DELETE_PRIMITIVE)) {
      const field = k.slice(DELETE_PRIMITIVE.length);
      const del = patch[k];
      if (!Array.isArray(del)) throw new SmpError(400, 'invalid patch format of primitive list');
      if (Array.isArray(original[field])) original[field] = original[field].filter((x: unknown) => !del.some((d) => deepEqual(d, x)));
      delete patch[k];
    } else if (k.startsWith(SET_ORDER)) {
      const field = k.slice(SET_ORDER.length);
      if (!Array.isArray(patch[k])) throw new SmpError(400, 'invalid patch format of setElementOrder list');
      orders[field] = patch[k];
      delete patch[k];
    }
  }

  for (const [k, pv] of Object.entries(patch)) {
    const s = childSchema(schema, k);
    if (pv === null) {
      delete original[k];
      continue;
    }
    const ov = original[k];
    if (isObject(pv) && isObject(ov)) {
      original[k] = strategyOf(s).includes('replace') ? clean(pv, s) : mergeMap(ov, pv, s);
    } else if (Array.isArray(pv) && Array.isArray(ov)) {
      original[k] = mergeList(ov, pv, s);
    } else {
      original[k] = clean(pv, s);
    }
  }

  for (const [field, order] of Object.entries(orders)) {
    if (Array.isArray(original[field])) original[field] = applyOrder(original[field], order, mergeKeyOf(childSchema(schema, field)));
  }
  return original;
}

/** A patch value placed where nothing was: its directives are processed against emptiness. */
function clean(v: unknown, s: Schema | undefined): unknown {
  if (isObject(v)) return mergeMap({}, v, s);
  if (Array.isArray(v)) return mergeList([], v, s);
  return v;
}

function mergeList(original: unknown[], patch: unknown[], s: Schema | undefined): unknown[] {
  const items = s?.items;
  if (!isMergeList(s)) {
    // Replaced whole; a `$patch: replace` marker item is meaningless here, drop directives.
    return patch.filter((p) => !(isObject(p) && p[DIRECTIVE] === 'replace')).map((p) => clean(p, items));
  }
  const replaceMarker = patch.findIndex((p) => isObject(p) && p[DIRECTIVE] === 'replace');
  if (replaceMarker >= 0) return patch.filter((_, i) => i !== replaceMarker).map((p) => clean(p, items));
  if (patch.length === 0) return original;

  const primitive = patch.every((p) => !isObject(p));
  if (primitive) {
    const out = [...original];
    for (const p of patch) if (!out.some((o) => deepEqual(o, p))) out.push(p);
    return out;
  }
  const key = mergeKeyOf(s);
  if (!key) throw new SmpError(400, `merging a list of maps requires a merge key; none is declared for this list`);
  const out: unknown[] = [...original];
  for (const p of patch) {
    if (!isObject(p)) throw new SmpError(400, `cannot merge a non-map value ${goMap(p)} into a list of maps`);
    const directive = p[DIRECTIVE];
    if (directive !== undefined && directive !== 'delete' && directive !== 'merge' && directive !== 'replace') {
      throw new SmpError(400, `unknown patch type: ${directive} in map: ${goMap(p)}`);
    }
    if (!(key in p)) throw new SmpError(400, `map: ${goMap(p)} does not contain declared merge key: ${key}`);
    if (directive === 'delete') {
      for (let i = out.length - 1; i >= 0; i--) if (isObject(out[i]) && deepEqual((out[i] as any)[key], p[key])) out.splice(i, 1);
      continue;
    }
    const i = out.findIndex((o) => isObject(o) && deepEqual(o[key], p[key]));
    if (i >= 0) out[i] = mergeMap(out[i] as Record<string, any>, p, items);
    else out.push(mergeMap({}, p, items));
  }
  return out;
}

/**
 * `$setElementOrder`: the listed elements take the listed order; elements only the server knows
 * keep their place relative to the element they followed.
 */
function applyOrder(list: unknown[], order: unknown[], key: string | undefined): unknown[] {
  const idOf = (x: unknown) => JSON.stringify(key && isObject(x) ? x[key] : x);
  const pos = new Map(order.map((o, i) => [idOf(o), i] as const));
  const ordered = list.filter((x) => pos.has(idOf(x))).sort((a, b) => pos.get(idOf(a))! - pos.get(idOf(b))!);
  const out = [...ordered];
  let prev: unknown = undefined;
  for (const x of list) {
    if (!pos.has(idOf(x))) {
      const at = prev === undefined ? 0 : out.indexOf(prev) + 1;
      out.splice(at, 0, x);
    }
    prev = x;
  }
  return out;
}

/** RFC 7386 JSON merge patch. */
export function jsonMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return patch;
  const out: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = jsonMergePatch(out[k], v);
  }
  return out;
}
