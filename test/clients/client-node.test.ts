// @kubernetes/client-node 1.4 through its typed verbs, as users call them, against a whole kubesim
// cluster: create, read, replace after read (dates round-trip as Date objects), every patch type,
// list with selectors and pages, watch and the informer, pod logs, delete with propagation; on core,
// apps and batch kinds.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { eventually, piJob, startClientCluster, webDeployment, type ClientCluster } from './helpers.ts';

let c: ClientCluster;
let kc: k8s.KubeConfig;
let core: k8s.CoreV1Api;
let apps: k8s.AppsV1Api;
let batch: k8s.BatchV1Api;
const namespace = 'default';
const merge = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
const jsonPatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.JsonPatch);
const strategic = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch);
const apply = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.ServerSideApply);

before(async () => {
  c = await startClientCluster();
  kc = new k8s.KubeConfig();
  kc.loadFromFile(c.kubeconfigPath);
  core = kc.makeApiClient(k8s.CoreV1Api);
  apps = kc.makeApiClient(k8s.AppsV1Api);
  batch = kc.makeApiClient(k8s.BatchV1Api);
});
after(async () => {
  await c?.stop();
});

test('ConfigMap: create, read, replace after read (the creationTimestamp round-trip), replace again', async () => {
  const created = await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'rmw', labels: { app: 'cfg' } }, data: { a: '1', b: '2' } } });
  assert.ok(created.metadata?.creationTimestamp instanceof Date);
  const read = await core.readNamespacedConfigMap({ name: 'rmw', namespace });
  read.data!.a = 'changed';
  const replaced = await core.replaceNamespacedConfigMap({ name: 'rmw', namespace, body: read });
  assert.deepEqual(replaced.data, { a: 'changed', b: '2' });
  assert.equal(replaced.metadata?.creationTimestamp?.getTime(), created.metadata?.creationTimestamp?.getTime());
  assert.equal(replaced.metadata?.uid, created.metadata?.uid);
  replaced.data!.b = 'again';
  const again = await core.replaceNamespacedConfigMap({ name: 'rmw', namespace, body: replaced });
  assert.equal(again.data?.b, 'again');
  // a stale read is a conflict, as for Kubernetes
  await assert.rejects(core.replaceNamespacedConfigMap({ name: 'rmw', namespace, body: read }), (e: any) => e.code === 409);
});

test('ConfigMap: merge, JSON, strategic and apply patches', async () => {
  await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'pt' }, data: { a: '1' } } });
  const m = await core.patchNamespacedConfigMap({ name: 'pt', namespace, body: { data: { b: '2' } } }, merge);
  assert.deepEqual(m.data, { a: '1', b: '2' });
  const j = await core.patchNamespacedConfigMap({ name: 'pt', namespace, body: [{ op: 'replace', path: '/data/a', value: 'one' }] }, jsonPatch);
  assert.equal(j.data?.a, 'one');
  const s = await core.patchNamespacedConfigMap({ name: 'pt', namespace, body: { metadata: { labels: { s: 'y' } } } }, strategic);
  assert.equal(s.metadata?.labels?.s, 'y');
  const body = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'pt' }, data: { c: '3' } };
  const a = await core.patchNamespacedConfigMap({ name: 'pt', namespace, body, fieldManager: 'tester', force: true }, apply);
  assert.equal(a.data?.c, '3');
  assert.ok(a.metadata?.managedFields?.some((f) => f.manager === 'tester' && f.operation === 'Apply'));
});

test('list with label and field selectors, and pages', async () => {
  for (const i of [1, 2, 3, 4, 5]) await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: `page-${i}`, labels: { paged: 'yes', odd: String(i % 2) } } } });
  const odd = await core.listNamespacedConfigMap({ namespace, labelSelector: 'paged=yes,odd=1' });
  assert.deepEqual(odd.items.map((i) => i.metadata?.name), ['page-1', 'page-3', 'page-5']);
  const byName = await core.listNamespacedConfigMap({ namespace, fieldSelector: 'metadata.name=page-2' });
  assert.deepEqual(byName.items.map((i) => i.metadata?.name), ['page-2']);
  const names: string[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const page = await core.listNamespacedConfigMap({ namespace, labelSelector: 'paged=yes', limit: 2, _continue: token });
    names.push(...page.items.map((i) => i.metadata!.name!));
    token = page.metadata?._continue;
    pages++;
  } while (token);
  assert.equal(pages, 3);
  assert.deepEqual(names, ['page-1', 'page-2', 'page-3', 'page-4', 'page-5']);
});

