// metrics.k8s.io/v1beta1 storage (metrics-server's pkg/api): NodeMetrics and PodMetrics are not
// stored; get and list answer from the API server's latest scrape of the kubelets
// (../resourcemetrics), joined with the Nodes' and Pods' labels from the watch cache. Label
// selectors match the node's or pod's labels; field selectors metadata.name / metadata.namespace.
import { notFound } from '../../api/errors.ts';
import type { RestHooks } from '../../api/resource.ts';
import type { KubeObject } from '../../api/types.ts';
import { objectKey, resourcePrefix } from '../../storage/interface.ts';
import { selectorFilter } from '../filter.ts';
import { negotiateOutput, prefersProtobuf } from '../negotiate.ts';
import { JsonAnswer, sendBytes, sendJson, takesJsonValues } from '../respond.ts';
import { PROTOBUF_CONTENT_TYPE } from '../protobuf/index.ts';
import { nodeMetricsListProtobuf, podMetricsListProtobuf } from '../resourcemetrics/protobuf.ts';
import { includeObjectOf } from '../rest/read.ts';
import { apiVersionOfRt, type Scope } from '../rest/scope.ts';
import { toTable } from '../table.ts';
import { PodLabelIndex } from './podlabelindex.ts';
import { nodeMetricsObject, podMetricsItemJsonOf, podMetricsItemValueOf, podMetricsObject, rfc3339, scraperOf, type NodeSample, type PodSample } from '../resourcemetrics/index.ts';

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

/** Namespace, then name, compared as Go compares strings (kubectl top sorts the same way). */
const byNamespaceName = (a: { namespace?: string; name?: string }, b: { namespace?: string; name?: string }): number => {
  const na = a.namespace ?? '';
  const nb = b.namespace ?? '';
  if (na !== nb) return na < nb ? -1 : 1;
  return a.name! < b.name! ? -1 : a.name! > b.name! ? 1 : 0;
};
const byName = (a: KubeObject, b: KubeObject) => byNamespaceName(a.metadata, b.metadata);

/** How a PodMetrics list answers an Accept text: negotiateOutput and prefersProtobuf, worked out once per text (both pure). */
type ListOutput = 'Table' | 'Protobuf' | 'Json';
const listOutputs = new Map<string, ListOutput>();
function listOutput(accept: string | undefined): ListOutput {
  const key = accept ?? '';
  let o = listOutputs.get(key);
  if (o === undefined) {
    o = negotiateOutput(accept).as === 'Table' ? 'Table' : prefersProtobuf(accept) ? 'Protobuf' : 'Json';
    if (listOutputs.size >= 256) listOutputs.clear();
    listOutputs.set(key, o);
  }
  return o;
}

async function listNodes(s: Scope): Promise<number> {
  const samples = scraperOf(s.core)?.nodes ?? new Map();
  const filter = selectorFilter(s.rt, s.query);
  const now = s.core.clock.now();
  const { items: nodes } = await s.core.store.listPage(resourcePrefix('', 'nodes'), {});
  const hits: { sample: NodeSample; labels?: Record<string, string>; object: KubeObject }[] = [];
  for (const n of nodes) {
    const sample = samples.get(n.metadata.name!);
    if (!sample) continue;
    const m = nodeMetricsObject(sample, n.metadata.labels, now);
    if (!filter || filter(m)) hits.push({ sample, labels: n.metadata.labels, object: m });
  }
  hits.sort((a, b) => byName(a.object, b.object));
  if (negotiateOutput(s.req.headers.accept).as !== 'Table' && prefersProtobuf(s.req.headers.accept)) {
    sendBytes(s.res, 200, nodeMetricsListProtobuf(hits, now), PROTOBUF_CONTENT_TYPE);
    return 200;
  }
  return send(s, hits.map((h) => h.object));
}

async function getNode(s: Scope): Promise<number> {
  const name = s.info.name!;
  const sample = scraperOf(s.core)?.nodes.get(name);
  const node = sample && (await s.core.store.get(objectKey('', 'nodes', undefined, name)));
  if (!sample || !node) throw notFound('nodemetrics', name, 'metrics.k8s.io');
  return sendOne(s, nodeMetricsObject(sample, node.object.metadata.labels, s.core.clock.now()));
}

/** Per API server: the pods by label, kept current from the watch cache, for the HPAs' lists. */
const podIndexes = new WeakMap<object, PodLabelIndex>();

/**
 * selectorFilter of a PodMetrics list's selectors, compiled once per selector text: every HPA
 * sync lists with the same `app=…` selector (the predicate is pure: it keeps nothing between calls).
 * A selector that does not parse throws its Status each time, as selectorFilter does.
 */
const podFilters = new WeakMap<object, Map<string, ((o: KubeObject) => boolean) | undefined>>();
function podFilter(s: Scope): ((o: KubeObject) => boolean) | undefined {
  const key = `${s.query?.get('labelSelector') ?? ''}\u0000${s.query?.get('fieldSelector') ?? ''}`;
  let byText = podFilters.get(s.rt);
  if (!byText) podFilters.set(s.rt, (byText = new Map()));
  if (byText.has(key)) return byText.get(key);
  const f = selectorFilter(s.rt, s.query);
  if (byText.size >= 1024) byText.clear();
  byText.set(key, f);
  return f;
}

