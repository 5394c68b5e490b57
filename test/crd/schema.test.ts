// Structural schemas: value validation, pruning, defaulting, and the checks on a CRD's schema, table-driven.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyDefaults, prune, pruneNulls, validateListTypes, validateSchemaDefinition, validateValue, type JSONSchemaProps } from '../../src/api/openapi-schema/index.ts';
import { formatFieldError } from '../../src/api/errors.ts';

const obj = (properties: Record<string, JSONSchemaProps>, extra: JSONSchemaProps = {}): JSONSchemaProps => ({ type: 'object', properties, ...extra });
const spec = (properties: Record<string, JSONSchemaProps>, extra: JSONSchemaProps = {}) => obj({ spec: obj(properties, extra) });
const messages = (s: JSONSchemaProps, v: unknown) => validateValue(s, v).map(formatFieldError);

test('value validation reports each field as Kubernetes does', () => {
  const cases: [string, JSONSchemaProps, unknown, string[]][] = [
    ['type', spec({ replicas: { type: 'integer' } }), { spec: { replicas: 'x' } }, ['spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"']],
    ['number accepts integers', spec({ ratio: { type: 'number' } }), { spec: { ratio: 2 } }, []],
    ['integer refuses fractions', spec({ n: { type: 'integer' } }), { spec: { n: 1.5 } }, ['spec.n: Invalid value: "number": spec.n in body must be of type integer: "number"']],
    ['required', spec({ a: { type: 'string' } }, { required: ['a'] }), { spec: {} }, ['spec.a: Required value']],
    ['enum', spec({ mode: { type: 'string', enum: ['a', 'b'] } }), { spec: { mode: 'c' } }, ['spec.mode: Unsupported value: "c": supported values: "a", "b"']],
    ['pattern', spec({ name: { type: 'string', pattern: '^[a-z]+$' } }), { spec: { name: 'ABC' } }, ["spec.name: Invalid value: \"ABC\": spec.name in body should match '^[a-z]+$'"]],
    ['Go inline flags in patterns', spec({ s: { type: 'string', pattern: '^(?i)(abort|warn)?$' } }), { spec: { s: 'WARN' } }, []],
    ['date-time', spec({ t: { type: 'string', format: 'date-time' } }), { spec: { t: 'yesterday' } }, ['spec.t: Invalid value: "yesterday": spec.t in body must be of type date-time: "yesterday"']],
    ['date-time ok', spec({ t: { type: 'string', format: 'date-time' } }), { spec: { t: '2024-02-29T10:00:00Z' } }, []],
    ['byte', spec({ b: { type: 'string', format: 'byte' } }), { spec: { b: 'not base64!' } }, ['spec.b: Invalid value: "not base64!": spec.b in body must be of type byte: "not base64!"']],
    ['int32/int64 are numeric formats', spec({ a: { type: 'integer', format: 'int32' }, b: { type: 'integer', format: 'int64' } }), { spec: { a: 1, b: 2 } }, []],
    ['unknown formats pass', spec({ s: { type: 'string', format: 'whatever' } }), { spec: { s: 'x' } }, []],
    ['maximum', spec({ n: { type: 'integer', maximum: 10 } }), { spec: { n: 20 } }, ['spec.n: Invalid value: 20: spec.n in body should be less than or equal to 10']],
    ['exclusiveMinimum', spec({ n: { type: 'integer', minimum: 0, exclusiveMinimum: true } }), { spec: { n: 0 } }, ['spec.n: Invalid value: 0: spec.n in body should be greater than 0']],
    ['multipleOf', spec({ n: { type: 'integer', multipleOf: 5 } }), { spec: { n: 7 } }, ['spec.n: Invalid value: 7: spec.n in body should be a multiple of 5']],
    ['maxLength', spec({ s: { type: 'string', maxLength: 3 } }), { spec: { s: 'abcd' } }, ['spec.s: Too long: may not be more than 3 bytes']],
    ['minLength', spec({ s: { type: 'string', minLength: 3 } }), { spec: { s: 'ab' } }, ['spec.s: Invalid value: "ab": spec.s in body should be at least 3 chars long']],
    ['maxItems', spec({ l: { type: 'array', maxItems: 1, items: { type: 'string' } } }), { spec: { l: ['a', 'b'] } }, ['spec.l: Too many: 2: must have at most 1 items']],
    ['minItems', spec({ l: { type: 'array', minItems: 2, items: { type: 'string' } } }), { spec: { l: ['a'] } }, ['spec.l: Invalid value: ["a"]: spec.l in body should have at least 2 items']],
    ['items', spec({ l: { type: 'array', items: obj({ port: { type: 'integer' } }) } }), { spec: { l: [{ port: 1 }, { port: 'x' }] } }, ['spec.l[1].port: Invalid value: "string": spec.l[1].port in body must be of type integer: "string"']],
    ['maxProperties', spec({ m: { type: 'object', maxProperties: 1, additionalProperties: { type: 'string' } } }), { spec: { m: { a: 'x', b: 'y' } } }, ['spec.m: Too many: 2: must have at most 1 items']],
    ['map values', spec({ m: { type: 'object', additionalProperties: { type: 'integer' } } }), { spec: { m: { a: 'x' } } }, ['spec.m.a: Invalid value: "string": spec.m.a in body must be of type integer: "string"']],
    ['null for a non-nullable field', spec({ s: { type: 'string' } }), { spec: { s: null } }, ['spec.s: Invalid value: "null": spec.s in body must be of type string: "null"']],
    ['nullable', spec({ s: { type: 'string', nullable: true } }), { spec: { s: null } }, []],
    ['int-or-string', spec({ p: { 'x-kubernetes-int-or-string': true } }), { spec: { p: 'web' } }, []],
    ['int-or-string refuses other types', spec({ p: { 'x-kubernetes-int-or-string': true } }), { spec: { p: true } }, ['spec.p: Invalid value: "boolean": spec.p in body must be of type integer,string: "boolean"']],
    ['preserve-unknown-fields', spec({ any: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } }), { spec: { any: { x: [1, { y: 2 }] } } }, []],
    ['anyOf', spec({ v: { type: 'string', anyOf: [{ pattern: '^a' }, { pattern: '^b' }] } }), { spec: { v: 'c' } }, [
      "spec.v: Invalid value: \"c\": spec.v in body should match '^a'",
      "spec.v: Invalid value: \"c\": spec.v in body should match '^b'",
      'spec.v: Invalid value: "c": spec.v in body must validate at least one schema (anyOf)',
    ]],
    ['not', spec({ v: { type: 'string', not: { enum: ['x'] } } }), { spec: { v: 'x' } }, ['spec.v: Invalid value: "x": spec.v in body must not validate the schema (not)']],
  ];
  for (const [name, schema, value, want] of cases) assert.deepEqual(messages(schema, value), want, name);
});

