// The APF response headers (X-Kubernetes-PF-FlowSchema-UID / PriorityLevel-UID) as writeHead adds them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { withUidHeaders } from '../../src/apiserver/flowcontrol/filter.ts';

test('withUidHeaders adds the two APF headers to every form writeHead takes, copying what it was given', () => {
  const FS = 'X-Kubernetes-PF-FlowSchema-UID';
  const PL = 'X-Kubernetes-PF-PriorityLevel-UID';
  const shared = { 'Content-Type': 'application/json' };
  const cases: [string, unknown, unknown][] = [
    ['no headers', undefined, { [FS]: 'f', [PL]: 'p' }],
    ['an object', shared, { 'Content-Type': 'application/json', [FS]: 'f', [PL]: 'p' }],
    ['a flat list', ['Content-Type', 'text/plain'], ['Content-Type', 'text/plain', FS, 'f', PL, 'p']],
    ['a list of pairs', [['Content-Type', 'text/plain']], [['Content-Type', 'text/plain'], [FS, 'f'], [PL, 'p']]],
    ['an empty list', [], [FS, 'f', PL, 'p']],
  ];
  for (const [what, given, want] of cases) assert.deepEqual(withUidHeaders(given, 'f', 'p'), want, what);
  assert.deepEqual(shared, { 'Content-Type': 'application/json' }, 'the caller\'s object is left alone');
});
