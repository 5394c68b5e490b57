// apiextensions.k8s.io/v1 CustomResourceDefinition: schema (kubectl explain crd.spec), defaults
// (SetDefaults_CustomResourceDefinition), the strategy (status reset on create, storedVersions,
// generation on spec changes), validation (src/api/apiextensions/validation.ts) and the cleanup
// finalizer a delete adds. Serving the custom resources is the API server's job (src/apiserver/crd/).
import { invalidValue } from '../errors.ts';
import { col, defineKind, keepOldSpec } from '../meta.ts';
import { bool, bytes, enumStr, freeform, int, list, obj, str, unknownFields } from '../schema.ts';
import { pruneSchemaKeys } from '../openapi-schema/index.ts';
import type { KubeObject } from '../types.ts';
import { CLEANUP_FINALIZER, CRD_GROUP, setCondition, storageVersionOf, type Crd } from '../apiextensions/types.ts';
import { validateCrd, validateCrdUpdate } from '../apiextensions/validation.ts';
import { conditionsSchema } from './common.ts';
import { deepCopy } from '../core/json.ts';

const names = (what: string) =>
  obj(`${what} specify the resource and kind names for the custom resource.`, {
    plural: str('plural is the plural name of the resource to serve. The custom resources are served under `/apis/<group>/<version>/.../<plural>`.'),
    singular: str('singular is the singular name of the resource. It must be all lowercase. Defaults to lowercased `kind`.'),
    shortNames: list('shortNames are short names for the resource, exposed in API discovery documents.', str(), { listType: 'atomic' }),
    kind: str('kind is the serialized kind of the resource. It is normally CamelCase and singular.'),
    listKind: str('listKind is the serialized kind of the list for this resource. Defaults to "`kind`List".'),
    categories: list('categories is a list of grouped resources this custom resource belongs to (e.g. \'all\').', str(), { listType: 'atomic' }),
  });

const clientConfig = obj('clientConfig is the instructions for how to call the webhook if strategy is `Webhook`.', {
  url: str('url gives the location of the webhook, in standard URL form (`scheme://host:port/path`).'),
  service: obj('service is a reference to the service for this webhook.', {
    namespace: str('namespace is the namespace of the service.'),
    name: str('name is the name of the service.'),
    path: str('path is an optional URL path at which the webhook will be contacted.'),
    port: int('port is an optional service port at which the webhook will be contacted. Defaults to 443.'),
  }),
  caBundle: bytes('caBundle is a PEM encoded CA bundle which will be used to validate the webhook\'s server certificate.'),
});

const version = obj('CustomResourceDefinitionVersion describes a version for CRD.', {
  name: str('name is the version name, e.g. "v1", "v2beta1", etc.'),
  served: bool('served is a flag enabling/disabling this version from being served via REST APIs'),
  storage: bool('storage indicates this version should be used when persisting custom resources to storage. There must be exactly one version with storage=true.'),
  deprecated: bool('deprecated indicates this version of the custom resource API is deprecated.'),
  deprecationWarning: str('deprecationWarning overrides the default warning returned to API clients.'),
  schema: obj('schema describes the schema used for validation, pruning, and defaulting of this version of the custom resource.', {
    openAPIV3Schema: freeform('openAPIV3Schema is the OpenAPI v3 schema to use for validation and pruning.'),
  }),
  subresources: obj('subresources specify what subresources this version of the defined custom resource have.', {
    status: freeform('status indicates the custom resource should serve a `/status` subresource.'),
    scale: obj('scale indicates the custom resource should serve a `/scale` subresource that returns an `autoscaling/v1` Scale object.', {
      specReplicasPath: str('specReplicasPath defines the JSON path inside of a custom resource that corresponds to Scale `spec.replicas`.'),
      statusReplicasPath: str('statusReplicasPath defines the JSON path inside of a custom resource that corresponds to Scale `status.replicas`.'),
      labelSelectorPath: str('labelSelectorPath defines the JSON path inside of a custom resource that corresponds to Scale `status.selector`.'),
    }),
  }),
  additionalPrinterColumns: list(
    'additionalPrinterColumns specifies additional columns returned in Table output.',
    obj('CustomResourceColumnDefinition specifies a column for server side printing.', {
      name: str('name is a human readable name for the column.'),
      type: str('type is an OpenAPI type definition for this column.'),
      format: str('format is an optional OpenAPI type definition for this column.'),
      description: str('description is a human readable description of this column.'),
      priority: int('priority is an integer defining the relative importance of this column compared to others.'),
      jsonPath: str('jsonPath is a simple JSON path (i.e. with array notation) which is evaluated against each custom resource to produce the value for this column.'),
    }),
    { listType: 'atomic' },
  ),
  selectableFields: list(
    'selectableFields specifies paths to fields that may be used as field selectors.',
    obj('SelectableField specifies the JSON path of a field that may be used with field selectors.', {
      jsonPath: str('jsonPath is a simple JSON path which is evaluated against each custom resource to produce a field selector value.'),
    }),
    { listType: 'atomic' },
  ),
});

