// The storage decoder of custom resources: objects read from storage pruned and defaulted by the
// schema of their stored version, once the CRD's schema may differ from the one they were written
// under. Table-driven.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { storageDecoder } from '../../src/api/apiextensions/decode.ts';
import type { Crd } from '../../src/api/apiextensions/types.ts';

const version = (name: string, props: Record<string, unknown>) => ({ name, served: true, storage: name === 'v1', schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: props } } } } });

function crd(generation: number, storedVersions = ['v1']): Crd {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'gizmos.example.com', generation },
    spec: {
      group: 'example.com',
      scope: 'Namespaced',
      names: { plural: 'gizmos', kind: 'Gizmo' },
      versions: [version('v1', { a: { type: 'string', default: 'A' } }), version('v2', { b: { type: 'string', default: 'B' } })],
    },
    status: { storedVersions },
  } as unknown as Crd;
}

test('storageDecoder: prunes and defaults by the stored version\'s schema, only when the schema may have changed', () => {
  const obj = (apiVersion: string, spec: Record<string, unknown>) => ({ apiVersion, kind: 'Gizmo', metadata: { name: 'g', resourceVersion: '5' }, spec });
  assert.equal(storageDecoder(crd(1)), undefined, 'generation 1, one stored version: nothing to decode');
  const cases: [string, Crd, ReturnType<typeof obj>, unknown][] = [
    ['v1 object: v1 default, unknown field dropped', crd(2), obj('example.com/v1', { x: 1 }), { a: 'A' }],
    ['v2 object: v2 default, a field only v1 has dropped', crd(1, ['v1', 'v2']), obj('example.com/v2', { a: 'v1 only' }), { b: 'B' }],
    ['values already there stay', crd(3), obj('example.com/v1', { a: 'mine' }), { a: 'mine' }],
    ['a version the CRD no longer has: as stored', crd(2), obj('example.com/v0', { x: 1 }), { x: 1 }],
  ];
  for (const [name, c, o, want] of cases) {
    const before = structuredClone(o);
    const out = storageDecoder(c)!(o);
    assert.deepEqual(out.spec, want, name);
    assert.deepEqual(out.metadata, o.metadata, `${name}: metadata untouched`);
    assert.deepEqual(o, before, `${name}: the stored object is not changed`);
  }
});
