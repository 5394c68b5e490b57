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
    status: reason ? { allowed, reason } : { allowed },
  };
}

export const RULES_REVIEW_PATH = '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews';
export const SELF_REVIEW_PATH = '/apis/authentication.k8s.io/v1/selfsubjectreviews';

export interface ReviewRules {
  resourceRules: { verbs: string[]; apiGroups?: string[]; resources?: string[]; resourceNames?: string[] }[];
  nonResourceRules: { verbs: string[]; nonResourceURLs?: string[] }[];
}

/** Without RBAC every request is allowed: one rule covering everything. */
export const ALLOW_ALL_RULES: ReviewRules = {
  resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }],
  nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
};

/** SelfSubjectRulesReview (`kubectl auth can-i --list`): the rules of the caller in spec.namespace. */
export function answerSelfSubjectRulesReview(review: KubeObject, rules: ReviewRules = ALLOW_ALL_RULES): KubeObject {
  return {
    kind: 'SelfSubjectRulesReview',
    apiVersion: 'authorization.k8s.io/v1',
    metadata: { creationTimestamp: null } as never,
    spec: review.spec ?? {},
    status: { ...rules, incomplete: false },
  };
}

export interface ReviewUser {
  username: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

/** SelfSubjectReview (`kubectl auth whoami`): who the server thinks the caller is. */
export function answerSelfSubjectReview(user: ReviewUser = { username: 'system:admin', groups: ['system:masters', 'system:authenticated'] }): KubeObject {
  const userInfo: Record<string, unknown> = { username: user.username };
  if (user.uid) userInfo.uid = user.uid;
  if (user.groups?.length) userInfo.groups = user.groups;
  if (user.extra && Object.keys(user.extra).length) userInfo.extra = user.extra;
  return {
    kind: 'SelfSubjectReview',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: { creationTimestamp: null } as never,
    status: { userInfo },
  };
}
