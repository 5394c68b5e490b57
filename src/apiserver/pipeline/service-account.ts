// Built-in admission: ServiceAccount (plugin/pkg/admission/serviceaccount), its token-volume part.
// A new pod whose service account token is automounted (spec.automountServiceAccountToken, else
// the ServiceAccount's, default true) gets Kubernetes' projected volume `kube-api-access-<5>`: a
// bound token (expirationSeconds 3607), the kube-root-ca.crt ConfigMap's ca.crt and the namespace
// from the downward API, mounted read-only at /var/run/secrets/kubernetes.io/serviceaccount in
// every container that mounts nothing there already. kubesim adds it only when the API server
// authenticates ServiceAccount tokens (a durable signing key): the in-memory library server
// without PKI keeps pods as they were written.
import type { KubeObject } from '../../api/types.ts';
import type { AdmissionPlugin } from './index.ts';
import { objectKey, type Store } from '../../storage/interface.ts';

export const SERVICE_ACCOUNT_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';
export const TOKEN_VOLUME_PREFIX = 'kube-api-access-';
const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789'; // utilrand's alphabet

function randomSuffix(n = 5): string {
  let s = '';
  for (let i = 0; i < n; i++) s += ALPHANUMS[Math.floor(Math.random() * ALPHANUMS.length)];
  return s;
}

/** The projected volume Kubernetes' TokenVolumeSource builds. */
export function tokenVolume(name: string): any {
  return {
    name,
    projected: {
      defaultMode: 0o644,
      sources: [
        { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
      ],
    },
  };
}

/** Pure: adds the token volume and its mounts to a pod (unless not automounted or already there). */
export function mountServiceAccountToken(pod: KubeObject, serviceAccount: KubeObject | undefined, suffix = randomSuffix()): void {
  const spec = pod.spec;
  if (!spec || typeof spec !== 'object' || Array.isArray(spec)) return;
  const automount = spec.automountServiceAccountToken ?? (serviceAccount as any)?.automountServiceAccountToken ?? true;
  if (automount === false) return;
  const volumes: any[] = Array.isArray(spec.volumes) ? spec.volumes : [];
  const containers = [...(Array.isArray(spec.initContainers) ? spec.initContainers : []), ...(Array.isArray(spec.containers) ? spec.containers : [])];
  // a volume of ours already (an update, or a pod copied from another) is reused
  let name = volumes.find((v) => typeof v?.name === 'string' && v.name.startsWith(TOKEN_VOLUME_PREFIX) && v.projected)?.name as string | undefined;
  let added = false;
  for (const c of containers) {
    if (!c || typeof c !== 'object') continue;
    const mounts: any[] = Array.isArray(c.volumeMounts) ? c.volumeMounts : [];
    if (mounts.some((m) => m?.mountPath === SERVICE_ACCOUNT_MOUNT_PATH)) continue;
    if (!name) {
      name = `${TOKEN_VOLUME_PREFIX}${suffix}`;
      while (volumes.some((v) => v?.name === name)) name = `${TOKEN_VOLUME_PREFIX}${randomSuffix()}`;
    }
    c.volumeMounts = [...mounts, { name, readOnly: true, mountPath: SERVICE_ACCOUNT_MOUNT_PATH }];
    added = true;
  }
  if (added && name && !volumes.some((v) => v?.name === name)) spec.volumes = [...volumes, tokenVolume(name)];
}

export function serviceAccountAdmission(getServiceAccount: (namespace: string, name: string) => Promise<KubeObject | undefined>): AdmissionPlugin {
  return {
    name: 'ServiceAccount',
    typedMutation: true,
    admit(a) {
      if (a.operation !== 'CREATE' || a.subresource || a.rt.group !== '' || a.rt.plural !== 'pods' || !a.object?.spec) return;
      if (a.object.metadata?.annotations?.['kubernetes.io/config.mirror'] !== undefined) return; // mirror pods get no token
      const pod = a.object;
      const ns = a.namespace ?? pod.metadata?.namespace ?? 'default';
      const saName = pod.spec.serviceAccountName || pod.spec.serviceAccount || 'default';
      return getServiceAccount(ns, saName).then((sa) => mountServiceAccountToken(pod, sa));
    },
  };
}

/** The ServiceAccount a pod names, read from the store. */
export function serviceAccountGetter(store: Pick<Store, 'get'>): (namespace: string, name: string) => Promise<KubeObject | undefined> {
  return async (namespace, name) => (await store.get(objectKey('', 'serviceaccounts', namespace, name)))?.object;
}