test('list-type set and map lists refuse duplicates', () => {
  const cases: [string, JSONSchemaProps, unknown, string[]][] = [
    ['set', spec({ l: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } } }), { spec: { l: ['a', 'b', 'a'] } }, ['spec.l[2]: Duplicate value: "a"']],
    [
      'map',
      spec({ l: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'], items: obj({ name: { type: 'string' } }, { required: ['name'] }) } }),
      { spec: { l: [{ name: 'a' }, { name: 'a' }] } },
      ['spec.l[1]: Duplicate value: {"name":"a"}'],
    ],
    ['atomic lists may repeat', spec({ l: { type: 'array', items: { type: 'string' } } }), { spec: { l: ['a', 'a'] } }, []],
  ];
  for (const [name, schema, value, want] of cases) assert.deepEqual(validateListTypes(schema, value).map(formatFieldError), want, name);
});

test('pruning drops undeclared fields and reports their paths', () => {
  const s = obj({
    spec: obj({
      known: { type: 'string' },
      list: { type: 'array', items: obj({ a: { type: 'string' } }) },
      free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { typed: obj({ x: { type: 'string' } }) } },
      embedded: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true },
      labels: { type: 'object', additionalProperties: { type: 'string' } },
    }),
  });
  const o: any = {
    apiVersion: 'x/v1',
    kind: 'X',
    metadata: { name: 'n' },
    spec: {
      known: 'k',
      extra: 1,
      list: [{ a: 'x', b: 'y' }],
      free: { anything: 1, typed: { x: 'x', y: 'gone' } },
      embedded: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: {} },
      labels: { any: 'v' },
    },
    status: {},
  };
  assert.deepEqual(prune(o, s), ['spec.extra', 'spec.free.typed.y', 'spec.list[0].b', 'status']);
  assert.deepEqual(o.spec, { known: 'k', list: [{ a: 'x' }], free: { anything: 1, typed: { x: 'x' } }, embedded: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: {} }, labels: { any: 'v' } });
  assert.equal(o.apiVersion, 'x/v1');
  assert.deepEqual(o.metadata, { name: 'n' });
});

