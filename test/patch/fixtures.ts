// A Deployment-like ResourceType with the patch metadata Kubernetes declares, for the patch tests.
import type { ResourceType, Schema } from '../../src/api/resource.ts';

const str: Schema = { type: 'string' };
const container: Schema = {
  type: 'object',
  properties: {
    name: str,
    image: str,
    args: { type: 'array', items: str },
    env: { type: 'array', items: { type: 'object', properties: { name: str, value: str } }, 'x-kubernetes-patch-merge-key': 'name', 'x-kubernetes-patch-strategy': 'merge' },
    ports: { type: 'array', items: { type: 'object', properties: { containerPort: { type: 'integer' }, name: str } }, 'x-kubernetes-patch-merge-key': 'containerPort', 'x-kubernetes-patch-strategy': 'merge' },
  },
};
const podSpec: Schema = {
  type: 'object',
  properties: {
    containers: { type: 'array', items: container, 'x-kubernetes-patch-merge-key': 'name', 'x-kubernetes-patch-strategy': 'merge' },
    volumes: {
      type: 'array',
      'x-kubernetes-patch-merge-key': 'name',
      'x-kubernetes-patch-strategy': 'merge,retainKeys',
      items: { type: 'object', properties: { name: str, emptyDir: { type: 'object' }, hostPath: { type: 'object' } } },
    },
    nodeSelector: { type: 'object', additionalProperties: str },
    tolerations: { type: 'array', items: { type: 'object' } },
  },
};
export const schema: Schema = {
  type: 'object',
  properties: {
    apiVersion: str,
    kind: str,
    metadata: {
      type: 'object',
      properties: {
        name: str,
        labels: { type: 'object', additionalProperties: str },
        annotations: { type: 'object', additionalProperties: str },
        finalizers: { type: 'array', items: str, 'x-kubernetes-patch-strategy': 'merge' },
      },
    },
    spec: {
      type: 'object',
      properties: {
        replicas: { type: 'integer' },
        selector: { type: 'object' },
        template: { type: 'object', properties: { metadata: { type: 'object' }, spec: podSpec } },
      },
    },
    status: { type: 'object' },
  },
};

export const rt: ResourceType = {
  group: 'apps',
  version: 'v1',
  kind: 'Deployment',
  listKind: 'DeploymentList',
  plural: 'deployments',
  singular: 'deployment',
  shortNames: ['deploy'],
  categories: ['all'],
  namespaced: true,
  subresources: { status: true },
  verbs: ['get'],
  fieldSelectors: {},
  schema,
  defaults() {},
  validate: () => [],
  strategy: { hasStatus: true, specFields: ['spec'] },
  table: { columns: [], cells: () => [] },
};

export function deployment(): any {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', uid: 'u1', resourceVersion: '5', labels: { app: 'web' }, finalizers: ['a', 'b'] },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [
            { name: 'nginx', image: 'nginx:1.25', args: ['-x', '-y'], env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }] },
            { name: 'sidecar', image: 'busybox' },
          ],
          volumes: [{ name: 'data', emptyDir: {} }],
        },
      },
    },
    status: { replicas: 2 },
  };
}
