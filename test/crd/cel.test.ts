// x-kubernetes-validations: compile-time checks and evaluation on custom resources, table-driven.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkSchemaRules, validateRules, STATIC_ESTIMATED_COST_LIMIT } from '../../src/api/cel/index.ts';
import type { JSONSchemaProps, ValidationRule } from '../../src/api/openapi-schema/index.ts';
import { formatFieldError } from '../../src/api/errors.ts';

const withRules = (rules: ValidationRule[], properties: Record<string, JSONSchemaProps> = {}, extra: JSONSchemaProps = {}): JSONSchemaProps => ({
  type: 'object',
  properties: { spec: { type: 'object', properties, 'x-kubernetes-validations': rules, ...extra } },
});
const P = 'spec.versions[0].schema.openAPIV3Schema';

test('rules on custom resources: self, oldSelf, message, messageExpression, reason, fieldPath', () => {
  const props: Record<string, JSONSchemaProps> = {
    min: { type: 'integer' },
    max: { type: 'integer' },
    name: { type: 'string' },
    tags: { type: 'array', items: { type: 'string' } },
    t: { type: 'string', format: 'date-time' },
  };
  const cases: [string, ValidationRule[], unknown, unknown, string[]][] = [
    ['passes', [{ rule: 'self.min <= self.max' }], { min: 1, max: 2 }, undefined, []],
    ['default message', [{ rule: 'self.min <= self.max' }], { min: 3, max: 2 }, undefined, ['spec: Invalid value: "object": failed rule: self.min <= self.max']],
    ['message', [{ rule: 'self.min <= self.max', message: 'min must not exceed max' }], { min: 3, max: 2 }, undefined, ['spec: Invalid value: "object": min must not exceed max']],
    ['messageExpression', [{ rule: 'self.min <= self.max', messageExpression: '"min " + string(self.min) + " > max " + string(self.max)' }], { min: 3, max: 2 }, undefined, ['spec: Invalid value: "object": min 3 > max 2']],
    ['reason Forbidden', [{ rule: '!has(self.name)', reason: 'FieldValueForbidden', message: 'name is not allowed' }], { name: 'x' }, undefined, ['spec: Forbidden: name is not allowed']],
    ['reason Required with fieldPath', [{ rule: 'has(self.name)', reason: 'FieldValueRequired', fieldPath: '.name', message: 'name is required' }], {}, undefined, ['spec.name: Required value: name is required']],
    ['macros and string functions', [{ rule: "self.tags.all(t, t.startsWith('x-')) && self.tags.exists_one(t, t == 'x-a')" }], { tags: ['x-a', 'x-b'] }, undefined, []],
    ['regex', [{ rule: "self.name.matches('^[a-z]+$')" }], { name: 'Abc' }, undefined, ["spec: Invalid value: \"object\": failed rule: self.name.matches('^[a-z]+$')"]],
    ['Kubernetes string library', [{ rule: "self.name.replace('-', '') == 'ab' && self.name.lowerAscii() == 'a-b'" }], { name: 'a-b' }, undefined, []],
    ['Kubernetes list library', [{ rule: 'self.tags.isSorted() && self.tags.indexOf("b") == 1' }], { tags: ['a', 'b'] }, undefined, []],
    ['quantity, ip, format libraries', [{ rule: "quantity(self.name).isLessThan(quantity('1Gi')) && sets.contains(self.tags, ['a'])" }, { rule: "self.tags.all(t, !format.dns1123Label().validate(t).hasValue())" }], { name: '2Gi', tags: ['a', 'B'] }, undefined, ["spec: Invalid value: \"object\": failed rule: quantity(self.name).isLessThan(quantity('1Gi')) && sets.contains(self.tags, ['a'])", 'spec: Invalid value: "object": failed rule: self.tags.all(t, !format.dns1123Label().validate(t).hasValue())']],
    ['timestamps', [{ rule: "self.t > timestamp('2020-01-01T00:00:00Z')" }], { t: '2019-01-01T00:00:00Z' }, undefined, ["spec: Invalid value: \"object\": failed rule: self.t > timestamp('2020-01-01T00:00:00Z')"]],
    ['optional fields', [{ rule: "self.?name.orValue('none') != 'none'" }], {}, undefined, ["spec: Invalid value: \"object\": failed rule: self.?name.orValue('none') != 'none'"]],
    ['missing key is an evaluation error', [{ rule: 'self.name == "x"' }], {}, undefined, ['spec: Invalid value: "object": no such key: name evaluating rule: self.name == "x"']],
    ['transition rule skipped on create', [{ rule: 'self.min >= oldSelf.min', message: 'min may only grow' }], { min: 1 }, undefined, []],
    ['transition rule on update', [{ rule: 'self.min >= oldSelf.min', message: 'min may only grow' }], { min: 1 }, { min: 2 }, ['spec: Invalid value: "object": min may only grow']],
    ['optionalOldSelf', [{ rule: '!oldSelf.hasValue() || self.min >= oldSelf.value().min', optionalOldSelf: true }], { min: 1 }, undefined, []],
  ];
  for (const [name, rules, value, old, want] of cases) {
    const s = withRules(rules, props);
    assert.deepEqual(validateRules(s, { spec: value }, old === undefined ? undefined : { spec: old }).map(formatFieldError), want, name);
  }
});

