// metrics.k8s.io/v1beta1 storage (metrics-server's pkg/api): NodeMetrics and PodMetrics are not
// stored; get and list answer from the API server's latest scrape of the kubelets
// (../resourcemetrics), joined with the Nodes' and Pods' labels from the watch cache. Label
// selectors match the node's or pod's labels; field selectors metadata.name / metadata.namespace.
import { notFound } from '../../api/errors.ts';
import type { RestHooks } from '../../api/resource.ts';
import type { KubeObject } from '../../api/types.ts';
import { objectKey, resourcePrefix } from '../../storage/interface.ts';
import { selectorFilter } from '../filter.ts';
import { negotiateOutput } from '../negotiate.ts';
import { sendJson } from '../respond.ts';
import { includeObjectOf } from '../rest/read.ts';
import { apiVersionOfRt, type Scope } from '../rest/scope.ts';
import { toTable } from '../table.ts';
import { nodeMetricsObject, podMetricsObject, scraperOf } from '../resourcemetrics/index.ts';

function send(s: Scope, items: KubeObject[]): number {
  const target = negotiateOutput(s.req.headers.accept);
  if (target.as === 'Table') sendJson(s.res, 200, toTable(s.rt, items, { includeObject: includeObjectOf(s.query), listMeta: {} }));
  // list items carry no kind/apiVersion, as metrics-server's lists
  else sendJson(s.res, 200, { kind: s.rt.listKind, apiVersion: apiVersionOfRt(s.rt), metadata: {}, items: items.map(({ kind, apiVersion, ...rest }) => (void kind, void apiVersion, rest)) });
  return 200;
}

function sendOne(s: Scope, obj: KubeObject): number {
  const target = negotiateOutput(s.req.headers.accept);
  if (target.as === 'Table') sendJson(s.res, 200, toTable(s.rt, [obj], { includeObject: includeObjectOf(s.query), listMeta: {} }));
  else sendJson(s.res, 200, obj);
  return 200;
}

/** What the selectors see of a metrics object (its metadata), so only matching ones are built. */
const selectable = (name: string | undefined, namespace: string | undefined, labels: Record<string, string> | undefined) => ({ metadata: { name, namespace, labels } }) as KubeObject;

const byName = (a: KubeObject, b: KubeObject) => (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '') || a.metadata.name!.localeCompare(b.metadata.name!);

async function listNodes(s: Scope): Promise<number> {
  const samples = scraperOf(s.core)?.nodes ?? new Map();
  const filter = selectorFilter(s.rt, s.query);
  const now = s.core.clock.now();
  const { items: nodes } = await s.core.store.listPage(resourcePrefix('', 'nodes'), {});
  const out: KubeObject[] = [];
  for (const n of nodes) {
    const sample = samples.get(n.metadata.name!);
    if (!sample) continue;
    if (!filter || filter(selectable(n.metadata.name, undefined, n.metadata.labels))) out.push(nodeMetricsObject(sample, n.metadata.labels, now));
  }
  return send(s, out.sort(byName));
}

async function getNode(s: Scope): Promise<number> {
  const name = s.info.name!;
  const sample = scraperOf(s.core)?.nodes.get(name);
  const node = sample && (await s.core.store.get(objectKey('', 'nodes', undefined, name)));
  if (!sample || !node) throw notFound('nodemetrics', name, 'metrics.k8s.io');
  return sendOne(s, nodeMetricsObject(sample, node.object.metadata.labels, s.core.clock.now()));
}

async function listPods(s: Scope): Promise<number> {
  const samples = scraperOf(s.core)?.pods ?? new Map();
  const filter = selectorFilter(s.rt, s.query);
  const now = s.core.clock.now();
  const ns = s.info.namespace;
  const prefix = resourcePrefix('', 'pods') + (ns ? `${ns}/` : '');
  const { items: pods } = await s.core.store.listPage(prefix, {});
  const out: KubeObject[] = [];
  for (const p of pods) {
    const sample = samples.get(`${p.metadata.namespace}/${p.metadata.name}`);
    if (!sample) continue;
    if (!filter || filter(selectable(p.metadata.name, p.metadata.namespace, p.metadata.labels))) out.push(podMetricsObject(sample, p.metadata.labels, now));
  }
  return send(s, out.sort(byName));
}

async function getPod(s: Scope): Promise<number> {
  const ns = s.info.namespace!;
  const name = s.info.name!;
  const sample = scraperOf(s.core)?.pods.get(`${ns}/${name}`);
  const pod = sample && (await s.core.store.get(objectKey('', 'pods', ns, name)));
  if (!sample || !pod) throw notFound('podmetrics', `${ns}/${name}`, 'metrics.k8s.io');
  return sendOne(s, podMetricsObject(sample, pod.object.metadata.labels, s.core.clock.now()));
}

export const nodeMetricsStorage: RestHooks = { get: getNode, list: listNodes };
export const podMetricsStorage: RestHooks = { get: getPod, list: listPods };
