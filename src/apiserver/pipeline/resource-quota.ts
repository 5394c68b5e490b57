// Built-in admission: ResourceQuota (plugin/pkg/admission/resourcequota). A create (or an update
// that changes usage) is charged to every quota of the namespace that tracks it: refused with 403
// `exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2` when a quota would be
// exceeded, otherwise the new usage is written to the quotas' status before the object is stored.
// Charges are serialized per namespace on this server and written with compare-and-swap, so two
// concurrent creates cannot both pass on the same usage.
import type { KubeObject } from '../../api/types.ts';
import type { ResourceType } from '../../api/resource.ts';
import { isStatusError } from '../../api/errors.ts';
import { evaluatorFor, quotaMatches, type QuotaEvaluator, type QuotaOperation } from '../../api/core/quota.ts';
import {
  addLists,
  formatResourceList,
  lessThanOrEqual,
  maskList,
  negativeResources,
  parseResourceList,
  prettyPrintList,
  removeZeros,
  subtractNonNegative,
} from '../../api/core/resourcelist.ts';
import { objectKey, resourcePrefix, StorageError, type WatchCache } from '../../storage/interface.ts';
import type { AdmissionAttributes, AdmissionPlugin } from './index.ts';
import { admissionForbidden, serialize } from './forbidden.ts';
import { deepCopy } from '../../api/core/json.ts';

export interface QuotaRequest {
  operation: QuotaOperation;
  object: KubeObject;
  oldObject?: KubeObject;
  now?: number;
}

export type QuotaDecision = { ok: true; updated: KubeObject[] } | { ok: false; reason: string };

const sortedNames = (names: string[]) => [...names].sort().join(',');

/**
 * CheckRequest: the quotas whose status.used this request changes (with the new usage), or the
 * reason it is refused. Quotas not yet counted by the controller (no status.hard) do not apply.
 */
/** A resource type's quota evaluator, built once per type (evaluatorFor makes an object-count evaluator per call). */
const evaluators = new WeakMap<ResourceType, QuotaEvaluator>();
function evaluatorOf(rt: ResourceType): QuotaEvaluator {
  let e = evaluators.get(rt);
  if (!e) evaluators.set(rt, (e = evaluatorFor(rt.group, rt.plural)));
  return e;
}

export function checkQuotaRequest(quotas: KubeObject[], e: QuotaEvaluator, r: QuotaRequest): QuotaDecision {
  if (!e.handles(r.operation)) return { ok: true, updated: [] };
  const interesting: KubeObject[] = [];
  for (const q of quotas) {
    if (!quotaMatches(q, e, r.object)) continue;
    const restricted = e.matchingResources(Object.keys(q.status?.hard ?? {}));
    const constraint = e.constraints(restricted, r.object);
    if (constraint) return { ok: false, reason: `failed quota: ${q.metadata.name}: ${constraint}` };
    const used = q.status?.used ?? {};
    if (restricted.some((n) => !(n in used))) return { ok: false, reason: `status unknown for quota: ${q.metadata.name}, resources: ${sortedNames(restricted)}` };
    interesting.push(q);
  }
  if (interesting.length === 0) return { ok: true, updated: [] };
  let delta = e.usage(r.object, r.now);
  const negative = negativeResources(delta);
  if (negative.length) return { ok: false, reason: `quota usage is negative for resource(s): ${negative.join(',')}` };
  if (r.operation === 'UPDATE') {
    if (!r.oldObject) return { ok: false, reason: 'unable to get previous usage since prior version of object was not found' };
    if (r.oldObject.metadata.resourceVersion) delta = subtractNonNegative(delta, e.usage(r.oldObject, r.now));
  }
  delta = removeZeros(delta);
  if (Object.keys(delta).length === 0) return { ok: true, updated: [] };
  const updated: KubeObject[] = [];
  for (const q of interesting) {
    const hard = parseResourceList(q.status?.hard);
    const used = parseResourceList(q.status?.used);
    const requested = maskList(delta, Object.keys(hard));
    const next = addLists(used, requested);
    const { ok, exceeded } = lessThanOrEqual(maskList(next, Object.keys(requested)), hard);
    if (!ok) {
      const [req, was, lim] = [requested, used, hard].map((l) => prettyPrintList(maskList(l, exceeded)));
      return { ok: false, reason: `exceeded quota: ${q.metadata.name}, requested: ${req}, used: ${was}, limited: ${lim}` };
    }
    if (Object.keys(requested).length === 0) continue;
    const copy = deepCopy(q);
    copy.status = { ...copy.status, used: { ...(copy.status?.used ?? {}), ...formatResourceList(maskList(next, Object.keys(requested))) } };
    updated.push(copy);
  }
  return { ok: true, updated };
}

const QUOTAS = { group: '', plural: 'resourcequotas' };
const MAX_ATTEMPTS = 10;

export function resourceQuota(store: WatchCache): AdmissionPlugin {
  const tails = new Map<string, Promise<unknown>>();
  const quotasOf = async (ns: string) => (await store.listPage(`${resourcePrefix(QUOTAS.group, QUOTAS.plural)}${ns}/`, {})).items;
  const charge = async (a: AdmissionAttributes, e: QuotaEvaluator, ns: string): Promise<void> => {
    for (let attempt = 0; ; attempt++) {
      const quotas = await quotasOf(ns);
      const d = checkQuotaRequest(quotas, e, { operation: a.operation as QuotaOperation, object: a.object!, oldObject: a.oldObject });
      if (!d.ok) throw admissionForbidden(a, d.reason);
      if (a.dryRun) return;
      try {
        for (const q of d.updated) await store.update(objectKey(QUOTAS.group, QUOTAS.plural, ns, q.metadata.name!), q, Number(q.metadata.resourceVersion));
        return;
      } catch (err) {
        // Someone else changed a quota meanwhile: charge again from what is stored now.
        const lost = err instanceof StorageError && (err.code === 'Conflict' || err.code === 'KeyNotFound');
        if (!lost || attempt >= MAX_ATTEMPTS) throw isStatusError(err) ? err : admissionForbidden(a, 'unable to update quota status: the quota was modified; please retry');
      }
    }
  };
  return {
    name: 'ResourceQuota',
    validate(a) {
      if ((a.operation !== 'CREATE' && a.operation !== 'UPDATE') || a.subresource || !a.namespace || !a.object) return;
      const e = evaluatorOf(a.rt);
      if (!e.handles(a.operation)) return;
      const ns = a.namespace;
      return (async () => {
        // A namespace without quotas has nothing to charge (and nothing to wait for).
        if ((await quotasOf(ns)).length === 0) return;
        await serialize(tails, ns, () => charge(a, e, ns));
      })();
    },
  };
}
