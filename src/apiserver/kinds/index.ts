// The built-in kinds' REST storage: the hooks and subresource handlers (src/apiserver/rest/storage.ts)
// that Kubernetes keeps in pkg/registry/<group>/<kind>/storage, one file per kind here. They are
// attached to the registry entries of those kinds when a server starts; a kind registered later
// (a CRD) carries its own `rest` hooks, or none, and the generic REST code reads them per request.
import type { Registry } from '../../api/registry.ts';
import type { RestHooks } from '../../api/resource.ts';
import { namespaceStorage } from './namespaces.ts';
import { podStorage } from './pods.ts';
import { eventStorage } from './events.ts';
import { serviceStorage } from './services.ts';
import { nodeStorage } from './nodes.ts';
import { csrStorage } from './csr.ts';
import { serviceAccountStorage } from './serviceaccounts.ts';
import { nodeMetricsStorage, podMetricsStorage } from './metrics.ts';
import { customMetricsStorage, externalMetricsStorage } from './custommetrics.ts';
import { resourcePrefix } from '../../storage/interface.ts';

export { KUBELET_URL_ANNOTATION } from './pods.ts';
export { DEFAULT_EVENT_TTL_MS } from './events.ts';
export { bootstrapNamespaces, namespaceGetter } from './namespaces.ts';
export { ensureKubernetesService, startKubernetesEndpoints, startServiceAddressRepair } from './services.ts';
export { bootstrapPriorityClasses, priorityClassLister } from './priorityclasses.ts';
export { ensureAPIServices } from './apiservices.ts';

/** group/resource → its REST storage hooks (every served version). */
const builtinStorage: Record<string, RestHooks> = {
  '/pods': podStorage,
  '/namespaces': namespaceStorage,
  '/services': serviceStorage,
  '/nodes': nodeStorage,
  '/serviceaccounts': serviceAccountStorage,
  '/events': eventStorage,
  'events.k8s.io/events': eventStorage,
  'certificates.k8s.io/certificatesigningrequests': csrStorage,
  'metrics.k8s.io/nodes': nodeMetricsStorage,
  'metrics.k8s.io/pods': podMetricsStorage,
  'custom.metrics.k8s.io/metricvaluelists': customMetricsStorage,
  'external.metrics.k8s.io/externalmetricvaluelists': externalMetricsStorage,
};

/** Gives each entry of the registry with a built-in identity its REST storage hooks, unless it has its own. */
export function attachKindStorage(registry: Registry): void {
  for (const rt of registry.all()) {
    const key = `${rt.group}/${rt.plural}`;
    if (rt.rest === undefined && Object.hasOwn(builtinStorage, key)) rt.rest = builtinStorage[key];
  }
}

/** The storage prefixes of the kinds whose hooks keep them out of the watch cache (RestHooks.watchCache false). */
export function uncachedPrefixes(registry: Registry): string[] {
  const out = new Set<string>();
  for (const rt of registry.all()) if (rt.rest?.watchCache === false) out.add(resourcePrefix(rt.group, rt.plural));
  return [...out];
}
