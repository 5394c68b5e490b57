// DELETE: options from the query or a DeleteOptions body, preconditions, graceful deletion, and
// finalizers (the object stays, with deletionTimestamp, until its finalizers are removed). Per-kind
// rules (pods' grace period, namespaces' Terminating) come from the registry entry's `deletion`.
import { StatusError, conflict, notFound } from '../../api/errors.ts';
import type { ResourceType } from '../../api/resource.ts';
import type { KubeObject } from '../../api/types.ts';
import { StorageError } from '../../storage/interface.ts';
import { boolParam, intParam } from '../listopts.ts';
import { admitValidating } from '../pipeline/run.ts';
import { timestamp } from './objectmeta.ts';
import { remoteConversion, servedEntry, toStored } from './convert.ts';
import { admissionAttrs, keyOf, mapStorageError, type Scope } from './scope.ts';
import type { WriteResult } from './write.ts';
import { deepCopy } from '../../api/core/json.ts';

export type PropagationPolicy = 'Orphan' | 'Background' | 'Foreground';

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: PropagationPolicy;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun: boolean;
}

const POLICIES = ['Foreground', 'Background', 'Orphan'];

/** Query parameters first, then a DeleteOptions body (kubectl sends the body) overriding them. */
export function parseDeleteOptions(q: URLSearchParams | undefined, body: any): DeleteOptions {
  const opts: DeleteOptions = { dryRun: false };
  const g = intParam(q, 'gracePeriodSeconds');
  if (g !== undefined) opts.gracePeriodSeconds = g;
  const p = q?.get('propagationPolicy');
  if (p) opts.propagationPolicy = p as PropagationPolicy;
  if (boolParam(q, 'orphanDependents') === true) opts.propagationPolicy ??= 'Orphan';
  if (q?.getAll('dryRun').includes('All')) opts.dryRun = true;
  if (body && typeof body === 'object') {
    if (typeof body.gracePeriodSeconds === 'number') opts.gracePeriodSeconds = body.gracePeriodSeconds;
    if (typeof body.propagationPolicy === 'string') opts.propagationPolicy = body.propagationPolicy;
    if (body.orphanDependents === true) opts.propagationPolicy ??= 'Orphan';
    if (body.preconditions && typeof body.preconditions === 'object') opts.preconditions = body.preconditions;
    if (Array.isArray(body.dryRun) && body.dryRun.includes('All')) opts.dryRun = true;
  }
  if (opts.propagationPolicy !== undefined && !POLICIES.includes(opts.propagationPolicy)) {
    throw new StatusError(422, 'Invalid', `DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "${opts.propagationPolicy}": supported values: "Foreground", "Background", "Orphan"`, {
      group: 'meta.k8s.io',
      kind: 'DeleteOptions',
      causes: [{ reason: 'FieldValueNotSupported', message: `Unsupported value: "${opts.propagationPolicy}"`, field: 'propagationPolicy' }],
    });
  }
  return opts;
}

/** The DeleteOptions (meta.k8s.io/v1) admission sees. */
export function deleteOptionsObject(opts: DeleteOptions): Record<string, unknown> {
  const o: Record<string, unknown> = { kind: 'DeleteOptions', apiVersion: 'meta.k8s.io/v1' };
  if (opts.gracePeriodSeconds !== undefined) o.gracePeriodSeconds = opts.gracePeriodSeconds;
  if (opts.preconditions) o.preconditions = opts.preconditions;
  if (opts.propagationPolicy) o.propagationPolicy = opts.propagationPolicy;
  if (opts.dryRun) o.dryRun = ['All'];
  return o;
}

/** The grace period a kind gives a delete (its registry entry's rule; default: at once). */
export function gracePeriodFor(rt: ResourceType, obj: KubeObject, requested: number | undefined): number {
  return rt.deletion?.gracePeriodSeconds?.(obj, requested) ?? 0;
}

/** Finalizers holding an object being deleted: metadata.finalizers plus the kind's own (Namespace spec.finalizers). */
export function pendingFinalizers(rt: ResourceType, obj: KubeObject): number {
  return (obj.metadata.finalizers?.length ?? 0) + (rt.deletion?.extraFinalizers?.(obj).length ?? 0);
}

export type DeletionPlan = { action: 'delete' } | { action: 'update'; object: KubeObject } | { action: 'none' };

