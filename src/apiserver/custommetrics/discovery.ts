// custom.metrics.k8s.io/v1beta2 discovery as the adapters (custom-metrics-apiserver) answer it: one
// resource per metric and group resource, `pods/<metric>`, `deployments.apps/<metric>`,
// `nodes/<metric>`, `namespaces/<metric>`, from the `kubesim.io/metric-<m>` annotations of what
// is stored. A workload's annotation (Deployment, ReplicaSet, StatefulSet) also gives `pods/<m>`,
// the share its pods carry (values.ts).
import type { KubeObject } from '../../api/types.ts';
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
 * The discovery entries for the metric names objects carry (one entry per object: its group
 * resource, scope and metric names): Namespaces' metrics are root-scoped
 * (namespaces/<ns>/metrics/<m>), everything else keeps its own scope; a workload's metric also
 * gives `pods/<m>`. Sorted by name.
 */
export function metricResources(found: Iterable<{ group: string; plural: string; namespaced: boolean; metrics: string[] }>): MetricResource[] {
  const byName = new Map<string, MetricResource>();
  const add = (gr: string, metric: string, namespaced: boolean) => {
    const name = `${gr}/${metric}`;
    if (!byName.has(name)) byName.set(name, { name, singularName: '', namespaced, kind: 'MetricValueList', verbs: ['get'] });
  };
  for (const f of found) {
    const gr = groupResource(f.group, f.plural);
    const workload = WORKLOADS.has(`${f.group}/${f.plural}`);
    for (const m of f.metrics) {
      add(gr, m, f.group === '' && f.plural === 'namespaces' ? false : f.namespaced);
      if (workload) add('pods', m, true);
    }
  }
  return [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
