// RBAC's matching rules (plugin/pkg/auth/authorizer/rbac): whether a PolicyRule allows a request,
// and whether a binding's subject is the user. Pure functions.
import type { PolicyRule, Subject } from '../../api/kinds/rbac.ts';
import type { UserInfo } from '../pipeline/index.ts';

/** What authorization sees of a request (Kubernetes' authorizer.Attributes). */
export interface AuthzAttributes {
  user: UserInfo;
  verb: string;
  /** False for a non-resource path (/metrics, /healthz, /apis). */
  resourceRequest: boolean;
  /** The path of a non-resource request. */
  path: string;
  apiGroup: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
}

const ALL = '*';

export function verbMatches(r: PolicyRule, verb: string): boolean {
  return r.verbs.some((v) => v === ALL || v === verb);
}

export function apiGroupMatches(r: PolicyRule, group: string): boolean {
  return (r.apiGroups ?? []).some((g) => g === ALL || g === group);
}

/** "*" = every resource and subresource; "*\/scale" = that subresource of any resource; "pods" alone never covers a subresource. */
export function resourceMatches(r: PolicyRule, resource: string, subresource: string): boolean {
  const combined = subresource ? `${resource}/${subresource}` : resource;
  return (r.resources ?? []).some((x) => x === ALL || x === combined || (subresource !== '' && x === `*/${subresource}`));
}

/** An empty resourceNames allows every name; otherwise the request must name one of them. */
export function resourceNameMatches(r: PolicyRule, name: string): boolean {
  if (!r.resourceNames?.length) return true;
  return r.resourceNames.includes(name);
}

/** "*" or a trailing "*" prefix match; otherwise exact. */
export function nonResourceURLMatches(r: PolicyRule, path: string): boolean {
  return (r.nonResourceURLs ?? []).some((u) => u === ALL || u === path || (u.endsWith('*') && path.startsWith(u.slice(0, -1))));
}

export function ruleAllows(a: AuthzAttributes, r: PolicyRule): boolean {
  if (!a.resourceRequest) return verbMatches(r, a.verb) && nonResourceURLMatches(r, a.path);
  return verbMatches(r, a.verb) && apiGroupMatches(r, a.apiGroup) && resourceMatches(r, a.resource, a.subresource) && resourceNameMatches(r, a.name);
}

export const SA_PREFIX = 'system:serviceaccount:';

/** appliesToUser: User by name, Group by membership, ServiceAccount by its system:serviceaccount:NS:NAME user name. */
export function subjectMatches(user: UserInfo, s: Subject, bindingNamespace: string): boolean {
  switch (s.kind) {
    case 'User':
      return user.username === s.name;
    case 'Group':
      return user.groups.includes(s.name);
    case 'ServiceAccount': {
      const ns = s.namespace || bindingNamespace;
      return !!ns && user.username === `${SA_PREFIX}${ns}:${s.name}`;
    }
    default:
      return false;
  }
}
