// sameObject: an update that changes nothing but resourceVersion writes nothing. Equal as JSON:
// absent and undefined members alike, members in any order, arrays in order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sameObject } from '../../src/apiserver/rest/objectmeta.ts';
import type { KubeObject } from '../../src/api/types.ts';

const o = (metadata: object, rest: object = {}) => ({ metadata, ...rest }) as KubeObject;

test('sameObject compares as JSON, ignoring metadata.resourceVersion', () => {
  const cases: [string, KubeObject, KubeObject, boolean][] = [
    ['only resourceVersion differs', o({ name: 'a', resourceVersion: '1' }, { spec: { x: 1 } }), o({ name: 'a', resourceVersion: '2' }, { spec: { x: 1 } }), true],
    ['resourceVersion absent on one side', o({ name: 'a' }), o({ name: 'a', resourceVersion: '2' }), true],
    ['a spec field differs', o({ name: 'a' }, { spec: { renewTime: '1' } }), o({ name: 'a' }, { spec: { renewTime: '2' } }), false],
    ['member order does not matter', o({ name: 'a', labels: { x: '1', y: '2' } }), o({ labels: { y: '2', x: '1' }, name: 'a' }), true],
    ['undefined member = absent', o({ name: 'a' }, { spec: { x: undefined, y: 1 } }), o({ name: 'a' }, { spec: { y: 1 } }), true],
    ['extra member', o({ name: 'a' }, { spec: { y: 1 } }), o({ name: 'a' }, { spec: { y: 1, z: 0 } }), false],
    ['array order matters', o({ name: 'a' }, { spec: { l: [1, 2] } }), o({ name: 'a' }, { spec: { l: [2, 1] } }), false],
    ['array length', o({ name: 'a' }, { spec: { l: [1] } }), o({ name: 'a' }, { spec: { l: [1, 1] } }), false],
    ['array vs object', o({ name: 'a' }, { spec: { l: [] } }), o({ name: 'a' }, { spec: { l: {} } }), false],
    ['null vs absent', o({ name: 'a' }, { spec: { x: null } }), o({ name: 'a' }, { spec: {} }), false],
    ['number vs string', o({ name: 'a' }, { spec: { x: 1 } }), o({ name: 'a' }, { spec: { x: '1' } }), false],
    ['another metadata field differs', o({ name: 'a', generation: 1 }), o({ name: 'a', generation: 2 }), false],
    ['resourceVersion inside spec is compared', o({ name: 'a' }, { spec: { resourceVersion: '1' } }), o({ name: 'a' }, { spec: { resourceVersion: '2' } }), false],
  ];
  for (const [what, a, b, want] of cases) {
    assert.equal(sameObject(a, b), want, what);
    assert.equal(sameObject(b, a), want, `${what} (swapped)`);
  }
});
