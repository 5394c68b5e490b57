// keepOldSpec (a status update): everything but status from the stored object, the request's
// resourceVersion kept for the conflict check, and the keys in the stored object's order
// (apiVersion, kind, metadata, spec, status) whatever order the request sent them in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keepOldSpec } from '../../src/api/meta.ts';

const stored = () =>
  Object.freeze({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: Object.freeze({ name: 'web', namespace: 'default', resourceVersion: '7', labels: Object.freeze({ app: 'web' }) }),
    spec: Object.freeze({ replicas: 2 }),
    status: Object.freeze({ replicas: 1 }),
  }) as any;

test('a request in the stored order: status from the request, the rest from the stored object', () => {
  const o: any = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default', resourceVersion: '6', labels: { app: 'changed' } }, spec: { replicas: 9 }, status: { replicas: 2 } };
  keepOldSpec(o, stored());
  assert.deepEqual(Object.keys(o), ['apiVersion', 'kind', 'metadata', 'spec', 'status']);
  assert.deepEqual(o.spec, { replicas: 2 });
  assert.deepEqual(o.metadata.labels, { app: 'web' });
  assert.equal(o.metadata.resourceVersion, '6', "the request's resourceVersion, for the conflict check");
  assert.deepEqual(o.status, { replicas: 2 });
  assert.ok(!Object.isFrozen(o.metadata), 'metadata is its own, for the update path to write');
});

test('a request in another order, or with keys the stored object lacks, is rebuilt in the stored order', () => {
  const o: any = { status: { replicas: 3 }, extra: true, metadata: { name: 'web', resourceVersion: '7' }, kind: 'Deployment' };
  keepOldSpec(o, stored());
  assert.deepEqual(Object.keys(o), ['apiVersion', 'kind', 'metadata', 'spec', 'status']);
  assert.equal(JSON.stringify(o), '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"default","resourceVersion":"7","labels":{"app":"web"}},"spec":{"replicas":2},"status":{"replicas":3}}');
});

test('status goes last when the stored object has none, and is absent when the request has none', () => {
  const { status: _s, ...noStatus } = stored();
  const o: any = { status: { phase: 'Active' }, apiVersion: 'apps/v1', kind: 'Deployment', metadata: {}, spec: {} };
  keepOldSpec(o, Object.freeze(noStatus) as any);
  assert.deepEqual(Object.keys(o), ['apiVersion', 'kind', 'metadata', 'spec', 'status']);
  assert.deepEqual(o.status, { phase: 'Active' });

  const none: any = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: {}, spec: {} };
  keepOldSpec(none, stored());
  assert.deepEqual(Object.keys(none), ['apiVersion', 'kind', 'metadata', 'spec']);
});
