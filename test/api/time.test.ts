// metav1.Time / MicroTime: any RFC 3339 spelling in, Kubernetes' spelling out, Go's parse errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalTime, formatMicroTime, formatTime } from '../../src/api/time.ts';
import { canonicalizeTimes, map, microTime, obj, list, time, str } from '../../src/api/schema.ts';

test('canonicalTime: Time is second-precision UTC Z, MicroTime keeps six digits', () => {
  const cases: [string, boolean, string][] = [
    ['2026-12-01T07:27:20Z', false, '2026-12-01T07:27:20Z'],
    ['2026-12-01T07:27:20.000Z', false, '2026-12-01T07:27:20Z'],
    ['2026-12-01T07:27:20.987654321Z', false, '2026-12-01T07:27:20Z'],
    ['2026-12-01T07:27:20+00:00', false, '2026-12-01T07:27:20Z'],
    ['2026-12-01t07:27:20z', false, '2026-12-01T07:27:20Z'],
    ['2026-12-01T09:27:20+02:00', false, '2026-12-01T07:27:20Z'],
    ['2026-12-01T00:27:20-07:00', false, '2026-12-01T07:27:20Z'],
    ['2026-12-31T23:30:00-01:00', false, '2027-01-01T00:30:00Z'],
    ['2026-12-01T07:27:20Z', true, '2026-12-01T07:27:20.000000Z'],
    ['2026-12-01T07:27:20.123Z', true, '2026-12-01T07:27:20.123000Z'],
    ['2026-12-01T07:27:20.123456789+00:00', true, '2026-12-01T07:27:20.123456Z'],
  ];
  for (const [input, micro, want] of cases) assert.equal(canonicalTime(input, micro), want, input);
});

test('canonicalTime: malformed values get Go time.Parse errors', () => {
  const cases: [string, string][] = [
    ['foo', 'parsing time "foo" as "2006-01-02T15:04:05Z07:00": cannot parse "foo" as "2006"'],
    ['', 'parsing time "" as "2006-01-02T15:04:05Z07:00": cannot parse "" as "2006"'],
    ['2026-12-01', 'parsing time "2026-12-01" as "2006-01-02T15:04:05Z07:00": cannot parse "" as "T"'],
    ['2026-12-01 07:27:20Z', 'parsing time "2026-12-01 07:27:20Z" as "2006-01-02T15:04:05Z07:00": cannot parse " 07:27:20Z" as "T"'],
    ['2026-12-01T07:27:20', 'parsing time "2026-12-01T07:27:20" as "2006-01-02T15:04:05Z07:00": cannot parse "" as "Z07:00"'],
    ['2026-13-01T07:27:20Z', 'parsing time "2026-13-01T07:27:20Z": month out of range'],
    ['2026-02-30T07:27:20Z', 'parsing time "2026-02-30T07:27:20Z": day out of range'],
    ['2026-12-01T07:27:20Zjunk', 'parsing time "2026-12-01T07:27:20Zjunk": extra text: "junk"'],
  ];
  for (const [input, want] of cases) assert.deepEqual(canonicalTime(input, false), { error: want }, input);
});

test('canonicalTime: a value already in canonical form comes back as is; a canonical-looking impossible instant is an error', () => {
  // the fast path for canonical spellings must agree with the parser: every instant formatTime or
  // formatMicroTime writes (leap days and year ends included) is answered unchanged ...
  const instants = [Date.UTC(2024, 1, 29, 23, 59, 59, 999), Date.UTC(2000, 1, 29), Date.UTC(1999, 11, 31, 23, 59, 59), Date.UTC(2026, 11, 31, 0, 0, 0, 1)];
  for (let i = 0; i < 200; i++) instants.push(Date.UTC(1970 + ((i * 37) % 300), (i * 5) % 12, 1 + ((i * 7) % 28), (i * 11) % 24, (i * 13) % 60, (i * 17) % 60, (i * 19) % 1000));
  for (const ms of instants) {
    const t = formatTime(new Date(ms));
    const m = formatMicroTime(new Date(ms));
    assert.equal(canonicalTime(t, false), t);
    assert.equal(canonicalTime(m, true), m);
    assert.equal(canonicalTime(t, true), t.replace('Z', '.000000Z'), 'a Time spelling read as MicroTime');
    assert.equal(canonicalTime(m, false), t, 'a MicroTime spelling read as Time');
  }
  // ... and the same shape naming no instant is the parser's out-of-range error
  const impossible = ['2023-02-29T00:00:00Z', '2024-04-31T00:00:00Z', '2024-00-10T00:00:00Z', '2024-13-10T00:00:00Z', '2024-01-00T00:00:00Z', '2024-01-10T24:00:00Z', '2024-01-10T00:60:00Z', '2024-01-10T00:00:60Z', '2024-01-1xT00:00:00Z'];
  for (const v of impossible) {
    assert.ok(typeof canonicalTime(v, false) === 'object', v);
    assert.ok(typeof canonicalTime(v.replace('Z', '.123456Z'), true) === 'object', v);
  }
});

test('formatTime truncates to seconds; formatMicroTime writes microseconds', () => {
  const d = new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 678));
  assert.equal(formatTime(d), '2026-01-02T03:04:05Z');
  assert.equal(formatMicroTime(d), '2026-01-02T03:04:05.678000Z');
});

