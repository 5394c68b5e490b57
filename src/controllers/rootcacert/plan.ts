// The decisions of the root-ca-cert-publisher (pkg/controller/certificates/rootcacertpublisher):
// every Active namespace has the ConfigMap kube-root-ca.crt holding the cluster CA as ca.crt.
import type { KubeObject } from '../../api/types.ts';
import { deepCopy } from '../../api/core/json.ts';

export const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';
export const DESCRIPTION_ANNOTATION = 'kubernetes.io/description';
export const DESCRIPTION =
  'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.';

export type RootCAAction = { op: 'none' } | { op: 'create'; configMap: KubeObject } | { op: 'update'; configMap: KubeObject };

/** Pure: what to do in one namespace, given the CA bundle and the ConfigMap there (if any). */
export function rootCAAction(ns: KubeObject | undefined, existing: KubeObject | undefined, caPem: string): RootCAAction {
  if (!ns || ns.metadata.deletionTimestamp || (ns.status?.phase ?? 'Active') !== 'Active') return { op: 'none' };
  const namespace = ns.metadata.name!;
  if (!existing) {
    return {
      op: 'create',
      configMap: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: ROOT_CA_CONFIGMAP, namespace, annotations: { [DESCRIPTION_ANNOTATION]: DESCRIPTION } }, data: { 'ca.crt': caPem } },
    };
  }
  const data = (existing as { data?: Record<string, string> }).data ?? {};
  const annotated = existing.metadata.annotations?.[DESCRIPTION_ANNOTATION] === DESCRIPTION;
  if (data['ca.crt'] === caPem && Object.keys(data).length === 1 && annotated) return { op: 'none' };
  const next = deepCopy(existing) as KubeObject & { data?: Record<string, string> };
  next.data = { 'ca.crt': caPem };
  next.metadata.annotations = { ...(next.metadata.annotations ?? {}), [DESCRIPTION_ANNOTATION]: DESCRIPTION };
  return { op: 'update', configMap: next };
}
