// Kubernetes' CEL authorizer library (k8s.io/apiserver/pkg/cel/library/authz.go), for admission
// expressions: `authorizer.group('apps').resource('deployments').namespace('ns').name('x')
// .check('update').allowed()`, `authorizer.path('/healthz').check('get')`,
// `authorizer.requestResource.subresource('scale').check('patch')`, and
// `authorizer.serviceAccount('ns', 'sa')` for the same checks as a service account. Each check asks
// the API server's authorizer through the `Authorize` seam the caller passes in (never a copy of
// RBAC rules); checks run asynchronously, so expressions using them evaluate to a Promise.
import type { Environment } from '@marcbachmann/cel-js';

/** The user a check is for (the request's user, or a service account). */
export interface AuthzUser {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

/** What one check asks: a resource request (APIVersion "*") or a non-resource path, with a verb. */
export interface AuthzAttributes {
  verb: string;
  path?: string;
  group?: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

/** The seam: the API server's authorizer chain's answer for a user and attributes. */
export type Authorize = (user: AuthzUser, attrs: AuthzAttributes) => Promise<{ decision: 'allow' | 'deny' | 'noOpinion'; reason?: string }>;

type Resource = Omit<AuthzAttributes, 'verb' | 'path'>;

export class CelAuthorizer {
  constructor(
    readonly authorize: Authorize,
    readonly user: AuthzUser,
    readonly request: Resource = {},
  ) {}

  /** The request's own resource (group, resource, subresource, namespace, name). */
  get requestResource(): ResourceCheck {
    return new ResourceCheck(this, { ...this.request });
  }
}

export class PathCheck {
  constructor(
    readonly authz: CelAuthorizer,
    readonly path: string,
  ) {}
}

export class GroupCheck {
  constructor(
    readonly authz: CelAuthorizer,
    readonly group: string,
  ) {}
}

export class ResourceCheck {
  constructor(
    readonly authz: CelAuthorizer,
    readonly attrs: Resource,
  ) {}
  with(more: Resource): ResourceCheck {
    return new ResourceCheck(this.authz, { ...this.attrs, ...more });
  }
}

export class Decision {
  constructor(
    readonly decision: 'allow' | 'deny' | 'noOpinion',
    readonly reason: string,
    readonly error = '',
  ) {}
}

/** serviceaccount.MakeUsername / MakeGroupNames. */
export function serviceAccountUser(namespace: string, name: string): AuthzUser {
  return { username: `system:serviceaccount:${namespace}:${name}`, groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`] };
}

async function check(authz: CelAuthorizer, attrs: AuthzAttributes): Promise<Decision> {
  try {
    const r = await authz.authorize(authz.user, attrs);
    return new Decision(r.decision, r.reason ?? '');
  } catch (err) {
    return new Decision('noOpinion', '', (err as Error)?.message ?? String(err));
  }
}

const T = 'kubernetes.authorization.';
const A = `${T}Authorizer`;
const P = `${T}PathCheck`;
const G = `${T}GroupCheck`;
const R = `${T}ResourceCheck`;
const D = `${T}Decision`;

/** The CEL type of the `authorizer` variable. */
export const AUTHORIZER_TYPE = A;

/** Registers the library's types and functions (the `authorizer` variable is the caller's). */
export function registerAuthzLibrary(e: Environment): Environment {
  return e
    .registerType(R, ResourceCheck)
    .registerType(P, PathCheck)
    .registerType(G, GroupCheck)
    .registerType(D, Decision)
    .registerType(A, { ctor: CelAuthorizer, fields: { requestResource: R } } as never)
    .registerFunction(`${A}.path(string): ${P}`, (a: CelAuthorizer, p: string) => new PathCheck(a, p))
    .registerFunction(`${A}.group(string): ${G}`, (a: CelAuthorizer, g: string) => new GroupCheck(a, g))
    .registerFunction(`${A}.serviceAccount(string, string): ${A}`, (a: CelAuthorizer, ns: string, name: string) => new CelAuthorizer(a.authorize, serviceAccountUser(ns, name), a.request))
    .registerFunction(`${G}.resource(string): ${R}`, (g: GroupCheck, r: string) => new ResourceCheck(g.authz, { group: g.group, resource: r }))
    .registerFunction(`${R}.subresource(string): ${R}`, (r: ResourceCheck, s: string) => r.with({ subresource: s }))
    .registerFunction(`${R}.namespace(string): ${R}`, (r: ResourceCheck, s: string) => r.with({ namespace: s }))
    .registerFunction(`${R}.name(string): ${R}`, (r: ResourceCheck, s: string) => r.with({ name: s }))
    .registerFunction(`${R}.check(string): ${D}`, (r: ResourceCheck, verb: string) => check(r.authz, { ...r.attrs, verb }))
    .registerFunction(`${P}.check(string): ${D}`, (p: PathCheck, verb: string) => check(p.authz, { path: p.path, verb }))
    .registerFunction(`${D}.allowed(): bool`, (d: Decision) => d.decision === 'allow')
    .registerFunction(`${D}.reason(): string`, (d: Decision) => d.reason)
    .registerFunction(`${D}.errored(): bool`, (d: Decision) => d.error !== '')
    .registerFunction(`${D}.error(): string`, (d: Decision) => d.error);
}