test('defaults are applied as Kubernetes applies them', () => {
  const s = spec({
    replicas: { type: 'integer', default: 1 },
    nested: obj({ a: { type: 'string', default: 'x' } }, { default: {} }),
    list: { type: 'array', items: obj({ port: { type: 'integer', default: 80 } }) },
    nullable: { type: 'string', nullable: true, default: 'd' },
    nonNullable: { type: 'string', default: 'd' },
    dropped: { type: 'string' },
  });
  const cases: [string, unknown, unknown][] = [
    ['absent fields', { spec: {} }, { spec: { replicas: 1, nested: { a: 'x' }, nonNullable: 'd', nullable: 'd' } }],
    ['present values stay', { spec: { replicas: 3, nested: { a: 'y' } } }, { spec: { replicas: 3, nested: { a: 'y' }, nonNullable: 'd', nullable: 'd' } }],
    ['list items', { spec: { list: [{}, { port: 8080 }] } }, { spec: { replicas: 1, nested: { a: 'x' }, list: [{ port: 80 }, { port: 8080 }], nonNullable: 'd', nullable: 'd' } }],
    ['null: nullable stays null, non-nullable is defaulted or dropped', { spec: { nullable: null, nonNullable: null, dropped: null } }, { spec: { replicas: 1, nested: { a: 'x' }, nullable: null, nonNullable: 'd' } }],
  ];
  for (const [name, input, want] of cases) {
    const o = structuredClone(input);
    pruneNulls(o, s);
    applyDefaults(o, s);
    assert.deepEqual(o, want, name);
  }
});

const P = 'spec.versions[0].schema.openAPIV3Schema';
const defErrors = (s: JSONSchemaProps, statusEnabled = false) => validateSchemaDefinition(s, P, { statusEnabled }).map(formatFieldError);

