// wellTyped (the write path's fast type check, with its members walk made per schema node) decides
// as typeMismatches (the walk that names each mismatch) does, for every kind's schema: objects
// made from the schema, with members of the wrong JSON type, undeclared members and members named
// like Object.prototype's, fresh and deep-frozen.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { registry } from '../../src/api/registry.ts';
import type { Schema } from '../../src/api/resource.ts';
import { int, obj, str, typeMismatches, wellTyped } from '../../src/api/schema.ts';
import { seededRandom, type Random } from '../../src/clock/random.ts';

const ODD_KEYS = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf', 'unknownField'];

function anyValue(r: Random, depth: number): unknown {
  switch (r.int(depth > 2 ? 5 : 7)) {
    case 0:
      return null;
    case 1:
      return r.int(2) === 0;
    case 2:
      return r.int(3) === 0 ? 1.5 : r.int(100);
    case 3:
    case 4:
      return ['', 'x', '10m', '1Gi'][r.int(4)];
    case 5:
      return Array.from({ length: r.int(3) }, () => anyValue(r, depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      for (let i = r.int(3); i > 0; i--) own(o, ['a', 'b', ...ODD_KEYS][r.int(8)], anyValue(r, depth + 1));
      return o;
    }
  }
}

/** A member as JSON.parse makes one (own, enumerable: "__proto__" too). */
function own(o: Record<string, unknown>, k: string, v: unknown): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

/** A value made from the schema; with probability `fault` a member of any JSON type instead. */
function fromSchema(s: Schema, r: Random, depth: number, fault: number): unknown {
  if (r.next() < fault || depth > 7) return anyValue(r, depth);
  if (s['x-kubernetes-int-or-string']) return r.int(2) === 0 ? r.int(10) : '5';
  if (s['x-kubernetes-preserve-unknown-fields']) return anyValue(r, depth);
  switch (s.type) {
    case 'string':
      return 'v';
    case 'integer':
      return r.int(5);
    case 'number':
      return r.int(2) === 0 ? 2 : 0.25;
    case 'boolean':
      return true;
    case 'array':
      return Array.from({ length: r.int(3) }, () => (s.items ? fromSchema(s.items, r, depth + 1, fault) : anyValue(r, depth + 1)));
    default: {
      const o: Record<string, unknown> = {};
      if (s.properties) for (const [k, sub] of Object.entries(s.properties)) if (r.int(3) !== 0) own(o, k, fromSchema(sub, r, depth + 1, fault));
      if (typeof s.additionalProperties === 'object') for (let i = r.int(3); i > 0; i--) own(o, `k${i}`, fromSchema(s.additionalProperties, r, depth + 1, fault));
      if (r.int(4) === 0) own(o, ODD_KEYS[r.int(ODD_KEYS.length)], anyValue(r, depth + 1));
      return o;
    }
  }
}

function deepFrozen<T>(v: T): T {
  if (v !== null && typeof v === 'object') {
    for (const k of Object.keys(v)) deepFrozen((v as Record<string, unknown>)[k]);
    Object.freeze(v);
  }
  return v;
}

function copy<T>(v: T): T {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(copy) as T;
  const o: Record<string, unknown> = {};
  for (const k of Object.keys(v)) own(o, k, copy((v as Record<string, unknown>)[k]));
  return o as T;
}

test('wellTyped decides as typeMismatches for every kind: well-typed, mistyped, odd keys, fresh and frozen', () => {
  const r = seededRandom(21);
  let fitting = 0;
  let mistyped = 0;
  for (const rt of registry.all()) {
    if (!rt.schema) continue;
    for (let i = 0; i < 30; i++) {
      const fault = [0, 0.02, 0.1][i % 3];
      const o = fromSchema(rt.schema, r, 0, fault);
      const expected = typeMismatches(rt.schema, o).length === 0;
      assert.equal(wellTyped(rt.schema, copy(o)), expected, `${rt.kind} #${i} fresh: ${JSON.stringify(o).slice(0, 400)}`);
      assert.equal(wellTyped(rt.schema, deepFrozen(copy(o))), expected, `${rt.kind} #${i} frozen`);
      if (expected) fitting++;
      else mistyped++;
    }
  }
  assert.ok(fitting > 200 && mistyped > 200, `both outcomes were tried (${fitting} fit, ${mistyped} mistyped)`);
});

test('a declared member named like an Object.prototype member is read only as the object\'s own', () => {
  const properties: Record<string, Schema> = {};
  own(properties, 'constructor', str());
  own(properties, 'toString', int());
  own(properties, 'name', str());
  const schema = obj('odd names', properties);
  assert.equal(wellTyped(schema, { name: 'x' }), true, 'absent: the prototype\'s function is not the member');
  assert.equal(wellTyped(schema, { constructor: 'c', toString: 3 }), true);
  assert.equal(wellTyped(schema, { constructor: 5 }), false);
  assert.equal(wellTyped(schema, JSON.parse('{"toString": "three"}')), false);
  assert.equal(typeMismatches(schema, JSON.parse('{"toString": "three"}')).length, 1);
});
