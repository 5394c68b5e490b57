// custom.metrics.k8s.io/v1beta2 and external.metrics.k8s.io/v1beta1 storage (a metrics adapter's
// REST storage, as custom-metrics-apiserver installs it): every path of these group/versions comes
// here (RestHooks.anyResource), answered from the objects' annotations and a ConfigMap
// (../custommetrics/values.ts has the formats):
//   GET /apis/custom.metrics.k8s.io/v1beta2/namespaces/<ns>/<resource>/<name|*>/<metric>
//   GET /apis/custom.metrics.k8s.io/v1beta2/<root-scoped resource>/<name|*>/<metric> (nodes)
//   GET /apis/custom.metrics.k8s.io/v1beta2/namespaces/<ns>/metrics/<metric> (the namespace's own)
//   GET /apis/custom.metrics.k8s.io/v1beta2 lists `<resource>/<metric>` per metric (../custommetrics/discovery.ts,
//   kept by ../custommetrics/catalog.ts; aggregated discovery lists the same as `<resource>` with subresources)
//   GET /apis/external.metrics.k8s.io/v1beta1/namespaces/<ns>/<metric>?labelSelector=...
import { StatusError, badRequest } from '../../api/errors.ts';
import { matches, parseSelector, type Selector } from '../../api/labels.ts';
import type { RestHooks, ResourceType } from '../../api/resource.ts';
import type { KubeObject } from '../../api/types.ts';
import { objectKey, resourcePrefix } from '../../storage/interface.ts';
import { sendJson } from '../respond.ts';
import type { Scope } from '../rest/scope.ts';
import {
  EXTERNAL_METRICS_CONFIGMAP,
  EXTERNAL_METRICS_NAMESPACE,
  PatternClock,
  externalValue,
  isReady,
  metricAnnotation,
  metricNotFoundMessage,
  metricValue,
  parseSeries,
  podShare,
} from '../custommetrics/values.ts';
import { metricCatalog } from '../custommetrics/catalog.ts';

const clock = new PatternClock();

const notFound = (message: string) => new StatusError(404, 'NotFound', message);

function selectorParam(s: Scope, name: string): Selector | undefined {
  const text = s.query?.get(name);
  if (!text) return undefined;
  try {
    return parseSelector(text);
  } catch (e) {
    throw badRequest(`unable to parse requirement: ${(e as Error).message}`);
  }
}

/** `matchLabels` of a metricLabelSelector made of equalities (what the answer echoes). */
function echoSelector(s: Scope): Record<string, string> | undefined {
  const text = s.query?.get('metricLabelSelector');
  if (!text) return undefined;
  const out: Record<string, string> = {};
  for (const part of text.split(',')) {
    const m = /^\s*([^=!\s]+)\s*==?\s*(\S*)\s*$/.exec(part);
    if (m) out[m[1]] = m[2];
  }
  return out;
}

const controllerUid = (o: KubeObject): string | undefined => (o.metadata.ownerReferences as any[] | undefined)?.find((r) => r.controller)?.uid;
const controllerRef = (o: KubeObject): any => (o.metadata.ownerReferences as any[] | undefined)?.find((r) => r.controller);

/** A pod's metric from its workload: the nearest owner with the annotation, its total over its ready pods. */
class Workloads {
  private rs: KubeObject[] | undefined;
  constructor(
    private readonly s: Scope,
    private readonly ns: string,
    private readonly pods: KubeObject[],
  ) {}

  private async get(group: string, plural: string, name: string): Promise<KubeObject | undefined> {
    return (await this.s.core.store.get(objectKey(group, plural, this.ns, name)))?.object;
  }

  private async replicaSets(): Promise<KubeObject[]> {
    this.rs ??= (await this.s.core.store.listPage(`${resourcePrefix('apps', 'replicasets')}${this.ns}/`, {})).items;
    return this.rs;
  }

  private readyOf(controllers: Set<string>): number {
    let n = 0;
    for (const p of this.pods) if (controllers.has(controllerUid(p) ?? '') && isReady(p)) n++;
    return n;
  }

  async share(pod: KubeObject, metric: string, now: number): Promise<number | undefined> {
    const ref = controllerRef(pod);
    if (!ref) return undefined;
    let source: KubeObject | undefined;
    let controllers: Set<string> | undefined;
    if (ref.kind === 'ReplicaSet') {
      const rs = await this.get('apps', 'replicasets', ref.name);
      const dref = rs && controllerRef(rs);
      const dep = dref?.kind === 'Deployment' ? await this.get('apps', 'deployments', dref.name) : undefined;
      if (dep && dep.metadata.uid === dref.uid && metricAnnotation(dep, metric) !== undefined) {
        source = dep;
        controllers = new Set((await this.replicaSets()).filter((r) => controllerUid(r) === dep.metadata.uid).map((r) => r.metadata.uid!));
      } else if (rs && metricAnnotation(rs, metric) !== undefined) {
        source = rs;
        controllers = new Set([rs.metadata.uid!]);
      }
    } else if (ref.kind === 'StatefulSet') {
      const sts = await this.get('apps', 'statefulsets', ref.name);
      if (sts && metricAnnotation(sts, metric) !== undefined) {
        source = sts;
        controllers = new Set([sts.metadata.uid!]);
      }
    }
    if (!source || !controllers) return undefined;
    const total = clock.valueAt(metricAnnotation(source, metric)!, source.metadata.uid ?? '', now);
    return total === undefined ? undefined : podShare(total, pod, this.readyOf(controllers));
  }
}

