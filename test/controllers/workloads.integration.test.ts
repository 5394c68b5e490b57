// ReplicaSet and Deployment controllers against the real API server (in-memory), with a stand-in
// kubelet marking pods ready: creation, replacement, rolling update with revisions, rollback,
// scaling, pause, and the garbage collector's cascading deletes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/types.ts';
import { cluster, deployment, fakeKubelet, DEPLOYMENTS, EVENTS, PODS, REPLICASETS, type TestCluster } from './helpers.ts';
import { eventually } from '../helpers/eventually.ts';

let c: TestCluster;
let stopKubelet: () => void;
const ns = 'default';

before(async () => {
  c = await cluster();
  stopKubelet = fakeKubelet(c.client, ns);
});
after(async () => {
  stopKubelet();
  await c.close();
});

const pods = () => c.client.resource(PODS);
const rss = () => c.client.resource(REPLICASETS);
const deploys = () => c.client.resource(DEPLOYMENTS);
const owned = (items: KubeObject[], uid: string) => items.filter((o) => o.metadata.ownerReferences?.some((r) => r.uid === uid && r.controller));
const cond = (o: KubeObject, type: string) => (o.status?.conditions ?? []).find((x: any) => x.type === type);

async function complete(name: string): Promise<KubeObject> {
  return eventually(async () => {
    const d = await deploys().get(name, { namespace: ns });
    const s = d.status ?? {};
    const r = d.spec.replicas;
    const ok = (s.observedGeneration ?? 0) >= d.metadata.generation! && s.updatedReplicas === r && s.replicas === r && s.availableReplicas === r && cond(d, 'Progressing')?.reason === 'NewReplicaSetAvailable';
    return ok && d;
  }, `deployment ${name} complete`);
}

test('a Deployment gets a hashed ReplicaSet, its pods, and a complete status', async () => {
  const d = await deploys().create(deployment('web', 3), { namespace: ns });
  const done = await complete('web');
  assert.equal(done.metadata.annotations?.['deployment.kubernetes.io/revision'], '1');
  assert.equal(cond(done, 'Available')?.reason, 'MinimumReplicasAvailable');
  const list = owned((await rss().list({ namespace: ns })).items, d.metadata.uid!);
  assert.equal(list.length, 1);
  const rs = list[0];
  const hash = rs.metadata.labels!['pod-template-hash'];
  assert.equal(rs.metadata.name, `web-${hash}`);
  assert.equal(rs.metadata.annotations?.['deployment.kubernetes.io/revision'], '1');
  assert.equal(rs.metadata.annotations?.['deployment.kubernetes.io/desired-replicas'], '3');
  assert.equal(rs.metadata.annotations?.['deployment.kubernetes.io/max-replicas'], '4');
  assert.equal(rs.status.readyReplicas, 3);
  const ps = owned((await pods().list({ namespace: ns })).items, rs.metadata.uid!);
  assert.equal(ps.length, 3);
  for (const p of ps) {
    assert.ok(p.metadata.name!.startsWith(`${rs.metadata.name}-`));
    assert.equal(p.metadata.labels!['pod-template-hash'], hash);
    assert.equal(p.metadata.ownerReferences![0].blockOwnerDeletion, true);
  }
  const events = (await c.client.resource(EVENTS).list({ namespace: ns })).items;
  assert.ok(events.some((e) => e.reason === 'ScalingReplicaSet' && e.message === `Scaled up replica set ${rs.metadata.name} to 3 from 0` && (e.source as any)?.component === 'deployment-controller'));
  await eventually(async () => (await c.client.resource(EVENTS).list({ namespace: ns })).items.some((e) => e.reason === 'SuccessfulCreate' && String(e.message).startsWith('Created pod: web-')), 'SuccessfulCreate event');
});

test('a deleted pod is replaced', async () => {
  const before = (await pods().list({ namespace: ns, labelSelector: 'app=web' })).items;
  await pods().delete(before[0].metadata.name!, { namespace: ns });
  await eventually(async () => {
    const now = (await pods().list({ namespace: ns, labelSelector: 'app=web' })).items.filter((p) => !p.metadata.deletionTimestamp);
    return now.length === 3 && !now.some((p) => p.metadata.name === before[0].metadata.name);
  }, 'replacement pod');
});

