import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatLabels,
  labelSelectorAsSelector,
  labelSelectorMatches,
  labelSelectorToString,
  matches,
  parseSelector,
  selectorToString,
  validateLabelSelector,
} from '../../src/api/labels.ts';

const L = { app: 'web', tier: 'front', env: 'prod', n: '5' };

test('string selectors: every operator matches like Kubernetes', () => {
  const cases: [string, boolean][] = [
    ['', true],
    ['app=web', true],
    ['app==web', true],
    ['app!=web', false],
    ['app!=db', true],
    ['missing!=x', true],
    ['app in (web,db)', true],
    ['app in (db)', false],
    ['app notin (db)', true],
    ['missing notin (x)', true],
    ['app', true],
    ['missing', false],
    ['!missing', true],
    ['!app', false],
    ['app=web,tier=front', true],
    ['app=web,tier=back', false],
    ['app=web, tier in (front, back), !missing', true],
    ['n>3', true],
    ['n<3', false],
    ['app=', false],
    ['x in (a,)', false],
  ];
  for (const [sel, want] of cases) assert.equal(matches(parseSelector(sel), L), want, sel);
});

test('string selectors: canonical String() sorts by key', () => {
  assert.equal(selectorToString(parseSelector('tier in (b,a),app=web,!x')), 'app=web,tier in (a,b),!x');
});

test('bad selectors are rejected with apimachinery-style messages', () => {
  const cases: [string, RegExp][] = [
    ['app in b', /found 'b', expected: '\('/],
    ['app in (a', /expected: ',', '\)' or identifier/],
    ['=x', /found '=', expected: identifier/],
    ['app=x,', /expected: identifier after ','/],
    ['app=x y', /found 'y', expected: ',' or 'end of string'/],
    ['app in ()', /values set can't be empty/],
    ['-bad-=x', /key: Invalid value: "-bad-"/],
    ['app=bad value!', /.+/],
    ['app=-x', /values\[0\]\[app\]: Invalid value: "-x"/],
    ['n>abc', /must be an integer/],
  ];
  for (const [sel, re] of cases) assert.throws(() => parseSelector(sel), re, sel);
});

test('metav1.LabelSelector: matchLabels/matchExpressions, nil vs empty, formatting', () => {
  const sel = { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In' as const, values: ['front', 'back'] }, { key: 'legacy', operator: 'DoesNotExist' as const }] };
  assert.equal(labelSelectorMatches(sel, L), true);
  assert.equal(labelSelectorMatches(sel, { ...L, legacy: 'y' }), false);
  assert.equal(labelSelectorMatches({ matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['prod'] }] }, L), false);
  assert.equal(labelSelectorMatches({ matchExpressions: [{ key: 'env', operator: 'Exists' }] }, L), true);
  assert.equal(labelSelectorMatches(undefined, L), false, 'nil selector matches nothing');
  assert.equal(labelSelectorMatches({}, L), true, 'empty selector matches everything');
  assert.equal(labelSelectorToString(sel), 'app=web,!legacy,tier in (back,front)');
  assert.equal(labelSelectorToString({ matchLabels: { b: '2', a: '1' } }), 'a=1,b=2');
  assert.equal(labelSelectorToString({}), '<none>');
  assert.equal(selectorToString(labelSelectorAsSelector({ matchExpressions: [{ key: 'k', operator: 'NotIn', values: ['b', 'a'] }] })), 'k notin (a,b)');
  assert.equal(formatLabels({ b: '2', a: '1' }), 'a=1,b=2');
  assert.equal(formatLabels({}), '<none>');
});

test('LabelSelector validation names each bad field', () => {
  const errs = validateLabelSelector(
    { matchExpressions: [{ key: 'a', operator: 'In', values: [] }, { key: 'b', operator: 'Exists', values: ['x'] }, { key: 'c', operator: 'Bogus' }] },
    'spec.selector',
  );
  assert.deepEqual(
    errs.map((e) => `${e.field}: ${e.detail}`),
    [
      "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
      "spec.selector.matchExpressions[1].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
      'spec.selector.matchExpressions[2].operator: Invalid value: "Bogus": not a valid selector operator',
    ],
  );
});
