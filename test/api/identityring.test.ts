// IdentityRing: values by identity for the last `size` keys; a key pushed out is forgotten, a held key keeps its slot.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IdentityRing } from '../../src/api/core/identityring.ts';

test('IdentityRing keeps the last keys by identity, updates a held key in place, forgets the oldest', () => {
  const ring = new IdentityRing<object, string>(2);
  const a = {};
  const b = {};
  const c = {};
  ring.set(a, 'a');
  ring.set(b, 'b');
  assert.equal(ring.get(a), 'a');
  assert.equal(ring.get({}), undefined, 'an equal object is another key');
  ring.set(a, 'a2');
  assert.equal(ring.get(a), 'a2');
  assert.equal(ring.get(b), 'b', 'updating a held key pushes nothing out');
  ring.set(c, 'c');
  assert.equal(ring.get(a), undefined, 'the oldest slot went to c');
  assert.equal(ring.get(b), 'b');
  assert.equal(ring.get(c), 'c');
  ring.delete(b);
  assert.equal(ring.get(b), undefined);
  assert.equal(ring.get(c), 'c');
});
