// Query parameters as Kubernetes' parameter codec reads them: booleans are true unless "0"/"false"
// (any case), integers follow strconv.ParseInt and a malformed one is a 400 naming it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boolParam, intParam, parseInt64 } from '../../src/apiserver/listopts.ts';
import { isStatusError } from '../../src/api/errors.ts';

test('boolParam: runtime.Convert_Slice_string_To_bool', () => {
  const cases: [string, boolean | undefined][] = [
    ['', true], ['watch=1', true], ['watch=t', true], ['watch=T', true], ['watch=TRUE', true], ['watch=true', true], ['watch=True', true],
    ['watch=yes', true], ['watch=', true], ['watch=0', false], ['watch=f', true], ['watch=false', false], ['watch=False', false], ['watch=FALSE', false], ['watch=fAlSe', false],
  ];
  for (const [qs, want] of cases) assert.equal(boolParam(new URLSearchParams(qs), 'watch'), qs === '' ? undefined : want, qs);
});

test('parseInt64 / intParam: strconv.ParseInt(v, 10, 64)', () => {
  const ok: [string, number][] = [['0', 0], ['42', 42], ['+7', 7], ['-3', -3], ['0012', 12]];
  for (const [v, n] of ok) assert.equal(parseInt64(v), n, v);
  const bad: [string, string][] = [
    ['', 'strconv.ParseInt: parsing "": invalid syntax'],
    ['abc', 'strconv.ParseInt: parsing "abc": invalid syntax'],
    ['1.5', 'strconv.ParseInt: parsing "1.5": invalid syntax'],
    ['1e3', 'strconv.ParseInt: parsing "1e3": invalid syntax'],
    [' 1', 'strconv.ParseInt: parsing " 1": invalid syntax'],
    ['9223372036854775808', 'strconv.ParseInt: parsing "9223372036854775808": value out of range'],
  ];
  for (const [v, msg] of bad) assert.deepEqual(parseInt64(v), { error: msg }, v);
  assert.equal(intParam(new URLSearchParams('limit=5'), 'limit'), 5);
  assert.equal(intParam(new URLSearchParams(''), 'limit'), undefined);
  assert.throws(() => intParam(new URLSearchParams('limit=x'), 'limit'), (e) => isStatusError(e, 400) && e.message === 'strconv.ParseInt: parsing "x": invalid syntax');
});
