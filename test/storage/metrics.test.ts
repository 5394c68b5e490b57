// Storage metrics read the cache's and SQLite's stats at scrape time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import client from 'prom-client';
import { openStore } from '../../src/storage/open.ts';
import { registerStorageMetrics, resourceLabel } from '../../src/storage/metrics.ts';
import { tempDir } from './helpers.ts';

test('resourceLabel names resources as Kubernetes does', () => {
  assert.equal(resourceLabel('/registry/core/pods/'), 'pods');
  assert.equal(resourceLabel('/registry/apps/deployments/'), 'deployments.apps');
});

test('apiserver_storage_objects and SQLite commit counters', async () => {
  const tmp = tempDir();
  const store = await openStore({ dataDir: tmp.dir, compactionIntervalMs: 0 });
  try {
    const registry = new client.Registry();
    registerStorageMetrics(registry, store);
    await Promise.all([0, 1, 2].map((i) => store.create(`/registry/apps/deployments/ns/d${i}`, { metadata: { name: `d${i}` } })));
    await store.create('/registry/core/pods/ns/p', { metadata: { name: 'p' } });
    const text = await registry.metrics();
    assert.match(text, /apiserver_storage_objects\{resource="deployments.apps"\} 3/);
    assert.match(text, /apiserver_storage_objects\{resource="pods"\} 1/);
    assert.match(text, /kubesim_storage_writes 4/);
    assert.match(text, /kubesim_storage_commits 2/, 'the three concurrent creates shared one commit');
  } finally {
    await store.close();
    tmp.remove();
  }
});
