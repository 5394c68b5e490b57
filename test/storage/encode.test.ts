// encodeObject: the JSON and the frozen copy are what JSON.stringify / JSON.parse of the object with
// its resourceVersion give, whatever the object holds; members carried over from a stored object
// are shared (same reference), everything else is a copy the caller cannot reach.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeObject, encodeObject, encodeStoredAt, handOver } from '../../src/storage/common.ts';
import { MemoryStore } from '../../src/storage/memory.ts';
import type { KubeObject } from '../../src/api/types.ts';

const isDeepFrozen = (v: unknown): boolean =>
  v === null || typeof v !== 'object' || (Object.isFrozen(v) && Object.values(v as object).every(isDeepFrozen));

const CASES = (): [string, KubeObject][] => [
    ['plain', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', resourceVersion: '3' }, data: { k: 'v' } }],
    ['undefined members left out', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a', labels: undefined as any }, spec: undefined, status: { phase: 'Pending', x: undefined } } as any],
    ['numbers JSON cannot hold', { metadata: { name: 'n' }, count: NaN, a: -0, b: Infinity, c: [NaN, 1] } as any],
    ['strings, booleans, null at the top', { metadata: { name: 's' }, reason: 'x\u2028"y"', ok: true, eventTime: null, note: '\ud800' } as any],
    ['a Date member (toJSON)', { metadata: { name: 'd' }, when: new Date(Date.UTC(2026, 0, 1)) } as any],
    ['integer-like keys first, as JSON orders them', { metadata: { name: 'k' }, b: 1, '1': 'one', a: 2 } as any],
    ['without metadata', { apiVersion: 'v1', kind: 'X' } as any],
    ['a hole and undefined in arrays', { metadata: { name: 'h' }, spec: { a: [1, , 3], b: [undefined] } } as any],
    ['a class instance, a toJSON member, a null-prototype object', { metadata: { name: 'c' }, spec: { m: new Map(), t: { toJSON: () => 'x' }, n: Object.assign(Object.create(null), { a: 1 }) } } as any],
    ['a frozen member that is no JSON value', { metadata: { name: 'f' }, spec: Object.freeze({ a: undefined, b: 1 }) } as any],
    ['a pod as a client sends it', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { app: 'web' }, ownerReferences: [{ kind: 'ReplicaSet', name: 'r', uid: 'u', controller: true }] }, spec: { containers: [{ name: 'c', image: 'i', resources: { requests: { cpu: '100m' } } }], priority: 0 }, status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True', lastProbeTime: null }] } }],
  ];

test('encodeObject = JSON.stringify + JSON.parse of the object with its resourceVersion', () => {
  for (const [name, obj] of CASES()) {
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

test('an object handed over: the same JSON and stored value; its own members kept (frozen) when they are JSON values already, else copied', () => {
  const jsonValue = (v: unknown): boolean => {
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
    if (typeof v === 'number') return Number.isFinite(v) && !Object.is(v, -0);
    if (Array.isArray(v)) return Object.keys(v).length === v.length && v.every(jsonValue);
    return typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype && typeof (v as any).toJSON !== 'function' && Object.values(v as object).every(jsonValue);
  };
  for (const [name, obj] of CASES()) {
    const want = JSON.stringify({ ...obj, metadata: { ...obj.metadata, resourceVersion: '7' } });
    const members = Object.entries(obj).filter(([k]) => k !== 'metadata');
    const kept = members.every(([, v]) => jsonValue(v)) && jsonValue({ ...obj.metadata });
    const enc = encodeObject(handOver(obj), 7);
    assert.equal(enc.json, want, name);
    assert.deepEqual(enc.object, JSON.parse(want), name);
    assert.ok(isDeepFrozen(enc.object), `${name}: deep-frozen`);
    for (const [k, v] of members) {
      if (typeof v !== 'object' || v === null) continue;
      assert.equal(enc.object[k] === v, kept, `${name}: ${k} ${kept ? 'kept' : 'copied'}`);
    }
    assert.notEqual(enc.object.metadata, obj.metadata, `${name}: metadata is the store's own (its resourceVersion)`);
  }
  // handed over for one encoding only; an object not handed over stays the caller's, unfrozen
  const o: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, data: { k: 'v' } };
  const first = encodeObject(handOver(o), 1);
  assert.equal(first.object.data, o.data);
  assert.throws(() => ((o.data as any).k = 'changed'), TypeError, 'what the store keeps cannot change');
  const mine: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b' }, data: { k: 'v' } };
  encodeObject(handOver(mine), 2);
  mine.data = { k: 'w' };
  const again = encodeObject(mine, 3);
  assert.notEqual(again.object.data, mine.data);
  (mine.data as any).k = 'x';
  assert.equal((again.object.data as any).k, 'w', 'a copy: the caller changing its object changes nothing stored');
});

test('a status write handed over: the stored spec shared, the request status kept', () => {
  const first = encodeObject({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] }, status: { phase: 'Pending' } }, 1);
  const status = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] };
  const next = { ...first.object, metadata: { ...first.object.metadata }, status };
  const second = encodeObject(handOver(next), 2);
  assert.equal(second.object.spec, first.object.spec);
  assert.equal(second.object.status, status);
  assert.ok(isDeepFrozen(second.object));
  assert.equal(second.json, JSON.stringify({ ...next, metadata: { ...next.metadata, resourceVersion: '2' } }));
  assert.deepEqual(second.object, JSON.parse(second.json));
  // a status with a value JSON cannot hold is copied
  const odd = { ...second.object, metadata: { ...second.object.metadata }, status: { phase: 'Running', n: NaN } };
  const third = encodeObject(handOver(odd), 3);
  assert.notEqual(third.object.status, odd.status);
  assert.deepEqual(third.object.status, { phase: 'Running', n: null });
});