test('set image rolls out a new revision within maxUnavailable, and undo brings revision 1 back as 3', async () => {
  const d0 = await deploys().get('web', { namespace: ns });
  // Record the minimum number of available pods seen during the rollout.
  let minReady = Infinity;
  let watching = true;
  const watcher = (async () => {
    while (watching) {
      const ps = (await pods().list({ namespace: ns, labelSelector: 'app=web' })).items;
      const ready = ps.filter((p) => !p.metadata.deletionTimestamp && cond(p, 'Ready')?.status === 'True').length;
      minReady = Math.min(minReady, ready);
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  await deploys().patch('web', { spec: { template: { spec: { containers: [{ name: 'app', image: 'nginx:2' }] } } } }, { namespace: ns, type: 'strategic' });
  const d1 = await complete('web');
  watching = false;
  await watcher;
  assert.ok(d1.metadata.generation! > d0.metadata.generation!);
  assert.equal(d1.metadata.annotations?.['deployment.kubernetes.io/revision'], '2');
  assert.ok(minReady >= 3 - 0, `maxUnavailable 25% of 3 rounds down to 0: never fewer than 3 ready pods (saw ${minReady})`);
  const list = owned((await rss().list({ namespace: ns })).items, d0.metadata.uid!);
  const byRev = Object.fromEntries(list.map((r) => [r.metadata.annotations!['deployment.kubernetes.io/revision'], r]));
  assert.equal(byRev['1'].spec.replicas, 0);
  assert.equal(byRev['2'].spec.replicas, 3);
  assert.equal(byRev['2'].spec.template.spec.containers[0].image, 'nginx:2');

  // kubectl rollout undo: copies the revision-1 template back (client side).
  const tpl = structuredClone(byRev['1'].spec.template);
  delete tpl.metadata.labels['pod-template-hash'];
  await deploys().patch('web', [{ op: 'replace', path: '/spec/template', value: tpl }], { namespace: ns, type: 'json' });
  const d2 = await complete('web');
  assert.equal(d2.metadata.annotations?.['deployment.kubernetes.io/revision'], '3');
  const old = await rss().get(byRev['1'].metadata.name!, { namespace: ns });
  assert.equal(old.metadata.annotations!['deployment.kubernetes.io/revision'], '3');
  assert.equal(old.metadata.annotations!['deployment.kubernetes.io/revision-history'], '1');
  assert.equal(old.spec.replicas, 3);
});

test('scaling goes through the ReplicaSet; pause stops rollouts; resume continues', async () => {
  await deploys().patch('web', { spec: { replicas: 5 } }, { namespace: ns, type: 'merge' });
  await complete('web');
  await deploys().patch('web', { spec: { paused: true } }, { namespace: ns, type: 'merge' });
  await eventually(async () => cond(await deploys().get('web', { namespace: ns }), 'Progressing')?.reason === 'DeploymentPaused', 'paused condition');
  const d = await deploys().get('web', { namespace: ns });
  await deploys().patch('web', { spec: { template: { spec: { containers: [{ name: 'app', image: 'nginx:3' }] } } } }, { namespace: ns, type: 'strategic' });
  await new Promise((r) => setTimeout(r, 300)); // give a paused controller a chance to misbehave
  const sets = owned((await rss().list({ namespace: ns })).items, d.metadata.uid!);
  assert.ok(!sets.some((r) => r.spec.template.spec.containers[0].image === 'nginx:3'), 'no ReplicaSet for the new template while paused');
  await deploys().patch('web', { spec: { paused: false } }, { namespace: ns, type: 'merge' });
  const done = await complete('web');
  assert.equal(done.metadata.annotations?.['deployment.kubernetes.io/revision'], '4');
});

test('revisionHistoryLimit removes the oldest scaled-down ReplicaSets', async () => {
  await deploys().patch('web', { spec: { revisionHistoryLimit: 1 } }, { namespace: ns, type: 'merge' });
  const d = await deploys().get('web', { namespace: ns });
  await eventually(async () => owned((await rss().list({ namespace: ns })).items, d.metadata.uid!).length === 2, 'one old ReplicaSet kept');
});

test('Recreate scales the old ReplicaSet to zero before the new one comes up', async () => {
  await deploys().create(deployment('rec', 2, 'busybox:1', { spec: { strategy: { type: 'Recreate' } } }), { namespace: ns });
  await complete('rec');
  await deploys().patch('rec', { spec: { template: { spec: { containers: [{ name: 'app', image: 'busybox:2' }] } } } }, { namespace: ns, type: 'strategic' });
  const done = await complete('rec');
  const sets = owned((await rss().list({ namespace: ns })).items, done.metadata.uid!);
  assert.deepEqual(sets.map((r) => r.spec.replicas).sort(), [0, 2]);
});

test('deleting a Deployment (background) removes its ReplicaSets and pods', async () => {
  const d = await deploys().get('rec', { namespace: ns });
  const sets = owned((await rss().list({ namespace: ns })).items, d.metadata.uid!);
  await deploys().delete('rec', { namespace: ns, propagationPolicy: 'Background' });
  await eventually(async () => {
    const left = (await rss().list({ namespace: ns })).items.filter((r) => sets.some((s) => s.metadata.uid === r.metadata.uid));
    const ps = (await pods().list({ namespace: ns, labelSelector: 'app=rec' })).items;
    return left.length === 0 && ps.length === 0;
  }, 'ReplicaSets and pods of rec gone');
});

test('a ReplicaSet adopts matching orphans and releases pods whose labels stop matching', async () => {
  const orphan = await pods().create({ metadata: { name: 'lonely', labels: { app: 'solo' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } as KubeObject, { namespace: ns });
  const rs = await rss().create(
    { metadata: { name: 'solo' }, spec: { replicas: 2, selector: { matchLabels: { app: 'solo' } }, template: { metadata: { labels: { app: 'solo' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } } } as KubeObject,
    { namespace: ns },
  );
  await eventually(async () => (await pods().get('lonely', { namespace: ns })).metadata.ownerReferences?.[0]?.uid === rs.metadata.uid, 'orphan adopted');
  await eventually(async () => (await pods().list({ namespace: ns, labelSelector: 'app=solo' })).items.length === 2, 'only one more pod created');
  await pods().patch('lonely', { metadata: { labels: { app: 'gone' } } }, { namespace: ns, type: 'merge' });
  await eventually(async () => !(await pods().get('lonely', { namespace: ns })).metadata.ownerReferences?.length, 'released');
  await eventually(async () => (await pods().list({ namespace: ns, labelSelector: 'app=solo' })).items.length === 2, 'replacement for the released pod');
  void orphan;
});

test('foreground deletion deletes dependents first; orphan deletion keeps them without owner', async () => {
  const fg = await rss().create(
    { metadata: { name: 'fg' }, spec: { replicas: 2, selector: { matchLabels: { app: 'fg' } }, template: { metadata: { labels: { app: 'fg' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } } } as KubeObject,
    { namespace: ns },
  );
  await eventually(async () => (await pods().list({ namespace: ns, labelSelector: 'app=fg' })).items.length === 2, 'fg pods');
  await rss().delete('fg', { namespace: ns, propagationPolicy: 'Foreground' });
  const deleting = await rss().get('fg', { namespace: ns }).catch(() => undefined);
  if (deleting) assert.ok(deleting.metadata.finalizers?.includes('foregroundDeletion'));
  await eventually(async () => {
    const gone = await rss().get('fg', { namespace: ns }).then(() => false, () => true);
    return gone && (await pods().list({ namespace: ns, labelSelector: 'app=fg' })).items.length === 0;
  }, 'fg and its pods gone');
  void fg;

  await rss().create(
    { metadata: { name: 'orph' }, spec: { replicas: 2, selector: { matchLabels: { app: 'orph' } }, template: { metadata: { labels: { app: 'orph' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } } } as KubeObject,
    { namespace: ns },
  );
  await eventually(async () => (await pods().list({ namespace: ns, labelSelector: 'app=orph' })).items.length === 2, 'orph pods');
  await rss().delete('orph', { namespace: ns, propagationPolicy: 'Orphan' });
  await eventually(async () => rss().get('orph', { namespace: ns }).then(() => false, () => true), 'orph gone');
  const left = (await pods().list({ namespace: ns, labelSelector: 'app=orph' })).items;
  assert.equal(left.length, 2);
  assert.ok(left.every((p) => !p.metadata.ownerReferences?.length));
});

test('a dependent whose owner uid does not exist is garbage collected', async () => {
  await pods().create(
    { metadata: { name: 'dangling', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'never', uid: '00000000-dead-beef-0000-000000000000' }] }, spec: { containers: [{ name: 'c', image: 'x' }] } } as KubeObject,
    { namespace: ns },
  );
  await eventually(async () => pods().get('dangling', { namespace: ns }).then(() => false, () => true), 'dangling pod collected');
});
