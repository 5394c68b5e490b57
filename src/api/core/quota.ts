// ResourceQuota evaluation (pkg/quota/v1/evaluator/core and k8s.io/apiserver/pkg/quota/v1/generic):
// what an object uses (pods, services, persistentvolumeclaims, and an object count for any other
// resource), which quota resource names each evaluator tracks, which quota scopes an object falls
// in, and the pod constraint that compute quotas impose. The API server's ResourceQuota admission
// charges with these; the resource quota controller recounts with them.
import type { KubeObject } from '../types.ts';
import { podQOSClass } from './qos.ts';
import { podLimitsList, podRequestsList } from './podresources.ts';
import { count, parseResourceList, type ResourceList } from './resourcelist.ts';
import { parseQuantity } from '../quantity.ts';

export interface ScopeRequirement {
  scopeName: string;
  operator: string;
  values?: string[];
}

export type QuotaOperation = 'CREATE' | 'UPDATE';

export interface QuotaEvaluator {
  group: string;
  resource: string;
  /** Operations whose objects are charged (Evaluator.Handles). */
  handles(op: QuotaOperation): boolean;
  /** The quota resource names (of those given) this evaluator tracks. */
  matchingResources(names: string[]): string[];
  /** What one object uses (Evaluator.Usage). */
  usage(obj: KubeObject, now?: number): ResourceList;
  /** Whether the object falls in a scope; kinds without scopes match none. */
  matchesScope(scope: ScopeRequirement, obj: KubeObject): boolean;
  /** Evaluator.Constraints: the message when the object cannot be charged to these resources. */
  constraints(required: string[], obj: KubeObject): string | undefined;
}

const HUGEPAGES = 'hugepages-';
const REQUESTS = 'requests.';
export const STORAGE_CLASS_SUFFIX = '.storageclass.storage.k8s.io/';

/** `count/<resource>.<group>` (`count/<resource>` for the core group). */
export function objectCountName(group: string, resource: string): string {
  return group ? `count/${resource}.${group}` : `count/${resource}`;
}

/** Not in the kubernetes.io namespace and not a quota-style `requests.` name (IsExtendedResourceName). */
export function isExtendedResourceName(name: string): boolean {
  const native = !name.includes('/') || name.includes('kubernetes.io/');
  return !native && !name.startsWith(REQUESTS);
}

const noScope = (): boolean => false;
const noConstraints = (): undefined => undefined;

// ---- object counts ----

/** Core resources counted under their legacy quota names too (`configmaps` = `count/configmaps`). */
const LEGACY_COUNT_NAMES: Record<string, string> = {
  configmaps: 'configmaps',
  secrets: 'secrets',
  replicationcontrollers: 'replicationcontrollers',
  resourcequotas: 'resourcequotas',
};

/** The generic object count evaluator (NewObjectCountEvaluator): one per object, created objects only. */
export function objectCountEvaluator(group: string, resource: string): QuotaEvaluator {
  const names = [objectCountName(group, resource)];
  const legacy = group === '' ? LEGACY_COUNT_NAMES[resource] : undefined;
  if (legacy) names.push(legacy);
  return {
    group,
    resource,
    handles: (op) => op === 'CREATE',
    matchingResources: (hard) => hard.filter((n) => names.includes(n)),
    usage: () => Object.fromEntries(names.map((n) => [n, count(1)])),
    matchesScope: noScope,
    constraints: noConstraints,
  };
}

// ---- pods ----

const POD_RESOURCES = new Set([
  'count/pods',
  'cpu',
  'memory',
  'ephemeral-storage',
  'pods',
  'requests.cpu',
  'requests.memory',
  'requests.ephemeral-storage',
  'limits.cpu',
  'limits.memory',
  'limits.ephemeral-storage',
]);
/** The resources a compute quota makes every container state explicitly. */
const VALIDATION_SET = ['cpu', 'memory', 'requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory'];

function podMatchesResource(name: string): boolean {
  if (POD_RESOURCES.has(name) || name.startsWith(HUGEPAGES) || name.startsWith(`${REQUESTS}${HUGEPAGES}`)) return true;
  return name.startsWith(REQUESTS) && isExtendedResourceName(name.slice(REQUESTS.length));
}

/** podComputeUsageHelper: quota names for a set of requests and limits. */
export function computeUsage(requests: ResourceList, limits: ResourceList): ResourceList {
  const out: ResourceList = { pods: count(1) };
  for (const r of ['cpu', 'memory', 'ephemeral-storage']) {
    if (requests[r]) {
      out[r] = requests[r];
      out[`${REQUESTS}${r}`] = requests[r];
    }
    if (limits[r]) out[`limits.${r}`] = limits[r];
  }
  for (const [k, v] of Object.entries(requests)) {
    if (k.startsWith(HUGEPAGES)) {
      out[k] = v;
      out[`${REQUESTS}${k}`] = v;
    }
    if (isExtendedResourceName(k)) out[`${REQUESTS}${k}`] = v;
  }
  return out;
}

