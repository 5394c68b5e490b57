// Writes: create, and the update engine shared by PUT, PATCH and the subresources — Kubernetes'
// GuaranteedUpdate: read the current object, compute the new one, compare-and-swap on its revision,
// and recompute on a conflict unless the caller pinned a resourceVersion (then 409).
import { conflict, notFound, OBJECT_MODIFIED } from '../../api/errors.ts';
import { validateObjectMetaUpdate } from '../../api/meta.ts';
import { forgetWellTyped } from '../../api/schema.ts';
import type { KubeObject } from '../../api/types.ts';
import { handOver } from '../../storage/common.ts';
import { StorageError, type StoreEntry } from '../../storage/interface.ts';
import { admitMutating, admitValidating, isPromise } from '../pipeline/run.ts';
import { addWarning } from '../respond.ts';
import { pendingFinalizers } from './delete.ts';
import { bumpGeneration, canonicalizeObjectTimes, carryUpdateMeta, initCreateMeta, sameObject, validateObject } from './objectmeta.ts';
import { remoteConversion, servedEntry, toStored } from './convert.ts';
import { admissionAttrs, keyOf, mapStorageError, type Scope } from './scope.ts';
import { deepCopy } from '../../api/core/json.ts';

const MAX_ATTEMPTS = 50;

export interface WriteResult {
  /** The object as stored (or as it would be, for dryRun). */
  object: KubeObject;
  /** The store's entry for `object` when it came from the store: its JSON, read only if the answer goes out as text (the store may make it on demand). */
  text?: Pick<StoreEntry, 'json'>;
  created: boolean;
  /** The write removed the last finalizer of an object being deleted: it is gone. */
  deleted: boolean;
}

/** Admission, strategy, validation and the kind's beginCreate hook for a new object (BeforeCreate). Mutates obj. */
export async function prepareCreate(s: Scope, obj: KubeObject, dryRun: boolean): Promise<void> {
  canonicalizeObjectTimes(obj, s.rt);
  initCreateMeta(obj, s.rt, new Date(s.core.clock.now()), s.core.random);
  s.rt.defaults(obj);
  // one set of attributes for both stages, as Kubernetes' admission chain passes them
  const attrs = admissionAttrs(s, 'CREATE', obj, undefined, obj.metadata.name, dryRun);
  // stages awaited only when they answer with a promise: a synchronous answer costs no microtask turn
  const mutated = admitMutating(s.core.pipeline, attrs);
  if (isPromise(mutated)) await mutated;
  if (attrs.untyped) forgetWellTyped(obj);
  s.rt.strategy.prepareForCreate?.(obj);
  validateObject(obj, s.rt, undefined);
  const begun = s.rt.rest?.beginCreate?.(s, obj);
  if (isPromise(begun)) await begun;
  try {
    attrs.name = obj.metadata.name;
    const validated = admitValidating(s.core.pipeline, attrs);
    if (isPromise(validated)) await validated;
  } catch (err) {
    s.rt.rest?.abortCreate?.(s, obj);
    throw err;
  }
}

/**
 * Stores a prepared new object; a generateName collision picks another name. `owned`: obj is the
 * request's own (its decoded body or patch result, nothing else holds any part of it), given up to
 * the store (storage handOver) — a collision's retry changes only its metadata, which the store copies.
 */
export async function storeCreate(s: Scope, obj: KubeObject, dryRun: boolean, owned = false): Promise<WriteResult> {
  if (dryRun) {
    s.rt.rest?.afterCreate?.(s, obj, true);
    return { object: obj, created: true, deleted: false };
  }
  const ns = obj.metadata.namespace;
  const remote = remoteConversion(s.rt) !== undefined;
  for (let attempt = 0; ; attempt++) {
    try {
      // a webhook-converted kind: the object is converted to the storage version here, and back for the answer
      const stored = remote ? await toStored(s.rt, obj) : owned ? handOver(obj) : obj;
      const e = await s.core.store.create(keyOf(s.rt, ns, obj.metadata.name!), stored);
      s.rt.rest?.afterCreate?.(s, e.object, false);
      return remote ? servedResult(s, e, true, false) : { object: e.object, text: e, created: true, deleted: false };
    } catch (err) {
      if (err instanceof StorageError && err.code === 'KeyExists' && obj.metadata.generateName && attempt < 8) {
        obj.metadata.name = undefined;
        initCreateMeta(obj, s.rt, new Date(s.core.clock.now()), s.core.random);
        continue;
      }
      s.rt.rest?.abortCreate?.(s, obj);
      throw mapStorageError(err, s.rt, obj.metadata.name ?? '');
    }
  }
}

/**
 * BeforeUpdate: identity fields from the stored object, defaults, mutating admission, the strategy
 * (main resource keeps status; status subresource keeps everything else), generation, validation,
 * the kind's beginUpdate hook (not for status writes), validating admission. Mutates and returns obj.
 */
