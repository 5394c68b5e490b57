import { test } from 'node:test';
import assert from 'node:assert/strict';
import { humanDuration, shortHumanDuration } from '../../src/api/duration.ts';

const s = 1000;
const m = 60 * s;
const h = 60 * m;
const d = 24 * h;

test('HumanDuration follows kubectl rules', () => {
  const cases: [number, string][] = [
    [-3 * s, '<invalid>'],
    [-1500, '0s'],
    [0, '0s'],
    [5 * s, '5s'],
    [119 * s, '119s'],
    [2 * m, '2m'],
    [3 * m + 10 * s, '3m10s'],
    [9 * m + 59 * s, '9m59s'],
    [10 * m + 30 * s, '10m'],
    [179 * m, '179m'],
    [3 * h, '3h'],
    [3 * h + 5 * m, '3h5m'],
    [7 * h + 59 * m, '7h59m'],
    [8 * h + 30 * m, '8h'],
    [47 * h, '47h'],
    [2 * d, '2d'],
    [2 * d + 3 * h, '2d3h'],
    [8 * d, '8d'],
    [400 * d, '400d'],
    [2 * 365 * d, '2y'],
    [2 * 365 * d + 10 * d, '2y10d'],
    [9 * 365 * d, '9y'],
  ];
  for (const [ms, want] of cases) assert.equal(humanDuration(ms), want, `${ms}ms`);
});

test('ShortHumanDuration uses one unit', () => {
  assert.equal(shortHumanDuration(90 * s), '1m');
  assert.equal(shortHumanDuration(25 * h), '1d');
  assert.equal(shortHumanDuration(-5 * s), '<invalid>');
});