/** QuotaV1Pod: pods that are terminal, or past their deletion grace period, use no compute quota. */
export function podUsesQuota(pod: KubeObject, now = Date.now()): boolean {
  const phase = pod.status?.phase;
  if (phase === 'Failed' || phase === 'Succeeded') return false;
  const m = pod.metadata;
  if (m.deletionTimestamp && m.deletionGracePeriodSeconds !== undefined && m.deletionGracePeriodSeconds !== null) {
    if (now > Date.parse(m.deletionTimestamp) + m.deletionGracePeriodSeconds * 1000) return false;
  }
  return true;
}

/** Whether a pod uses cross-namespace pod (anti-)affinity (namespaces or a namespaceSelector). */
function usesCrossNamespaceAffinity(pod: KubeObject): boolean {
  const a = pod.spec?.affinity ?? {};
  const terms: any[] = [];
  for (const kind of ['podAffinity', 'podAntiAffinity']) {
    terms.push(...(a[kind]?.requiredDuringSchedulingIgnoredDuringExecution ?? []));
    for (const w of a[kind]?.preferredDuringSchedulingIgnoredDuringExecution ?? []) terms.push(w?.podAffinityTerm);
  }
  return terms.some((t) => t && (t.namespaceSelector != null || (t.namespaces?.length ?? 0) > 0));
}

/** ScopedResourceSelectorRequirement matched against {PriorityClass: spec.priorityClassName}. */
function priorityClassMatches(r: ScopeRequirement, className: string): boolean {
  switch (r.operator) {
    case 'In':
      return (r.values ?? []).includes(className);
    case 'NotIn':
      return !(r.values ?? []).includes(className);
    case 'Exists':
      return true;
    default:
      return false;
  }
}

export function podMatchesScope(scope: ScopeRequirement, pod: KubeObject): boolean {
  const terminating = typeof pod.spec?.activeDeadlineSeconds === 'number' && pod.spec.activeDeadlineSeconds >= 0;
  switch (scope.scopeName) {
    case 'Terminating':
      return terminating;
    case 'NotTerminating':
      return !terminating;
    case 'BestEffort':
      return podQOSClass(pod.spec) === 'BestEffort';
    case 'NotBestEffort':
      return podQOSClass(pod.spec) !== 'BestEffort';
    case 'PriorityClass':
      return priorityClassMatches(scope, pod.spec?.priorityClassName ?? '');
    case 'CrossNamespacePodAffinity':
      return usesCrossNamespaceAffinity(pod);
    default:
      return false;
  }
}

/** The pod evaluator's Constraints: `must specify limits.cpu for: a,b; requests.memory for: a`. */
export function podConstraints(required: string[], pod: KubeObject): string | undefined {
  const needed = required.filter((r) => VALIDATION_SET.includes(r));
  if (needed.length === 0) return undefined;
  const missing = new Map<string, Set<string>>();
  for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
    const have = computeUsage(parseResourceList(c?.resources?.requests), parseResourceList(c?.resources?.limits));
    for (const r of needed) if (!(r in have)) (missing.get(r) ?? missing.set(r, new Set()).get(r)!).add(c?.name ?? '');
  }
  if (missing.size === 0) return undefined;
  const parts = [...missing.keys()].sort().map((r) => `${r} for: ${[...missing.get(r)!].sort().join(',')}`);
  return `must specify ${parts.join('; ')}`;
}

export const podEvaluator: QuotaEvaluator = {
  group: '',
  resource: 'pods',
  handles: (op) => op === 'CREATE',
  matchingResources: (hard) => hard.filter(podMatchesResource),
  usage(pod, now) {
    const out: ResourceList = { 'count/pods': count(1) };
    if (!podUsesQuota(pod, now)) return out;
    return { ...out, ...computeUsage(podRequestsList(pod), podLimitsList(pod)) };
  },
  matchesScope: podMatchesScope,
  constraints: podConstraints,
};

// ---- services ----

const SERVICE_RESOURCES = ['services', 'count/services', 'services.nodeports', 'services.loadbalancers'];

