// SelfSubjectAccessReview (authorization.k8s.io/v1), what `kubectl auth can-i` creates. kubesim
// has no authorization yet, so every request is allowed; the review echoes the spec back.
import type { KubeObject } from '../../api/types.ts';

export const ACCESS_REVIEW_PATH = '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews';

export function answerSelfSubjectAccessReview(review: KubeObject, allowed = true, reason = 'kubesim allows every request (no RBAC configured)'): KubeObject {
  return {
    kind: 'SelfSubjectAccessReview',
    apiVersion: 'authorization.k8s.io/v1',
    metadata: { creationTimestamp: null } as never,
    spec: review.spec ?? {},
    status: allowed ? { allowed: true, reason } : { allowed: false, reason },
  };
}