export const customResourceDefinition = defineKind({
  group: CRD_GROUP,
  version: 'v1',
  kind: 'CustomResourceDefinition',
  plural: 'customresourcedefinitions',
  shortNames: ['crd', 'crds'],
  categories: ['api-extensions'],
  namespaced: false,
  subresources: { status: true },
  description: 'CustomResourceDefinition represents a resource that should be exposed on the API server. Its name MUST be in the format <.spec.name>.<.spec.group>.',
  fields: {
    spec: obj('spec describes how the user wants the resources to appear', {
      group: str('group is the API group of the defined custom resource.'),
      names: names('names'),
      scope: enumStr(['Cluster', 'Namespaced'], 'scope indicates whether the defined custom resource is cluster- or namespace-scoped.'),
      versions: list('versions is the list of all API versions of the defined custom resource.', version, { listType: 'atomic' }),
      conversion: obj('conversion defines conversion settings for the CRD.', {
        strategy: str('strategy specifies how custom resources are converted between versions. Allowed values are: - `"None"` - `"Webhook"`.'),
        webhook: obj('webhook describes how to call the conversion webhook. Required when `strategy` is set to `"Webhook"`.', {
          clientConfig,
          conversionReviewVersions: list('conversionReviewVersions is an ordered list of preferred `ConversionReview` versions the Webhook expects.', str(), { listType: 'atomic' }),
        }),
      }),
      preserveUnknownFields: bool('preserveUnknownFields indicates that object fields which are not specified in the OpenAPI schema should be preserved when persisting to storage.'),
    }),
    status: obj('status indicates the actual state of the CustomResourceDefinition', {
      conditions: conditionsSchema('conditions indicate state for particular aspects of a CustomResourceDefinition'),
      acceptedNames: names('acceptedNames are the names that are actually being used to serve discovery.'),
      storedVersions: list('storedVersions lists all versions of CustomResources that were ever persisted.', str(), { listType: 'atomic' }),
    }),
  },
  defaults: (o) => {
    const spec = (o.spec ??= {});
    const n = (spec.names ??= {});
    if (!n.singular && n.kind) n.singular = String(n.kind).toLowerCase();
    if (!n.listKind && n.kind) n.listKind = `${n.kind}List`;
    spec.conversion ??= { strategy: 'None' };
    const svc = spec.conversion?.webhook?.clientConfig?.service;
    if (svc && svc.port === undefined) svc.port = 443;
    for (const v of spec.versions ?? []) if (v && typeof v === 'object') v.served ??= false;
  },
  validate: (o, old) => {
    const crd = o as Crd;
    const errs = validateCrd(crd);
    const name = o.metadata.name;
    if (name && crd.spec?.names?.plural !== undefined && name !== `${crd.spec.names.plural}.${crd.spec.group}`) {
      errs.unshift(invalidValue('metadata.name', name, 'must be spec.names.plural+"."+spec.group'));
    }
    if (old) errs.push(...validateCrdUpdate(crd, old as Crd));
    return errs;
  },
  strategy: {
    specFields: ['spec'],
    prepareForCreate: (o) => {
      o.status = { storedVersions: [] };
      addStoredVersion(o);
      o.metadata.generation = 1;
    },
    prepareForUpdate: (o, old) => {
      if (old.status === undefined) delete o.status;
      else o.status = deepCopy(old.status);
      addStoredVersion(o);
    },
    prepareForStatusUpdate: keepOldSpec,
  },
  deletion: {
    finalizersOnDelete: () => [CLEANUP_FINALIZER],
    markDeleting: (o) => {
      const c = (o as Crd).status?.conditions?.find((x) => x.type === 'Terminating');
      if (c?.status === 'True') return;
      setCondition(o as Crd, { type: 'Terminating', status: 'True', reason: 'InstanceDeletionPending', message: 'CustomResourceDefinition marked for deletion; CustomResource deletion will begin soon' }, new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'));
    },
  },
  columns: [col('Created At', 'date', 'CreationTimestamp is a timestamp representing the server time when this object was created.')],
  cells: (o) => [o.metadata.creationTimestamp ?? '<unknown>'],
});

// openAPIV3Schema is JSONSchemaProps in Kubernetes: keys it does not have are unknown fields there too.
customResourceDefinition.pruneUnknownFields = (o) => {
  const found = unknownFields(customResourceDefinition.schema, o);
  const versions = (o as Crd).spec?.versions;
  if (Array.isArray(versions)) versions.forEach((v, i) => found.push(...pruneSchemaKeys(v?.schema?.openAPIV3Schema, `spec.versions[${i}].schema.openAPIV3Schema`)));
  return found;
};

function addStoredVersion(o: KubeObject): void {
  const v = storageVersionOf(o as Crd);
  const st = (o.status ??= {});
  const stored: string[] = (st.storedVersions ??= []);
  if (v && !stored.includes(v)) stored.push(v);
}
