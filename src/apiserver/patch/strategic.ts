// Strategic merge patch, driven by the kind's schema: lists marked patchStrategy "merge" are merged
// by their patchMergeKey (primitive lists are unioned), others are replaced; directives `$patch`,
// `$retainKeys`, `$setElementOrder/<list>`, `$deleteFromPrimitiveList/<list>`; null deletes a field.
// Follows k8s.io/apimachinery/pkg/util/strategicpatch (mergeMap / mergeSlice).
import type { Schema } from '../../api/resource.ts';
import { childSchema, isMergeList, mergeKeyOf, strategyOf } from './schema.ts';
import { deepEqual, isObject } from './json.ts';
import { deepCopy } from '../../api/core/json.ts';

/** A patch the library rejects (the API server answers 400). */
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
  return mergeMap(deepCopy(original), deepCopy(patch), schema) as T;
}

function noMergeKey(m: unknown, key: string): SmpError {
  return new SmpError(400, `map: ${goMap(m)} does not contain declared merge key: ${key}`);
}

function mergeMap(original: Record<string, any>, patch: Record<string, any>, schema: Schema | undefined): Record<string, any> {
  if (DIRECTIVE in patch) {
    const d = patch[DIRECTIVE];
    if (d === 'replace') {
      delete patch[DIRECTIVE];
      return mergeMap({}, patch, schema);
    }
    if (d === 'delete') return {};
    throw new SmpError(400, `unknown patch type: ${d} in map: ${goMap(patch)}`);
  }

  if (RETAIN_KEYS in patch) {
    const keep = patch[RETAIN_KEYS];
    delete patch[RETAIN_KEYS];
    if (!Array.isArray(keep)) throw new SmpError(400, 'invalid patch format of retainKeys');
    for (const [k, v] of Object.entries(patch)) {
      if (v === null || k.startsWith(DELETE_PRIMITIVE) || k.startsWith(SET_ORDER)) continue;
      if (!keep.includes(k)) throw new SmpError(400, 'invalid patch format of retainKeys');
    }
    for (const k of Object.keys(original)) if (!keep.includes(k)) delete original[k];
  }

  // $setElementOrder lists first, together with the list they order (as apimachinery does).
  for (const k of Object.keys(patch)) {
    if (!k.startsWith(SET_ORDER)) continue;
    const order = patch[k];
    delete patch[k];
    if (!Array.isArray(order)) throw new SmpError(400, 'invalid patch format of setElementOrder list');
    const field = k.slice(SET_ORDER.length);
    const s = childSchema(schema, field);
    if (Array.isArray(patch[field])) checkOrderMatches(patch[field], order, mergeKeyOf(s));
    const inOriginal = Array.isArray(original[field]);
    const inPatch = Array.isArray(patch[field]);
    if (!inOriginal && !inPatch) continue;
    const merged = inOriginal && inPatch ? mergeList(original[field], patch[field], s) : inOriginal ? original[field] : clean(patch[field], s);
    original[field] = sortBy(merged as unknown[], order, inOriginal ? original[field] : [], mergeKeyOf(s));
    delete patch[field];
  }

  for (const [key, pv] of Object.entries(patch)) {
    let k = key;
    let deleteList = false;
    if (key.startsWith(DELETE_PRIMITIVE)) {
      k = key.slice(DELETE_PRIMITIVE.length);
      deleteList = true;
      if (!Array.isArray(pv)) throw new SmpError(400, 'invalid patch format of primitive list');
    }
    const s = childSchema(schema, k);
    if (pv === null) {
      delete original[k];
      continue;
    }
    const ov = original[k];
    if (deleteList) {
      if (Array.isArray(ov)) original[k] = ov.filter((x: unknown) => !(pv as unknown[]).some((d) => deepEqual(d, x)));
      continue;
    }
    if (isObject(pv) && isObject(ov)) {
      original[k] = strategyOf(s).includes('replace') ? clean(pv, s) : mergeMap(ov, pv, s);
    } else if (Array.isArray(pv) && Array.isArray(ov)) {
      original[k] = mergeList(ov, pv, s);
    } else {
      original[k] = clean(pv, s);
    }
  }
  return original;
}

/** A patch value placed where nothing was: its directives are processed against emptiness. */
function clean(v: unknown, s: Schema | undefined): unknown {
  if (isObject(v)) return mergeMap({}, v, s);
  // A new list is taken as sent (apimachinery does), minus directives in mergeable lists.
  if (Array.isArray(v)) return isMergeList(s) && (mergeKeyOf(s) || !v.some(isObject)) ? mergeList([], v, s) : v.map((x) => clean(x, s?.items));
  return v;
}

