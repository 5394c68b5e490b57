// Server-side apply (application/apply-patch+yaml) and managedFields bookkeeping for ordinary writes.
// A reasonable model of structured-merge-diff: each manager owns a FieldsV1 set; applying merges the
// applied configuration into the live object, reports conflicts with other managers' fields whose
// value would change (409 unless force), and removes fields the manager stopped applying when nobody
// else owns them.
import type { KubeObject, ManagedFieldsEntry } from '../../api/types.ts';
import type { ResourceType, Schema } from '../../api/resource.ts';
import { StatusError } from '../../api/errors.ts';
import { apiVersionOf } from '../../api/types.ts';
import { childSchema, isKeyedList, mergeKeyOf } from './schema.ts';
import { deepEqual, isObject } from './json.ts';
import { type FieldPath, type FieldSet, changedFieldSet, deleteAt, fieldSetOf, has, leaves, pathString, prune, remove, union, valueAt } from './fields.ts';
import { deepCopy } from '../../api/core/json.ts';

export interface ApplyOptions {
  fieldManager: string;
  force?: boolean;
  subresource?: string;
  now?: Date;
}

function nowString(d: Date): string {
  return d.toISOString().replace(/\.\d+Z$/, 'Z');
}

function skipStatus(rt: ResourceType, subresource?: string): boolean {
  return rt.strategy.hasStatus && subresource !== 'status';
}

function entrySet(e: ManagedFieldsEntry): FieldSet {
  return (e.fieldsV1 as FieldSet | undefined) ?? {};
}

function sameOwner(e: ManagedFieldsEntry, manager: string, operation: 'Apply' | 'Update', subresource?: string): boolean {
  return e.manager === manager && e.operation === operation && (e.subresource ?? '') === (subresource ?? '');
}

/** `"kubectl-client-side-apply" using apps/v1`, as the apiserver names a manager in conflicts. */
function printManager(e: ManagedFieldsEntry): string {
  let s = JSON.stringify(e.manager ?? '');
  if (e.subresource) s += ` with subresource ${JSON.stringify(e.subresource)}`;
  if (e.operation === 'Update') s += ` using ${e.apiVersion}`;
  return s;
}

/** Merges the applied configuration into the live object: maps by field, keyed lists by key, sets by value. */
function mergeApplied(cur: unknown, app: unknown, s: Schema | undefined): unknown {
  if (isObject(app) && isObject(cur) && s?.['x-kubernetes-map-type'] !== 'atomic') {
    const out: Record<string, unknown> = { ...cur };
    for (const [k, v] of Object.entries(app)) {
      if (v === null) delete out[k];
      else out[k] = mergeApplied(cur[k], v, childSchema(s, k));
    }
    return out;
  }
  if (Array.isArray(app) && Array.isArray(cur) && isKeyedList(s)) {
    const key = mergeKeyOf(s);
    const out = [...cur];
    for (const item of app) {
      const i = key && isObject(item) ? out.findIndex((o) => isObject(o) && deepEqual(o[key], item[key])) : out.findIndex((o) => deepEqual(o, item));
      if (i >= 0) out[i] = mergeApplied(out[i], item, s?.items);
      else out.push(deepCopy(item));
    }
    return out;
  }
  return deepCopy(app);
}

function conflictError(conflicts: { entry: ManagedFieldsEntry; path: FieldPath }[]): StatusError {
  const causes = conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${printManager(c.entry)}`, field: pathString(c.path) }));
  let message: string;
  if (conflicts.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${printManager(conflicts[0].entry)}: ${pathString(conflicts[0].path)}`;
  } else {
    const by = new Map<string, string[]>();
    for (const c of conflicts) {
      const m = printManager(c.entry);
      by.set(m, [...(by.get(m) ?? []), pathString(c.path)]);
    }
    const lines: string[] = [];
    for (const m of [...by.keys()].sort()) {
      lines.push(`conflicts with ${m}:`);
      for (const p of by.get(m)!) lines.push(`- ${p}`);
    }
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
  }
  return new StatusError(409, 'Conflict', message, { causes });
}

