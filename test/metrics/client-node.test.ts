// @kubernetes/client-node 1.4's typed APIService client (ApiregistrationV1Api): read the metrics
// APIService, change it, write it back; its status Available; a typed list of the metrics API
// through the CustomObjectsApi (kubectl top's path, as any client reads metrics.k8s.io).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import pino from 'pino';
import { kubeconfigYaml, startApiServer } from '../../src/apiserver/index.ts';

test('client-node: APIService read, change, write back; metrics.k8s.io lists', async () => {
  const srv = await startApiServer({ port: 0, logger: pino({ level: 'silent' }) });
  try {
    const kc = new k8s.KubeConfig();
    kc.loadFromString(kubeconfigYaml(srv.url));
    const reg = kc.makeApiClient(k8s.ApiregistrationV1Api);
    const svc = await reg.readAPIService({ name: 'v1beta1.metrics.k8s.io' });
    assert.equal(svc.spec?.group, 'metrics.k8s.io');
    assert.equal(svc.status?.conditions?.find((c) => c.type === 'Available')?.status, 'True');
    svc.metadata!.labels = { ...(svc.metadata!.labels ?? {}), owner: 'kubesim-test' };
    const put = await reg.replaceAPIService({ name: 'v1beta1.metrics.k8s.io', body: svc });
    assert.equal(put.metadata?.labels?.owner, 'kubesim-test');
    const list = await reg.listAPIService();
    assert.ok(list.items.some((x) => x.metadata?.name === 'v1.apps'));
    const custom = kc.makeApiClient(k8s.CustomObjectsApi);
    const nodes: any = await custom.listClusterCustomObject({ group: 'metrics.k8s.io', version: 'v1beta1', plural: 'nodes' });
    assert.equal(nodes.kind, 'NodeMetricsList');
    assert.deepEqual(nodes.items, []);
  } finally {
    await srv.close();
  }
});