test('encodeStoredAt (a delete\'s last state) = encodeObject of the stored object at the new revision, members shared', () => {
  const stored: KubeObject[] = [
    { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e', namespace: 'd', resourceVersion: '3', labels: { resourceVersion: '3' } }, involvedObject: { kind: 'Pod', name: 'p', resourceVersion: '3' }, reason: 'x', count: 1, eventTime: null } as any,
    { metadata: { name: 'first', resourceVersion: '3' }, apiVersion: 'v1', kind: 'ConfigMap', data: { a: 'b' } } as any,
    { apiVersion: 'v1', count: 2, kind: 'X', metadata: { name: 'number first', resourceVersion: '3' } } as any,
    { apiVersion: 'v1', kind: 'X', metadata: { name: 'rv last', uid: 'u' }, spec: { a: [1, { b: 'c' }] } } as any,
    { '1': 'integer-like key', metadata: { name: 'k', resourceVersion: '3' } } as any,
  ];
  for (const o of stored) {
    const enc = encodeObject(o, 3);
    const at = encodeStoredAt(enc.object, enc.json, 9);
    const want = encodeObject(enc.object, 9);
    assert.equal(at.json, want.json, o.metadata.name);
    assert.equal(at.json, JSON.stringify(at.object), o.metadata.name);
    assert.deepStrictEqual(at.object, want.object, o.metadata.name);
    assert.equal(at.object.metadata.resourceVersion, '9');
    assert.ok(isDeepFrozen(at.object), o.metadata.name);
    for (const k of Object.keys(enc.object)) if (k !== 'metadata' && typeof enc.object[k] === 'object' && enc.object[k] !== null) assert.equal(at.object[k], enc.object[k], `${o.metadata.name}: ${k} shared`);
    assert.equal(enc.object.metadata.resourceVersion, '3', 'the stored object is untouched');
  }
  // JSON that is not the object's: encodeObject's answer
  const enc = encodeObject({ apiVersion: 'v1', kind: 'X', metadata: { name: 'm' } } as any, 3);
  assert.equal(encodeStoredAt(enc.object, '{"apiVersion":"v1","kind":"X","metadata":{"name":"other"}}', 9).json, encodeObject(enc.object, 9).json);
});

test('a memory store delete: the DELETED event and the answer carry the last state at the delete\'s revision', async () => {
  const s = new MemoryStore();
  const events: any[] = [];
  s.watch('/registry/', 0, (ev) => events.push(ev));
  await s.create('/registry/events/d/e', { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e', namespace: 'd' }, involvedObject: { kind: 'Pod', resourceVersion: '1' }, reason: 'r' } as any);
  const u = await s.update('/registry/events/d/e', { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e', namespace: 'd' }, involvedObject: { kind: 'Pod', resourceVersion: '1' }, reason: 's', count: 2 } as any);
  const d = await s.delete('/registry/events/d/e');
  assert.equal(d.modRevision, 3);
  assert.equal(d.object.metadata.resourceVersion, '3');
  assert.equal(d.json, JSON.stringify({ ...u.object, metadata: { ...u.object.metadata, resourceVersion: '3' } }));
  assert.equal(events[2].type, 'DELETED');
  assert.equal(events[2].json, d.json);
  assert.equal(events[2].prevObject, u.object);
  await s.close();
});
