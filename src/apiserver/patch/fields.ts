// Field sets in the FieldsV1 format of metadata.managedFields (`f:<field>`, `k:{"name":"x"}` for an
// element of a keyed list, `v:<json>` for an element of a set, `.` for the element itself), and the
// set operations server-side apply needs.
import type { Schema } from '../../api/resource.ts';
import { childSchema, isMergeList, mergeKeyOf } from './schema.ts';
import { deepEqual, isObject } from './json.ts';

export type FieldSet = { [pe: string]: FieldSet };
/** A leaf path: path elements from the root, e.g. ["f:spec", "f:containers", 'k:{"name":"a"}', "f:image"]. */
export type FieldPath = string[];

const META_SKIP = new Set(['name', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'managedFields', 'selfLink']);

/** The fields an object sets. skipStatus leaves out `status` (owned through the status subresource). */
export function fieldSetOf(obj: Record<string, any>, schema: Schema | undefined, skipStatus: boolean): FieldSet {
  const out: FieldSet = {};
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'apiVersion' || k === 'kind' || v === null || v === undefined) continue;
    if (k === 'status' && skipStatus) continue;
    if (k === 'metadata' && isObject(v)) {
      const m: FieldSet = {};
      for (const [mk, mv] of Object.entries(v)) {
        if (META_SKIP.has(mk) || mv === null || mv === undefined) continue;
        m[`f:${mk}`] = valueFields(mv, childSchema(childSchema(schema, 'metadata'), mk));
      }
      if (Object.keys(m).length) out['f:metadata'] = m;
      continue;
    }
    out[`f:${k}`] = valueFields(v, childSchema(schema, k));
  }
  return out;
}

function valueFields(v: unknown, s: Schema | undefined): FieldSet {
  if (isObject(v)) {
    if (s?.['x-kubernetes-map-type'] === 'atomic') return {};
    const out: FieldSet = {};
    for (const [k, cv] of Object.entries(v)) if (cv !== null && cv !== undefined) out[`f:${k}`] = valueFields(cv, childSchema(s, k));
    return out;
  }
  if (Array.isArray(v) && isMergeList(s)) {
    const key = mergeKeyOf(s);
    const out: FieldSet = {};
    for (const item of v) {
      if (key && isObject(item) && key in item) out[elementKey(key, item[key])] = { '.': {}, ...valueFields(item, s?.items) };
      else if (!isObject(item)) out[`v:${JSON.stringify(item)}`] = {};
    }
    return out;
  }
  return {};
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

/** Whether set owns path or anything below it. */
export function ownsAtOrBelow(set: FieldSet, path: FieldPath): boolean {
  return has(set, path);
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
  const out = structuredClone(a);
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
