// Registry-shaped entries for the review resources (SelfSubjectAccessReview, SelfSubjectRulesReview,
// SelfSubjectReview) so discovery and OpenAPI list them (kubectl auth resolves them through
// discovery). The API server answers their create from access-review.ts; nothing is stored.
import type { ResourceType, Schema } from '../../api/resource.ts';

const free = (description: string): Schema => ({ type: 'object', description, 'x-kubernetes-preserve-unknown-fields': true });

function reviewType(group: string, kind: string, description: string, spec?: Schema, namespaced = false): ResourceType {
  const plural = `${kind.toLowerCase()}s`;
  const properties: Record<string, Schema> = {
    apiVersion: { type: 'string', description: 'APIVersion defines the versioned schema of this representation of an object.' },
    kind: { type: 'string', description: 'Kind is a string value representing the REST resource this object represents.' },
    metadata: free('Standard object metadata.'),
    status: free('Status is filled in by the server.'),
  };
  if (spec) properties.spec = spec;
  return {
    group,
    version: 'v1',
    kind,
    listKind: `${kind}List`,
    plural,
    singular: kind.toLowerCase(),
    shortNames: [],
    categories: [],
    namespaced,
    subresources: {},
    verbs: ['create'],
    fieldSelectors: {},
    schema: { type: 'object', description, properties },
    defaults() {},
    validate: () => [],
    strategy: { hasStatus: false, specFields: [] },
    table: { columns: [], cells: () => [] },
  };
}

export const selfSubjectAccessReviewType = reviewType(
  'authorization.k8s.io',
  'SelfSubjectAccessReview',
  'SelfSubjectAccessReview checks whether or the current user can perform an action.',
  {
    type: 'object',
    description: 'Spec holds information about the request being evaluated.',
    properties: {
      resourceAttributes: free('ResourceAuthorizationAttributes describes information for a resource access request'),
      nonResourceAttributes: free('NonResourceAttributes describes information for a non-resource access request'),
    },
  },
);

export const selfSubjectRulesReviewType = reviewType(
  'authorization.k8s.io',
  'SelfSubjectRulesReview',
  'SelfSubjectRulesReview enumerates the set of actions the current user can perform within a namespace.',
  { type: 'object', description: 'Spec holds information about the request being evaluated.', properties: { namespace: { type: 'string', description: 'Namespace to evaluate rules for.' } } },
);

export const selfSubjectReviewType = reviewType('authentication.k8s.io', 'SelfSubjectReview', 'SelfSubjectReview contains the user information that the kube-apiserver has about the user making this request.');

const subjectSpec: Schema = {
  type: 'object',
  description: 'Spec holds information about the request being evaluated.',
  properties: {
    resourceAttributes: free('ResourceAuthorizationAttributes describes information for a resource access request'),
    nonResourceAttributes: free('NonResourceAttributes describes information for a non-resource access request'),
    user: { type: 'string', description: 'User is the user you\'re testing for.' },
    groups: { type: 'array', items: { type: 'string' }, description: 'Groups is the groups you\'re testing for.' },
    uid: { type: 'string', description: 'UID information about the requesting user.' },
    extra: free('Extra corresponds to the user.Info.GetExtra() method from the authenticator.'),
  },
};

export const subjectAccessReviewType = reviewType('authorization.k8s.io', 'SubjectAccessReview', 'SubjectAccessReview checks whether or not a user or group can perform an action.', subjectSpec);
export const localSubjectAccessReviewType = reviewType(
  'authorization.k8s.io',
  'LocalSubjectAccessReview',
  'LocalSubjectAccessReview checks whether or not a user or group can perform an action in a given namespace.',
  subjectSpec,
  true,
);

export const reviewTypes: ResourceType[] = [selfSubjectAccessReviewType, selfSubjectRulesReviewType, selfSubjectReviewType, subjectAccessReviewType, localSubjectAccessReviewType];
