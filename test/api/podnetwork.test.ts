// The pod network's loopback aliases: each slot (KUBESIM_LOOPBACK_SLOT) maps a cluster's
// pod and Service addresses onto its own part of 127/8, so clusters side by side don't collide.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loopbackAlias, loopbackSlot } from '../../src/api/core/podnetwork.ts';

const linux = process.platform === 'linux';

test('loopbackAlias: 10.a.b.c → 127.(a XOR 64·slot).b.c; other addresses → 127.0.0.1', { skip: !linux && 'loopback aliases are Linux only' }, () => {
  assert.equal(loopbackAlias('10.128.0.2', 0), '127.128.0.2');
  assert.equal(loopbackAlias('10.96.0.10', 0), '127.96.0.10');
  assert.equal(loopbackAlias('10.128.0.2', 1), '127.192.0.2');
  assert.equal(loopbackAlias('10.96.0.10', 1), '127.32.0.10');
  assert.equal(loopbackAlias('192.168.1.1', 1), '127.0.0.1');
  // the first 64 × 256 nodes' pods and the /12 of Services of the two slots are disjoint
  const seen = new Map<string, number>();
  for (let slot = 0; slot < 2; slot++) {
    for (const a of [...Array.from({ length: 64 }, (_, i) => 128 + i), ...Array.from({ length: 16 }, (_, i) => 96 + i)]) {
      const first = loopbackAlias(`10.${a}.0.2`, slot).split('.')[1];
      assert.equal(seen.get(first) ?? slot, slot, `octet ${first} of slot ${slot} is also slot ${seen.get(first)}'s`);
      seen.set(first, slot);
    }
  }
});

test('loopbackSlot reads KUBESIM_LOOPBACK_SLOT (0 or 1), anything else is slot 0', () => {
  assert.equal(loopbackSlot({}), 0);
  assert.equal(loopbackSlot({ KUBESIM_LOOPBACK_SLOT: '1' }), 1);
  assert.equal(loopbackSlot({ KUBESIM_LOOPBACK_SLOT: '2' }), 0);
  assert.equal(loopbackSlot({ KUBESIM_LOOPBACK_SLOT: '7' }), 0);
  assert.equal(loopbackSlot({ KUBESIM_LOOPBACK_SLOT: 'x' }), 0);
});
