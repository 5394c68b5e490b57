// Field sets in the FieldsV1 format of metadata.managedFields (`f:<field>`, `k:{"name":"x"}` for an
// element of a keyed list, `v:<json>` for an element of a set, `.` for the element itself), and the
// set operations server-side apply needs.
import type { Schema } from '../../api/resource.ts';
import { childSchema, isKeyedList, mergeKeyOf } from './schema.ts';
import { deepEqual, isObject } from './json.ts';
import { deepCopy } from '../../api/core/json.ts';

export type FieldSet = { [pe: string]: FieldSet };
/** A leaf path: path elements from the root, e.g. ["f:spec", "f:containers", 'k:{"name":"a"}', "f:image"]. */
export type FieldPath = string[];

const META_SKIP = new Set(['name', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'managedFields', 'selfLink']);

/** The fields an object sets. skipStatus leaves out `status` (owned through the status subresource). */
export function fieldSetOf(obj: Record<string, any>, schema: Schema | undefined, skipStatus: boolean): FieldSet {
  return changedFieldSet(undefined, obj, schema, skipStatus);
}

/**
 * The fields of next whose value differs from old (all of next's fields when old is undefined),
 * found by walking both objects together (keyed list elements matched by key).
 */
export function changedFieldSet(old: Record<string, any> | undefined, next: Record<string, any>, schema: Schema | undefined, skipStatus: boolean): FieldSet {
  const out: FieldSet = {};
  for (const [k, v] of Object.entries(next)) {
    if (k === 'apiVersion' || k === 'kind' || v === null || v === undefined) continue;
    if (k === 'status' && skipStatus) continue;
    if (k === 'metadata' && isObject(v)) {
      const m: FieldSet = {};
      const ms = childSchema(schema, 'metadata');
      const om = isObject(old?.metadata) ? old!.metadata : undefined;
      for (const [mk, mv] of Object.entries(v)) {
        if (META_SKIP.has(mk) || mv === null || mv === undefined) continue;
        diffInto(m, `f:${mk}`, om?.[mk], mv, childSchema(ms, mk));
      }
      if (Object.keys(m).length) out['f:metadata'] = m;
      continue;
    }
    diffInto(out, `f:${k}`, old?.[k], v, childSchema(schema, k));
  }
  return out;
}

/** Adds out[key] when next differs from old (a leaf, or the changed fields below it). */
function diffInto(out: FieldSet, key: string, old: unknown, next: unknown, s: Schema | undefined): void {
  if (isObject(next) && s?.['x-kubernetes-map-type'] !== 'atomic') {
    const o = isObject(old) ? old : undefined;
    const child: FieldSet = {};
    for (const [k, v] of Object.entries(next)) if (v !== null && v !== undefined) diffInto(child, `f:${k}`, o?.[k], v, childSchema(s, k));
    if (Object.keys(child).length || (!o && Object.keys(next).length === 0)) out[key] = child;
    return;
  }
  if (Array.isArray(next) && isKeyedList(s)) {
    const mk = mergeKeyOf(s);
    const prev = Array.isArray(old) ? old : [];
    const child: FieldSet = {};
    const byKey = new Map<string, unknown>();
    if (mk) for (const item of prev) if (isObject(item) && mk in item) byKey.set(JSON.stringify(item[mk]), item);
    for (const item of next) {
      if (mk && isObject(item) && mk in item) {
        const before = byKey.get(JSON.stringify(item[mk])) as Record<string, unknown> | undefined;
        const el: FieldSet = before === undefined ? { '.': {} } : {};
        for (const [k, v] of Object.entries(item)) if (v !== null && v !== undefined) diffInto(el, `f:${k}`, before?.[k], v, childSchema(s?.items, k));
        if (Object.keys(el).length) child[elementKey(mk, item[mk])] = el;
      } else if (!isObject(item) && !prev.some((x) => deepEqual(x, item))) child[`v:${JSON.stringify(item)}`] = {};
    }
    if (Object.keys(child).length || (old === undefined && next.length === 0)) out[key] = child;
    return;
  }
  if (old === undefined || !deepEqual(old, next)) out[key] = {};
}

/**
 * Keeps the paths of set that still exist in all, dropping those taken over in changed (unless
 * changed is undefined). Mutates set; returns whether it is now empty.
 */