test('rules on scalars and in lists show the node type and index', () => {
  const s: JSONSchemaProps = {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        properties: {
          ports: { type: 'array', items: { type: 'integer', 'x-kubernetes-validations': [{ rule: 'self > 0 && self < 65536', message: 'must be a port' }] } },
        },
      },
    },
  };
  assert.deepEqual(validateRules(s, { spec: { ports: [80, 0] } }, undefined).map(formatFieldError), ['spec.ports[1]: Invalid value: "integer": must be a port']);
});

test('rules are compiled when the CRD is written', () => {
  const cases: [string, JSONSchemaProps, string[]][] = [
    ['fine', withRules([{ rule: 'self.a == 1' }], { a: { type: 'integer' } }), []],
    ['syntax', withRules([{ rule: 'self.a ==' }]), [`${P}.properties[spec].x-kubernetes-validations[0].rule: Invalid value: {"rule":"self.a =="}: compilation failed: ERROR: <input>:1:10: Syntax error: Unexpected token: EOF`]],
    ['unknown function', withRules([{ rule: 'nosuch(self)' }]), [`${P}.properties[spec].x-kubernetes-validations[0].rule: Invalid value: {"rule":"nosuch(self)"}: compilation failed: ERROR: <input>:1:1: found no matching overload for 'nosuch(dyn)'`]],
    ['must be bool', withRules([{ rule: '1 + 1' }]), [`${P}.properties[spec].x-kubernetes-validations[0].rule: Invalid value: {"rule":"1 + 1"}: cel expression must evaluate to a bool`]],
    ['messageExpression must be a string', withRules([{ rule: 'true', messageExpression: '1' }]), [`${P}.properties[spec].x-kubernetes-validations[0].messageExpression: Invalid value: {"rule":"true","messageExpression":"1"}: messageExpression must evaluate to a string`]],
    [
      'oldSelf in an atomic list',
      { type: 'object', properties: { spec: { type: 'object', properties: { l: { type: 'array', items: { type: 'object', properties: { a: { type: 'string' } }, 'x-kubernetes-validations': [{ rule: 'self == oldSelf' }] } } } } } },
      [`${P}.properties[spec].properties[l].items.x-kubernetes-validations[0].rule: Invalid value: "self == oldSelf": oldSelf cannot be used on the uncorrelatable portion of the schema within ${P}.properties[spec].properties[l]`],
    ],
    ['optionalOldSelf without oldSelf', withRules([{ rule: 'true', optionalOldSelf: true }]), [`${P}.properties[spec].x-kubernetes-validations[0].optionalOldSelf: Invalid value: true: may not be set if oldSelf is not used in rule`]],
  ];
  for (const [name, schema, want] of cases) assert.deepEqual(checkSchemaRules(schema, P).map(formatFieldError), want, name);
});

test('estimated cost over the limit is refused; bounded lists and strings bring it under', () => {
  const rule = [{ rule: "self.l.all(x, self.l.all(y, x.matches(y)))" }];
  const unbounded = withRules(rule, { l: { type: 'array', items: { type: 'string' } } });
  const errs = checkSchemaRules(unbounded, P).map(formatFieldError);
  assert.equal(errs.length, 3);
  assert.match(errs[2], /^spec\.versions\[0\]\.schema\.openAPIV3Schema: Forbidden: x-kubernetes-validations estimated rule cost total for entire OpenAPIv3 schema exceeds budget by factor of more than 100x/);
  assert.match(errs[0], /x-kubernetes-validations\[0\]\.rule: Forbidden: estimated rule cost exceeds budget by factor of more than 100x \(try simplifying the rule, or adding maxItems, maxProperties, and maxLength where arrays, maps, and strings are declared\)$/);
  const bounded = withRules(rule, { l: { type: 'array', maxItems: 10, items: { type: 'string', maxLength: 64 } } });
  assert.deepEqual(checkSchemaRules(bounded, P), []);
  assert.ok(STATIC_ESTIMATED_COST_LIMIT === 10_000_000);
});

test('runtime cost: a rule over a huge value is cut off as Kubernetes does', () => {
  const s = withRules([{ rule: 'self.l.all(x, self.l.all(y, x != y || x == y))' }], { l: { type: 'array', items: { type: 'integer' } } });
  const l = Array.from({ length: 2000 }, (_, i) => i);
  const errs = validateRules(s, { spec: { l } }, undefined).map(formatFieldError);
  assert.equal(errs.length, 1);
  assert.match(errs[0], /^spec: Invalid value: "object": 'operation cancelled: actual cost limit exceeded': no further validation rules will be run due to call cost exceeds limit for rule: /);
  assert.deepEqual(validateRules(s, { spec: { l: [1, 2, 3] } }, undefined), []);
});