/** Pure: what a delete does to the current object. */
export function planDeletion(rt: ResourceType, current: KubeObject, opts: DeleteOptions, now: Date): DeletionPlan {
  // The plan changes metadata's own members only, unless the kind marks the deletion (in status):
  // then a deep copy; else current's other members are shared as they are (never changed here).
  const marks = rt.deletion?.markDeleting !== undefined;
  const obj = marks ? (deepCopy(current) as KubeObject) : { ...current, metadata: { ...current.metadata } };
  const m = obj.metadata;
  // status can only change through markDeleting: compared only then
  const before = JSON.stringify([m.finalizers ?? [], m.deletionTimestamp, m.deletionGracePeriodSeconds, marks ? obj.status : undefined]);
  let finalizers = [...(m.finalizers ?? [])];
  if (opts.propagationPolicy === 'Foreground') {
    finalizers = finalizers.filter((f) => f !== 'orphan');
    if (!finalizers.includes('foregroundDeletion')) finalizers.push('foregroundDeletion');
  } else if (opts.propagationPolicy === 'Orphan') {
    finalizers = finalizers.filter((f) => f !== 'foregroundDeletion');
    if (!finalizers.includes('orphan')) finalizers.push('orphan');
  } else if (opts.propagationPolicy === 'Background') {
    finalizers = finalizers.filter((f) => f !== 'orphan' && f !== 'foregroundDeletion');
  }
  const deleting = !!m.deletionTimestamp;
  if (!deleting) for (const f of rt.deletion?.finalizersOnDelete?.(current) ?? []) if (!finalizers.includes(f)) finalizers.push(f);
  const grace = gracePeriodFor(rt, current, opts.gracePeriodSeconds);
  const currentGrace = m.deletionGracePeriodSeconds ?? 0;
  if (!deleting || grace < currentGrace) {
    m.deletionTimestamp = timestamp(new Date(now.getTime() + grace * 1000));
    m.deletionGracePeriodSeconds = grace;
  }
  if (finalizers.length) m.finalizers = finalizers;
  else delete m.finalizers;
  if (pendingFinalizers(rt, obj) === 0 && (m.deletionGracePeriodSeconds ?? 0) === 0) return { action: 'delete' };
  rt.deletion?.markDeleting?.(obj);
  const after = JSON.stringify([m.finalizers ?? [], m.deletionTimestamp, m.deletionGracePeriodSeconds, marks ? obj.status : undefined]);
  return after === before ? { action: 'none' } : { action: 'update', object: obj };
}

function checkPreconditions(rt: ResourceType, obj: KubeObject, pre: DeleteOptions['preconditions']): void {
  if (!pre) return;
  const name = obj.metadata.name ?? '';
  if (pre.uid && pre.uid !== obj.metadata.uid) {
    throw conflict(rt.plural, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${obj.metadata.uid}`, rt.group);
  }
  if (pre.resourceVersion && pre.resourceVersion !== obj.metadata.resourceVersion) {
    throw conflict(rt.plural, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${obj.metadata.resourceVersion}`, rt.group);
  }
}

/** Deletes (or starts deleting) one object; retries internally when it changes meanwhile. */
export async function deleteObject(s: Scope, name: string, opts: DeleteOptions): Promise<WriteResult> {
  const store = s.core.store;
  const key = keyOf(s.rt, s.info.namespace, name);
  const remote = remoteConversion(s.rt) !== undefined;
  for (let attempt = 0; ; attempt++) {
    const stored = await store.get(key);
    if (!stored) throw notFound(s.rt.plural, name, s.rt.group);
    // webhook conversion: admission and the answer see the request version; the store keeps its own
    const cur = remote ? await servedEntry(s.rt, stored) : stored;
    checkPreconditions(s.rt, cur.object, opts.preconditions);
    await admitValidating(s.core.pipeline, admissionAttrs(s, 'DELETE', undefined, cur.object, name, opts.dryRun, deleteOptionsObject(opts)));
    const plan = planDeletion(s.rt, cur.object, opts, new Date(s.core.clock.now()));
    try {
      switch (plan.action) {
        case 'none':
          return { object: cur.object, text: cur, created: false, deleted: false };
        case 'update': {
          if (opts.dryRun) return { object: plan.object, created: false, deleted: false };
          const e = await store.update(key, remote ? await toStored(s.rt, plan.object) : plan.object, cur.modRevision);
          if (remote) return { object: (await servedEntry(s.rt, e)).object, created: false, deleted: false };
          return { object: e.object, text: e, created: false, deleted: false };
        }
        case 'delete': {
          if (opts.dryRun) {
            s.rt.rest?.afterDelete?.(s, cur.object, true);
            return { object: cur.object, text: cur, created: false, deleted: true };
          }
          const e = await store.delete(key, cur.modRevision);
          s.rt.rest?.afterDelete?.(s, e.object, false);
          return remote ? { object: cur.object, created: false, deleted: true } : { object: e.object, text: e, created: false, deleted: true };
        }
      }
    } catch (err) {
      if (err instanceof StorageError && (err.code === 'Conflict' || err.code === 'KeyNotFound') && attempt < 50) continue;
      throw mapStorageError(err, s.rt, name);
    }
  }
}
