// The objects a load run creates: every one labelled with the run's id, pods with the pause image
// and small requests (clusterloader2's defaults), so they fit many to a node.
import type { ResourceRef } from '../api/core/refs.ts';
import type { KubeObject } from '../api/types.ts';
import type { LoadKind } from './mix.ts';

/** The label on every object of a run (namespaces included): its value is the run id. */
export const RUN_LABEL = 'load.kubesim.io/run';
export const PAUSE_IMAGE = 'registry.k8s.io/pause:3.10';

export const REFS: Record<LoadKind | 'pods' | 'namespaces' | 'nodes', ResourceRef> = {
  deployments: { group: 'apps', version: 'v1', plural: 'deployments', namespaced: true, kind: 'Deployment' },
  services: { group: '', version: 'v1', plural: 'services', namespaced: true, kind: 'Service' },
  configmaps: { group: '', version: 'v1', plural: 'configmaps', namespaced: true, kind: 'ConfigMap' },
  secrets: { group: '', version: 'v1', plural: 'secrets', namespaced: true, kind: 'Secret' },
  pods: { group: '', version: 'v1', plural: 'pods', namespaced: true, kind: 'Pod' },
  namespaces: { group: '', version: 'v1', plural: 'namespaces', namespaced: false, kind: 'Namespace' },
  nodes: { group: '', version: 'v1', plural: 'nodes', namespaced: false, kind: 'Node' },
};

const meta = (run: string, name: string, namespace?: string, labels: Record<string, string> = {}) => ({ name, ...(namespace ? { namespace } : {}), labels: { [RUN_LABEL]: run, ...labels } });

export function podSpec() {
  return {
    terminationGracePeriodSeconds: 1,
    containers: [{ name: 'pause', image: PAUSE_IMAGE, resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '10m', memory: '16Mi' } } }],
  };
}

export function namespace(run: string, name: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: meta(run, name) } as KubeObject;
}

export function deployment(run: string, ns: string, name: string, replicas: number): KubeObject {
  const labels = { [RUN_LABEL]: run, app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta(run, name, ns),
    spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels }, spec: podSpec() } },
  } as KubeObject;
}

export function pod(run: string, ns: string, name: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: meta(run, name, ns, { app: 'churn' }), spec: podSpec() } as KubeObject;
}

/** The object a load-mix create of `kind` sends. */
export function mixObject(kind: LoadKind, run: string, ns: string, name: string, replicas = 1): KubeObject {
  switch (kind) {
    case 'deployments':
      return deployment(run, ns, name, replicas);
    case 'services':
      return { apiVersion: 'v1', kind: 'Service', metadata: meta(run, name, ns), spec: { selector: { app: name }, ports: [{ port: 80, targetPort: 8080 }] } } as KubeObject;
    case 'configmaps':
      return { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(run, name, ns), data: { 'config.yaml': 'x'.repeat(512) } } as KubeObject;
    case 'secrets':
      return { apiVersion: 'v1', kind: 'Secret', metadata: meta(run, name, ns), type: 'Opaque', data: { token: Buffer.from('y'.repeat(256)).toString('base64') } } as KubeObject;
  }
}
