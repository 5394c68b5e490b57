// The resources the controllers read and write (refs from api/core), addressed without depending
// on registry contents.
import type { ResourceRef } from '../client/index.ts';

export {
  apiVersionOfRef,
  CRONJOBS,
  DAEMONSETS,
  DEPLOYMENTS,
  ENDPOINTS,
  ENDPOINTSLICES,
  EVENTS,
  HPAS,
  JOBS,
  LEASES as NODE_LEASES,
  NAMESPACES,
  NODES,
  POD_METRICS,
  PODDISRUPTIONBUDGETS,
  PODS,
  REPLICASETS,
  REPLICATIONCONTROLLERS,
  SERVICES,
  STATEFULSETS,
} from '../api/core/refs.ts';

/** One ref per group/resource (the registry may serve a kind in several versions, e.g. HPA v1 and v2). */
export function uniqueResources(refs: ResourceRef[]): ResourceRef[] {
  const seen = new Set<string>();
  return refs.filter((r) => {
    const k = `${r.group}/${r.plural}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
