// The official @kubernetes/client-node works against the API server: list, create, merge patch,
// scale subresource, delete with a 404 after, and its Watch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { clientNodeServer } from '../helpers/client-node.ts';
import { eventually } from '../helpers/eventually.ts';


test('@kubernetes/client-node: CRUD, scale, watch', async () => {
  const { kc, close } = await clientNodeServer();
  try {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const apps = kc.makeApiClient(k8s.AppsV1Api);
    const ns = await core.listNamespace();
    assert.ok(ns.items.some((n) => n.metadata?.name === 'kube-system'));

    const events: string[] = [];
    const w = await new k8s.Watch(kc).watch('/api/v1/namespaces/default/configmaps', { allowWatchBookmarks: true }, (type, obj) => events.push(`${type}:${obj.metadata?.name}`), () => {});
    const cm = await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'cn1' }, data: { a: '1' } } });
    assert.ok(cm.metadata?.uid);
    const patched = await core.patchNamespacedConfigMap({ namespace: 'default', name: 'cn1', body: { data: { b: '2' } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
    assert.deepEqual(patched.data, { a: '1', b: '2' });

    await apps.createNamespacedDeployment({
      namespace: 'default',
      body: { metadata: { name: 'd1' }, spec: { replicas: 1, selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } } },
    });
    const sc = await apps.readNamespacedDeploymentScale({ namespace: 'default', name: 'd1' });
    assert.equal(sc.spec?.replicas, 1);
    assert.equal(sc.status?.selector, 'a=b');
    await apps.replaceNamespacedDeploymentScale({ namespace: 'default', name: 'd1', body: { ...sc, spec: { replicas: 3 } } });
    assert.equal((await apps.readNamespacedDeployment({ namespace: 'default', name: 'd1' })).spec?.replicas, 3);

    await core.deleteNamespacedConfigMap({ namespace: 'default', name: 'cn1' });
    await assert.rejects(core.readNamespacedConfigMap({ namespace: 'default', name: 'cn1' }), (e: any) => e.code === 404);
    await eventually(() => events.length >= 3, 'watch events', 5000);
    assert.deepEqual(events.slice(0, 3), ['ADDED:cn1', 'MODIFIED:cn1', 'DELETED:cn1']);
    w.abort();
  } finally {
    await close();
  }
});
