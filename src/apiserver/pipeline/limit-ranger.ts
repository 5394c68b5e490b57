// Built-in admission: LimitRanger (plugin/pkg/admission/limitranger). On pod creation, each
// LimitRange of the namespace gives containers its default requests and limits (annotated
// `kubernetes.io/limit-ranger`); then min, max and maxLimitRequestRatio are enforced for Containers
// and Pods, and min/max storage for PersistentVolumeClaims, with Kubernetes' messages.
import type { KubeObject } from '../../api/types.ts';
import { formatQuantity, type Quantity } from '../../api/quantity.ts';
import { parseResourceList, type ResourceList } from '../../api/core/resourcelist.ts';
import { podLimitsList, podRequestsList } from '../../api/core/podresources.ts';
import { resourcePrefix, type WatchCache } from '../../storage/interface.ts';
import type { AdmissionAttributes, AdmissionPlugin } from './index.ts';
import { admissionForbidden } from './forbidden.ts';

export const LIMIT_RANGER_ANNOTATION = 'kubernetes.io/limit-ranger';

type Item = { type?: string; min?: Record<string, string>; max?: Record<string, string>; default?: Record<string, string>; defaultRequest?: Record<string, string>; maxLimitRequestRatio?: Record<string, string> };

const arr = (x: unknown): any[] => (Array.isArray(x) ? x : []);
const itemsOf = (lr: KubeObject): Item[] => arr(lr.spec?.limits).filter((i) => i && typeof i === 'object');

/** defaultContainerResourceRequirements: the Container items' defaultRequest and default. */
function containerDefaults(lr: KubeObject): { requests: Record<string, string>; limits: Record<string, string> } {
  const out = { requests: {} as Record<string, string>, limits: {} as Record<string, string> };
  for (const i of itemsOf(lr)) {
    if (i.type !== 'Container') continue;
    Object.assign(out.requests, i.defaultRequest ?? {});
    Object.assign(out.limits, i.default ?? {});
  }
  return out;
}

/** mergeContainerResources: fills what a container does not set; returns the annotation parts. */
function mergeContainer(c: any, d: { requests: Record<string, string>; limits: Record<string, string> }, what: string): string[] {
  const res = (c.resources ??= {});
  const setLimits: string[] = [];
  const setRequests: string[] = [];
  for (const [k, v] of Object.entries(d.limits)) {
    if (res.limits?.[k] !== undefined) continue;
    (res.limits ??= {})[k] = v;
    setLimits.push(k);
  }
  for (const [k, v] of Object.entries(d.requests)) {
    if (res.requests?.[k] !== undefined) continue;
    (res.requests ??= {})[k] = v;
    setRequests.push(k);
  }
  const out: string[] = [];
  if (setRequests.length) out.push(`${setRequests.sort().join(', ')} request for ${what} ${c.name}`);
  if (setLimits.length) out.push(`${setLimits.sort().join(', ')} limit for ${what} ${c.name}`);
  return out;
}

/** PodMutateLimitFunc: one LimitRange's defaults merged into a pod. */
export function applyLimitRangeDefaults(lr: KubeObject, pod: KubeObject): void {
  const d = containerDefaults(lr);
  if (Object.keys(d.requests).length === 0 && Object.keys(d.limits).length === 0) return;
  const notes: string[] = [];
  for (const c of arr(pod.spec?.containers)) if (c && typeof c === 'object') notes.push(...mergeContainer(c, d, 'container'));
  for (const c of arr(pod.spec?.initContainers)) if (c && typeof c === 'object') notes.push(...mergeContainer(c, d, 'init container'));
  if (notes.length) (pod.metadata.annotations ??= {})[LIMIT_RANGER_ANNOTATION] = `LimitRanger plugin set: ${notes.join('; ')}`;
}

const q = formatQuantity;

function minConstraint(type: string, name: string, enforced: Quantity, req: ResourceList, lim: ResourceList): string | undefined {
  const r = req[name];
  const l = lim[name];
  if (!r) return `minimum ${name} usage per ${type} is ${q(enforced)}.  No request is specified`;
  if (r.nano < enforced.nano) return `minimum ${name} usage per ${type} is ${q(enforced)}, but request is ${q(r)}`;
  if (l && l.nano < enforced.nano) return `minimum ${name} usage per ${type} is ${q(enforced)}, but limit is ${q(l)}`;
  return undefined;
}

function maxConstraint(type: string, name: string, enforced: Quantity, req: ResourceList, lim: ResourceList): string | undefined {
  const r = req[name];
  const l = lim[name];
  if (!l) return `maximum ${name} usage per ${type} is ${q(enforced)}.  No limit is specified`;
  if (l.nano > enforced.nano) return `maximum ${name} usage per ${type} is ${q(enforced)}, but limit is ${q(l)}`;
  if (r && r.nano > enforced.nano) return `maximum ${name} usage per ${type} is ${q(enforced)}, but request is ${q(r)}`;
  return undefined;
}

