// SubjectAccessReview and LocalSubjectAccessReview (authorization.k8s.io/v1): would the user in
// spec be allowed the described resource or non-resource request? Answered from the authorizers,
// written nowhere. (SelfSubject* reviews are answered in server.ts for the caller.)
import type { KubeObject } from '../../api/types.ts';
import { badRequest, invalid, invalidValue, type FieldError } from '../../api/errors.ts';
import type { RequestInfo, Verb } from '../routing.ts';
import type { Pipeline, UserInfo } from '../pipeline/index.ts';
import { isAllowed } from '../pipeline/run.ts';

/** The request a review's resourceAttributes or nonResourceAttributes describe. */
export function subjectReviewInfo(spec: any): RequestInfo {
  const nr = spec?.nonResourceAttributes;
  if (nr && !spec?.resourceAttributes) return { verb: (nr.verb ?? '') as Verb, group: '', version: '', resource: '', path: nr.path ?? '', nonResource: true };
  const ra = spec?.resourceAttributes ?? {};
  return {
    verb: (ra.verb ?? '') as Verb,
    group: ra.group ?? '',
    version: ra.version ?? '',
    resource: ra.resource ?? '',
    subresource: ra.subresource || undefined,
    namespace: ra.namespace || undefined,
    name: ra.name || undefined,
    path: '',
  };
}

function validateSpec(spec: any): FieldError[] {
  const errs: FieldError[] = [];
  if (spec?.resourceAttributes && spec?.nonResourceAttributes) errs.push(invalidValue('spec.nonResourceAttributes', spec.nonResourceAttributes, 'cannot be specified in combination with resourceAttributes'));
  if (!spec?.resourceAttributes && !spec?.nonResourceAttributes) errs.push(invalidValue('spec.resourceAttributes', null, 'exactly one of nonResourceAttributes or resourceAttributes must be specified'));
  if (!spec?.user && !spec?.groups?.length) errs.push(invalidValue('spec.user', spec?.user ?? '', 'at least one of user or group must be specified'));
  return errs;
}

/** pathNamespace set = a LocalSubjectAccessReview in that namespace. */
export async function answerSubjectAccessReview(p: Pipeline, review: KubeObject, pathNamespace?: string): Promise<KubeObject> {
  const kind = pathNamespace !== undefined ? 'LocalSubjectAccessReview' : 'SubjectAccessReview';
  const spec = review.spec ?? {};
  const errs = validateSpec(spec);
  if (errs.length) throw invalid(kind, review.metadata?.name ?? '', errs, 'authorization.k8s.io');
  if (pathNamespace !== undefined) {
    if (spec.nonResourceAttributes) throw badRequest('disallowed on this kind of request');
    if ((spec.resourceAttributes?.namespace ?? '') !== pathNamespace) throw badRequest(`spec.resourceAttributes.namespace must match namespace: ${pathNamespace}`);
  }
  const user: UserInfo = { username: spec.user ?? '', groups: [...(spec.groups ?? [])], ...(spec.uid ? { uid: spec.uid } : {}), ...(spec.extra ? { extra: spec.extra } : {}) };
  const allowed = await isAllowed(p, user, subjectReviewInfo(spec));
  return {
    kind,
    apiVersion: 'authorization.k8s.io/v1',
    metadata: { creationTimestamp: null, ...(pathNamespace ? { namespace: pathNamespace } : {}) } as never,
    spec,
    status: { allowed },
  };
}
