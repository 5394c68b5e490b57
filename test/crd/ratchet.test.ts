// Validation ratcheting (CRDValidationRatcheting): on an update, errors of schema nodes unchanged
// from the old object do not count; changed nodes are validated normally; correlation by field
// name, map key and list-type=map keys (not set or atomic list items); CEL rules ratchet as
// warnings unless they use oldSelf. Table-driven.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateRules } from '../../src/api/cel/index.ts';
import { formatFieldError } from '../../src/api/errors.ts';
import { validateValue, type JSONSchemaProps } from '../../src/api/openapi-schema/index.ts';
import { correlateItems, unchanged } from '../../src/api/openapi-schema/ratchet.ts';

const schema: JSONSchemaProps = {
  type: 'object',
  properties: {
    apiVersion: { type: 'string', pattern: '^x/' },
    spec: {
      type: 'object',
      required: ['name'],
      properties: {
        name: { type: 'string', maxLength: 3 },
        size: { type: 'string', pattern: '^[0-9]+cm$' },
        labels: { type: 'object', additionalProperties: { type: 'string', maxLength: 2 } },
        ports: {
          type: 'array',
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['name'],
          items: { type: 'object', properties: { name: { type: 'string' }, port: { type: 'integer', maximum: 100 } } },
        },
        tags: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string', maxLength: 2 } },
        plain: { type: 'array', items: { type: 'integer', minimum: 0 } },
      },
    },
  },
};

const errs = (value: unknown, old?: unknown) => validateValue(schema, value, '', old === undefined ? undefined : { old }).map(formatFieldError);

test('schema ratcheting: unchanged invalid values pass, changed ones fail', () => {
  const bad = { spec: { name: 'toolong', size: '3m' } };
  const cases: [string, unknown, unknown, string[]][] = [
    ['create: every error', bad, undefined, ['spec.name: Too long: may not be more than 3 bytes', "spec.size: Invalid value: \"3m\": spec.size in body should match '^[0-9]+cm$'"]],
    ['update, nothing changed', bad, bad, []],
    ['update, another field changed', { spec: { name: 'toolong', size: '4m' } }, bad, ["spec.size: Invalid value: \"4m\": spec.size in body should match '^[0-9]+cm$'"]],
    ['update, invalid field changed to another invalid value', { spec: { name: 'toolong2', size: '3m' } }, bad, ['spec.name: Too long: may not be more than 3 bytes']],
    ['update fixes it', { spec: { name: 'ok', size: '3cm' } }, bad, []],
    ['required of a changed object counts again', { spec: { size: '1cm' } }, { spec: { size: '2cm' } }, ['spec.name: Required value']],
    ['required of an unchanged object ratchets', { spec: { size: '1cm' } }, { spec: { size: '1cm' } }, []],
    ['map values by key', { spec: { name: 'a', labels: { a: 'long', b: 'longer' } } }, { spec: { name: 'a', labels: { a: 'long' } } }, ['spec.labels.b: Too long: may not be more than 2 bytes']],
    ['map-list items by key, any order', { spec: { name: 'a', ports: [{ name: 'q', port: 500 }, { name: 'p', port: 200 }] } }, { spec: { name: 'a', ports: [{ name: 'p', port: 200 }] } }, ['spec.ports[0].port: Invalid value: 500: spec.ports[0].port in body should be less than or equal to 100']],
    ['map-list item changed', { spec: { name: 'a', ports: [{ name: 'p', port: 201 }] } }, { spec: { name: 'a', ports: [{ name: 'p', port: 200 }] } }, ['spec.ports[0].port: Invalid value: 201: spec.ports[0].port in body should be less than or equal to 100']],
    ['set items do not correlate', { spec: { name: 'a', tags: ['long', 'x'] } }, { spec: { name: 'a', tags: ['long'] } }, ['spec.tags[0]: Too long: may not be more than 2 bytes']],
    ['an unchanged set ratchets as a whole', { spec: { name: 'a', tags: ['long'] } }, { spec: { name: 'a', tags: ['long'] } }, []],
    ['atomic list items do not correlate', { spec: { name: 'a', plain: [-1, 2] } }, { spec: { name: 'a', plain: [-1] } }, ['spec.plain[0]: Invalid value: -1: spec.plain[0] in body should be greater than or equal to 0']],
    ['apiVersion never ratchets', { apiVersion: 'y/v1', spec: { name: 'a' } }, { apiVersion: 'y/v1', spec: { name: 'b' } }, ["apiVersion: Invalid value: \"y/v1\": apiVersion in body should match '^x/'"]],
  ];
  for (const [name, value, old, want] of cases) assert.deepEqual(errs(value, old), want, name);
});

