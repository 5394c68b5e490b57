// metrics.k8s.io/v1beta1 NodeMetrics and PodMetrics (k8s.io/metrics, served by metrics-server): read
// only (get, list), never stored. The API server fills them from its scrape of the kubelets
// (src/apiserver/resourcemetrics). Table columns as metrics-server's TableConvertor prints them.
import type { KubeObject } from '../types.ts';
import { col, defineKind } from '../meta.ts';
import { milliValueOrZero, valueOrZero } from '../quantity.ts';
import { list, map, obj, quantity, str, time } from '../schema.ts';

const METRICS = { group: 'metrics.k8s.io', version: 'v1beta1' } as const;
const READ_ONLY = ['get', 'list'];

const usage = map('The memory and cpu usage.', quantity());
const timestamp = time('The following fields define time interval from which metrics were collected from the interval [Timestamp-Window, Timestamp].');
const window = str('Window is the length of the interval [Timestamp-Window, Timestamp] over which the metrics were collected.', { format: 'duration' });

const usageCells = (u: Record<string, string> | undefined) => [u?.cpu ?? '', u?.memory ?? ''];

export const nodeMetrics = defineKind({
  ...METRICS,
  kind: 'NodeMetrics',
  plural: 'nodes',
  namespaced: false,
  verbs: READ_ONLY,
  description: 'NodeMetrics sets resource usage metrics of a node.',
  fields: { timestamp, window, usage },
  columns: [col('CPU', 'string', 'CPU usage'), col('Memory', 'string', 'Memory usage'), col('Window', 'string', 'Interval over which the metrics were collected')],
  cells: (o: KubeObject) => [...usageCells(o.usage as Record<string, string> | undefined), o.window ?? ''],
});

export const podMetrics = defineKind({
  ...METRICS,
  kind: 'PodMetrics',
  plural: 'pods',
  namespaced: true,
  verbs: READ_ONLY,
  description: 'PodMetrics sets resource usage metrics of a pod.',
  fields: {
    timestamp,
    window,
    containers: list('Metrics for all containers are collected within the same time window.', obj('ContainerMetrics sets resource usage metrics of a container.', { name: str('Container name corresponding to the one from pod.spec.containers.'), usage })),
  },
  columns: [col('CPU', 'string', 'CPU usage'), col('Memory', 'string', 'Memory usage'), col('Window', 'string', 'Interval over which the metrics were collected')],
  cells: (o: KubeObject) => [...usageCells(podTotals(o)), o.window ?? ''],
});

/** A pod's usage summed over its containers (cpu in millicores, memory in Ki), as a row prints it. */
function podTotals(o: KubeObject): Record<string, string> {
  let cpu = 0;
  let mem = 0;
  for (const c of (o.containers as any[]) ?? []) {
    cpu += milliValueOrZero(c.usage?.cpu ?? '0');
    mem += valueOrZero(c.usage?.memory ?? '0');
  }
  return { cpu: `${Math.round(cpu)}m`, memory: `${Math.round(mem / 1024)}Ki` };
}