interface PodHit {
  sample: PodSample;
  labels?: Record<string, string>;
  meta: KubeObject['metadata'];
}

/** The selected pods that have a sample, with it (a namespaced list reads its namespace's samples). */
function podHits(scraper: ReturnType<typeof scraperOf>, pods: KubeObject[], ns: string | undefined): PodHit[] {
  const hits: PodHit[] = [];
  if (!scraper) return hits;
  const inNs = ns ? scraper.podSamplesIn(ns) : undefined;
  if (ns && !inNs) return hits;
  for (const p of pods) {
    const meta = p.metadata;
    const sample = inNs ? inNs.get(meta.name!) : scraper.podSample(meta.namespace!, meta.name!);
    if (sample) hits.push({ sample, labels: meta.labels, meta });
  }
  return hits;
}

const byHitNamespaceName = (a: PodHit, b: PodHit): number => byNamespaceName(a.sample, b.sample);
/** Names compared as Go compares strings, one comparison per pair. */
const byHitName = (a: PodHit, b: PodHit): number => {
  const x = a.sample.name;
  const y = b.sample.name;
  return x === y ? 0 : x < y ? -1 : 1;
};

async function listPods(s: Scope): Promise<number> {
  const scraper = scraperOf(s.core);
  const filter = podFilter(s);
  const now = s.core.clock.now();
  const ns = s.info.namespace;
  const prefix = resourcePrefix('', 'pods') + (ns ? `${ns}/` : '');
  // The selectors (labels, metadata.name/namespace) pick the pods first (podlabelindex.ts); only
  // the matches are looked up among the samples (an HPA's list names a few dozen of thousands).
  let index = podIndexes.get(s.core);
  if (!index) podIndexes.set(s.core, (index = new PodLabelIndex(resourcePrefix('', 'pods'))));
  const pods = await index.select(s.core.store, prefix, s.query?.get('labelSelector') ?? null, filter, !s.query?.get('fieldSelector'));
  const hits = podHits(scraper, pods, ns);
  // a namespaced list's pods share their namespace: by name alone
  hits.sort(ns ? byHitName : byHitNamespaceName);
  const output = listOutput(s.req.headers.accept);
  if (output === 'Table') return send(s, hits.map((h) => podMetricsObject(h.sample, h.labels, now)));
  if (output === 'Protobuf') {
    sendBytes(s.res, 200, podMetricsListProtobuf(hits, now), PROTOBUF_CONTENT_TYPE);
    return 200;
  }
  const created = rfc3339(now);
  if (takesJsonValues(s.res)) {
    // an in-process client takes the list as a value (each item's usage made once, frozen and
    // shared; the labels the stored pod's): its frozen parts are deep-frozen JSON data, so a
    // read-only client shares them (JsonAnswer), any other copies the value
    const values: object[] = new Array(hits.length);
    for (let i = 0; i < hits.length; i++) values[i] = frozenItem(podMetricsItemValueOf(hits[i].sample, hits[i].meta, created));
    sendJson(s.res, 200, new JsonAnswer({ kind: s.rt.listKind, apiVersion: apiVersionOfRt(s.rt), metadata: {}, items: values }));
    return 200;
  }
  // The list's JSON is joined from per-item text: at 150,000 pods this is most of a LIST's work.
  // joined (one flat string), not appended: a cons string of every piece costs its flattening later
  const items: string[] = new Array(hits.length);
  for (let i = 0; i < hits.length; i++) items[i] = podMetricsItemJsonOf(hits[i].sample, hits[i].meta, created);
  sendJson(s.res, 200, `${listHead(s.rt)}${items.join(',')}]}`);
  return 200;
}

/** An item made for one answer, frozen with its metadata (the rest is frozen already): a read-only client shares it whole. */
function frozenItem(item: object): object {
  Object.freeze((item as { metadata: object }).metadata);
  return Object.freeze(item);
}

/** A PodMetricsList's text up to its items, once per resource type. */
const listHeads = new WeakMap<object, string>();
function listHead(rt: Scope['rt']): string {
  let head = listHeads.get(rt);
  if (head === undefined) listHeads.set(rt, (head = `{"kind":${JSON.stringify(rt.listKind)},"apiVersion":${JSON.stringify(apiVersionOfRt(rt))},"metadata":{},"items":[`));
  return head;
}

async function getPod(s: Scope): Promise<number> {
  const ns = s.info.namespace!;
  const name = s.info.name!;
  const sample = scraperOf(s.core)?.podSample(ns, name);
  const pod = sample && (await s.core.store.get(objectKey('', 'pods', ns, name)));
  if (!sample || !pod) throw notFound('podmetrics', `${ns}/${name}`, 'metrics.k8s.io');
  return sendOne(s, podMetricsObject(sample, pod.object.metadata.labels, s.core.clock.now()));
}

export const nodeMetricsStorage: RestHooks = { get: getNode, list: listNodes };
export const podMetricsStorage: RestHooks = { get: getPod, list: listPods };
