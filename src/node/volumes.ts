// The kubelet's volume manager, reduced to what a simulated node needs: a pod's containers are not
// created until every PersistentVolumeClaim it mounts exists and is Bound. Until then the pod stays
// ContainerCreating and gets FailedMount events with the kubelet's message.
import { claimIsBound } from '../api/core/index.ts';
import type { KubeObject } from '../api/types.ts';

/** How often a pod waiting for its claims looks again. */
export const VOLUME_RECHECK_MS = 1000;
/** A waiting pod's FailedMount is repeated this often (the kubelet's WaitForAttachAndMount timeout). */
export const FAILED_MOUNT_REPEAT_MS = 120_000;

export type ClaimGetter = (namespace: string, name: string) => KubeObject | undefined;

/** Undefined when every claim of the pod is Bound; else the FailedMount message. */
export function unmountedVolumes(pod: KubeObject, claim: ClaimGetter): string | undefined {
  const ns = pod.metadata.namespace ?? 'default';
  const volumes: string[] = [];
  let why = '';
  for (const v of (pod.spec?.volumes as any[]) ?? []) {
    const name = v?.persistentVolumeClaim?.claimName;
    if (!name) continue;
    const c = claim(ns, name);
    if (c && claimIsBound(c)) continue;
    volumes.push(v.name);
    why ||= c ? `error processing PVC ${ns}/${name}: PVC is not bound` : `error processing PVC ${ns}/${name}: failed to fetch PVC from API server: persistentvolumeclaims "${name}" not found`;
  }
  if (volumes.length === 0) return undefined;
  const list = volumes.join(' ');
  return `Unable to attach or mount volumes: unmounted volumes=[${list}], unattached volumes=[], failed to process volumes=[${list}]: ${why}`;
}
