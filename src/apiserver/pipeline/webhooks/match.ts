// Which requests a webhook (or a policy's resource rules) applies to: rules by operation, group,
// version, resource/subresource and scope (k8s.io/apiserver .../predicates/rules), matchPolicy
// Equivalent (the same resource served in another version), and the exemption of the admission
// configuration kinds themselves.
import type { ResourceType } from '../../../api/resource.ts';
import type { Registry } from '../../../api/registry.ts';
import { resourcePrefix } from '../../../storage/interface.ts';
import type { AdmissionOperation } from '../index.ts';

export interface Rule {
  operations?: string[];
  apiGroups?: string[];
  apiVersions?: string[];
  resources?: string[];
  scope?: string;
}

/** What a rule is matched against: the request (or an equivalent resource standing in for it). */
export interface RuleTarget {
  operation: AdmissionOperation;
  group: string;
  version: string;
  resource: string;
  subresource: string;
  /** '' for cluster-scoped requests. */
  namespace: string;
  /** The request is for a Namespace object itself (cluster-scoped although it is "a namespace"). */
  isNamespaceResource: boolean;
}

const exactOrWildcard = (items: string[] | undefined, v: string) => (items ?? []).some((i) => i === '*' || i === v);

function scopeMatches(scope: string | undefined, t: RuleTarget): boolean {
  switch (scope ?? '*') {
    case '*':
      return true;
    case 'Namespaced':
      return !t.isNamespaceResource && t.namespace !== '';
    case 'Cluster':
      return t.isNamespaceResource || t.namespace === '';
    default:
      return false;
  }
}

function resourceMatches(resources: string[] | undefined, t: RuleTarget): boolean {
  for (const r of resources ?? []) {
    const slash = r.indexOf('/');
    const res = slash < 0 ? r : r.slice(0, slash);
    const sub = slash < 0 ? '' : r.slice(slash + 1);
    if ((res === '*' || res === t.resource) && (sub === '*' || sub === t.subresource)) return true;
  }
  return false;
}

export function ruleMatches(rule: Rule, t: RuleTarget): boolean {
  return (
    scopeMatches(rule.scope, t) &&
    (rule.operations ?? []).some((op) => op === '*' || op === t.operation) &&
    exactOrWildcard(rule.apiGroups, t.group) &&
    exactOrWildcard(rule.apiVersions, t.version) &&
    resourceMatches(rule.resources, t)
  );
}

/** Registry entries that serve the same stored objects as rt under another group/version (matchPolicy Equivalent). */
export function equivalentResources(registry: Registry, rt: ResourceType): ResourceType[] {
  const prefix = resourcePrefix(rt.group, rt.plural);
  return registry.all().filter((e) => e !== rt && resourcePrefix(e.group, e.plural) === prefix);
}

export function targetFor(rt: ResourceType, base: Omit<RuleTarget, 'group' | 'version' | 'resource'>): RuleTarget {
  return { ...base, group: rt.group, version: rt.version, resource: rt.plural };
}

/**
 * The resource a webhook is called for: the request's own when a rule matches it, else (matchPolicy
 * Equivalent) the first equivalent resource a rule matches; undefined = not called.
 */
export function matchingResource(
  rules: Rule[],
  matchPolicy: string | undefined,
  rt: ResourceType,
  base: Omit<RuleTarget, 'group' | 'version' | 'resource'>,
  equivalents: () => ResourceType[],
): ResourceType | undefined {
  const own = targetFor(rt, base);
  if (rules.some((r) => ruleMatches(r, own))) return rt;
  if (matchPolicy !== 'Equivalent') return undefined;
  const eq = equivalents();
  for (const r of rules) for (const e of eq) if (ruleMatches(r, targetFor(e, base))) return e;
  return undefined;
}

const EXEMPT_KINDS = new Set([
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
  'MutatingAdmissionPolicy',
  'MutatingAdmissionPolicyBinding',
]);

/** Webhooks and policies are never called for the objects that configure them. */
export function isExemptAdmissionConfiguration(rt: ResourceType): boolean {
  return rt.group === 'admissionregistration.k8s.io' && EXEMPT_KINDS.has(rt.kind);
}
