// Compatibility of our watch protocol with the official client: @kubernetes/client-node 1.4's
// makeInformer (ListWatch) and our SharedInformer see the same adds, updates and deletes for the
// same writes; its reads equal ours; our Client reads the kubeconfig kubesim writes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import pino from 'pino';
import * as k8s from '@kubernetes/client-node';
import { startApiServer } from '../../src/apiserver/index.ts';
import { registry } from '../../src/api/registry.ts';
import { Client, SharedInformer, deletedObject } from '../../src/client/index.ts';
import { eventually } from '../helpers/eventually.ts';

const CONFIGMAPS = registry.byResource('', 'v1', 'configmaps')!;
const NS = 'compat';

test('@kubernetes/client-node informer and ours see the same events; reads agree; kubesim kubeconfig loads', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubesim-'));
  const server = await startApiServer({ port: 0, dataDir: dir, logger: pino({ level: 'silent' }) });
  const ours = Client.fromKubeconfig(server.kubeconfigPath!, { qps: 0 });
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(server.kubeconfigPath!); // as written by kubesim, unmodified
  const core = kc.makeApiClient(k8s.CoreV1Api);
  let theirs: (k8s.Informer<k8s.V1ConfigMap> & k8s.ObjectCache<k8s.V1ConfigMap>) | undefined;
  const inf = new SharedInformer(ours, CONFIGMAPS, { namespace: NS });
  try {
    assert.equal(ours.server, server.url);
    await core.createNamespace({ body: { metadata: { name: NS } } });
    await core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'pre' }, data: { a: '1' } } });

    const theirLog: string[] = [];
    const ourLog: string[] = [];
    const line = (t: string, o: { metadata?: { name?: string; resourceVersion?: string } }) => `${t} ${o.metadata?.name} ${o.metadata?.resourceVersion}`;
    theirs = k8s.makeInformer(kc, `/api/v1/namespaces/${NS}/configmaps`, () => core.listNamespacedConfigMap({ namespace: NS }));
    const errors: unknown[] = [];
    theirs.on('add', (o) => theirLog.push(line('add', o)));
    theirs.on('update', (o) => theirLog.push(line('update', o)));
    theirs.on('delete', (o) => theirLog.push(line('delete', o)));
    theirs.on('error', (e) => errors.push(e));
    inf.addEventHandler({
      onAdd: (o) => ourLog.push(line('add', o)),
      onUpdate: (_old, o) => ourLog.push(line('update', o)),
      onDelete: (o) => ourLog.push(line('delete', deletedObject(o))),
    });
    await theirs.start();
    inf.start();
    await inf.waitForCacheSync();
    await eventually(() => theirLog.length === 1 && ourLog.length === 1, 'initial add of "pre"');

    // a sequence of writes through both clients
    const cms = ours.resource(CONFIGMAPS);
    for (let i = 0; i < 15; i++) await cms.create({ metadata: { name: `cm-${i}`, namespace: NS }, data: { v: '0' } });
    for (let i = 0; i < 15; i += 2) {
      const cur = await cms.get(`cm-${i}`, { namespace: NS });
      await cms.update({ ...cur, data: { v: '1' } });
    }
    for (let i = 0; i < 15; i += 3) await core.patchNamespacedConfigMap({ namespace: NS, name: `cm-${i}`, body: { data: { v: '2' } } }, k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
    for (let i = 0; i < 15; i += 4) await cms.delete(`cm-${i}`, { namespace: NS });
    await core.deleteNamespacedConfigMap({ namespace: NS, name: 'pre' });
    await cms.create({ metadata: { name: 'cm-0', namespace: NS }, data: { again: 'yes' } }); // re-created after delete

    const expected = 1 + 15 + 8 + 5 + 4 + 1 + 1;
    await eventually(() => theirLog.length >= expected && ourLog.length >= expected, `${expected} events on both`);
    await new Promise((r) => setTimeout(r, 200)); // nothing extra may follow
    assert.deepEqual(ourLog, theirLog);
    assert.equal(ourLog.length, expected);
    assert.deepEqual(errors, []);

    // reads agree
    const theirList = await core.listNamespacedConfigMap({ namespace: NS });
    const ourList = await cms.list({ namespace: NS });
    const names = (xs: readonly { metadata?: { name?: string; resourceVersion?: string } }[]) => xs.map((o) => `${o.metadata?.name}@${o.metadata?.resourceVersion}`).sort();
    assert.deepEqual(names(ourList.items), names(theirList.items));
    assert.deepEqual(names(inf.indexer.list()), names(theirs.list(NS)));
    const one = await core.readNamespacedConfigMap({ namespace: NS, name: 'cm-1' });
    assert.deepEqual((await cms.get('cm-1', { namespace: NS })).data, one.data);

    // and both raw watches agree event for event
    const from = ourList.metadata.resourceVersion!;
    const theirRaw: string[] = [];
    const ourRaw: string[] = [];
    const req = await new k8s.Watch(kc).watch(`/api/v1/namespaces/${NS}/configmaps`, { resourceVersion: from }, (type, obj) => theirRaw.push(line(type, obj)), () => {});
    const w = await cms.watch({ namespace: NS, resourceVersion: from });
    const reading = (async () => {
      for await (const ev of w) ourRaw.push(line(ev.type, ev.object as any));
    })();
    await cms.create({ metadata: { name: 'late', namespace: NS } });
    await core.deleteNamespacedConfigMap({ namespace: NS, name: 'late' });
    await eventually(() => theirRaw.length === 2 && ourRaw.length === 2, 'raw watch events');
    assert.deepEqual(ourRaw, theirRaw);
    req.abort();
    w.close();
    await reading;
  } finally {
    await theirs?.stop();
    await inf.stop();
    ours.close();
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