function maxRequestConstraint(type: string, name: string, enforced: Quantity, req: ResourceList): string | undefined {
  const r = req[name];
  if (!r) return `maximum ${name} usage per ${type} is ${q(enforced)}.  No request is specified`;
  if (r.nano > enforced.nano) return `maximum ${name} usage per ${type} is ${q(enforced)}, but request is ${q(r)}`;
  return undefined;
}

function ratioConstraint(type: string, name: string, enforced: Quantity, req: ResourceList, lim: ResourceList): string | undefined {
  const r = req[name];
  const l = lim[name];
  if (!r || r.nano === 0n) return `${name} max limit to request ratio per ${type} is ${q(enforced)}, but no request is specified or request is 0`;
  if (!l || l.nano === 0n) return `${name} max limit to request ratio per ${type} is ${q(enforced)}, but no limit is specified or limit is 0`;
  const ratio = Number(l.nano) / Number(r.nano);
  if (ratio * 1e9 > Number(enforced.nano)) return `${name} max limit to request ratio per ${type} is ${q(enforced)}, but provided ratio is ${ratio.toFixed(6)}`;
  return undefined;
}

const sorted = (m: Record<string, string> | undefined) => Object.entries(parseResourceList(m)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

function checkAll(type: string, i: Item, req: ResourceList, lim: ResourceList, out: string[]): void {
  for (const [k, v] of sorted(i.min)) push(out, minConstraint(type, k, v, req, lim));
  for (const [k, v] of sorted(i.max)) push(out, maxConstraint(type, k, v, req, lim));
  for (const [k, v] of sorted(i.maxLimitRequestRatio)) push(out, ratioConstraint(type, k, v, req, lim));
}

const push = (out: string[], m: string | undefined) => void (m && out.push(m));

/** PodValidateLimitFunc: every Container item against each container, every Pod item against the pod's totals. */
export function podLimitViolations(lr: KubeObject, pod: KubeObject): string[] {
  const out: string[] = [];
  for (const i of itemsOf(lr)) {
    if (i.type === 'Container') {
      for (const c of [...arr(pod.spec?.containers), ...arr(pod.spec?.initContainers)]) {
        checkAll('Container', i, parseResourceList(c?.resources?.requests), parseResourceList(c?.resources?.limits), out);
      }
    }
    if (i.type === 'Pod') checkAll('Pod', i, podRequestsList(pod), podLimitsList(pod), out);
  }
  return out;
}

/** PersistentVolumeClaimValidateLimitFunc: min and max of what the claim requests. */
export function claimLimitViolations(lr: KubeObject, pvc: KubeObject): string[] {
  const out: string[] = [];
  const req = parseResourceList(pvc.spec?.resources?.requests);
  for (const i of itemsOf(lr)) {
    if (i.type !== 'PersistentVolumeClaim') continue;
    for (const [k, v] of sorted(i.min)) push(out, minConstraint('PersistentVolumeClaim', k, v, req, {}));
    for (const [k, v] of sorted(i.max)) push(out, maxRequestConstraint('PersistentVolumeClaim', k, v, req));
  }
  return out;
}

/** utilerrors.NewAggregate's message: one error as is, several as `[a, b]`. */
const aggregate = (msgs: string[]) => (msgs.length === 1 ? msgs[0] : `[${msgs.join(', ')}]`);

const LIMIT_RANGES = resourcePrefix('', 'limitranges');

export function limitRanger(store: WatchCache): AdmissionPlugin {
  /** SupportsAttributes: pods on create, claims on create and update, never a subresource. */
  const kindOf = (a: AdmissionAttributes): 'pod' | 'claim' | undefined => {
    if (a.subresource || a.rt.group !== '' || !a.namespace || !a.object) return undefined;
    if (a.operation !== 'CREATE' && a.operation !== 'UPDATE') return undefined;
    if (a.oldObject?.metadata.deletionTimestamp) return undefined;
    if (a.rt.plural === 'pods') return a.operation === 'CREATE' ? 'pod' : undefined;
    return a.rt.plural === 'persistentvolumeclaims' ? 'claim' : undefined;
  };
  const ranges = async (ns: string) => (await store.listPage(`${LIMIT_RANGES}${ns}/`, {})).items;
  return {
    name: 'LimitRanger',
    typedMutation: true,
    admit(a) {
      if (kindOf(a) !== 'pod') return;
      return (async () => {
        for (const lr of await ranges(a.namespace!)) applyLimitRangeDefaults(lr, a.object!);
      })();
    },
    validate(a) {
      const kind = kindOf(a);
      if (!kind) return;
      return (async () => {
        for (const lr of await ranges(a.namespace!)) {
          const msgs = kind === 'pod' ? podLimitViolations(lr, a.object!) : claimLimitViolations(lr, a.object!);
          if (msgs.length) throw admissionForbidden(a, aggregate(msgs));
        }
      })();
    },
  };
}
