// Pod predicates the controllers share (after k8s.io/kubernetes/pkg/api/v1/pod and controller_utils.go).
import type { KubeObject } from '../../api/types.ts';
import { newControllerRef } from './owner.ts';

import { podCondition } from '../../api/core/podready.ts';
import { deepCopy } from '../../api/core/json.ts';

export { isPodReady, podCondition, type Condition } from '../../api/core/podready.ts';

/** Ready for at least minReadySeconds (podutil.IsPodAvailable). */
export function isPodAvailable(pod: KubeObject, minReadySeconds: number, now: number): boolean {
  const c = podCondition(pod, 'Ready');
  if (c?.status !== 'True') return false;
  if (!minReadySeconds) return true;
  const since = c.lastTransitionTime ? Date.parse(c.lastTransitionTime) : NaN;
  return Number.isFinite(since) && since + minReadySeconds * 1000 <= now;
}

export function isPodTerminated(pod: KubeObject): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

/** Counts toward a controller's replicas: not finished and not being deleted (controller.IsPodActive). */
export function isPodActive(pod: KubeObject): boolean {
  return !isPodTerminated(pod) && !pod.metadata.deletionTimestamp;
}

export function restartCount(pod: KubeObject): number {
  let n = 0;
  for (const cs of (pod.status?.containerStatuses as { restartCount?: number }[] | undefined) ?? []) n += cs.restartCount ?? 0;
  return n;
}

/** A pod from an owner's spec.template (controller.GetPodFromTemplate), controlled by the owner. */
export function podFromTemplate(owner: KubeObject, ownerApiVersion: string, ownerKind: string): KubeObject {
  const t = owner.spec?.template ?? {};
  const meta = t.metadata ?? {};
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `${owner.metadata.name}-`,
      namespace: owner.metadata.namespace,
      labels: { ...(meta.labels ?? {}) },
      ...(meta.annotations ? { annotations: { ...meta.annotations } } : {}),
      ...(meta.finalizers ? { finalizers: [...meta.finalizers] } : {}),
      ownerReferences: [newControllerRef(owner, ownerApiVersion, ownerKind)],
    },
    spec: deepCopy(t.spec ?? {}),
  };
}
