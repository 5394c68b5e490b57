// OpenAPI v3 documents built from the registry's schemas: an index (/openapi/v3) and one document
// per group-version. Each kind gets a component schema tagged with x-kubernetes-group-version-kind
// (kubectl explain finds it by that) and paths whose operations carry the GVK and a fieldValidation
// parameter (kubectl apply then leaves strict validation to the server).
import { createHash } from 'node:crypto';
import type { ResourceType, Schema } from '../../api/resource.ts';
import type { GroupInfo } from './groups.ts';

export const OPENAPI_VERSION_INFO = { title: 'Kubernetes', version: 'v1.32.0' };

/** `io.k8s.api.apps.v1.Deployment`, as Kubernetes names its definitions. */
export function definitionName(t: { group: string; version: string; kind: string; openapi?: { definitionName: string } }): string {
  if (t.openapi) return t.openapi.definitionName;
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
            // kubectl picks strategic merge for apply when the patch operation lists it: custom resources do not
            ['application/json-patch+json', 'application/merge-patch+json', ...(t.noStrategicMerge ? [] : ['application/strategic-merge-patch+json']), 'application/apply-patch+yaml'].map((ct) => [
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

/** Kubernetes' type names for well-known fields (kubectl explain prints them: `<[]Container>`). */
const TYPE_NAMES: Record<string, string> = {
  metadata: 'ObjectMeta',
  template: 'PodTemplateSpec',
  selector: 'LabelSelector',
  containers: 'Container',
  initContainers: 'Container',
  env: 'EnvVar',
  envFrom: 'EnvFromSource',
  valueFrom: 'EnvVarSource',
  volumes: 'Volume',
  volumeMounts: 'VolumeMount',
  resources: 'ResourceRequirements',
  tolerations: 'Toleration',
  taints: 'Taint',
  affinity: 'Affinity',
  ownerReferences: 'OwnerReference',
  managedFields: 'ManagedFieldsEntry',
  livenessProbe: 'Probe',
  readinessProbe: 'Probe',
  startupProbe: 'Probe',
  securityContext: 'SecurityContext',
  involvedObject: 'ObjectReference',
  scaleTargetRef: 'CrossVersionObjectReference',
  matchExpressions: 'LabelSelectorRequirement',
  containerStatuses: 'ContainerStatus',
  initContainerStatuses: 'ContainerStatus',
  podIPs: 'PodIP',
  addresses: 'NodeAddress',
  nodeInfo: 'NodeSystemInfo',
  rollingUpdate: 'RollingUpdateDeployment',
};

function typeName(kind: string, path: string[]): string {
  const last = path[path.length - 1];
  if (path.length === 1 && (last === 'spec' || last === 'status')) return `${kind}${last === 'spec' ? 'Spec' : 'Status'}`;
  if (last === 'spec' && path[path.length - 2] === 'template') return 'PodSpec';
  if (last === 'spec' && path[path.length - 2] === 'jobTemplate') return 'JobSpec';
  if (last === 'jobTemplate') return 'JobTemplateSpec';
  if (last === 'conditions') return `${kind}Condition`;
  if (last === 'ports') return path.includes('containers') || path.includes('initContainers') ? 'ContainerPort' : `${kind}Port`;
  if (last === 'strategy' || last === 'updateStrategy') return `${kind}${last === 'strategy' ? 'Strategy' : 'UpdateStrategy'}`;
  if (TYPE_NAMES[last]) return TYPE_NAMES[last];
  const singular = last.endsWith('ses') ? last.slice(0, -2) : last.endsWith('s') ? last.slice(0, -1) : last;
  return singular.charAt(0).toUpperCase() + singular.slice(1);
}

/**
 * A registry schema as OpenAPI v3 component schemas: nested object types are hoisted into their
 * own components referenced through `allOf: [{$ref}]` (as Kubernetes publishes them), so kubectl
 * explain names their types. Component keys are unique per kind and path; the part after the last
 * dot is the type name kubectl shows.
 */
function componentSchemas(t: ResourceType, out: Record<string, object>): void {
  const base = definitionName(t);
  const hoist = (s: Schema, path: string[]): Schema => {
    const copy: Schema & Record<string, unknown> = { ...s };
    if (s.properties) {
      copy.properties = {};
      for (const [k, child] of Object.entries(s.properties)) copy.properties[k] = field(child, [...path, k]);
    }
    if (s.items) copy.items = field(s.items, path, true);
    if (s.additionalProperties && typeof s.additionalProperties === 'object') copy.additionalProperties = hoist(s.additionalProperties, path);
    return copy;
  };
  // kubectl explain prints the field's description, then the type's: a field that is an object
  // keeps the description on the field only; list items keep it on the type (the list has its own).
  const field = (s: Schema, path: string[], isItem = false): Schema => {
    if (s.type === 'array' && s.items) return { ...s, items: field(s.items, path, true) };
    if (s.type !== 'object' || !s.properties || s['x-kubernetes-preserve-unknown-fields']) return hoist(s, path);
    const key = `${base}.${path.join('_')}.${typeName(t.kind, path)}`;
    const { description, ...rest } = hoist(s, path) as Schema & Record<string, unknown>;
    const ref: Record<string, unknown> = { allOf: [{ $ref: `#/components/schemas/${key}` }] };
    // Patch directives belong to the field (kubectl's strategic merge reads them there).
    for (const x of ['x-kubernetes-patch-strategy', 'x-kubernetes-patch-merge-key']) {
      if (x in rest) {
        ref[x] = rest[x];
        delete rest[x];
      }
    }
    out[key] = isItem && description ? { ...rest, description } : rest;
    if (description && !isItem) ref.description = description;
    return ref as Schema;
  };
  // Kinds registered with their own schema (CRDs) are published inline, as Kubernetes publishes them.
  const root = (t.openapi?.inline ? { ...t.schema } : hoist(t.schema, [])) as Schema & Record<string, unknown>;
  if (!root.description) root.description = `${t.kind} is a Kubernetes ${t.kind} object.`;
  root['x-kubernetes-group-version-kind'] = [{ group: t.group, kind: t.kind, version: t.version }];
  out[base] = root;
}

export function openApiDocument(types: ResourceType[]): object {
  const paths: Record<string, object> = {};
  const schemas: Record<string, object> = {
    'io.k8s.apimachinery.pkg.apis.meta.v1.Patch': { type: 'object', description: 'Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.' },
  };
  for (const t of types) {
    Object.assign(paths, pathsOf(t));
    componentSchemas(t, schemas);
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
  return { index: { paths }, docs };
}
