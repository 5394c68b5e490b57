import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isDNS1123Label, isDNS1123Subdomain, isDNS1035Label, isQualifiedName, isValidLabelValue, validateLabels, validateAnnotations } from '../../src/api/validation.ts';
import { validateObjectMeta, validateObjectMetaUpdate } from '../../src/api/meta.ts';
import { nameIsDNSSubdomain } from '../../src/api/validation.ts';
import { formatFieldError, invalid } from '../../src/api/errors.ts';

const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

test('DNS-1123 subdomain, label and DNS-1035 label', () => {
  assert.deepEqual(isDNS1123Subdomain('example.com'), []);
  assert.deepEqual(isDNS1123Subdomain('Foo'), [SUBDOMAIN_MSG]);
  assert.deepEqual(isDNS1123Subdomain('a'.repeat(254)), ['must be no more than 253 characters']);
  assert.deepEqual(isDNS1123Label('my-name'), []);
  assert.equal(isDNS1123Label('a.b').length, 1);
  assert.match(isDNS1123Label('a.b')[0], /^a lowercase RFC 1123 label must consist of/);
  assert.deepEqual(isDNS1123Label('a'.repeat(64)), ['must be no more than 63 characters']);
  assert.deepEqual(isDNS1035Label('abc-1'), []);
  assert.match(isDNS1035Label('1abc')[0], /^a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character/);
});

test('qualified names and label values', () => {
  const good = ['app', 'app.kubernetes.io/name', 'a_b.c-d', 'example.com/X'];
  for (const k of good) assert.deepEqual(isQualifiedName(k), [], k);
  assert.match(isQualifiedName('a/b/c')[0], /^a qualified name must consist of/);
  assert.match(isQualifiedName('-x')[0], /^name part must consist of alphanumeric characters/);
  assert.deepEqual(isQualifiedName('/x'), ['prefix part must be non-empty']);
  assert.match(isQualifiedName('Foo_/x')[0], /^prefix part a lowercase RFC 1123 subdomain/);
  assert.deepEqual(isValidLabelValue(''), []);
  assert.match(isValidLabelValue('-x')[0], /^a valid label must be an empty string or consist of alphanumeric characters/);
  assert.deepEqual(validateLabels({ ok: 'v', 'bad key!': 'v' }, 'metadata.labels').map((e) => e.field), ['metadata.labels']);
  const big = validateAnnotations({ a: 'x'.repeat(300 * 1024) }, 'metadata.annotations');
  assert.equal(formatFieldError(big[0]), 'metadata.annotations: Too long: must have at most 262144 bytes');
});

test('ObjectMeta validation with Kubernetes messages', () => {
  const v = (meta: any, namespaced = true) => validateObjectMeta(meta, { namespaced, nameValidator: nameIsDNSSubdomain }).map(formatFieldError);
  assert.deepEqual(v({ namespace: 'default' }), ['metadata.name: Required value: name or generateName is required']);
  assert.deepEqual(v({ name: 'Foo', namespace: 'default' }), [`metadata.name: Invalid value: "Foo": ${SUBDOMAIN_MSG}`]);
  assert.deepEqual(v({ generateName: 'web-', namespace: 'default' }), []);
  assert.equal(v({ generateName: 'Web-', namespace: 'default' })[0].startsWith('metadata.generateName: Invalid value: "Web-"'), true);
  assert.deepEqual(v({ name: 'x' }), ['metadata.namespace: Required value']);
  assert.deepEqual(v({ name: 'x', namespace: 'default' }, false), ['metadata.namespace: Forbidden: not allowed on this type']);
  assert.deepEqual(v({ name: 'x', namespace: 'default', ownerReferences: [{ apiVersion: 'v1', kind: 'A', name: 'a', uid: '1', controller: true }, { apiVersion: 'v1', kind: 'B', name: 'b', uid: '2', controller: true }] }).length, 1);
  assert.deepEqual(v({ name: 'x', namespace: 'default', ownerReferences: [{ kind: 'A', name: 'a', uid: '1' }] }), ['metadata.ownerReferences.apiVersion: Invalid value: "": version must not be empty']);
  assert.deepEqual(v({ name: 'x', namespace: 'default', finalizers: ['example.com/f', 'kubernetes', 'bad'] }), [
    'metadata.finalizers: Invalid value: "bad": name is neither a standard finalizer name nor is it fully qualified',
  ]);
});

test('ObjectMeta update: identity is immutable, no new finalizers while deleting', () => {
  const old = { name: 'a', namespace: 'default', uid: 'u1', creationTimestamp: '2024-01-01T00:00:00Z' };
  assert.deepEqual(validateObjectMetaUpdate({ ...old }, old), []);
  assert.deepEqual(validateObjectMetaUpdate({ ...old, name: 'b' }, old).map(formatFieldError), ['metadata.name: Invalid value: "b": field is immutable']);
  assert.deepEqual(validateObjectMetaUpdate({ ...old, uid: 'u2' }, old).map(formatFieldError), ['metadata.uid: Invalid value: "u2": field is immutable']);
  const deleting = { ...old, deletionTimestamp: '2024-01-02T00:00:00Z', finalizers: ['a/b'] };
  assert.equal(validateObjectMetaUpdate({ ...deleting, finalizers: ['a/b', 'c/d'] }, deleting)[0].field, 'metadata.finalizers');
});

test('invalid() builds the 422 Status kubectl prints', () => {
  const e = invalid('Pod', 'x', [{ field: 'spec.containers', type: 'FieldValueRequired', detail: 'Required value' }]);
  const s = e.toStatus();
  assert.equal(s.code, 422);
  assert.equal(s.message, 'Pod "x" is invalid: spec.containers: Required value');
  assert.deepEqual(s.details?.causes, [{ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers' }]);
});