test('a CRD schema must be structural and use the supported subset', () => {
  const cases: [string, JSONSchemaProps, string[]][] = [
    ['fine', spec({ a: { type: 'string' } }), []],
    ['type at the root', { properties: {} }, [`${P}.type: Required value: must not be empty at the root`]],
    ['object at the root', { type: 'string' }, [`${P}.type: Invalid value: "string": must be object at the root`]],
    ['typed fields', spec({ a: {} }), [`${P}.properties[spec].properties[a].type: Required value: must not be empty for specified object fields`]],
    ['typed items', spec({ l: { type: 'array', items: {} } }), [`${P}.properties[spec].properties[l].items.type: Required value: must not be empty for specified array items`]],
    ['items required', spec({ l: { type: 'array' } }), [`${P}.properties[spec].properties[l].items: Required value: must be specified`]],
    ['no type in value validations', spec({ a: { type: 'string', anyOf: [{ type: 'string' }] } }), [`${P}.properties[spec].properties[a].anyOf[0].type: Forbidden: must be empty to be structural`]],
    ['value validations inside the skeleton', spec({ a: { type: 'object', allOf: [{ properties: { b: { pattern: 'x' } } }] } }), [`${P}.properties[spec].properties[a].properties[b]: Required value: because it is defined in ${P}.properties[spec].properties[a].allOf[0].properties[b]`]],
    ['metadata restrictions', obj({ metadata: obj({ labels: { type: 'object' } }) }), [`${P}.properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified`]],
    ['uniqueItems', spec({ l: { type: 'array', uniqueItems: true, items: { type: 'string' } } }), [`${P}.properties[spec].properties[l].uniqueItems: Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic`]],
    ['$ref', spec({ a: { type: 'object', $ref: '#/x' } }), [`${P}.properties[spec].properties[a].$ref: Forbidden: $ref is not supported`]],
    ['list-type on a non-array', spec({ a: { type: 'string', 'x-kubernetes-list-type': 'set' } }), [`${P}.properties[spec].properties[a].type: Invalid value: "string": must be array if x-kubernetes-list-type is specified`]],
    ['map lists need keys', spec({ l: { type: 'array', 'x-kubernetes-list-type': 'map', items: obj({ a: { type: 'string' } }) } }), [`${P}.properties[spec].properties[l].x-kubernetes-list-map-keys: Required value: must not be empty if x-kubernetes-list-type is map`]],
    ['map keys required or defaulted', spec({ l: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['a'], items: obj({ a: { type: 'string' } }) } }), [`${P}.properties[spec].properties[l].items.properties[a].default: Required value: this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property`]],
    ['map-type values', spec({ m: { type: 'object', 'x-kubernetes-map-type': 'other' } }), [`${P}.properties[spec].properties[m].x-kubernetes-map-type: Unsupported value: "other": supported values: "atomic", "granular"`]],
    ['defaults must validate', spec({ n: { type: 'integer', default: 'x' } }), [`${P}.properties[spec].properties[n].default: Invalid value: "string": ${P}.properties[spec].properties[n].default in body must be of type integer: "string"`]],
    ['no defaults in metadata', obj({ metadata: { type: 'object', default: {} } }), [`${P}.properties[metadata].default: Forbidden: must not be set in top-level metadata`]],
    ['pattern must compile', spec({ s: { type: 'string', pattern: '(' } }), [`${P}.properties[spec].properties[s].pattern: Invalid value: "(": must be a valid regular expression, but isn't: error parsing regexp`]],
    ['rules need a rule', spec({}, { 'x-kubernetes-validations': [{ rule: ' ' }] }), [`${P}.properties[spec].x-kubernetes-validations[0].rule: Required value: rule is not specified`]],
    ['rule reasons', spec({}, { 'x-kubernetes-validations': [{ rule: 'true', reason: 'Bogus' }] }), [`${P}.properties[spec].x-kubernetes-validations[0].reason: Unsupported value: "Bogus": supported values: "FieldValueDuplicate", "FieldValueForbidden", "FieldValueInvalid", "FieldValueRequired"`]],
  ];
  for (const [name, schema, want] of cases) assert.deepEqual(defErrors(schema), want, name);
  assert.deepEqual(defErrors({ type: 'object', additionalProperties: { type: 'string' } }, true), [
    `${P}: Invalid value: {"type":"object","additionalProperties":{"type":"string"}}: only [Description Type Format Title Maximum ExclusiveMaximum Minimum ExclusiveMinimum MaxLength MinLength Pattern MaxItems MinItems UniqueItems MultipleOf Required Items Properties ExternalDocs Example XPreserveUnknownFields XValidations] fields are allowed at the root of the schema if the status subresource is enabled`,
    `${P}.additionalProperties: Forbidden: must not be used at the root`,
  ]);
});