/** `deployments.apps` → the registry entry of that group resource in the request's scope. */
function resolveResource(s: Scope, resource: string, namespaced: boolean): ResourceType | undefined {
  const dot = resource.indexOf('.');
  const plural = dot < 0 ? resource : resource.slice(0, dot);
  const group = dot < 0 ? '' : resource.slice(dot + 1);
  return s.core.registry.all().find((r) => r.group === group && r.plural === plural && r.namespaced === namespaced && !r.conversion);
}

/**
 * What a path asks for, as the adapters route it: `namespaces/<ns>/<resource>/<name|*>/<metric>`,
 * a root-scoped `<resource>/<name|*>/<metric>` (nodes), or a namespace's own metric
 * `namespaces/<ns>/metrics/<metric>`.
 */
export function metricTarget(info: { resource: string; name?: string; subresource?: string; namespace?: string }):
  | { resource: string; name: string; metric: string; namespace?: string }
  | undefined {
  const { resource, name, subresource, namespace } = info;
  if (namespace !== undefined && resource === 'metrics' && name !== undefined && subresource === undefined) return { resource: 'namespaces', name: namespace, metric: name };
  if (name === undefined || subresource === undefined) return undefined;
  return { resource, name, metric: subresource, namespace };
}

async function getCustomMetric(s: Scope): Promise<number> {
  const target = metricTarget(s.info);
  if (!target) throw notFound('the server could not find the requested resource');
  const { resource, name, metric, namespace: ns } = target;
  const rt = resolveResource(s, resource, ns !== undefined);
  if (!rt) throw notFound(metricNotFoundMessage(metric, resource));
  const now = s.core.clock.now();
  const labelSel = selectorParam(s, 'labelSelector');
  const metricSel = echoSelector(s);
  const isPods = rt.group === '' && rt.plural === 'pods';
  const scopePrefix = `${resourcePrefix(rt.group, rt.plural)}${ns === undefined ? '' : `${ns}/`}`;
  let objects: KubeObject[];
  const all = name === '*' || isPods ? (await s.core.store.listPage(scopePrefix, {})).items : [];
  if (name === '*') objects = labelSel ? all.filter((o) => matches(labelSel, o.metadata.labels)) : all;
  else {
    const one = (await s.core.store.get(objectKey(rt.group, rt.plural, ns, name)))?.object;
    if (!one) throw notFound(metricNotFoundMessage(metric, resource, name));
    objects = [one];
  }
  const workloads = isPods && ns !== undefined ? new Workloads(s, ns, all) : undefined;
  const apiVersion = rt.group ? `${rt.group}/${rt.version}` : rt.version;
  const items: any[] = [];
  for (const o of objects) {
    const own = metricAnnotation(o, metric);
    const v = own !== undefined ? clock.valueAt(own, o.metadata.uid ?? '', now) : await workloads?.share(o, metric, now);
    if (v !== undefined) items.push(metricValue({ ...o, kind: rt.kind }, apiVersion, metric, metricSel, v, now));
  }
  if (name !== '*' && items.length === 0) throw notFound(metricNotFoundMessage(metric, resource, name));
  sendJson(s.res, 200, { kind: 'MetricValueList', apiVersion: 'custom.metrics.k8s.io/v1beta2', metadata: {}, items });
  return 200;
}

async function listExternalMetric(s: Scope): Promise<number> {
  const { resource: metric, namespace: ns } = s.info;
  if (s.info.name !== undefined || ns === undefined) throw notFound('the server could not find the requested resource');
  const sel = selectorParam(s, 'labelSelector');
  const now = s.core.clock.now();
  let text: string | undefined;
  for (const where of [ns, EXTERNAL_METRICS_NAMESPACE]) {
    const cm = (await s.core.store.get(objectKey('', 'configmaps', where, EXTERNAL_METRICS_CONFIGMAP)))?.object;
    text = (cm?.data as Record<string, string> | undefined)?.[metric];
    if (text !== undefined) break;
  }
  if (text === undefined) throw notFound(metricNotFoundMessage(metric, `namespace ${ns}`).replace(' for namespace', ' in namespace'));
  const items: any[] = [];
  for (const series of parseSeries(text)) {
    if (sel && !matches(sel, series.labels)) continue;
    const v = clock.valueAt(series.pattern, `${metric}${JSON.stringify(series.labels)}`, now);
    if (v !== undefined) items.push(externalValue(metric, series.labels, v, now));
  }
  sendJson(s.res, 200, { kind: 'ExternalMetricValueList', apiVersion: 'external.metrics.k8s.io/v1beta1', metadata: {}, items });
  return 200;
}

const refuse = async (): Promise<number> => {
  throw new StatusError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
};

export const customMetricsStorage: RestHooks = { anyResource: { get: getCustomMetric, '*': refuse }, get: getCustomMetric, list: refuse, resourceList: (core) => metricCatalog(core).resources() };
export const externalMetricsStorage: RestHooks = { anyResource: { list: listExternalMetric, '*': refuse }, get: refuse, list: listExternalMetric };
