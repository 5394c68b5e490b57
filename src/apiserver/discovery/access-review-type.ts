// A registry-shaped entry for selfsubjectaccessreviews so discovery and OpenAPI list it (kubectl
// auth can-i resolves it through discovery). The API server answers its create with
// answerSelfSubjectAccessReview; nothing is stored.
import type { ResourceType } from '../../api/resource.ts';

export const selfSubjectAccessReviewType: ResourceType = {
  group: 'authorization.k8s.io',
  version: 'v1',
  kind: 'SelfSubjectAccessReview',
  listKind: 'SelfSubjectAccessReviewList',
  plural: 'selfsubjectaccessreviews',
  singular: 'selfsubjectaccessreview',
  shortNames: [],
  categories: [],
  namespaced: false,
  subresources: {},
  verbs: ['create'],
  fieldSelectors: {},
  schema: {
    type: 'object',
    description: 'SelfSubjectAccessReview checks whether or the current user can perform an action.',
    properties: {
      apiVersion: { type: 'string', description: 'APIVersion defines the versioned schema of this representation of an object.' },
      kind: { type: 'string', description: 'Kind is a string value representing the REST resource this object represents.' },
      metadata: { type: 'object', description: 'Standard object metadata.', 'x-kubernetes-preserve-unknown-fields': true },
      spec: {
        type: 'object',
        description: 'Spec holds information about the request being evaluated.',
        properties: {
          resourceAttributes: { type: 'object', description: 'ResourceAuthorizationAttributes describes information for a resource access request', 'x-kubernetes-preserve-unknown-fields': true },
          nonResourceAttributes: { type: 'object', description: 'NonResourceAttributes describes information for a non-resource access request', 'x-kubernetes-preserve-unknown-fields': true },
        },
      },
      status: { type: 'object', description: 'Status is filled in by the server and indicates whether the request is allowed or not', 'x-kubernetes-preserve-unknown-fields': true },
    },
  },
  defaults() {},
  validate: () => [],
  strategy: { hasStatus: false, specFields: [] },
  table: { columns: [], cells: () => [] },
};
