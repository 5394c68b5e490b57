// The APIServices every server keeps (kube-aggregator's autoregister controller): one per served
// group/version, Local, with Available=True. kubesim serves metrics.k8s.io in-process too (from its
// own scrape of the kubelets), so `v1beta1.metrics.k8s.io` is Local and Available like the others.
import { randomUUID } from 'node:crypto';
import type { Registry } from '../../api/registry.ts';
import type { KubeObject } from '../../api/types.ts';
import { objectKey, type Store } from '../../storage/interface.ts';
import { timestamp } from '../rest/objectmeta.ts';

/** kube-aggregator's apiVersionPriorities (group priority minimum, version priority); others 1000/15. */
const PRIORITIES: Record<string, [number, number]> = {
  'v1.': [18000, 1],
  'v1.apiregistration.k8s.io': [17700, 15],
  'v1.apps': [17800, 15],
  'v1.events.k8s.io': [17750, 15],
  'v1.autoscaling': [17500, 15],
  'v2.autoscaling': [17500, 30],
  'v1.batch': [17400, 15],
  'v1.coordination.k8s.io': [16500, 15],
  'v1beta1.metrics.k8s.io': [100, 100],
  'v1beta2.custom.metrics.k8s.io': [100, 200],
  'v1beta1.external.metrics.k8s.io': [100, 100],
};

export function apiServiceName(group: string, version: string): string {
  return `${version}.${group}`;
}

/** The APIService object of a locally served group/version. */
export function localAPIService(group: string, version: string, now: string): KubeObject {
  const name = apiServiceName(group, version);
  const [groupPriorityMinimum, versionPriority] = PRIORITIES[name] ?? [1000, 15];
  return {
    apiVersion: 'apiregistration.k8s.io/v1',
    kind: 'APIService',
    metadata: { name, uid: randomUUID(), creationTimestamp: now, labels: { 'kube-aggregator.kubernetes.io/automanaged': 'onstart' } },
    spec: { ...(group ? { group } : {}), version, groupPriorityMinimum, versionPriority },
    status: { conditions: [{ type: 'Available', status: 'True', lastTransitionTime: now, reason: 'Local', message: 'Local APIServices are always available' }] },
  };
}

/** Creates the APIService of every group/version of the registry that has none. */
export async function ensureAPIServices(store: Store, registry: Registry): Promise<void> {
  const now = timestamp();
  for (const { group, version } of registry.groupVersions()) {
    const key = objectKey('apiregistration.k8s.io', 'apiservices', undefined, apiServiceName(group, version));
    if (await store.get(key)) continue;
    try {
      await store.create(key, localAPIService(group, version, now));
    } catch {
      // created concurrently by another replica: fine
    }
  }
}
