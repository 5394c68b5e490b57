// seededRandom: the draws of a seed are part of a run's identity (same seed, same report), so the
// sequence is pinned here: uuids, ints and floats interleaved, as a run draws them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom } from '../../src/clock/index.ts';

test('seed 7 draws the same sequence as ever', () => {
  const r = seededRandom(7);
  assert.deepEqual(
    [r.uuid(), r.int(1000), r.uuid(), r.next(), r.uuid()],
    ['02ff152c-0fdc-4f12-ba16-9e5eb2f38b96', 521, '67d044f4-775b-4595-bd6b-bcab8da6bf2d', 0.729822089895606, '4200335b-27ec-4b63-839b-651284b6077c'],
  );
});

test('uuids are version 4, RFC 4122 variant, whatever the draws', () => {
  const r = seededRandom(1);
  for (let i = 0; i < 2000; i++) assert.match(r.uuid(), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
});
