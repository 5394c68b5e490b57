// The RBAC authorizer (Kubernetes' RBACAuthorizer): allow when a rule of a role bound to the user
// (ClusterRoleBindings anywhere, RoleBindings in the request's namespace) allows the request;
// otherwise no opinion (RBAC never denies). system:masters is allowed by the bootstrap
// cluster-admin binding, not by a special case.
import type { PolicyRule } from '../../api/kinds/rbac.ts';
import type { RequestInfo } from '../routing.ts';
import type { AuthorizationDecision, Authorizer, RequestAttributes, ReviewRules, UserInfo } from '../pipeline/index.ts';
import { userKey } from '../pipeline/user-key.ts';
import type { RbacCache } from './index-cache.ts';
import { ruleAllows, subjectMatches, type AuthzAttributes } from './rules.ts';

/** Kubernetes' authorizer.Attributes of a request: the namespace of `namespaces/NAME` is NAME. */
export function authzAttributes(user: UserInfo, info: RequestInfo): AuthzAttributes {
  if (info.nonResource) return { user, verb: info.verb, resourceRequest: false, path: info.path, apiGroup: '', resource: '', subresource: '', namespace: '', name: '' };
  const namespace = info.namespace ?? (info.resource === 'namespaces' && info.name ? info.name : '');
  return {
    user,
    verb: info.verb,
    resourceRequest: true,
    path: info.path,
    apiGroup: info.group,
    resource: info.resource,
    subresource: info.subresource ?? '',
    namespace,
    name: info.name ?? '',
  };
}

/**
 * Visits the rules that apply to user in namespace ('' = cluster-wide bindings only) until visit
 * returns true. Returns whether it did.
 */
export function visitRules(cache: RbacCache, user: UserInfo, namespace: string, visit: (r: PolicyRule) => boolean): boolean {
  for (const b of cache.allClusterRoleBindings()) {
    if (!b.subjects.some((s) => subjectMatches(user, s, ''))) continue;
    for (const r of cache.rulesOf(b)) if (visit(r)) return true;
  }
  if (!namespace) return false;
  for (const b of cache.roleBindingsIn(namespace)) {
    if (!b.subjects.some((s) => subjectMatches(user, s, namespace))) continue;
    for (const r of cache.rulesOf(b)) if (visit(r)) return true;
  }
  return false;
}

export function allows(cache: RbacCache, a: AuthzAttributes): boolean {
  return visitRules(cache, a.user, a.namespace, (r) => ruleAllows(a, r));
}

/** Every rule that applies to user in namespace (SelfSubjectRulesReview). */
export function rulesFor(cache: RbacCache, user: UserInfo, namespace: string): ReviewRules {
  const out: ReviewRules = { resourceRules: [], nonResourceRules: [] };
  visitRules(cache, user, namespace, (r) => {
    if (r.nonResourceURLs?.length) out.nonResourceRules.push({ verbs: [...r.verbs], nonResourceURLs: [...r.nonResourceURLs] });
    else {
      const rr: ReviewRules['resourceRules'][number] = { verbs: [...r.verbs], apiGroups: [...(r.apiGroups ?? [])], resources: [...(r.resources ?? [])] };
      if (r.resourceNames?.length) rr.resourceNames = [...r.resourceNames];
      out.resourceRules.push(rr);
    }
    return false;
  });
  return out;
}

/** The cache key of a request's decision: what RBAC looks at (user name and groups, verb, target). */
function decisionKey(user: UserInfo, info: RequestInfo): string {
  const u = userKey(user);
  if (info.nonResource) return `${u}\u0000${info.verb}\u0000\u0000${info.path}`;
  return `${u}\u0000${info.verb}\u0000${info.group}\u0000${info.resource}\u0000${info.subresource ?? ''}\u0000${info.namespace ?? ''}\u0000${info.name ?? ''}`;
}

/** Cached decisions (distinct user × request pairs) before the cache starts over. */
const DECISIONS_MAX = 10_000;

export function rbacAuthorizer(cache: RbacCache): Authorizer {
  // Decisions per (user, groups, verb, target), valid until any Role, ClusterRole or binding changes.
  const decisions = new Map<string, AuthorizationDecision>();
  let revision = -1;
  return {
    name: 'RBAC',
    authorize: ({ user, info }: RequestAttributes) => {
      const now = cache.revision();
      if (now !== revision) {
        decisions.clear();
        revision = now;
      }
      const key = decisionKey(user, info);
      let d = decisions.get(key);
      if (d === undefined) {
        d = allows(cache, authzAttributes(user, info)) ? 'allow' : 'noOpinion';
        if (decisions.size >= DECISIONS_MAX) decisions.clear();
        decisions.set(key, d);
      }
      return d;
    },
    rules: (user, namespace) => rulesFor(cache, user, namespace),
  };
}
