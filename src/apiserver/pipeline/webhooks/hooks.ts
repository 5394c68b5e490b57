// A webhook as the dispatchers use it: compiled once from its (defaulted) configuration when the
// informer sees it, and the decision whether a request goes to it (ShouldCallHook: namespace
// selector, object selector, rules with matchPolicy, then matchConditions).
import { StatusError, internalError } from '../../../api/errors.ts';
import { labelSelectorMatcher, type LabelSelector, type Labels } from '../../../api/labels.ts';
import type { Registry } from '../../../api/registry.ts';
import type { ResourceType } from '../../../api/resource.ts';
import type { KubeObject } from '../../../api/types.ts';
import type { AdmissionAttributes } from '../index.ts';
import { equivalentResources, matchingResource, type Rule } from './match.ts';
import type { ClientConfig } from './resolve.ts';
import { prepareInvocation, type Invocation } from './review.ts';

/** Evaluates a webhook's matchConditions for a request: true = call, false = skip; throws to fail closed. */
export type ConditionMatcher = (a: AdmissionAttributes, inv: Invocation) => boolean | Promise<boolean>;

/** Compiles matchConditions (CEL); absent compiler = conditions cannot be evaluated (fail closed). */
export type ConditionCompiler = (conditions: { name: string; expression: string }[]) => ConditionMatcher;

export interface Webhook {
  /** configuration/name/index: stable identity for reinvocation. */
  uid: string;
  configurationName: string;
  /** Index among the configuration's webhooks. */
  index: number;
  name: string;
  rules: Rule[];
  matchPolicy: string;
  failurePolicy: string;
  sideEffects: string;
  timeoutSeconds: number;
  reinvocationPolicy: string;
  admissionReviewVersions: string[];
  clientConfig: ClientConfig & { caBundle?: string };
  namespaceSelector: ((labels: Labels) => boolean) | undefined;
  objectSelector: ((labels: Labels) => boolean) | undefined;
  matchConditions: ConditionMatcher | undefined;
}

const isEmptySelector = (s: LabelSelector | undefined) => !s || (Object.keys(s.matchLabels ?? {}).length === 0 && (s.matchExpressions ?? []).length === 0);

/** The webhooks of one stored configuration, in order. */
export function compileConfiguration(config: KubeObject, compileConditions?: ConditionCompiler): Webhook[] {
  const name = config.metadata.name ?? '';
  return ((config.webhooks as any[]) ?? []).map((w, index) => {
    const conditions = Array.isArray(w.matchConditions) && w.matchConditions.length > 0 ? w.matchConditions : undefined;
    return {
      uid: `${name}/${w.name}/${index}`,
      configurationName: name,
      index,
      name: w.name,
      rules: Array.isArray(w.rules) ? w.rules : [],
      matchPolicy: w.matchPolicy ?? 'Equivalent',
      failurePolicy: w.failurePolicy ?? 'Fail',
      sideEffects: w.sideEffects ?? 'Unknown',
      timeoutSeconds: w.timeoutSeconds ?? 10,
      reinvocationPolicy: w.reinvocationPolicy ?? 'Never',
      admissionReviewVersions: w.admissionReviewVersions ?? [],
      clientConfig: {
        ...(w.clientConfig ?? {}),
        ...(w.clientConfig?.caBundle ? { caBundle: Buffer.from(w.clientConfig.caBundle, 'base64').toString('utf8') } : {}),
      },
      namespaceSelector: isEmptySelector(w.namespaceSelector) ? undefined : labelSelectorMatcher(w.namespaceSelector),
      objectSelector: isEmptySelector(w.objectSelector) ? undefined : labelSelectorMatcher(w.objectSelector),
      matchConditions: conditions ? (compileConditions ? compileConditions(conditions) : noConditionEvaluator) : undefined,
    };
  });
}

const noConditionEvaluator: ConditionMatcher = () => {
  throw new Error('matchConditions cannot be evaluated: no CEL evaluator');
};

export interface MatchDeps {
  registry: Registry;
  getNamespace(name: string): Promise<KubeObject | undefined>;
}

/** The request is for a Namespace object itself (whose "namespace" is its own name, as Kubernetes sees it). */
export function isNamespaceRequest(rt: ResourceType): boolean {
  return rt.group === '' && rt.plural === 'namespaces';
}

/** The namespace a request is in, as admission sees it ('' = cluster-scoped). */
export function requestNamespace(a: AdmissionAttributes): string {
  return isNamespaceRequest(a.rt) ? (a.name ?? '') : (a.namespace ?? '');
}

/** The labels namespaceSelector is matched against (the object's own for a Namespace create/update). */
export async function namespaceLabels(deps: MatchDeps, a: AdmissionAttributes): Promise<Labels> {
  if (isNamespaceRequest(a.rt) && !a.subresource && (a.operation === 'CREATE' || a.operation === 'UPDATE')) return a.object?.metadata.labels;
  const name = requestNamespace(a);
  const ns = await deps.getNamespace(name);
  if (!ns) throw new StatusError(404, 'NotFound', `namespaces "${name}" not found`, { name, kind: 'namespaces' });
  return ns.metadata.labels;
}

/** ShouldCallHook: the invocation, or undefined when the webhook does not apply. Throws a StatusError to refuse the request. */
export async function shouldCall(deps: MatchDeps, h: Pick<Webhook, 'name' | 'rules' | 'matchPolicy' | 'namespaceSelector' | 'objectSelector' | 'matchConditions' | 'failurePolicy'>, a: AdmissionAttributes): Promise<Invocation | undefined> {
  const namespace = requestNamespace(a);
  let nsError: unknown;
  if (h.namespaceSelector && (namespace !== '' || isNamespaceRequest(a.rt))) {
    try {
      if (!h.namespaceSelector(await namespaceLabels(deps, a))) return undefined;
    } catch (err) {
      nsError = err;
    }
  }
  if (h.objectSelector) {
    const sel = h.objectSelector;
    if (!((a.object && sel(a.object.metadata?.labels)) || (a.oldObject && sel(a.oldObject.metadata?.labels)))) return undefined;
  }
  const base = { operation: a.operation, subresource: a.subresource ?? '', namespace, isNamespaceResource: isNamespaceRequest(a.rt) };
  const rt = matchingResource(h.rules, h.matchPolicy, a.rt, base, () => equivalentResources(deps.registry, a.rt));
  if (!rt) return undefined;
  if (nsError) throw nsError instanceof StatusError ? nsError : internalError(String(nsError));
  const inv: Invocation = rt.conversion?.convert ? await prepareInvocation({ rt }, a) : { rt };
  if (h.matchConditions) {
    let matched: boolean;
    try {
      matched = await h.matchConditions(a, inv);
    } catch (err) {
      // a condition that cannot be evaluated: failurePolicy Ignore skips the webhook, Fail refuses
      if (h.failurePolicy === 'Ignore') return undefined;
      const qualified = a.rt.group ? `${a.rt.plural}.${a.rt.group}` : a.rt.plural;
      throw new StatusError(403, 'Forbidden', `${qualified} "${a.name ?? ''}" is forbidden: ${(err as Error).message}`, { name: a.name, group: a.rt.group || undefined, kind: a.rt.plural });
    }
    if (!matched) return undefined;
  }
  return inv;
}
