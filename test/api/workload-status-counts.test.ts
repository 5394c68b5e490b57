// Deployment and ReplicaSet status counts may not be negative (ValidateDeploymentStatus,
// ValidateReplicaSetStatus): a status update with -1 gets a 422 that names the field, and nothing is written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startApiServer } from '../../src/apiserver/index.ts';

const template = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'nginx:1.25' }] } };

for (const [resource, kind] of [['deployments', 'Deployment'], ['replicasets', 'ReplicaSet']] as const) {
  test(`${resource}/status: a negative count is 422 and is not stored`, async () => {
    const srv = await startApiServer({ port: 0 });
    try {
      const base = `${srv.url}/apis/apps/v1/namespaces/default/${resource}`;
      const send = (method: string, url: string, body?: unknown) =>
        fetch(url, { method, headers: body ? { 'Content-Type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
      const created = await send('POST', base, { apiVersion: 'apps/v1', kind, metadata: { name: 'web' }, spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template } });
      assert.equal(created.status, 201);
      const obj: any = await created.json();

      const bad = await send('PUT', `${base}/web/status`, { ...obj, status: { replicas: -1, readyReplicas: -2 } });
      assert.equal(bad.status, 422);
      const st: any = await bad.json();
      assert.equal(st.kind, 'Status');
      assert.equal(st.reason, 'Invalid');
      assert.match(st.message, /status\.replicas: Invalid value: -1: must be greater than or equal to 0/);
      assert.match(st.message, /status\.readyReplicas: Invalid value: -2: must be greater than or equal to 0/);
      assert.deepEqual(st.details.causes.map((c: any) => c.field).sort(), ['status.readyReplicas', 'status.replicas']);

      const after: any = await (await send('GET', `${base}/web`)).json();
      assert.equal(after.metadata.resourceVersion, obj.metadata.resourceVersion, 'nothing was written');

      const good = await send('PUT', `${base}/web/status`, { ...obj, status: { replicas: 2, readyReplicas: 1 } });
      assert.equal(good.status, 200);
      assert.equal(((await good.json()) as any).status.replicas, 2);
    } finally {
      await srv.close();
    }
  });
}