/** Server-side apply of `applied` (already decoded) onto current (undefined = create). */
export function serverSideApply(current: KubeObject | undefined, applied: Record<string, any>, rt: ResourceType, opts: ApplyOptions): KubeObject {
  const now = nowString(opts.now ?? new Date());
  const apiVersion = apiVersionOf(rt.group, rt.version);
  const skip = skipStatus(rt, opts.subresource);
  const newSet = fieldSetOf(applied, rt.schema, skip);
  const self: ManagedFieldsEntry = { manager: opts.fieldManager, operation: 'Apply', apiVersion, time: now, fieldsType: 'FieldsV1', fieldsV1: newSet };
  if (opts.subresource) self.subresource = opts.subresource;

  if (!current) {
    const obj = deepCopy(applied) as KubeObject;
    obj.metadata = { ...(obj.metadata ?? {}), managedFields: [self] };
    return obj;
  }

  const entries = (current.metadata.managedFields ?? []).map((e) => ({ ...e, fieldsV1: deepCopy(entrySet(e)) }));
  const mine = entries.find((e) => sameOwner(e, opts.fieldManager, 'Apply', opts.subresource));
  const others = entries.filter((e) => e !== mine);

  const conflicts: { entry: ManagedFieldsEntry; path: FieldPath }[] = [];
  for (const p of leaves(newSet)) {
    const path = p[p.length - 1] === '.' ? p.slice(0, -1) : p;
    for (const e of others) {
      if (!has(entrySet(e), p)) continue;
      if (deepEqual(valueAt(current, path), valueAt(applied, path))) continue;
      if (opts.force) remove(e.fieldsV1 as FieldSet, p);
      else conflicts.push({ entry: e, path });
    }
  }
  if (conflicts.length) throw conflictError(conflicts);

  const { metadata: appliedMeta = {}, ...appliedRest } = applied;
  const merged = mergeApplied(current, { ...appliedRest, metadata: appliedMeta }, rt.schema) as KubeObject;

  // Fields this manager applied before and no longer applies go away unless someone else owns them.
  if (mine) {
    for (const p of leaves(entrySet(mine))) {
      if (has(newSet, p)) continue;
      const path = p[p.length - 1] === '.' ? p.slice(0, -1) : p;
      if (others.some((e) => has(entrySet(e), path))) continue;
      deleteAt(merged, path);
    }
  }
  // uid and creationTimestamp stay the server's; name and resourceVersion are left for the API
  // server's checks (name must match the URL, a given resourceVersion is a precondition).
  merged.metadata = { ...merged.metadata, uid: current.metadata.uid, creationTimestamp: current.metadata.creationTimestamp };
  for (const k of Object.keys(merged.metadata) as (keyof typeof merged.metadata)[]) if (merged.metadata[k] === undefined) delete merged.metadata[k];
  if (skip && current.status !== undefined) merged.status = deepCopy(current.status);
  merged.metadata.managedFields = [...others.filter((e) => Object.keys(entrySet(e)).length > 0), self];
  return merged;
}

/**
 * Records an ordinary write (create, update, non-apply patch) in next.metadata.managedFields:
 * the fields it changed become the manager's (operation Update) and leave other managers; fields
 * that no longer exist leave every set. Mutates next.
 */
export function trackUpdate(old: KubeObject | undefined, next: KubeObject, rt: ResourceType, manager: string, subresource?: string, now = new Date()): void {
  const skip = skipStatus(rt, subresource);
  const all = fieldSetOf(next, rt.schema, skip);
  let changed = changedFieldSet(old, next, rt.schema, skip);
  // A status write owns only what it changed under status.
  if (subresource === 'status') changed = changed['f:status'] ? { 'f:status': changed['f:status'] } : {};
  const explicitReset = Array.isArray(next.metadata.managedFields) && next.metadata.managedFields.length === 0;
  const base = explicitReset ? [] : (old?.metadata.managedFields ?? next.metadata.managedFields ?? []);
  const apiVersion = apiVersionOf(rt.group, rt.version);
  let mine: ManagedFieldsEntry | undefined;
  const entries: ManagedFieldsEntry[] = [];
  for (const e of base) {
    const set = deepCopy(entrySet(e));
    const isMine = sameOwner(e, manager, 'Update', subresource);
    prune(set, all, isMine ? undefined : changed);
    const copy = { ...e, fieldsV1: set };
    if (isMine) mine = copy;
    entries.push(copy);
  }
  if (Object.keys(changed).length) {
    if (mine) {
      mine.fieldsV1 = union(entrySet(mine), changed);
      mine.time = nowString(now);
      mine.apiVersion = apiVersion;
    } else {
      mine = { manager, operation: 'Update', apiVersion, time: nowString(now), fieldsType: 'FieldsV1', fieldsV1: changed };
      if (subresource) mine.subresource = subresource;
      entries.push(mine);
    }
  }
  next.metadata.managedFields = entries.filter((e) => Object.keys(entrySet(e)).length > 0);
  if (next.metadata.managedFields.length === 0) delete next.metadata.managedFields;
}