function mergeList(original: unknown[], patch: unknown[], s: Schema | undefined): unknown[] {
  const items = s?.items;
  if (!isMergeList(s)) return patch.map((p) => clean(p, items));
  if (original.length === 0 && patch.length === 0) return original;

  if (![...original, ...patch].some(isObject)) {
    const merged: unknown[] = [];
    for (const x of [...original, ...patch]) if (!merged.some((m) => deepEqual(m, x))) merged.push(x);
    return sortBy(merged, patch, original, undefined);
  }
  const key = mergeKeyOf(s);
  if (!key) throw new SmpError(400, 'cannot merge lists without merge key for type map');

  // Elements carrying $patch: delete removes, replace replaces the whole list.
  let server: unknown[] = [...original];
  const plain: Record<string, any>[] = [];
  let replace = false;
  for (const p of patch) {
    if (!isObject(p)) throw new SmpError(400, `cannot merge a non-map value ${goMap(p)} into a list of maps`);
    if (!(DIRECTIVE in p)) {
      plain.push(p);
      continue;
    }
    switch (p[DIRECTIVE]) {
      case 'delete':
        if (!(key in p)) throw noMergeKey(p, key);
        server = server.filter((o) => !(isObject(o) && deepEqual(o[key], p[key])));
        break;
      case 'replace':
        replace = true;
        break;
      case 'merge':
        throw new SmpError(400, 'merging lists cannot yet be specified in the patch');
      default:
        throw new SmpError(400, `unknown patch type: ${p[DIRECTIVE]} in map: ${goMap(p)}`);
    }
  }
  if (replace) return plain.map((p) => clean(p, items));

  const merged = [...server];
  for (const p of plain) {
    if (!(key in p)) throw noMergeKey(p, key);
    const i = merged.findIndex((o) => isObject(o) && deepEqual(o[key], p[key]));
    if (i >= 0) merged[i] = mergeMap(merged[i] as Record<string, any>, p, items);
    else merged.push(mergeMap({}, p, items));
  }
  return sortBy(merged, plain, server, key);
}

/** The patch list's elements must appear in $setElementOrder in the same relative order. */
function checkOrderMatches(list: unknown[], order: unknown[], key: string | undefined): void {
  const items = list.filter((x) => !(isObject(x) && DIRECTIVE in x));
  let i = 0;
  for (let j = 0; i < items.length && j < order.length; j++) if (indexIn([order[j]], items[i], key) === 0) i++;
  if (i < items.length) {
    throw new SmpError(400, `The order in patch list:\n${goMap(list)}\n doesn't match $setElementOrder list:\n${goMap(order)}\n`);
  }
}

/** Position of an element in a list: by merge key for maps, by value for primitives; -1 if absent. */
function indexIn(list: unknown[], x: unknown, key: string | undefined): number {
  const id = key && isObject(x) ? x[key] : x;
  return list.findIndex((y) => deepEqual(key && isObject(y) ? y[key] : y, id));
}

/**
 * apimachinery's normalizeElementOrder: the elements named in `order` (the patch list or
 * $setElementOrder) take that order, the others keep the live order, and the two are interleaved
 * by their positions in the live list (an element new to the list goes before server-only ones).
 */
function sortBy(merged: unknown[], order: unknown[], server: unknown[], key: string | undefined): unknown[] {
  const byOrder = (list: unknown[], o: unknown[]) =>
    list
      .map((x, i) => ({ x, i, at: indexIn(o, x, key) }))
      .sort((a, b) => (a.at >= 0 && b.at >= 0 ? a.at - b.at : a.at >= 0 ? -1 : b.at >= 0 ? 1 : a.i - b.i))
      .map((e) => e.x);
  const named = byOrder(
    merged.filter((x) => indexIn(order, x, key) >= 0),
    order,
  );
  const serverOnly = byOrder(
    merged.filter((x) => indexIn(order, x, key) < 0),
    server,
  );
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < serverOnly.length || j < named.length) {
    if (j >= named.length) out.push(serverOnly[i++]);
    else if (i >= serverOnly.length) out.push(named[j++]);
    else {
      const li = indexIn(server, serverOnly[i], key);
      const ri = indexIn(server, named[j], key);
      if (li >= 0 && ri >= 0 && li < ri) out.push(serverOnly[i++]);
      else out.push(named[j++]);
    }
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