export async function prepareUpdate(s: Scope, obj: KubeObject, old: KubeObject, subresource: string | undefined, dryRun: boolean): Promise<KubeObject> {
  const rt = s.rt;
  canonicalizeObjectTimes(obj, rt);
  carryUpdateMeta(obj, old);
  const metaErrs = validateObjectMetaUpdate(obj.metadata, old.metadata);
  rt.defaults(obj);
  const attrs = admissionAttrs(s, 'UPDATE', obj, old, old.metadata.name, dryRun);
  // stages awaited only when they answer with a promise: a synchronous answer costs no microtask turn
  const mutated = admitMutating(s.core.pipeline, attrs);
  if (isPromise(mutated)) await mutated;
  // what the type checks found of obj still holds unless a plugin may have put other types in
  if (attrs.untyped) forgetWellTyped(obj);
  if (subresource === 'status') {
    if (rt.strategy.prepareForStatusUpdate) rt.strategy.prepareForStatusUpdate(obj, old);
    else keepAllButStatus(obj, old);
  } else if (rt.strategy.prepareForUpdate) {
    rt.strategy.prepareForUpdate(obj, old);
  } else if (rt.strategy.hasStatus) {
    if (old.status === undefined) delete obj.status;
    else obj.status = deepCopy(old.status);
  }
  bumpGeneration(obj, old, rt);
  validateObject(obj, rt, old, metaErrs, (text) => addWarning(s.res, text));
  const begun = subresource !== 'status' ? rt.rest?.beginUpdate?.(s, obj, old) : undefined;
  if (isPromise(begun)) await begun;
  const validated = admitValidating(s.core.pipeline, attrs);
  if (isPromise(validated)) await validated;
  return obj;
}

function keepAllButStatus(obj: KubeObject, old: KubeObject): void {
  const status = obj.status;
  const rv = obj.metadata.resourceVersion;
  for (const k of Object.keys(obj)) delete obj[k];
  Object.assign(obj, deepCopy(old));
  if (status === undefined) delete obj.status;
  else obj.status = status;
  if (rv !== undefined) obj.metadata.resourceVersion = rv;
}

/** A 409 unless the object's resourceVersion (when set) is the stored one. */
export function checkPrecondition(s: Scope, obj: KubeObject, current: KubeObject): void {
  const rv = obj.metadata.resourceVersion;
  if (rv !== undefined && rv !== '' && rv !== current.metadata.resourceVersion) {
    throw conflict(s.rt.plural, current.metadata.name ?? '', OBJECT_MODIFIED, s.rt.group);
  }
}

/**
 * What an update computes from the current object (undefined when absent): the object to store,
 * or `create: true` for an apply that creates. `owned`: the object is this attempt's own (made for
 * it from the request, no part of it held elsewhere), given up to the store. Throws StatusError to reject.
 */
export type UpdateTransform = (current: KubeObject | undefined) => Promise<{ object: KubeObject; create?: boolean; owned?: boolean }>;

/** A stored entry as the write's answer, converted back to the request version (webhook conversion). */
async function servedResult(s: Scope, e: StoreEntry, created: boolean, deleted: boolean): Promise<WriteResult> {
  const served = await servedEntry(s.rt, e);
  return { object: served.object, text: served, created, deleted };
}

export async function guaranteedUpdate(s: Scope, name: string, transform: UpdateTransform, dryRun: boolean): Promise<WriteResult> {
  const store = s.core.store;
  const key = keyOf(s.rt, s.info.namespace, name);
  const remote = remoteConversion(s.rt) !== undefined;
  for (let attempt = 0; ; attempt++) {
    const stored: StoreEntry | undefined = await store.get(key);
    // the transform, admission and validation see the current object in the request version
    // decoded as a read decodes it (a custom resource's schema), so the update starts from what a GET shows
    const decoded = stored && !remote && s.rt.decode ? { ...stored, object: s.rt.decode(stored.object), json: undefined } : stored;
    const cur = decoded && remote ? await servedEntry(s.rt, decoded) : decoded;
    const { object, create, owned } = await transform(cur?.object);
    try {
      if (!cur) {
        if (!create) throw notFound(s.rt.plural, name, s.rt.group);
        return await storeCreate(s, object, dryRun, owned);
      }
      if (sameObject(object, cur.object)) return { object: cur.object, text: cur, created: false, deleted: false };
      const m = object.metadata;
      if (m.deletionTimestamp && pendingFinalizers(s.rt, object) === 0 && (m.deletionGracePeriodSeconds ?? 0) === 0) {
        // The last finalizer is gone from an object being deleted: the write completes the delete.
        if (dryRun) {
          s.rt.rest?.afterDelete?.(s, object, true);
          return { object, created: false, deleted: true };
        }
        const e = await store.delete(key, cur.modRevision);
        s.rt.rest?.afterDelete?.(s, e.object, false);
        return remote ? { object, created: false, deleted: true } : { object: e.object, text: e, created: false, deleted: true };
      }
      if (dryRun) {
        s.rt.rest?.afterUpdate?.(s, object, true);
        return { object, created: false, deleted: false };
      }
      const e = await store.update(key, remote ? await toStored(s.rt, object) : owned ? handOver(object) : object, cur.modRevision);
      s.rt.rest?.afterUpdate?.(s, e.object, false);
      return remote ? servedResult(s, e, false, false) : { object: e.object, text: e, created: false, deleted: false };
    } catch (err) {
      // Lost a race: recompute from the new state (a pinned resourceVersion then fails the precondition).
      if (err instanceof StorageError && (err.code === 'Conflict' || err.code === 'KeyExists' || err.code === 'KeyNotFound') && attempt < MAX_ATTEMPTS) continue;
      throw mapStorageError(err, s.rt, name);
    }
  }
}
