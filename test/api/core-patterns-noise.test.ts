// noise() hashes its knots' digits as numbers (no `${seed}:${k}` string per knot): the values must be
// exactly those of hashing the text, for every kind of seed and knot a model can hold.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { knotHash, noise } from '../../src/api/core/patterns.ts';
import { hash32 } from '../../src/api/core/hash.ts';

/** The noise as it was defined: FNV-1a of `${seed}:${k}` text. */
function noiseByText(seed: number, t: number): number {
  const k = Math.floor(t / 5000);
  const f = (t - k * 5000) / 5000;
  const a = (hash32(`${seed}:${k}`) / 0xffffffff) * 2 - 1;
  const b = (hash32(`${seed}:${k + 1}`) / 0xffffffff) * 2 - 1;
  return a + (b - a) * f;
}

test('knotHash equals hash32 of the `seed:k` text', () => {
  const special = [0, -0, 1, -1, 9, 10, 99, 100, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 0x5bd1e995, -0x5bd1e995, 2 ** 32, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER,
    2 ** 53, 1e21, 1.5, -2.25, NaN, Infinity, -Infinity, 1e-7];
  for (const s of special) for (const k of special) assert.equal(knotHash(s, k), hash32(`${s}:${k}`), `${s}:${k}`);
  let x = 12345;
  const rnd = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0), x);
  for (let i = 0; i < 200_000; i++) {
    const seed = i % 3 === 0 ? rnd() : i % 3 === 1 ? (rnd() ^ 0x5bd1e995) : rnd() * 2048 + (rnd() & 2047);
    const k = i % 5 === 0 ? -(rnd() % 1000) : rnd() % 1_000_000_000;
    assert.equal(knotHash(seed, k), hash32(`${seed}:${k}`), `${seed}:${k}`);
  }
});

test('noise values are unchanged (virtual-clock millisecond times, negative and fractional times)', () => {
  let x = 7;
  const rnd = () => ((x = (Math.imul(x, 1664525) + 1013904223) >>> 0), x);
  const t0 = Date.UTC(2026, 0, 1);
  for (let i = 0; i < 100_000; i++) {
    const seed = i % 2 ? rnd() : rnd() ^ 0x5bd1e995;
    const t = i % 7 === 0 ? -(rnd() % 100_000) : i % 11 === 0 ? t0 + rnd() / 3 : t0 + (rnd() % 86_400_000);
    assert.equal(noise(seed, t), noiseByText(seed, t));
  }
});
