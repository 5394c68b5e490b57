import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalQuantity, milliValue, parseQuantity, QUANTITY_REGEX_MESSAGE, value, validateQuantityMap, quantityFromMilli, quantityFromBytes, compareQuantities } from '../../src/api/quantity.ts';

test('quantities parse to milli-units and bytes', () => {
  const cases: [string | number, number, number][] = [
    // input, milliValue, value
    ['100m', 100, 1],
    ['1', 1000, 1],
    ['1.5', 1500, 2],
    ['64Mi', 64 * 1024 * 1024 * 1000, 64 * 1024 * 1024],
    ['1.5Gi', 1.5 * 1024 ** 3 * 1000, 1.5 * 1024 ** 3],
    ['2e3', 2_000_000, 2000],
    ['1k', 1_000_000, 1000],
    ['500M', 500e9, 500e6],
    ['1Ki', 1_024_000, 1024],
    [2, 2000, 2],
    [0.25, 250, 1],
    ['0', 0, 0],
    ['-1', -1000, -1],
    ['10u', 1, 1],
  ];
  for (const [inp, milli, val] of cases) {
    assert.equal(milliValue(inp), milli, `milli of ${inp}`);
    assert.equal(value(inp), val, `value of ${inp}`);
  }
});

test('quantities format canonically like Kubernetes', () => {
  const cases: [string, string][] = [
    ['1.5Gi', '1536Mi'],
    ['0.5Gi', '512Mi'],
    ['1024Mi', '1Gi'],
    ['1000m', '1'],
    ['0.1', '100m'],
    ['1500', '1500'],
    ['1000', '1k'],
    ['2e3', '2e3'],
    ['1.5e3', '1500'],
    ['100m', '100m'],
    ['0', '0'],
    ['1Ki', '1Ki'],
    ['1500Ki', '1500Ki'],
  ];
  for (const [inp, out] of cases) assert.equal(canonicalQuantity(inp), out, inp);
  assert.equal(quantityFromMilli(250), '250m');
  assert.equal(quantityFromBytes(64 * 1024 * 1024), '64Mi');
  assert.equal(compareQuantities('1', '1000m'), 0);
  assert.equal(compareQuantities('2', '1Gi'), -1);
});

test('malformed quantities are rejected with the Kubernetes message', () => {
  for (const bad of ['', 'abc', '1.2.3', '12Xi', 'm', '1 Gi', '--1', '1e', 'Gi']) {
    assert.throws(() => parseQuantity(bad), (e: Error) => e.message === QUANTITY_REGEX_MESSAGE, bad);
  }
  const errs = validateQuantityMap({ cpu: 'lots', memory: '-1Gi', ok: '1' }, 'spec.containers[0].resources.requests');
  assert.deepEqual(
    errs.map((e) => `${e.field}: ${e.detail}`),
    [
      `spec.containers[0].resources.requests[cpu]: Invalid value: "lots": ${QUANTITY_REGEX_MESSAGE}`,
      'spec.containers[0].resources.requests[memory]: Invalid value: "-1Gi": must be greater than or equal to 0',
    ],
  );
});

test('milliValue / value: the plain-number fast path gives the BigInt result (rounded up) for every suffix', () => {
  const ceil = (a: bigint, b: bigint) => (a % b === 0n ? a / b : a / b + (a > 0n ? 1n : 0n));
  const suffixes = ['n', 'u', 'm', '', 'k', 'M', 'G', 'T', 'Ki', 'Mi', 'Gi', 'Ti'];
  const numbers = ['0', '1', '7', '999', '1000', '1001', '999999', '1000000', '1000001', '246112926', '999999999', '1000000000', '1000000001', '123456789012345', '999999999999999', '000500', '9007199254740991'];
  let seed = 42;
  for (let i = 0; i < 300; i++) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    numbers.push(String(seed % 10 ** (1 + (i % 15))));
  }
  for (const n of numbers)
    for (const sfx of suffixes) {
      const q = `${n}${sfx}`;
      const nano = parseQuantity(q).nano;
      assert.equal(milliValue(q), Number(ceil(nano, 10n ** 6n)), `milliValue(${q})`);
      assert.equal(value(q), Number(ceil(nano, 10n ** 9n)), `value(${q})`);
    }
});