test('correlation helpers: deep equality and map-list keys (defaults count)', () => {
  const s: JSONSchemaProps = { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name', 'proto'], items: { type: 'object', properties: { name: { type: 'string' }, proto: { type: 'string', default: 'TCP' } } } };
  const corr = correlateItems(s, { old: [{ name: 'a', proto: 'TCP', v: 1 }, { name: 'a', proto: 'UDP', v: 2 }] });
  const cases: [string, unknown, unknown][] = [
    ['both keys', { name: 'a', proto: 'UDP' }, { old: { name: 'a', proto: 'UDP', v: 2 } }],
    ['missing key = its default', { name: 'a' }, { old: { name: 'a', proto: 'TCP', v: 1 } }],
    ['no such item', { name: 'b' }, undefined],
  ];
  for (const [name, x, want] of cases) assert.deepEqual(corr(x), want, name);
  assert.equal(unchanged({ a: [1, { b: 2 }] }, { old: { a: [1, { b: 2 }] } }), true);
  assert.equal(unchanged({ a: 1, b: 2 }, { old: { b: 2, a: 1 } }), true, 'key order does not matter');
  assert.equal(unchanged(1, undefined), false, 'an uncorrelated node is never unchanged');
});

test('CEL ratcheting: an unchanged value warns, a changed one fails; transition rules never ratchet', () => {
  const s: JSONSchemaProps = {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        properties: {
          a: { type: 'object', properties: { min: { type: 'integer' }, max: { type: 'integer' } }, 'x-kubernetes-validations': [{ rule: 'self.min <= self.max', message: 'min must not exceed max' }] },
          b: { type: 'integer', 'x-kubernetes-validations': [{ rule: 'self < 10' }] },
          c: { type: 'integer', 'x-kubernetes-validations': [{ rule: 'self < 10 && self >= oldSelf', message: 'c may only grow below 10' }] },
          items: { type: 'array', items: { type: 'integer', 'x-kubernetes-validations': [{ rule: 'self > 0' }] } },
        },
      },
    },
  };
  const badA = { min: 5, max: 1 };
  const cases: [string, unknown, unknown, string[], string[]][] = [
    ['create', { spec: { a: badA, b: 11 } }, undefined, ['spec.a: Invalid value: "object": min must not exceed max', 'spec.b: Invalid value: "integer": failed rule: self < 10'], []],
    ['unchanged', { spec: { a: badA, b: 11 } }, { spec: { a: badA, b: 11 } }, [], ['spec.a: Invalid value: "object": min must not exceed max', 'spec.b: Invalid value: "integer": failed rule: self < 10']],
    ['b changed', { spec: { a: badA, b: 12 } }, { spec: { a: badA, b: 11 } }, ['spec.b: Invalid value: "integer": failed rule: self < 10'], ['spec.a: Invalid value: "object": min must not exceed max']],
    ['oldSelf rule on an unchanged value still fails', { spec: { c: 11 } }, { spec: { c: 11 } }, ['spec.c: Invalid value: "integer": c may only grow below 10'], []],
    ['atomic list items: the nearest correlated ancestor decides', { spec: { items: [0] } }, { spec: { items: [0] } }, [], ['spec.items[0]: Invalid value: "integer": failed rule: self > 0']],
    ['atomic list changed: its items validate', { spec: { items: [0, 1] } }, { spec: { items: [0] } }, ['spec.items[0]: Invalid value: "integer": failed rule: self > 0'], []],
  ];
  for (const [name, value, old, want, wantWarnings] of cases) {
    const warnings: string[] = [];
    assert.deepEqual(validateRules(s, value, old, (w) => warnings.push(w)).map(formatFieldError), want, name);
    assert.deepEqual(warnings, wantWarnings, `${name}: warnings`);
  }
});
