// encodeObject: the JSON and the frozen copy are what JSON.stringify / JSON.parse of the object with
// its resourceVersion give, whatever the object holds; members carried over from a stored object
// are shared (same reference), everything else is a copy the caller cannot reach.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeObject, encodeObject } from '../../src/storage/common.ts';
import type { KubeObject } from '../../src/api/types.ts';

const isDeepFrozen = (v: unknown): boolean =>
  v === null || typeof v !== 'object' || (Object.isFrozen(v) && Object.values(v as object).every(isDeepFrozen));

test('encodeObject = JSON.stringify + JSON.parse of the object with its resourceVersion', () => {
  const cases: [string, KubeObject][] = [
    ['plain', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', resourceVersion: '3' }, data: { k: 'v' } }],
    ['undefined members left out', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a', labels: undefined as any }, spec: undefined, status: { phase: 'Pending', x: undefined } } as any],
    ['numbers JSON cannot hold', { metadata: { name: 'n' }, count: NaN, a: -0, b: Infinity, c: [NaN, 1] } as any],
    ['strings, booleans, null at the top', { metadata: { name: 's' }, reason: 'x\u2028"y"', ok: true, eventTime: null, note: '\ud800' } as any],
    ['a Date member (toJSON)', { metadata: { name: 'd' }, when: new Date(Date.UTC(2026, 0, 1)) } as any],
    ['integer-like keys first, as JSON orders them', { metadata: { name: 'k' }, b: 1, '1': 'one', a: 2 } as any],
    ['without metadata', { apiVersion: 'v1', kind: 'X' } as any],
  ];
  for (const [name, obj] of cases) {
    const want = JSON.stringify({ ...obj, metadata: { ...obj.metadata, resourceVersion: '7' } });
    const enc = encodeObject(obj, 7);
    assert.equal(enc.json, want, name);
    assert.deepEqual(enc.object, JSON.parse(want), name);
    assert.ok(isDeepFrozen(enc.object), `${name}: deep-frozen`);
  }
});

test('a member carried over from a stored object is shared; a changed one is a copy', () => {
  const first = encodeObject({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'i' }] }, status: { phase: 'Pending' } }, 1);
  const next = { ...first.object, metadata: { ...first.object.metadata }, status: { phase: 'Running' } };
  const second = encodeObject(next, 2);
  assert.equal(second.object.spec, first.object.spec, 'the stored spec is shared');
  assert.notEqual(second.object.status, next.status, 'the new status is a copy');
  assert.equal(second.json, JSON.stringify({ ...next, metadata: { ...next.metadata, resourceVersion: '2' } }));
  // a caller's own frozen object is not taken for a stored one
  const mine = Object.freeze({ containers: Object.freeze([{ name: 'c', image: 'j' }]) });
  const third = encodeObject({ ...second.object, spec: mine } as KubeObject, 3);
  assert.notEqual(third.object.spec, mine);
  assert.deepEqual(third.object.spec, { containers: [{ name: 'c', image: 'j' }] });
  // what decodeObject read back is shared too
  const read = decodeObject(third.json);
  assert.equal(encodeObject({ ...read, metadata: { ...read.metadata } }, 4).object.spec, read.spec);
});
