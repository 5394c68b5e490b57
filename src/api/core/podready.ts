// A pod's conditions and readiness (k8s.io/kubernetes/pkg/api/v1/pod IsPodReady), for the controllers
// and the API server's eviction alike.
import type { KubeObject } from '../types.ts';

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown' | string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  lastUpdateTime?: string;
  lastHeartbeatTime?: string;
  lastProbeTime?: string | null;
}

export function podCondition(pod: KubeObject, type: string): Condition | undefined {
  return (pod.status?.conditions as Condition[] | undefined)?.find((c) => c?.type === type);
}

export function isPodReady(pod: KubeObject): boolean {
  return podCondition(pod, 'Ready')?.status === 'True';
}
