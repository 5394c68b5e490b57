// CEL's `authorizer` for admission (ValidatingAdmissionPolicy, webhook matchConditions), and the
// seam between CEL's authorizer library (src/api/cel/authz.ts) and the API server's authorizer
// chain: a check becomes the RequestInfo the chain decides on (a resource check with APIVersion "*",
// or a non-resource path), answered by the first authorizer with an opinion, as a request would be.
import { CelAuthorizer, type Authorize, type AuthzAttributes } from '../../api/cel/authz.ts';
import type { RequestInfo, Verb } from '../routing.ts';
import type { AdmissionAttributes, Pipeline } from './index.ts';

export function checkInfo(c: AuthzAttributes): RequestInfo {
  if (c.path !== undefined) return { verb: c.verb as Verb, group: '', version: '', resource: '', path: c.path, nonResource: true };
  return {
    verb: c.verb as Verb,
    group: c.group ?? '',
    version: '*',
    resource: c.resource ?? '',
    subresource: c.subresource || undefined,
    namespace: c.namespace || undefined,
    name: c.name || undefined,
    path: '',
  };
}

/** The pipeline's authorizers as CEL's Authorize (no authorizer configured = AlwaysAllow). */
export function pipelineAuthorize(p: Pipeline): Authorize {
  return async (user, c) => {
    if (p.authorizers.length === 0) return { decision: 'allow', reason: '' };
    const info = checkInfo(c);
    const attrs = { user: { ...user, groups: [...user.groups] }, info, req: undefined as never };
    for (const a of p.authorizers) {
      const d = await a.authorize(attrs);
      if (d !== 'noOpinion') return { decision: d, reason: a.reason?.(attrs) ?? '' };
    }
    return { decision: 'noOpinion', reason: '' };
  };
}

/** Every check allowed (no authorizer given: the library default, AlwaysAllow). */
export const allowAll: Authorize = async () => ({ decision: 'allow', reason: '' });

/** CEL's `authorizer` of a request: its user; requestResource = its group, resource, subresource, namespace, name. */
export function requestAuthorizer(authorize: Authorize | undefined, a: AdmissionAttributes): CelAuthorizer {
  const request = { group: a.rt.group, resource: a.rt.plural, subresource: a.subresource ?? '', namespace: a.namespace ?? '', name: a.name ?? '' };
  return new CelAuthorizer(authorize ?? allowAll, a.user, request);
}