test('Watch and the informer see adds, updates and deletes', async () => {
  const seen: string[] = [];
  const req = await new k8s.Watch(kc).watch(`/api/v1/namespaces/${namespace}/configmaps`, { labelSelector: 'w=1', allowWatchBookmarks: true }, (type, obj) => seen.push(`${type}:${obj.metadata?.name}`), () => {});
  const informer = k8s.makeInformer<k8s.V1ConfigMap>(kc, `/api/v1/namespaces/${namespace}/configmaps`, () => core.listNamespacedConfigMap({ namespace, labelSelector: 'w=1' }), 'w=1');
  const got: string[] = [];
  informer.on('add', (o) => got.push(`add:${o.metadata?.name}`));
  informer.on('update', (o) => got.push(`update:${o.metadata?.name}:${o.data?.v}`));
  informer.on('delete', (o) => got.push(`delete:${o.metadata?.name}`));
  await informer.start();
  try {
    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'watched', labels: { w: '1' } }, data: { v: '1' } } });
    const cur = await core.readNamespacedConfigMap({ name: 'watched', namespace });
    cur.data = { v: '2' };
    await core.replaceNamespacedConfigMap({ name: 'watched', namespace, body: cur });
    await core.deleteNamespacedConfigMap({ name: 'watched', namespace });
    await eventually(() => seen.length >= 3 && got.length >= 3, 10_000, `watch events (${seen} / ${got})`);
    assert.deepEqual(seen.filter((s) => !s.startsWith('BOOKMARK')).slice(0, 3), ['ADDED:watched', 'MODIFIED:watched', 'DELETED:watched']);
    assert.deepEqual(got.slice(0, 3), ['add:watched', 'update:watched:2', 'delete:watched']);
    assert.equal(informer.list(namespace).length, 0);
  } finally {
    await informer.stop();
    req.abort();
  }
});

test('apps: a Deployment rolls out; replace after read, scale patch, typed ReplicaSet reads, pod logs', async () => {
  await apps.createNamespacedDeployment({ namespace, body: webDeployment('web', 2, 'hello from web') as k8s.V1Deployment });
  await eventually(async () => (await apps.readNamespacedDeployment({ name: 'web', namespace })).status?.availableReplicas === 2, 40_000, 'web available');
  // read-modify-write of an object with status times and conditions
  const d = await apps.readNamespacedDeployment({ name: 'web', namespace });
  assert.ok(d.status?.conditions?.every((cnd) => cnd.lastTransitionTime instanceof Date));
  d.metadata!.labels = { ...d.metadata!.labels, touched: 'yes' };
  const replaced = await apps.replaceNamespacedDeployment({ name: 'web', namespace, body: d });
  assert.equal(replaced.metadata?.labels?.touched, 'yes');
  // what k8s_scale-style tools send: a strategic patch naming the kind, on the scale subresource
  const sc = await apps.patchNamespacedDeploymentScale({ name: 'web', namespace, body: { kind: 'Deployment', spec: { replicas: 3 } } }, strategic);
  assert.equal(sc.spec?.replicas, 3);
  await eventually(async () => (await apps.readNamespacedDeployment({ name: 'web', namespace })).status?.readyReplicas === 3, 40_000, 'web scaled to 3');
  const rsList = await apps.listNamespacedReplicaSet({ namespace, labelSelector: 'app=web' });
  assert.equal(rsList.items.length, 1);
  const rs = await apps.readNamespacedReplicaSet({ name: rsList.items[0].metadata!.name!, namespace });
  assert.equal(rs.status?.replicas, 3);
  const pods = await core.listNamespacedPod({ namespace, labelSelector: 'app=web', fieldSelector: 'status.phase=Running' });
  assert.equal(pods.items.length, 3);
  const log = await core.readNamespacedPodLog({ name: pods.items[0].metadata!.name!, namespace, tailLines: 5 });
  assert.match(log, /starting container web \(image nginx:1.27\)/);
  // a pod read and replaced as is (nothing changed) is accepted
  const p = await core.readNamespacedPod({ name: pods.items[0].metadata!.name!, namespace });
  await core.replaceNamespacedPod({ name: p.metadata!.name!, namespace, body: p });
});

