// The Website custom resource (example.kubesim.io/v1): its CRD, its types, and the two pure
// decisions of the operator — the Deployment a Website wants, and the status it should show.
import type { ResourceRef } from '../../src/client/index.ts';
import type { KubeObject } from '../../src/api/types.ts';

export const GROUP = 'example.kubesim.io';
export const WEBSITES: ResourceRef = { group: GROUP, version: 'v1', plural: 'websites', namespaced: true, kind: 'Website' };
export const DEPLOYMENTS: ResourceRef = { group: 'apps', version: 'v1', plural: 'deployments', namespaced: true, kind: 'Deployment' };

export interface Website extends KubeObject {
  spec: { replicas?: number; image?: string };
  status?: { observedGeneration?: number; readyReplicas?: number; conditions?: Condition[] };
}

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime?: string;
}

export const websiteCrd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `websites.${GROUP}` },
  spec: {
    group: GROUP,
    scope: 'Namespaced',
    names: { plural: 'websites', singular: 'website', kind: 'Website', shortNames: ['ws'] },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        subresources: { status: {} },
        additionalPrinterColumns: [
          { name: 'Image', type: 'string', jsonPath: '.spec.image' },
          { name: 'Desired', type: 'integer', jsonPath: '.spec.replicas' },
          { name: 'Ready', type: 'integer', jsonPath: '.status.readyReplicas' },
        ],
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: {
                type: 'object',
                properties: {
                  replicas: { type: 'integer', format: 'int32', minimum: 0, default: 1 },
                  image: { type: 'string', description: 'Container image; the mutating webhook defaults it.' },
                },
              },
              status: {
                type: 'object',
                properties: {
                  observedGeneration: { type: 'integer', format: 'int64' },
                  readyReplicas: { type: 'integer', format: 'int32' },
                  conditions: {
                    type: 'array',
                    'x-kubernetes-list-type': 'map',
                    'x-kubernetes-list-map-keys': ['type'],
                    items: {
                      type: 'object',
                      required: ['type', 'status'],
                      properties: {
                        type: { type: 'string' },
                        status: { type: 'string' },
                        reason: { type: 'string' },
                        message: { type: 'string' },
                        lastTransitionTime: { type: 'string', format: 'date-time' },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
    ],
  },
};

/** The Deployment a Website owns: same name, `app: <name>` pods running spec.image. */
export function desiredDeployment(w: Website): KubeObject {
  const name = w.metadata.name!;
  const labels = { app: name, 'app.kubernetes.io/managed-by': 'website-operator' };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name,
      namespace: w.metadata.namespace,
      labels,
      ownerReferences: [{ apiVersion: `${GROUP}/v1`, kind: 'Website', name, uid: w.metadata.uid!, controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      replicas: w.spec.replicas ?? 1,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels }, spec: { containers: [{ name: 'web', image: w.spec.image ?? '' }] } },
    },
  };
}

/** The Deployment with the Website's wishes applied, or undefined when it already matches. */
export function updatedDeployment(current: KubeObject, w: Website): KubeObject | undefined {
  const want = desiredDeployment(w);
  const c = current.spec?.template?.spec?.containers?.[0];
  if (current.spec?.replicas === want.spec.replicas && c?.image === want.spec.template.spec.containers[0].image) return undefined;
  return { ...current, spec: { ...current.spec, replicas: want.spec.replicas, template: { ...current.spec.template, spec: { ...current.spec.template.spec, containers: want.spec.template.spec.containers } } } };
}

/** The status a Website should show given its Deployment, or undefined when it already shows it. */
export function desiredStatus(w: Website, d: KubeObject | undefined, now = new Date()): Website['status'] | undefined {
  const want = w.spec.replicas ?? 1;
  const ready = d?.status?.readyReplicas ?? 0;
  const image = d?.spec?.template?.spec?.containers?.[0]?.image;
  // rolled out: the Deployment saw its latest spec, runs our image, and has no pods of an older template left
  const upToDate = d?.status?.observedGeneration === d?.metadata.generation && d?.status?.updatedReplicas === want && d?.status?.replicas === want && image === w.spec.image;
  const ok = ready >= want && upToDate;
  const cond: Condition = ok
    ? { type: 'Ready', status: 'True', reason: 'ReplicasReady', message: `${ready}/${want} replicas ready` }
    : { type: 'Ready', status: 'False', reason: d ? 'ReplicasNotReady' : 'DeploymentMissing', message: `${ready}/${want} replicas ready` };
  const old = w.status?.conditions?.find((c) => c.type === 'Ready');
  const same = old && old.status === cond.status && old.reason === cond.reason && old.message === cond.message;
  if (same && w.status?.readyReplicas === ready && w.status?.observedGeneration === w.metadata.generation) return undefined;
  cond.lastTransitionTime = old && old.status === cond.status ? old.lastTransitionTime : now.toISOString().replace(/\.\d+Z$/, 'Z');
  return { observedGeneration: w.metadata.generation, readyReplicas: ready, conditions: [cond] };
}
