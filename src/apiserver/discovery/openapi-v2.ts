// OpenAPI v2 (Swagger 2.0) at /openapi/v2, derived from the v3 documents. kubectl 1.27/1.28 fetch
// it (as gnostic's protobuf, application/com.github.proto-openapi.spec.v2@v1.0+protobuf) for
// `apply`: the patch operation of each kind must carry x-kubernetes-group-version-kind and a
// fieldValidation query parameter, and definitions give strategic-merge metadata.
import protobuf from 'protobufjs';
import type { ResourceType } from '../../api/resource.ts';
import { openApiDocument, OPENAPI_VERSION_INFO } from './openapi.ts';

export const OPENAPI_V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';

type Json = Record<string, any>;

const V3_REF = '#/components/schemas/';
const V2_REF = '#/definitions/';

/** A v3 schema as v2: `allOf: [{$ref}]` wrappers become `$ref` with the field's own keywords. */
function toV2Schema(s: Json): Json {
  if (!s || typeof s !== 'object') return s;
  let out: Json = { ...s };
  if (Array.isArray(s.allOf) && s.allOf.length === 1 && s.allOf[0].$ref) {
    const { allOf, ...rest } = s;
    out = { ...rest, $ref: allOf[0].$ref };
  }
  if (typeof out.$ref === 'string') out.$ref = out.$ref.replace(V3_REF, V2_REF);
  if (out.properties) out.properties = Object.fromEntries(Object.entries(out.properties).map(([k, v]) => [k, toV2Schema(v as Json)]));
  if (out.items) out.items = toV2Schema(out.items);
  if (out.additionalProperties && typeof out.additionalProperties === 'object') out.additionalProperties = toV2Schema(out.additionalProperties);
  return out;
}

function toV2Param(p: Json): Json {
  const out: Json = { name: p.name, in: p.in, type: p.schema?.type ?? 'string', uniqueItems: true };
  if (p.description) out.description = p.description;
  if (p.required) out.required = true;
  return out;
}

function toV2Operation(op: Json): Json {
  const params = (op.parameters ?? []).map(toV2Param);
  const content = op.requestBody?.content as Json | undefined;
  if (content) {
    const first = Object.values(content)[0] as Json;
    params.unshift({ name: 'body', in: 'body', required: true, schema: toV2Schema(first.schema) });
  }
  const ok = op.responses?.['200']?.content?.['application/json']?.schema;
  const out: Json = {
    description: op.description,
    operationId: op.operationId,
    consumes: content ? Object.keys(content) : ['*/*'],
    produces: ['application/json', 'application/yaml'],
    parameters: params,
    responses: { '200': { description: 'OK', ...(ok ? { schema: toV2Schema(ok) } : {}) } },
  };
  for (const [k, v] of Object.entries(op)) if (k.startsWith('x-')) out[k] = v;
  return out;
}

const VERBS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/** The Swagger 2.0 document (JSON) for every served type. */
export function swaggerDocument(types: ResourceType[]): Json {
  const v3 = openApiDocument(types) as Json;
  const paths: Json = {};
  for (const [p, item] of Object.entries(v3.paths as Json)) {
    const out: Json = {};
    if (item.parameters) out.parameters = item.parameters.map(toV2Param);
    for (const verb of VERBS) if (item[verb]) out[verb] = toV2Operation(item[verb]);
    paths[p] = out;
  }
  const definitions = Object.fromEntries(Object.entries(v3.components.schemas as Json).map(([k, v]) => [k, toV2Schema(v as Json)]));
  return { swagger: '2.0', info: OPENAPI_VERSION_INFO, paths, definitions };
}