test('canonicalizeTimes walks objects, lists and maps by schema; leaves other strings alone', () => {
  const schema = obj('x', {
    when: time(),
    renew: microTime(),
    name: str(),
    conditions: list('c', obj('c', { lastTransitionTime: time(), reason: str() })),
  });
  const v: any = {
    when: '2026-12-01T07:27:20.5+00:00',
    renew: '2026-12-01T07:27:20.5Z',
    name: '2026-12-01T07:27:20.5+00:00',
    conditions: [{ lastTransitionTime: '2026-12-01T07:27:20+00:00', reason: 'r' }, { lastTransitionTime: null }],
  };
  assert.equal(canonicalizeTimes(schema, v), undefined);
  assert.deepEqual(v, {
    when: '2026-12-01T07:27:20Z',
    renew: '2026-12-01T07:27:20.500000Z',
    name: '2026-12-01T07:27:20.5+00:00',
    conditions: [{ lastTransitionTime: '2026-12-01T07:27:20Z', reason: 'r' }, { lastTransitionTime: null }],
  });
  assert.match(canonicalizeTimes(schema, { conditions: [{ lastTransitionTime: 'yesterday' }] })!, /^parsing time "yesterday"/);
});

test('canonicalTime gives the same answer again (remembered spellings); malformed ones are never remembered', () => {
  for (let round = 0; round < 3; round++) {
    assert.equal(canonicalTime('2026-12-01T07:27:20.5+00:00', false), '2026-12-01T07:27:20Z');
    assert.equal(canonicalTime('2026-12-01T07:27:20.5+00:00', true), '2026-12-01T07:27:20.500000Z');
    assert.deepEqual(canonicalTime('2026-13-01T07:27:20Z', false), canonicalTime('2026-13-01T07:27:20Z', false));
    assert.ok(typeof canonicalTime('2026-13-01T07:27:20Z', false) === 'object');
  }
  // past the cache's size, answers stay the same
  for (let s = 0; s < 5000; s++) canonicalTime(`2026-12-01T07:${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}+00:00`, false);
  assert.equal(canonicalTime('2026-12-01T07:27:20.5+00:00', false), '2026-12-01T07:27:20Z');
});

test('canonicalizeTimes: deep and recursive schemas; subtrees without Time fields are left as they are', () => {
  const inner = obj('i', { at: time(), label: str() });
  const node: any = obj('n', { name: str() });
  node.properties.child = node; // a recursive schema (as a CRD's may be)
  node.properties.stamp = time();
  const schema = obj('x', { deep: obj('d', { list: list('l', obj('e', { inner })) }), plain: obj('p', { name: str() }), tree: node });
  const v: any = {
    deep: { list: [{ inner: { at: '2026-12-01T07:27:20+00:00', label: '2026-12-01T07:27:20+00:00' } }] },
    plain: { name: '2026-12-01T07:27:20+00:00' },
    tree: { child: { child: { stamp: '2026-12-01T07:27:20.1Z' } } },
  };
  assert.equal(canonicalizeTimes(schema, v), undefined);
  assert.equal(v.deep.list[0].inner.at, '2026-12-01T07:27:20Z');
  assert.equal(v.deep.list[0].inner.label, '2026-12-01T07:27:20+00:00');
  assert.equal(v.plain.name, '2026-12-01T07:27:20+00:00');
  assert.equal(v.tree.child.child.stamp, '2026-12-01T07:27:20Z');
  assert.match(canonicalizeTimes(schema, { tree: { child: { stamp: 'soon' } } })!, /^parsing time "soon"/);
});

test('canonicalizeTimes: only members bearing times are walked, yet the first malformed time is the first in key order', () => {
  const schema = obj('x', {
    zeta: time(),
    alpha: obj('a', { when: time() }),
    free: map('m', obj('v', { at: time() })),
    other: str(),
  });
  const cases: { name: string; value: any; error?: RegExp; want?: any }[] = [
    { name: 'nested and map times canonicalized', value: { other: '2026-12-01T08:27:20+01:00', zeta: '2026-12-01T08:27:20+01:00', alpha: { when: '2026-12-01T07:27:20.9Z' }, free: { k: { at: '2026-12-01T07:27:20.000Z' } } }, want: { other: '2026-12-01T08:27:20+01:00', zeta: '2026-12-01T07:27:20Z', alpha: { when: '2026-12-01T07:27:20Z' }, free: { k: { at: '2026-12-01T07:27:20Z' } } } },
    // schema order is zeta, alpha; the value's key order decides which error is reported
    { name: 'first in key order (alpha before zeta)', value: { alpha: { when: 'bad-a' }, zeta: 'bad-z' }, error: /"bad-a"/ },
    { name: 'first in key order (zeta before alpha)', value: { zeta: 'bad-z', alpha: { when: 'bad-a' } }, error: /"bad-z"/ },
    { name: 'unknown members are not times', value: { nope: 'not a time', zeta: '2026-12-01T07:27:20Z' }, want: { nope: 'not a time', zeta: '2026-12-01T07:27:20Z' } },
  ];
  for (const c of cases) {
    const err = canonicalizeTimes(schema, c.value);
    if (c.error) assert.match(err ?? '', c.error, c.name);
    else {
      assert.equal(err, undefined, c.name);
      assert.deepEqual(c.value, c.want, c.name);
    }
  }
});
