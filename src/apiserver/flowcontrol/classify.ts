// Classification (k8s.io/apiserver/pkg/util/flowcontrol: matchesFlowSchema): the first FlowSchema, by
// matchingPrecedence then name, whose rules match the request's user and target decides its priority
// level; its distinguisher method splits the requests into flows. Pure functions over plain objects.
import type { KubeObject } from '../../api/types.ts';
import type { UserInfo } from '../pipeline/index.ts';
import type { RequestInfo } from '../routing.ts';

/** What classification looks at: the user and either a resource or a non-resource request. */
export interface RequestDigest {
  user: UserInfo;
  verb: string;
  /** A resource request (apiGroup "" = core); subresource as "pods/log" in rules. */
  resource?: { apiGroup: string; resource: string; subresource?: string; namespace?: string };
  /** A non-resource request's path (/healthz, /version, /apis). */
  path?: string;
}

export interface CompiledSchema {
  name: string;
  uid: string;
  precedence: number;
  level: string;
  distinguisher?: 'ByUser' | 'ByNamespace';
  rules: any[];
}

export function compileSchema(o: KubeObject): CompiledSchema {
  return {
    name: o.metadata.name!,
    uid: o.metadata.uid ?? '',
    precedence: o.spec?.matchingPrecedence ?? 1000,
    level: o.spec?.priorityLevelConfiguration?.name ?? '',
    distinguisher: o.spec?.distinguisherMethod?.type,
    rules: Array.isArray(o.spec?.rules) ? o.spec.rules : [],
  };
}

/** Kubernetes' order: numerically lowest matchingPrecedence first, then name. */
export function sortSchemas(list: CompiledSchema[]): CompiledSchema[] {
  return [...list].sort((a, b) => a.precedence - b.precedence || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

const SA_PREFIX = 'system:serviceaccount:';

export function matchesSubject(s: any, user: UserInfo): boolean {
  switch (s?.kind) {
    case 'User':
      return s.user?.name === '*' || s.user?.name === user.username;
    case 'Group':
      return s.group?.name === '*' || user.groups.includes(s.group?.name);
    case 'ServiceAccount': {
      const ns = s.serviceAccount?.namespace;
      const name = s.serviceAccount?.name;
      if (!user.username.startsWith(SA_PREFIX)) return false;
      const [saNs, saName, ...rest] = user.username.slice(SA_PREFIX.length).split(':');
      if (rest.length || !saName) return false;
      return saNs === ns && (name === '*' || name === saName);
    }
    default:
      return false;
  }
}

const has = (list: unknown, v: string) => Array.isArray(list) && (list.includes('*') || list.includes(v));

export function matchesResourceRule(rule: any, verb: string, r: NonNullable<RequestDigest['resource']>): boolean {
  if (!has(rule?.verbs, verb) || !has(rule?.apiGroups, r.apiGroup)) return false;
  const name = r.subresource ? `${r.resource}/${r.subresource}` : r.resource;
  if (!has(rule?.resources, name)) return false;
  if (r.namespace === undefined || r.namespace === '') return rule?.clusterScope === true;
  return has(rule?.namespaces, r.namespace);
}

/**
 * One FlowSchema nonResourceURL against a request path, as Kubernetes' APF matches it (not RBAC's
 * rule): "*" matches everything; otherwise the exact path, or anything below it: "/healthz" and
 * "/healthz/*" both match "/healthz/etcd"; "/foo/*" matches "/foo/bar", never "/foobar" nor "/foo".
 */
export function matchesNonResourceURL(url: string, path: string): boolean {
  if (url === '*' || url === path) return true;
  const prefix = url.endsWith('*') ? url.slice(0, -1) : url;
  return prefix.endsWith('/') ? path.startsWith(prefix) : path.length > prefix.length && path.startsWith(prefix) && path.charCodeAt(prefix.length) === 47; // '/'
}

/** A non-resource rule: one of its verbs and one of its nonResourceURLs (matchesNonResourceURL). */
export function matchesNonResourceRule(rule: any, verb: string, path: string): boolean {
  if (!has(rule?.verbs, verb) || !Array.isArray(rule?.nonResourceURLs)) return false;
  return rule.nonResourceURLs.some((u: unknown) => typeof u === 'string' && matchesNonResourceURL(u, path));
}

/**
 * The digest of a request as the pipeline parsed it (RequestInfo): a non-resource request (/healthz,
 * /metrics, /apis) by its path and verb (the lowercased HTTP method), a resource request by its target.
 */
export function digestOf(user: UserInfo, info: RequestInfo): RequestDigest {
  if (info.nonResource) return { user, verb: info.verb, path: info.path };
  return { user, verb: info.verb, resource: { apiGroup: info.group, resource: info.resource, subresource: info.subresource, namespace: info.namespace } };
}

export function matchesRule(rule: any, d: RequestDigest): boolean {
  if (!Array.isArray(rule?.subjects) || !rule.subjects.some((s: any) => matchesSubject(s, d.user))) return false;
  if (d.resource) return (rule.resourceRules ?? []).some((rr: any) => matchesResourceRule(rr, d.verb, d.resource!));
  return (rule.nonResourceRules ?? []).some((nr: any) => matchesNonResourceRule(nr, d.verb, d.path ?? '/'));
}

/** The first schema (in sortSchemas order) that matches, skipping those whose level does not exist. */
export function classify(sorted: readonly CompiledSchema[], d: RequestDigest, levelExists: (name: string) => boolean = () => true): CompiledSchema | undefined {
  return sorted.find((s) => levelExists(s.level) && s.rules.some((r) => matchesRule(r, d)));
}

/** The flow distinguisher: the user name (ByUser), the namespace (ByNamespace), or "". */
export function flowDistinguisher(s: CompiledSchema, d: RequestDigest): string {
  return distinguisherFor(s, d.user.username, d.resource?.namespace);
}

/** flowDistinguisher from the user name and the namespace (the filter's hot path, no digest). */
export function distinguisherFor(s: CompiledSchema, username: string, namespace: string | undefined): string {
  if (s.distinguisher === 'ByUser') return username;
  if (s.distinguisher === 'ByNamespace') return namespace ?? '';
  return '';
}
