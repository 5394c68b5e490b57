// Two API servers on one etcd: an object written through one is read and watched through the
// other with the same resourceVersion, a watch resumes across them, optimistic concurrency holds.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunningApiServer } from '../../src/apiserver/index.ts';
import { EtcdStore } from '../../src/storage/etcd.ts';
import { configMap, req, startTestServer, watch } from '../apiserver/helpers.ts';
import { eventually } from '../helpers/eventually.ts';
import { etcdMissing, startEtcd, type EtcdCluster } from './etcd-harness.ts';

if (etcdMissing()) {
  console.log('SKIP etcd API server tests: no `etcd` binary on PATH (apt-get install etcd-server)');
  test('API servers on etcd', (t) => t.skip('etcd is not installed'));
} else {
  let etcd: EtcdCluster;
  let a: RunningApiServer;
  let b: RunningApiServer;
  before(async () => {
    etcd = await startEtcd(1);
    a = await startTestServer({ store: new EtcdStore({ endpoints: etcd.endpoints, prefix: '/kubesim' }) });
    b = await startTestServer({ store: new EtcdStore({ endpoints: etcd.endpoints, prefix: '/kubesim' }) });
  });
  after(async () => {
    await a?.close();
    await b?.close();
    await etcd?.close();
  });

  test('write through A, read and watch through B, conflicts across both', async () => {
    const path = '/api/v1/namespaces/default/configmaps';
    const created = await req(a.url, 'POST', path, configMap('shared', { v: '1' }));
    assert.equal(created.status, 201, created.text);
    const rv1 = created.body.metadata.resourceVersion;
    const got = await eventually(async () => {
      const r = await req(b.url, 'GET', `${path}/shared`);
      return r.status === 200 && r;
    }, 'B serves the object');
    assert.equal(got.body.metadata.resourceVersion, rv1, 'one resourceVersion on both replicas');
    assert.equal(got.body.metadata.uid, created.body.metadata.uid);

    // A watch on B from what A answered sees A's next write, and nothing before it.
    const w = await watch(b.url, `${path}?watch=true&resourceVersion=${rv1}`);
    const updated = await req(a.url, 'PUT', `${path}/shared`, { ...created.body, data: { v: '2' } });
    assert.equal(updated.status, 200, updated.text);
    const [ev] = await w.waitFor(1);
    w.close();
    assert.equal(ev.type, 'MODIFIED');
    assert.equal(ev.object.metadata.resourceVersion, updated.body.metadata.resourceVersion);
    assert.deepEqual(ev.object.data, { v: '2' });

    // The stale version written through B conflicts with A's write.
    const stale = await req(b.url, 'PUT', `${path}/shared`, { ...created.body, data: { v: 'stale' } });
    assert.equal(stale.status, 409, stale.text);
    const list = await req(b.url, 'GET', path);
    assert.equal(list.status, 200);
    assert.ok(Number(list.body.metadata.resourceVersion) >= Number(updated.body.metadata.resourceVersion));
    assert.deepEqual(list.body.items.find((o: any) => o.metadata.name === 'shared').data, { v: '2' });
  });
}
