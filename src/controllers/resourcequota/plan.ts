// The resource quota controller's decisions (pkg/controller/resourcequota syncResourceQuota +
// quota.CalculateUsage): status.hard is spec.hard, status.used is recounted from the namespace's
// objects with the quota evaluators (terminal pods use no compute), masked to the hard names.
import type { KubeObject } from '../../api/types.ts';
import { evaluatorFor, quotaScopeSelectors, trackedResources } from '../../api/core/quota.ts';
import { addLists, count, formatResourceList, listsEqual, maskList, parseResourceList, type ResourceList } from '../../api/core/resourcelist.ts';

export interface GroupResource {
  group: string;
  resource: string;
}

/** The objects of one namespace by "group/resource"; a resource absent here cannot be counted. */
export type NamespaceObjects = (gr: GroupResource) => KubeObject[] | undefined;

/** CalculateUsage: what the namespace's objects use of a quota's hard resources, under its scopes. */
export function calculateUsage(quota: KubeObject, objects: NamespaceObjects, now = Date.now()): ResourceList {
  const hard = Object.keys(quota.spec?.hard ?? {});
  const scopes = quotaScopeSelectors(quota);
  let used: ResourceList = {};
  for (const gr of trackedResources(hard)) {
    const items = objects(gr);
    if (!items) continue;
    const e = evaluatorFor(gr.group, gr.resource);
    const matched = e.matchingResources(hard);
    if (matched.length === 0) continue;
    let sum: ResourceList = Object.fromEntries(matched.map((n) => [n, count(0)]));
    for (const o of items) {
      if (!scopes.every((s) => e.matchesScope(s, o))) continue;
      sum = addLists(sum, maskList(e.usage(o, now), matched));
    }
    used = addLists(used, sum);
  }
  return used;
}

export interface QuotaStatusPlan {
  /** The status to write, or undefined when the stored one is current. */
  status?: { hard: Record<string, string>; used: Record<string, string> };
}

/** syncResourceQuota: the new status when spec.hard or the recounted usage differs from the stored status. */
export function planQuotaStatus(quota: KubeObject, objects: NamespaceObjects, now = Date.now()): QuotaStatusPlan {
  const hard = parseResourceList(quota.spec?.hard);
  const prevUsed = parseResourceList(quota.status?.used);
  const observed = calculateUsage(quota, objects, now);
  const used = maskList({ ...prevUsed, ...observed }, Object.keys(hard));
  const statusHard = parseResourceList(quota.status?.hard);
  const dirty = !quota.status?.hard || !quota.status?.used || !listsEqual(hard, statusHard) || !listsEqual(used, prevUsed);
  if (!dirty) return {};
  return { status: { hard: formatResourceList(hard), used: formatResourceList(used) } };
}
