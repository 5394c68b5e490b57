// OpenAPI v3 documents built from the registry's schemas: an index (/openapi/v3) and one document
// per group-version. Each kind gets a component schema tagged with x-kubernetes-group-version-kind
// (kubectl explain finds it by that) and paths whose operations carry the GVK and a fieldValidation
// parameter (kubectl apply then leaves strict validation to the server).
import { createHash } from 'node:crypto';
import type { ResourceType, Schema } from '../../api/resource.ts';
import { apiVersionOf } from '../../api/types.ts';
import type { GroupInfo } from './groups.ts';

export const OPENAPI_VERSION_INFO = { title: 'Kubernetes', version: 'v1.32.0' };

/** `io.k8s.api.apps.v1.Deployment`, as Kubernetes names its definitions. */
export function definitionName(t: { group: string; version: string; kind: string }): string {
  if (t.group === 'metrics.k8s.io') return `io.k8s.metrics.pkg.apis.metrics.${t.version}.${t.kind}`;
  const pkg = t.group === '' ? 'core' : t.group.split('.')[0];
  return `io.k8s.api.${pkg}.${t.version}.${t.kind}`;
}

/** The URL path of a group-version (`api/v1`, `apis/apps/v1`), as keys of the /openapi/v3 index. */
export function gvPath(group: string, version: string): string {
  return group === '' ? `api/${version}` : `apis/${group}/${version}`;
}

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: object) => ({ 'application/json': { schema }, 'application/yaml': { schema } });

function queryParam(name: string, description: string, type = 'string'): object {
  return { name, in: 'query', description, schema: { type, uniqueItems: true } };
}

const DRY_RUN = queryParam('dryRun', 'When present, indicates that modifications should not be persisted.');
const FIELD_MANAGER = queryParam('fieldManager', 'fieldManager is a name associated with the actor or entity that is making these changes.');
const FIELD_VALIDATION = queryParam(
  'fieldValidation',
  'fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields. Valid values are: Ignore, Warn, Strict.',
);
const FORCE = queryParam('force', 'Force is going to "force" Apply requests.', 'boolean');
const PRETTY = queryParam('pretty', "If 'true', then the output is pretty printed.");

function operationId(verb: string, t: ResourceType, collection: boolean): string {
  const gv = (t.group === '' ? 'core' : t.group.split('.')[0]) + t.version;
  const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
  return `${verb}${cap(gv.replace(/[^a-zA-Z0-9]/g, ''))}${t.namespaced ? 'Namespaced' : ''}${t.kind}${collection ? 'List' : ''}`;
}

function pathsOf(t: ResourceType): Record<string, object> {
  const gvk = { group: t.group, version: t.version, kind: t.kind };
  const def = ref(definitionName(t));
  const base = `/${gvPath(t.group, t.version)}${t.namespaced ? '/namespaces/{namespace}' : ''}/${t.plural}`;
  const pathParams = [
    ...(t.namespaced ? [{ name: 'namespace', in: 'path', required: true, description: 'object name and auth scope, such as for teams and projects', schema: { type: 'string', uniqueItems: true } }] : []),
  ];
  const nameParam = { name: 'name', in: 'path', required: true, description: `name of the ${t.kind}`, schema: { type: 'string', uniqueItems: true } };
  const ok = (schema: object) => ({ '200': { description: 'OK', content: json(schema) } });
  const op = (verb: string, action: string, collection: boolean, extra: object = {}) => ({
    description: `${action} ${t.kind}`,
    operationId: operationId(verb, t, collection),
    responses: ok(def),
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': gvk,
    ...extra,
  });
  return {
    [base]: {
      parameters: [...pathParams, PRETTY],
      get: op('list', 'list', true),
      post: op('create', 'post', false, { parameters: [DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION], requestBody: { content: json(def) } }),
    },
    [`${base}/{name}`]: {
      parameters: [nameParam, ...pathParams, PRETTY],
      get: op('read', 'get', false),
      put: op('replace', 'put', false, { parameters: [DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION], requestBody: { content: json(def) } }),
      patch: op('patch', 'patch', false, {
        parameters: [DRY_RUN, FIELD_MANAGER, FIELD_VALIDATION, FORCE],
        requestBody: {
          content: Object.fromEntries(
            ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml'].map((ct) => [
              ct,
              { schema: ref('io.k8s.apimachinery.pkg.apis.meta.v1.Patch') },
            ]),
          ),
          required: true,
        },
      }),
      delete: op('delete', 'delete', false, { parameters: [DRY_RUN] }),
    },
  };
}

/** A registry schema as an OpenAPI v3 schema (the registry's subset already is one). */
function componentSchema(t: ResourceType): Schema & Record<string, unknown> {
  const s = structuredClone(t.schema) as Schema & Record<string, unknown>;
  if (!s.description) s.description = `${t.kind} is a Kubernetes ${t.kind} object.`;
  s['x-kubernetes-group-version-kind'] = [{ group: t.group, kind: t.kind, version: t.version }];
  return s;
}

export function openApiDocument(types: ResourceType[]): object {
  const paths: Record<string, object> = {};
  const schemas: Record<string, object> = {
    'io.k8s.apimachinery.pkg.apis.meta.v1.Patch': { type: 'object', description: 'Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.' },
  };
  for (const t of types) {
    Object.assign(paths, pathsOf(t));
    schemas[definitionName(t)] = componentSchema(t);
  }
  return { openapi: '3.0.0', info: OPENAPI_VERSION_INFO, paths, components: { schemas } };
}

export interface OpenApiDocs {
  index: object;
  /** "api/v1" → serialized document */
  docs: Map<string, string>;
}

export function openApiDocs(groups: GroupInfo[]): OpenApiDocs {
  const docs = new Map<string, string>();
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const g of groups) {
    for (const v of g.versions) {
      const key = gvPath(g.name, v.version);
      const text = JSON.stringify(openApiDocument(v.resources));
      const hash = createHash('sha512').update(text).digest('hex').slice(0, 128).toUpperCase();
      docs.set(key, text);
      paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${hash}` };
    }
  }
  void apiVersionOf;
  return { index: { paths }, docs };
}