export function prune(set: FieldSet, all: FieldSet | undefined, changed: FieldSet | undefined): boolean {
  for (const k of Object.keys(set)) {
    if (k === '.') continue;
    const a = all?.[k];
    if (!a) {
      delete set[k];
      continue;
    }
    const sub = set[k];
    if (Object.keys(sub).length === 0) {
      if (changed && k in changed) delete set[k];
      continue;
    }
    if (prune(sub, a, changed?.[k])) delete set[k];
  }
  return Object.keys(set).length === 0;
}

export function elementKey(key: string, value: unknown): string {
  return `k:${JSON.stringify({ [key]: value })}`;
}

/** Leaf paths of a set (nodes without children; `.` marks an element owned as a whole). */
export function leaves(set: FieldSet, prefix: FieldPath = []): FieldPath[] {
  const out: FieldPath[] = [];
  for (const [pe, child] of Object.entries(set)) {
    const p = [...prefix, pe];
    if (Object.keys(child).length === 0) out.push(p);
    else out.push(...leaves(child, p));
  }
  return out;
}

export function has(set: FieldSet, path: FieldPath): boolean {
  let cur: FieldSet | undefined = set;
  for (const pe of path) {
    cur = cur[pe];
    if (!cur) return false;
  }
  return true;
}

export function add(set: FieldSet, path: FieldPath): void {
  let cur = set;
  for (const pe of path) cur = cur[pe] ??= {};
}

export function remove(set: FieldSet, path: FieldPath): void {
  const walk = (cur: FieldSet, i: number): boolean => {
    const pe = path[i];
    if (!cur[pe]) return Object.keys(cur).length === 0;
    if (i === path.length - 1) delete cur[pe];
    else if (walk(cur[pe], i + 1)) delete cur[pe];
    return Object.keys(cur).length === 0;
  };
  walk(set, 0);
}

export function union(a: FieldSet, b: FieldSet): FieldSet {
  const out = deepCopy(a);
  for (const p of leaves(b)) add(out, p);
  return out;
}

/** The value at a path of an object; undefined when absent. */
export function valueAt(obj: unknown, path: FieldPath): unknown {
  let cur: unknown = obj;
  for (const pe of path) {
    if (pe === '.') continue;
    if (cur === undefined || cur === null) return undefined;
    if (pe.startsWith('f:')) cur = isObject(cur) ? cur[pe.slice(2)] : undefined;
    else if (pe.startsWith('k:')) {
      const [[k, v]] = Object.entries(JSON.parse(pe.slice(2)) as Record<string, unknown>);
      cur = Array.isArray(cur) ? cur.find((x) => isObject(x) && deepEqual(x[k], v)) : undefined;
    } else if (pe.startsWith('v:')) {
      const v = JSON.parse(pe.slice(2));
      cur = Array.isArray(cur) && cur.some((x) => deepEqual(x, v)) ? v : undefined;
    } else return undefined;
  }
  return cur;
}

/** Deletes the field or element a path names from obj (in place). */
export function deleteAt(obj: unknown, path: FieldPath): void {
  const p = path[path.length - 1] === '.' ? path.slice(0, -1) : path;
  if (p.length === 0) return;
  const parent = valueAt(obj, p.slice(0, -1));
  const last = p[p.length - 1];
  if (last.startsWith('f:')) {
    if (isObject(parent)) delete parent[last.slice(2)];
  } else if (Array.isArray(parent)) {
    const target = valueAt(obj, p);
    const i = parent.findIndex((x) => x === target || (last.startsWith('v:') && deepEqual(x, target)));
    if (i >= 0) parent.splice(i, 1);
  }
}

/** `.spec.containers[name="a"].image`: the path as structured-merge-diff prints it. */
export function pathString(path: FieldPath): string {
  let s = '';
  for (const pe of path) {
    if (pe === '.') continue;
    if (pe.startsWith('f:')) s += `.${pe.slice(2)}`;
    else if (pe.startsWith('k:')) {
      const o = JSON.parse(pe.slice(2)) as Record<string, unknown>;
      s += `[${Object.entries(o)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(',')}]`;
    } else if (pe.startsWith('v:')) s += `[=${pe.slice(2)}]`;
  }
  return s;
}
