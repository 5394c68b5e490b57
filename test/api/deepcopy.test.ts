// deepCopy and jsonString (src/api/core/json.ts): JSON values copied, strings quoted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deepCopy, jsonString } from '../../src/api/core/json.ts';

test('deepCopy: equal value, no shared object or array, frozen input copied unfrozen', () => {
  const frozen = Object.freeze({ a: Object.freeze([1, Object.freeze({ b: 'x' })]) });
  const cases: unknown[] = [
    null,
    0,
    'text',
    true,
    [],
    {},
    { metadata: { name: 'web', labels: { app: 'web' }, ownerReferences: [{ kind: 'ReplicaSet', controller: true }] } },
    [[1, 2], [{ c: null }]],
    frozen,
  ];
  for (const v of cases) {
    const c = deepCopy(v);
    assert.deepEqual(c, v);
    if (v !== null && typeof v === 'object') {
      assert.notEqual(c, v);
      assert.equal(Object.isFrozen(c), false);
    }
  }
  const c = deepCopy(frozen) as any;
  c.a[1].b = 'y';
  assert.equal((frozen.a[1] as any).b, 'x', 'the original is untouched');
});

test('deepCopy: undefined members kept, "__proto__" stays a member, non-plain objects as structuredClone', () => {
  const withUndefined = deepCopy({ a: undefined, b: 1 });
  assert.ok(Object.hasOwn(withUndefined, 'a'));
  const parsed = JSON.parse('{"__proto__": {"polluted": true}, "x": 1}');
  const copy = deepCopy(parsed);
  assert.equal(Object.getPrototypeOf(copy), Object.prototype);
  assert.deepEqual(Object.keys(copy), ['__proto__', 'x']);
  assert.equal(({} as any).polluted, undefined);
  const d = new Date(0);
  const withDate = deepCopy({ d }) as { d: Date };
  assert.ok(withDate.d instanceof Date);
  assert.notEqual(withDate.d, d);
  const noProto = Object.assign(Object.create(null), { k: [1] });
  assert.deepEqual(deepCopy(noProto), { k: [1] });
});

test('jsonString: JSON.stringify of a string, plain or needing escapes', () => {
  for (const s of ['', 'web-0', 'kube-system', '2026-12-01T07:27:20Z', 'a/b:c.d_e', 'quote"d', 'back\\slash', 'line\nbreak', 'tab\t', 'ünïcode', '\u2028', 'space d'])
    assert.equal(jsonString(s), JSON.stringify(s), s);
});
