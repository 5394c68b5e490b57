// custom.metrics.k8s.io/v1beta2 discovery as the adapters (custom-metrics-apiserver) answer it: one
// resource per metric and group resource, `pods/<metric>`, `deployments.apps/<metric>`,
// `nodes/<metric>`, `namespaces/<metric>`, from the `kubesim.io/metric-<m>` annotations of what
// is stored. A workload's annotation (Deployment, ReplicaSet, StatefulSet) also gives `pods/<m>`,
// the share its pods carry (values.ts).
import type { Registry } from '../../api/registry.ts';
import type { KubeObject } from '../../api/types.ts';
import { resourcePrefix } from '../../storage/interface.ts';
import type { ApiCore } from '../rest/scope.ts';
import { METRIC_ANNOTATION_PREFIX } from './values.ts';

export interface MetricResource {
  name: string;
  singularName: '';
  namespaced: boolean;
  kind: 'MetricValueList';
  verbs: ['get'];
}

const WORKLOADS = new Set(['apps/deployments', 'apps/replicasets', 'apps/statefulsets']);

/** The metric names an object's annotations give. */
export function metricsOf(o: KubeObject): string[] {
  const out: string[] = [];
  for (const k of Object.keys(o.metadata.annotations ?? {})) if (k.startsWith(METRIC_ANNOTATION_PREFIX) && k.length > METRIC_ANNOTATION_PREFIX.length) out.push(k.slice(METRIC_ANNOTATION_PREFIX.length));
  return out;
}

/** `deployments.apps`, `pods`: the group resource as the metric paths spell it. */
export function groupResource(group: string, plural: string): string {
  return group ? `${plural}.${group}` : plural;
}

/**
 * The discovery entries for what the objects of one group resource carry: Namespaces' metrics are
 * root-scoped (namespaces/<ns>/metrics/<m>), everything else keeps its own scope.
 */
export function metricResources(found: { group: string; plural: string; namespaced: boolean; objects: KubeObject[] }[]): MetricResource[] {
  const byName = new Map<string, MetricResource>();
  const add = (gr: string, metric: string, namespaced: boolean) => {
    const name = `${gr}/${metric}`;
    if (!byName.has(name)) byName.set(name, { name, singularName: '', namespaced, kind: 'MetricValueList', verbs: ['get'] });
  };
  for (const f of found) {
    const gr = groupResource(f.group, f.plural);
    const workload = WORKLOADS.has(`${f.group}/${f.plural}`);
    for (const o of f.objects) {
      for (const m of metricsOf(o)) {
        add(gr, m, f.group === '' && f.plural === 'namespaces' ? false : f.namespaced);
        if (workload) add('pods', m, true);
      }
    }
  }
  return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** Stored kinds (one entry per group resource: no served-from-another-version entries, no storage-less kinds). */
function storedKinds(registry: Registry) {
  const seen = new Set<string>();
  return registry.all().filter((r) => {
    const k = `${r.group}/${r.plural}`;
    if (r.conversion || r.rest?.get || r.rest?.list || seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** The APIResourceList resources of custom.metrics.k8s.io/v1beta2, from the store. */
export async function listMetricResources(core: ApiCore): Promise<MetricResource[]> {
  const found = [];
  for (const rt of storedKinds(core.registry)) {
    const objects = (await core.store.listPage(resourcePrefix(rt.group, rt.plural), { filter: (o) => metricsOf(o).length > 0 })).items;
    if (objects.length) found.push({ group: rt.group, plural: rt.plural, namespaced: rt.namespaced, objects });
  }
  return metricResources(found);
}
