// How the components address the built-in resources they read and write, without depending on
// the registry's contents (the API server's registry is not theirs to import).

export interface ResourceRef {
  group: string;
  version: string;
  plural: string;
  namespaced: boolean;
  kind?: string;
}

export const PODS: ResourceRef = { group: '', version: 'v1', plural: 'pods', namespaced: true, kind: 'Pod' };
export const NODES: ResourceRef = { group: '', version: 'v1', plural: 'nodes', namespaced: false, kind: 'Node' };
export const NAMESPACES: ResourceRef = { group: '', version: 'v1', plural: 'namespaces', namespaced: false, kind: 'Namespace' };
export const EVENTS: ResourceRef = { group: '', version: 'v1', plural: 'events', namespaced: true, kind: 'Event' };
export const SERVICES: ResourceRef = { group: '', version: 'v1', plural: 'services', namespaced: true, kind: 'Service' };
export const ENDPOINTS: ResourceRef = { group: '', version: 'v1', plural: 'endpoints', namespaced: true, kind: 'Endpoints' };
export const ENDPOINTSLICES: ResourceRef = { group: 'discovery.k8s.io', version: 'v1', plural: 'endpointslices', namespaced: true, kind: 'EndpointSlice' };
export const REPLICASETS: ResourceRef = { group: 'apps', version: 'v1', plural: 'replicasets', namespaced: true, kind: 'ReplicaSet' };
export const REPLICATIONCONTROLLERS: ResourceRef = { group: '', version: 'v1', plural: 'replicationcontrollers', namespaced: true, kind: 'ReplicationController' };
export const DEPLOYMENTS: ResourceRef = { group: 'apps', version: 'v1', plural: 'deployments', namespaced: true, kind: 'Deployment' };
export const DAEMONSETS: ResourceRef = { group: 'apps', version: 'v1', plural: 'daemonsets', namespaced: true, kind: 'DaemonSet' };
export const STATEFULSETS: ResourceRef = { group: 'apps', version: 'v1', plural: 'statefulsets', namespaced: true, kind: 'StatefulSet' };
export const PODDISRUPTIONBUDGETS: ResourceRef = { group: 'policy', version: 'v1', plural: 'poddisruptionbudgets', namespaced: true, kind: 'PodDisruptionBudget' };
export const JOBS: ResourceRef = { group: 'batch', version: 'v1', plural: 'jobs', namespaced: true, kind: 'Job' };
export const CRONJOBS: ResourceRef = { group: 'batch', version: 'v1', plural: 'cronjobs', namespaced: true, kind: 'CronJob' };
export const HPAS: ResourceRef = { group: 'autoscaling', version: 'v2', plural: 'horizontalpodautoscalers', namespaced: true, kind: 'HorizontalPodAutoscaler' };
export const LEASES: ResourceRef = { group: 'coordination.k8s.io', version: 'v1', plural: 'leases', namespaced: true, kind: 'Lease' };
/** PodMetrics of the metrics API (served through the API server, as metrics-server does). */
export const POD_METRICS: ResourceRef = { group: 'metrics.k8s.io', version: 'v1beta1', plural: 'pods', namespaced: true, kind: 'PodMetrics' };

/** "group/version", or "version" for the core group. */
export function apiVersionOfRef(r: ResourceRef): string {
  return r.group ? `${r.group}/${r.version}` : r.version;
}
export const PVCS: ResourceRef = { group: '', version: 'v1', plural: 'persistentvolumeclaims', namespaced: true, kind: 'PersistentVolumeClaim' };
export const PVS: ResourceRef = { group: '', version: 'v1', plural: 'persistentvolumes', namespaced: false, kind: 'PersistentVolume' };
export const STORAGECLASSES: ResourceRef = { group: 'storage.k8s.io', version: 'v1', plural: 'storageclasses', namespaced: false, kind: 'StorageClass' };
export const SECRETS: ResourceRef = { group: '', version: 'v1', plural: 'secrets', namespaced: true, kind: 'Secret' };
export const CONFIGMAPS: ResourceRef = { group: '', version: 'v1', plural: 'configmaps', namespaced: true, kind: 'ConfigMap' };
export const SERVICEACCOUNTS: ResourceRef = { group: '', version: 'v1', plural: 'serviceaccounts', namespaced: true, kind: 'ServiceAccount' };
export const CERTIFICATESIGNINGREQUESTS: ResourceRef = { group: 'certificates.k8s.io', version: 'v1', plural: 'certificatesigningrequests', namespaced: false, kind: 'CertificateSigningRequest' };
