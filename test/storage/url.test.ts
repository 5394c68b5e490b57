// --storage / --events URLs: what each selects, and the errors that name the flag.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { openBackendUrl, parseStorageUrl } from '../../src/storage/url.ts';
import { openStore } from '../../src/storage/open.ts';
import { MemoryStore } from '../../src/storage/memory.ts';

test('parseStorageUrl: each backend and its options', () => {
  const cases: [string, unknown][] = [
    ['memory', { kind: 'memory' }],
    ['sqlite:/var/lib/kubesim/k.db', { kind: 'sqlite', file: '/var/lib/kubesim/k.db' }],
    ['sqlite:///var/lib/k.db', { kind: 'sqlite', file: '/var/lib/k.db' }],
    ['sqlite:rel/k.db', { kind: 'sqlite', file: path.resolve('rel/k.db') }],
    ['postgres://u@db:5432/kube', { kind: 'postgres', url: 'postgres://u@db:5432/kube' }],
    ['postgresql://u:p@db/kube?pool_size=20&schema=c1&sslmode=disable', { kind: 'postgres', url: 'postgresql://u:p@db/kube?sslmode=disable', poolSize: 20, schema: 'c1' }],
    ['etcd://a:2379,b:2379', { kind: 'etcd', url: 'etcd://a:2379,b:2379', endpoints: ['a:2379', 'b:2379'] }],
  ];
  for (const [input, want] of cases) assert.deepEqual(parseStorageUrl(input), want, input);
});

test('parseStorageUrl: bad values name --storage', () => {
  for (const bad of ['mysql://x', 'sqlite:', 'postgres://h/db?pool_size=0', 'postgres://h/db?schema=Bad-Name', 'etcd://', '']) {
    assert.throws(() => parseStorageUrl(bad), /--storage/, bad);
  }
});

test('--events needs redis:// and a postgres backend', async () => {
  await assert.rejects(openBackendUrl('memory', { events: 'redis://127.0.0.1:1' }), /--events applies to --storage postgres/);
  await assert.rejects(openBackendUrl('postgres://h/db', { events: 'http://x' }), /--events must be redis/);
  await assert.rejects(openStore({ events: 'redis://127.0.0.1:1' }), /--events applies/);
  const s = await openBackendUrl('memory');
  assert.ok(s instanceof MemoryStore);
  await s.close();
});
