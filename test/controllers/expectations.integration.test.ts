// Expectations against a lagging cache: syncs that run before the informer has delivered the pods
// the controller just created must not create them again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/types.ts';
import type { ReplicaSetController } from '../../src/controllers/replicaset/controller.ts';
import { cluster, PODS, REPLICASETS } from './helpers.ts';
import { eventually } from '../helpers/eventually.ts';

test('repeated syncs on a stale cache create each missing pod exactly once', async () => {
  const c = await cluster({ controllers: ['replicaset'], events: false });
  try {
    const rsc = c.cm.running()[0] as ReplicaSetController;
    await c.client.resource(REPLICASETS).create(
      { metadata: { name: 'once' }, spec: { replicas: 200, selector: { matchLabels: { app: 'once' } }, template: { metadata: { labels: { app: 'once' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } } } as KubeObject,
      { namespace: 'default' },
    );
    // Hammer sync while the creations are in flight and the pod cache is behind.
    await eventually(() => rsc.expectations.pending('default/once') !== undefined, 'first sync started', 10_000, 1);
    await Promise.all(Array.from({ length: 10 }, () => rsc.sync('default/once')));
    await eventually(async () => (await c.client.resource(REPLICASETS).get('once', { namespace: 'default' })).status?.replicas === 200, 'status replicas 200');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await c.client.resource(PODS).list({ namespace: 'default', labelSelector: 'app=once' })).items.length, 200);
  } finally {
    await c.close();
  }
});
