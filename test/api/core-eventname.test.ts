// Event names: client-go's `<object>.<unix nanoseconds hex>`, unique within a process even for
// recorders writing about one object in the same millisecond.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventName } from '../../src/api/core/eventname.ts';

test('event names: <object>.<hex nanoseconds>, distinct in one millisecond across calls', () => {
  const at = Date.UTC(2026, 0, 1, 12, 0, 0, 5);
  const a = eventName('web-1', at);
  const b = eventName('web-1', at);
  assert.notEqual(a, b);
  for (const n of [a, b]) {
    const [obj, hex] = n.split('.');
    assert.equal(obj, 'web-1');
    assert.match(hex, /^[0-9a-f]+$/);
    assert.equal(BigInt(`0x${hex}`) / 1_000_000n, BigInt(at), 'the millisecond is the name\'s nanoseconds / 1e6');
  }
});