export const serviceEvaluator: QuotaEvaluator = {
  group: '',
  resource: 'services',
  handles: (op) => op === 'CREATE' || op === 'UPDATE',
  matchingResources: (hard) => hard.filter((n) => SERVICE_RESOURCES.includes(n)),
  usage(svc) {
    const ports: any[] = svc.spec?.ports ?? [];
    const out: ResourceList = { 'count/services': count(1), services: count(1), 'services.loadbalancers': count(0), 'services.nodeports': count(0) };
    if (svc.spec?.type === 'NodePort') out['services.nodeports'] = count(ports.length);
    if (svc.spec?.type === 'LoadBalancer') {
      const explicit = svc.spec?.allocateLoadBalancerNodePorts === false;
      out['services.nodeports'] = count(explicit ? ports.filter((p) => p?.nodePort).length : ports.length);
      out['services.loadbalancers'] = count(1);
    }
    return out;
  },
  matchesScope: noScope,
  constraints: noConstraints,
};

// ---- persistentvolumeclaims ----

function claimClass(pvc: KubeObject): string {
  return pvc.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? pvc.spec?.storageClassName ?? '';
}

export const pvcEvaluator: QuotaEvaluator = {
  group: '',
  resource: 'persistentvolumeclaims',
  handles: (op) => op === 'CREATE' || op === 'UPDATE',
  matchingResources: (hard) =>
    hard.filter(
      (n) =>
        ['persistentvolumeclaims', 'count/persistentvolumeclaims', 'requests.storage'].includes(n) ||
        (n.includes(STORAGE_CLASS_SUFFIX) && ['persistentvolumeclaims', 'requests.storage'].includes(n.split(STORAGE_CLASS_SUFFIX)[1])),
    ),
  usage(pvc) {
    const out: ResourceList = { persistentvolumeclaims: count(1), 'count/persistentvolumeclaims': count(1) };
    const cls = claimClass(pvc);
    if (cls) out[`${cls}${STORAGE_CLASS_SUFFIX}persistentvolumeclaims`] = count(1);
    const req = pvc.spec?.resources?.requests?.storage;
    if (req !== undefined) {
      try {
        const q = parseQuantity(req);
        // RoundUp(0): whole units
        const rounded = { nano: ((q.nano + 999_999_999n) / 1_000_000_000n) * 1_000_000_000n, format: q.format };
        out['requests.storage'] = rounded;
        if (cls) out[`${cls}${STORAGE_CLASS_SUFFIX}requests.storage`] = rounded;
      } catch {
        // not a quantity: validation refuses it
      }
    }
    return out;
  },
  matchesScope: noScope,
  constraints: noConstraints,
};

/** The evaluator of a group/resource: pods, services and claims have their own, anything else counts objects. */
export function evaluatorFor(group: string, resource: string): QuotaEvaluator {
  if (group === '') {
    if (resource === 'pods') return podEvaluator;
    if (resource === 'services') return serviceEvaluator;
    if (resource === 'persistentvolumeclaims') return pvcEvaluator;
  }
  return objectCountEvaluator(group, resource);
}

/** The group/resource a `count/<resource>.<group>` name counts (undefined for other names). */
export function countedResource(name: string): { group: string; resource: string } | undefined {
  if (!name.startsWith('count/')) return undefined;
  const rest = name.slice('count/'.length);
  const dot = rest.indexOf('.');
  return dot < 0 ? { group: '', resource: rest } : { group: rest.slice(dot + 1), resource: rest.slice(0, dot) };
}

/** The group/resources whose objects a quota's hard names track (for the controller's recount). */
export function trackedResources(hardNames: string[]): { group: string; resource: string }[] {
  const out = new Map<string, { group: string; resource: string }>();
  const add = (group: string, resource: string) => out.set(`${group}/${resource}`, { group, resource });
  for (const n of hardNames) {
    const c = countedResource(n);
    if (c) add(c.group, c.resource);
    else if (n in LEGACY_COUNT_NAMES) add('', n);
    else if (podEvaluator.matchingResources([n]).length) add('', 'pods');
    else if (serviceEvaluator.matchingResources([n]).length) add('', 'services');
    else if (pvcEvaluator.matchingResources([n]).length) add('', 'persistentvolumeclaims');
  }
  return [...out.values()];
}

// ---- quotas ----

/** A quota's scopes as selector requirements (getScopeSelectorsFromQuota): scopes are `Exists`. */
export function quotaScopeSelectors(q: KubeObject): ScopeRequirement[] {
  const out: ScopeRequirement[] = ((q.spec?.scopes as string[]) ?? []).map((s) => ({ scopeName: s, operator: 'Exists' }));
  for (const r of (q.spec?.scopeSelector?.matchExpressions as ScopeRequirement[]) ?? []) out.push(r);
  return out;
}

/** generic.Matches: the quota tracks a resource of this evaluator and every scope takes the object. */
export function quotaMatches(q: KubeObject, e: QuotaEvaluator, obj: KubeObject): boolean {
  const hard = Object.keys(q.status?.hard ?? {});
  if (e.matchingResources(hard).length === 0) return false;
  return quotaScopeSelectors(q).every((s) => e.matchesScope(s, obj));
}
