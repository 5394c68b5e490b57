// ServiceAccounts' REST storage (pkg/registry/core/serviceaccount/storage/token.go): the `token`
// subresource, where a TokenRequest (authentication.k8s.io/v1) gets a signed JWT for the account —
// for the audiences asked (default the API audiences), expirationSeconds (default 3600, at least 600),
// optionally bound to a Pod, Secret or Node of the namespace so it dies with that object.
import { StatusError, badRequest, conflict, invalid, invalidValue, notFound, type FieldError } from '../../api/errors.ts';
import type { RestHooks } from '../../api/resource.ts';
import type { KubeObject } from '../../api/types.ts';
import { boundClaims, type ClaimsInput, type Ref } from '../../api/serviceaccount/token.ts';
import { objectKey } from '../../storage/interface.ts';
import { sendJson } from '../respond.ts';
import { readObject } from '../rest/handlers.ts';
import { checkBodyIdentity } from '../rest/objectmeta.ts';
import type { Scope } from '../rest/scope.ts';
import { deepCopy } from '../../api/core/json.ts';

export const TOKEN_REQUEST_GROUP = 'authentication.k8s.io';
const TOKEN_REQUEST = { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest' };
export const DEFAULT_TOKEN_EXPIRATION_SECONDS = 3600;
const MIN_EXPIRATION_SECONDS = 600;
const MAX_EXPIRATION_SECONDS = 2 ** 32;

export const serviceAccountStorage: RestHooks = {
  subresources: { token: { create: handleTokenRequest } },
};

/** ValidateTokenRequest (after defaulting): the duration between 10 minutes and 2^32 seconds; audiences strings. */
export function validateTokenRequestSpec(spec: any): FieldError[] {
  const errs: FieldError[] = [];
  const e = spec.expirationSeconds;
  if (typeof e !== 'number' || !Number.isInteger(e)) errs.push(invalidValue('spec.expirationSeconds', e ?? null, 'must be an integer'));
  else if (e < MIN_EXPIRATION_SECONDS) errs.push(invalidValue('spec.expirationSeconds', e, 'may not specify a duration less than 10 minutes'));
  else if (e > MAX_EXPIRATION_SECONDS) errs.push(invalidValue('spec.expirationSeconds', e, 'may not specify a duration larger than 2^32 seconds'));
  if (!Array.isArray(spec.audiences) || spec.audiences.some((a: unknown) => typeof a !== 'string')) errs.push(invalidValue('spec.audiences', spec.audiences ?? null, 'must be a list of strings'));
  return errs;
}

async function getObject(s: Scope, plural: string, namespace: string | undefined, name: string): Promise<KubeObject | undefined> {
  return (await s.core.store.get(objectKey('', plural, namespace, name)))?.object;
}

/** The objects a boundObjectRef names (and, for a scheduled pod, its node), or the refusal Kubernetes gives. */
async function boundRefs(s: Scope, saName: string, ref: any): Promise<Pick<ClaimsInput, 'pod' | 'secret' | 'node'>> {
  const ns = s.info.namespace!;
  const group = typeof ref.apiVersion === 'string' && ref.apiVersion.includes('/') ? ref.apiVersion.split('/')[0] : '';
  const kind = String(ref.kind ?? '');
  const name = String(ref.name ?? '');
  const refOf = (o: KubeObject): Ref => ({ name: o.metadata.name!, uid: o.metadata.uid! });
  const fetch = async (plural: string, namespace: string | undefined) => {
    const o = await getObject(s, plural, namespace, name);
    if (!o) throw notFound(plural, name);
    if (ref.uid && ref.uid !== o.metadata.uid) {
      throw conflict(kind, name, `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`);
    }
    return o;
  };
  if (group === '' && kind === 'Pod') {
    const pod = await fetch('pods', ns);
    if (pod.spec?.serviceAccountName !== saName) throw badRequest(`cannot bind token for serviceaccount "${saName}" to pod running with different serviceaccount name.`);
    // The pod's node goes into the claims: by name alone when the Node is not there.
    const nodeName = pod.spec?.nodeName;
    const node = nodeName ? await getObject(s, 'nodes', undefined, nodeName) : undefined;
    return { pod: refOf(pod), ...(nodeName ? { node: node ? refOf(node) : { name: nodeName, uid: '' } } : {}) };
  }
  if (group === '' && kind === 'Secret') return { secret: refOf(await fetch('secrets', ns)) };
  if (group === '' && kind === 'Node') return { node: refOf(await fetch('nodes', undefined)) };
  throw badRequest(`cannot bind token to object of type ${String(ref.apiVersion ?? '')}, Kind=${kind}`);
}

async function handleTokenRequest(s: Scope): Promise<number> {
  const name = s.info.name!;
  const ns = s.info.namespace!;
  const issuer = s.core.tokenIssuer;
  if (!issuer) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource', {});
  const req = (await readObject(s)) as KubeObject & { spec?: any };
  checkBodyIdentity(req, s.rt, undefined, [TOKEN_REQUEST]);
  // Name and namespace in the body must match the URL, if given.
  const meta = req.metadata ?? {};
  if (meta.name && meta.name !== name) throw invalid(TOKEN_REQUEST.kind, name, [invalidValue('metadata.name', meta.name, 'must match the service account name if specified')], TOKEN_REQUEST_GROUP);
  if (meta.namespace && meta.namespace !== ns) throw invalid(TOKEN_REQUEST.kind, name, [invalidValue('metadata.namespace', meta.namespace, 'must match the service account namespace if specified')], TOKEN_REQUEST_GROUP);
  const sa = await getObject(s, 'serviceaccounts', ns, name);
  if (!sa) throw notFound('serviceaccounts', name);
  // SetDefaults_TokenRequestSpec, then the API audiences for none.
  const spec: any = req.spec && typeof req.spec === 'object' ? deepCopy(req.spec) : {};
  spec.expirationSeconds ??= DEFAULT_TOKEN_EXPIRATION_SECONDS;
  if (spec.audiences == null || (Array.isArray(spec.audiences) && spec.audiences.length === 0)) spec.audiences = [...issuer.apiAudiences];
  const now = Math.floor(Date.now() / 1000);
  const errs = validateTokenRequestSpec(spec);
  if (errs.length) throw invalid(TOKEN_REQUEST.kind, '', errs, TOKEN_REQUEST_GROUP);
  const ref = spec.boundObjectRef;
  const bound = ref && typeof ref === 'object' ? await boundRefs(s, name, ref) : {};
  const claims = boundClaims({ serviceAccount: { namespace: ns, name, uid: sa.metadata.uid! }, audiences: spec.audiences, expirationSeconds: spec.expirationSeconds, now, ...bound });
  const token = await issuer.sign(claims);
  const iso = (t: number) => new Date(t * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const out = {
    ...TOKEN_REQUEST,
    metadata: { ...meta, name, namespace: ns, creationTimestamp: iso(now) },
    spec,
    status: { token, expirationTimestamp: iso(now + spec.expirationSeconds) },
  };
  sendJson(s.res, 201, out);
  return 201;
}