// gnostic's openapiv2/OpenAPIv2.proto, the messages and field numbers this document uses.
const GNOSTIC_PROTO = `
syntax = "proto3";
package openapi.v2;
message Any { string yaml = 2; }
message NamedAny { string name = 1; Any value = 2; }
message Info { string title = 1; string version = 2; }
message TypeItem { repeated string value = 1; }
message ItemsItem { repeated Schema schema = 1; }
message NamedSchema { string name = 1; Schema value = 2; }
message Properties { repeated NamedSchema additional_properties = 1; }
message AdditionalPropertiesItem { oneof oneof { Schema schema = 1; bool boolean = 2; } }
message Schema {
  string _ref = 1; string format = 2; string title = 3; string description = 4;
  repeated string required = 19; repeated Any enum = 20; AdditionalPropertiesItem additional_properties = 21;
  TypeItem type = 22; ItemsItem items = 23; repeated Schema all_of = 24; Properties properties = 25;
  repeated NamedAny vendor_extension = 31;
}
message Definitions { repeated NamedSchema additional_properties = 1; }
message BodyParameter { string description = 1; string name = 2; string in = 3; bool required = 4; Schema schema = 5; }
message QueryParameterSubSchema { bool required = 1; string in = 2; string description = 3; string name = 4; string type = 6; bool unique_items = 20; }
message PathParameterSubSchema { bool required = 1; string in = 2; string description = 3; string name = 4; string type = 5; bool unique_items = 19; }
message NonBodyParameter { oneof oneof { QueryParameterSubSchema query_parameter_sub_schema = 3; PathParameterSubSchema path_parameter_sub_schema = 4; } }
message Parameter { oneof oneof { BodyParameter body_parameter = 1; NonBodyParameter non_body_parameter = 2; } }
message ParametersItem { oneof oneof { Parameter parameter = 1; } }
message SchemaItem { oneof oneof { Schema schema = 1; } }
message Response { string description = 1; SchemaItem schema = 2; }
message ResponseValue { oneof oneof { Response response = 1; } }
message NamedResponseValue { string name = 1; ResponseValue value = 2; }
message Responses { repeated NamedResponseValue response_code = 1; }
message Operation {
  string description = 3; string operation_id = 5; repeated string produces = 6; repeated string consumes = 7;
  repeated ParametersItem parameters = 8; Responses responses = 9; repeated NamedAny vendor_extension = 13;
}
message PathItem { Operation get = 2; Operation put = 3; Operation post = 4; Operation delete = 5; Operation patch = 8; repeated ParametersItem parameters = 9; }
message NamedPathItem { string name = 1; PathItem value = 2; }
message Paths { repeated NamedPathItem path = 2; }
message Document { string swagger = 1; Info info = 2; Paths paths = 8; Definitions definitions = 9; }
`;

let root: protobuf.Root | undefined;
function gnostic(): protobuf.Root {
  root ??= protobuf.parse(GNOSTIC_PROTO, { keepCase: true }).root;
  return root;
}

/** Vendor extensions travel as YAML text (JSON is YAML). */
function vendor(o: Json): Json[] {
  return Object.entries(o)
    .filter(([k]) => k.startsWith('x-'))
    .map(([name, v]) => ({ name, value: { yaml: JSON.stringify(v) } }));
}

function pbSchema(s: Json): Json {
  const out: Json = { vendor_extension: vendor(s) };
  if (s.$ref) out._ref = s.$ref;
  for (const k of ['format', 'title', 'description'] as const) if (typeof s[k] === 'string') out[k] = s[k];
  if (Array.isArray(s.required)) out.required = s.required;
  if (Array.isArray(s.enum)) out.enum = s.enum.map((v: unknown) => ({ yaml: JSON.stringify(v) }));
  if (s.type) out.type = { value: [s.type] };
  if (s.items) out.items = { schema: [pbSchema(s.items)] };
  if (s.properties) out.properties = { additional_properties: Object.entries(s.properties).map(([name, v]) => ({ name, value: pbSchema(v as Json) })) };
  if (s.additionalProperties !== undefined) {
    out.additional_properties = typeof s.additionalProperties === 'object' ? { schema: pbSchema(s.additionalProperties) } : { boolean: !!s.additionalProperties };
  }
  return out;
}

function pbParam(p: Json): Json {
  if (p.in === 'body') return { parameter: { body_parameter: { name: p.name, in: 'body', required: true, schema: pbSchema(p.schema) } } };
  const sub = { name: p.name, in: p.in, description: p.description ?? '', type: p.type, required: !!p.required, unique_items: true };
  return { parameter: { non_body_parameter: p.in === 'path' ? { path_parameter_sub_schema: sub } : { query_parameter_sub_schema: sub } } };
}

function pbOperation(op: Json): Json {
  const ok = op.responses['200'];
  return {
    description: op.description ?? '',
    operation_id: op.operationId ?? '',
    consumes: op.consumes,
    produces: op.produces,
    parameters: op.parameters.map(pbParam),
    responses: { response_code: [{ name: '200', value: { response: { description: ok.description, ...(ok.schema ? { schema: { schema: pbSchema(ok.schema) } } : {}) } } }] },
    vendor_extension: vendor(op),
  };
}

/** The document encoded as gnostic's openapi.v2.Document protobuf. */
export function swaggerProtobuf(doc: Json): Buffer {
  const Document = gnostic().lookupType('openapi.v2.Document');
  const msg = {
    swagger: doc.swagger,
    info: doc.info,
    paths: {
      path: Object.entries(doc.paths as Json).map(([name, item]) => {
        const value: Json = {};
        if (item.parameters) value.parameters = item.parameters.map(pbParam);
        for (const verb of VERBS) if (item[verb]) value[verb] = pbOperation(item[verb]);
        return { name, value };
      }),
    },
    definitions: { additional_properties: Object.entries(doc.definitions as Json).map(([name, v]) => ({ name, value: pbSchema(v as Json) })) },
  };
  // The plain object already has the message shape: encode it directly (fromObject is slow here).
  return Buffer.from(Document.encode(msg).finish());
}

/** Decodes the protobuf form (tests). */
export function decodeSwaggerProtobuf(buf: Buffer): Json {
  const Document = gnostic().lookupType('openapi.v2.Document');
  return Document.toObject(Document.decode(buf), { defaults: false, arrays: true }) as Json;
}
