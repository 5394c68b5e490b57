// @kubernetes/client-node 1.4 typed clients on ResourceQuota, LimitRange and EndpointSlice: create,
// read, change one value, write back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { clientNodeServer } from '../helpers/client-node.ts';

test('@kubernetes/client-node: ResourceQuota, LimitRange and EndpointSlice read, change, write back', async () => {
  const { kc, close } = await clientNodeServer();
  try {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const discovery = kc.makeApiClient(k8s.DiscoveryV1Api);
    const namespace = 'default';

    await core.createNamespacedResourceQuota({ namespace, body: { metadata: { name: 'q' }, spec: { hard: { pods: '10' }, scopes: ['NotTerminating'] } } });
    const q = await core.readNamespacedResourceQuota({ namespace, name: 'q' });
    q.spec!.hard = { ...q.spec!.hard, pods: '20' };
    const q2 = await core.replaceNamespacedResourceQuota({ namespace, name: 'q', body: q });
    assert.deepEqual(q2.spec?.hard, { pods: '20' });
    assert.equal((await core.listNamespacedResourceQuota({ namespace })).items.length, 1);

    await core.createNamespacedLimitRange({ namespace, body: { metadata: { name: 'l' }, spec: { limits: [{ type: 'Container', max: { cpu: '1' } }] } } });
    const l = await core.readNamespacedLimitRange({ namespace, name: 'l' });
    const item = l.spec!.limits[0];
    assert.deepEqual([item._default, item.defaultRequest], [{ cpu: '1' }, { cpu: '1' }]);
    item.max = { cpu: '2' };
    item._default = { cpu: '2' };
    item.defaultRequest = { cpu: '500m' };
    const l2 = await core.replaceNamespacedLimitRange({ namespace, name: 'l', body: l });
    assert.deepEqual([l2.spec!.limits[0].max, l2.spec!.limits[0]._default], [{ cpu: '2' }, { cpu: '2' }]);

    await discovery.createNamespacedEndpointSlice({
      namespace,
      body: { metadata: { name: 's' }, addressType: 'IPv4', endpoints: [{ addresses: ['10.1.1.1'], conditions: { ready: true } }], ports: [{ name: 'http', port: 80 }] },
    });
    const s = await discovery.readNamespacedEndpointSlice({ namespace, name: 's' });
    assert.equal(s.ports?.[0].protocol, 'TCP');
    s.endpoints[0].conditions = { ready: false };
    const s2 = await discovery.replaceNamespacedEndpointSlice({ namespace, name: 's', body: s });
    assert.equal(s2.endpoints[0].conditions?.ready, false);
    const k = await discovery.readNamespacedEndpointSlice({ namespace, name: 'kubernetes' });
    assert.deepEqual(k.endpoints[0].addresses, ['127.0.0.1']);
  } finally {
    await close();
  }
});