test('apps: delete with propagation (Foreground waits for the ReplicaSet and pods; Orphan keeps them)', async () => {
  await apps.createNamespacedDeployment({ namespace, body: webDeployment('fg', 1) as k8s.V1Deployment });
  await apps.createNamespacedDeployment({ namespace, body: webDeployment('orph', 1) as k8s.V1Deployment });
  await eventually(async () => (await apps.listNamespacedReplicaSet({ namespace, labelSelector: 'app in (fg,orph)' })).items.length === 2, 20_000, 'replicasets');
  await apps.deleteNamespacedDeployment({ name: 'fg', namespace, propagationPolicy: 'Foreground' });
  await eventually(async () => (await apps.listNamespacedReplicaSet({ namespace, labelSelector: 'app=fg' })).items.length === 0, 30_000, 'fg ReplicaSet gone');
  await eventually(() => apps.readNamespacedDeployment({ name: 'fg', namespace }).then(() => false, (e: any) => e.code === 404), 30_000, 'fg gone');
  await apps.deleteNamespacedDeployment({ name: 'orph', namespace, propagationPolicy: 'Orphan' });
  await eventually(() => apps.readNamespacedDeployment({ name: 'orph', namespace }).then(() => false, (e: any) => e.code === 404), 30_000, 'orph gone');
  const left = await apps.listNamespacedReplicaSet({ namespace, labelSelector: 'app=orph' });
  assert.equal(left.items.length, 1);
  assert.equal(left.items[0].metadata?.ownerReferences, undefined);
});

test('apps: typed reads of StatefulSet and DaemonSet status right after create', async () => {
  const labels = { app: 'zk' };
  const template = { metadata: { labels }, spec: { containers: [{ name: 'zk', image: 'zookeeper' }] } };
  const sts = await apps.createNamespacedStatefulSet({ namespace, body: { metadata: { name: 'zk' }, spec: { serviceName: 'zk', replicas: 1, selector: { matchLabels: labels }, template } } });
  assert.equal(sts.status?.replicas, 0);
  const ds = await apps.createNamespacedDaemonSet({ namespace, body: { metadata: { name: 'fluentd' }, spec: { selector: { matchLabels: { app: 'fluentd' } }, template: { ...template, metadata: { labels: { app: 'fluentd' } } } } } });
  assert.equal(ds.status?.desiredNumberScheduled, 0);
  await eventually(async () => (await apps.readNamespacedDaemonSet({ name: 'fluentd', namespace })).status?.numberReady === 2, 30_000, 'fluentd on both nodes');
});

test('batch: a Job runs to completion; replace after read; delete with Background propagation', async () => {
  await batch.createNamespacedJob({ namespace, body: piJob('pi') as k8s.V1Job });
  const done = await eventually(async () => {
    const j = await batch.readNamespacedJob({ name: 'pi', namespace });
    return j.status?.succeeded === 1 ? j : undefined;
  }, 30_000, 'pi succeeded');
  assert.ok(done.status?.completionTime instanceof Date);
  done.metadata!.annotations = { ...done.metadata!.annotations, seen: 'yes' };
  const replaced = await batch.replaceNamespacedJob({ name: 'pi', namespace, body: done });
  assert.equal(replaced.metadata?.annotations?.seen, 'yes');
  assert.equal(replaced.status?.completionTime?.getTime(), done.status?.completionTime?.getTime());
  await batch.deleteNamespacedJob({ name: 'pi', namespace, propagationPolicy: 'Background' });
  await eventually(async () => (await core.listNamespacedPod({ namespace, labelSelector: 'job-name=pi' })).items.length === 0, 30_000, 'pi pods collected');
});
