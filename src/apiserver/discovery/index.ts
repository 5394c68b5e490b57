// Discovery (/api, /apis, aggregated v2/v2beta1, /api/v1, /apis/<g>/<v>) and OpenAPI (/openapi/v3).
// Documents are computed once per registry.
import type { Registry } from '../../api/registry.ts';
import type { ResourceType } from '../../api/resource.ts';
import type { HttpAnswer } from '../http-types.ts';
import { aggregatedList, apiGroupDoc, apiGroupList, apiResourceList, apiVersions, type ApiResourceEntry } from './discovery.ts';
import { type GroupInfo, groupsOf, memo } from './groups.ts';
import { openApiDocs } from './openapi.ts';
import { swaggerDocument, swaggerProtobuf } from './openapi-v2.ts';
import { reviewTypes } from './access-review-type.ts';

export {
  answerSelfSubjectAccessReview,
  answerSelfSubjectRulesReview,
  answerSelfSubjectReview,
  ACCESS_REVIEW_PATH,
  RULES_REVIEW_PATH,
  SELF_REVIEW_PATH,
  ALLOW_ALL_RULES,
  type ReviewRules,
  type ReviewUser,
} from './access-review.ts';
export { reviewTypes, selfSubjectAccessReviewType, selfSubjectRulesReviewType, selfSubjectReviewType } from './access-review-type.ts';
export { definitionName, gvPath } from './openapi.ts';
export { aggregatedFromResourceList, type ApiResourceEntry } from './discovery.ts';
export { OPENAPI_V2_PROTOBUF, decodeSwaggerProtobuf } from './openapi-v2.ts';

export const AGGREGATED_CONTENT_TYPE = {
  v2: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList',
  v2beta1: 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList',
} as const;

/** The aggregated discovery version an Accept header asks for first, if any. */
export function aggregatedVersionOf(accept: string | undefined): 'v2' | 'v2beta1' | undefined {
  for (const part of (accept ?? '').split(',')) {
    const params = part.split(';').map((s) => s.trim());
    if (!params.includes('as=APIGroupDiscoveryList') || !params.includes('g=apidiscovery.k8s.io')) continue;
    const v = params.find((p) => p.startsWith('v='))?.slice(2);
    if (v === 'v2' || v === 'v2beta1') return v;
  }
  return undefined;
}

/** Every type discovery lists: the registry's, plus the review resources the registry lacks. */
function servedTypes(registry: Registry): ResourceType[] {
  const all = [...registry.all()];
  for (const t of reviewTypes) if (!registry.byResource(t.group, t.version, t.plural)) all.push(t);
  return all;
}

function groups(registry: Registry): GroupInfo[] {
  return memo(registry, 'groups', () => groupsOf(servedTypes(registry)));
}

function answer(body: string, contentType = 'application/json'): HttpAnswer {
  return { status: 200, headers: { 'Content-Type': contentType, Vary: 'Accept' }, body };
}

function jsonAnswer(registry: Registry, key: string, build: () => object, contentType?: string): HttpAnswer {
  return answer(memo(registry, key, () => JSON.stringify(build())), contentType);
}

/** Group/versions whose resources are data (`group/version` → APIResourceList entries). */
export type DataResources = ReadonlyMap<string, readonly ApiResourceEntry[]>;

const dataDocs = new WeakMap<Registry, Map<string, { generation: number; lists: (readonly ApiResourceEntry[])[]; answer: HttpAnswer }>>();

/**
 * An aggregated document that lists data resources: kept while the registry's generation and
 * every data list (by identity: their owners answer the same array until it changes) stay.
 */
function dataJsonAnswer(registry: Registry, key: string, data: DataResources, build: () => object, contentType: string): HttpAnswer {
  let docs = dataDocs.get(registry);
  if (!docs) dataDocs.set(registry, (docs = new Map()));
  const lists = [...data.values()];
  const hit = docs.get(key);
  if (hit && hit.generation === registry.generation && hit.lists.length === lists.length && hit.lists.every((l, i) => l === lists[i])) return hit.answer;
  const a = answer(JSON.stringify(build()), contentType);
  docs.set(key, { generation: registry.generation, lists, answer: a });
  return a;
}

/**
 * Answers a discovery or OpenAPI GET, or undefined when the path is not one of those.
 * accept is the request's Accept header (aggregated discovery is content-negotiated); data the
 * resources that are data (aggregated discovery lists them as their per-version discovery does).
 */
export function answerDiscovery(registry: Registry, path: string, accept: string, data?: DataResources): HttpAnswer | undefined {
  const p = path.split('?')[0].replace(/\/+$/, '') || '/';
  const gs = groups(registry);
  const core = gs.find((g) => g.name === '');
  const named = gs.filter((g) => g.name !== '');

  if (p === '/api' || p === '/apis') {
    const agg = aggregatedVersionOf(accept);
    if (agg) {
      const build = () => aggregatedList(p === '/api' ? (core ? [core] : []) : named, agg, data);
      if (data?.size) return dataJsonAnswer(registry, `${p}:${agg}`, data, build, AGGREGATED_CONTENT_TYPE[agg]);
      return jsonAnswer(registry, `${p}:${agg}`, build, AGGREGATED_CONTENT_TYPE[agg]);
    }
    return jsonAnswer(registry, p, () => (p === '/api' ? apiVersions(core) : apiGroupList(named)));
  }

  const parts = p.split('/').filter(Boolean);
  if (parts[0] === 'api' && parts.length === 2) {
    const v = core?.versions.find((x) => x.version === parts[1]);
    return v ? jsonAnswer(registry, p, () => apiResourceList('', v.version, v.resources)) : undefined;
  }
  if (parts[0] === 'apis' && (parts.length === 2 || parts.length === 3)) {
    const g = named.find((x) => x.name === parts[1]);
    if (!g) return undefined;
    if (parts.length === 2) return jsonAnswer(registry, p, () => apiGroupDoc(g));
    const v = g.versions.find((x) => x.version === parts[2]);
    return v ? jsonAnswer(registry, p, () => apiResourceList(g.name, v.version, v.resources)) : undefined;
  }

  if (p === '/openapi/v2') {
    // kubectl asks for gnostic's protobuf; anything else gets the JSON document.
    const doc = () => memo(registry, 'openapi-v2', () => swaggerDocument(servedTypes(registry)));
    if (/protobuf/.test(accept) && !/application\/json/.test(accept.split(',')[0])) {
      const pb = memo(registry, 'openapi-v2-pb', () => swaggerProtobuf(doc()));
      // The media type itself does not parse with Go's mime package (the '@'); Kubernetes' handler
      // answers octet-stream, which client-go reads as raw bytes.
      return { status: 200, headers: { 'Content-Type': 'application/octet-stream', Vary: 'Accept' }, body: pb };
    }
    return jsonAnswer(registry, 'openapi-v2-json', doc);
  }
  if (parts[0] === 'openapi' && parts[1] === 'v3') {
    const docs = memo(registry, 'openapi', () => openApiDocs(gs));
    if (parts.length === 2) return jsonAnswer(registry, 'openapi-index', () => docs.index);
    const text = docs.docs.get(parts.slice(2).join('/'));
    return text === undefined ? undefined : answer(text);
  }
  return undefined;
}
