// End to end on `kubesim up` with the real kubectl: the ZooKeeper StatefulSet of the Kubernetes
// tutorial comes up as zk-0, zk-1, zk-2 in order with their claims Bound; a rolling update with
// partition 2 updates only zk-2; `kubectl rollout status|history|undo statefulset` read and restore
// ControllerRevisions; and the same for a DaemonSet (history, undo).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { hasKubectl, up, type UpCluster } from './harness.ts';
import { eventually } from '../helpers/eventually.ts';

const skip = !hasKubectl;
let c: UpCluster;
const ZK = '/work/shared/fixtures/k8s-docs/tutorials/zookeeper.yaml';

before(async () => {
  if (skip) return;
  c = await up(['--nodes', '3']);
});
after(async () => {
  await c?.close();
});

const isReady = (p: any) => p.status?.phase === 'Running' && (p.status?.conditions ?? []).some((x: any) => x.type === 'Ready' && x.status === 'True');
const readyAt = (p: any) => Date.parse(p.status.conditions.find((x: any) => x.type === 'Ready').lastTransitionTime);

test('the ZooKeeper StatefulSet: ordered start, claims, partitioned update, rollout status/history/undo', { skip, timeout: 300_000 }, async () => {
  await c.kubectl(['apply', '-f', '-'], { stdin: readFileSync(ZK, 'utf8') });
  // Ordered: a pod is created only once the one before it is Running and Ready.
  const seen = new Map<string, any>();
  await eventually(async () => {
    const pods = (await c.kubectlJson(['get', 'pods', '-l', 'app.kubernetes.io/name=zk'])).items;
    for (const p of pods) seen.set(p.metadata.name, p);
    const names = pods.map((p: any) => p.metadata.name).sort();
    for (const p of pods) {
      const ord = Number(p.metadata.name.split('-')[1]);
      if (ord > 0) {
        const prev = seen.get(`zk-${ord - 1}`);
        assert.ok(prev && isReady(prev), `zk-${ord} created while zk-${ord - 1} was not ready`);
      }
    }
    return names.join(',') === 'zk-0,zk-1,zk-2' && pods.every(isReady);
  }, 'zk-0..2 Ready', 180_000, 300);
  const pods = (await c.kubectlJson(['get', 'pods', '-l', 'app.kubernetes.io/name=zk'])).items.sort((a: any, b: any) => a.metadata.name.localeCompare(b.metadata.name));
  for (let i = 1; i < 3; i++) assert.ok(Date.parse(pods[i].metadata.creationTimestamp) >= readyAt(pods[i - 1]) - 1000, `zk-${i} after zk-${i - 1} was ready`);
  for (const [i, p] of pods.entries()) {
    assert.equal(p.spec.hostname, `zk-${i}`);
    assert.equal(p.spec.subdomain, 'zk-hs');
    assert.equal(p.metadata.labels['statefulset.kubernetes.io/pod-name'], `zk-${i}`);
    assert.equal(p.metadata.labels['apps.kubernetes.io/pod-index'], String(i));
    assert.deepEqual(p.spec.volumes.find((v: any) => v.name === 'datadir').persistentVolumeClaim, { claimName: `datadir-zk-${i}` });
    const pvc = await c.kubectlJson(['get', 'pvc', `datadir-zk-${i}`]);
    assert.equal(pvc.status.phase, 'Bound');
    assert.equal(pvc.spec.storageClassName, 'standard');
  }
  const sts = await eventually(async () => {
    const s = await c.kubectlJson(['get', 'sts', 'zk']);
    return s.status.readyReplicas === 3 && s.status.availableReplicas === 3 && s.status.currentReplicas === 3 && s.status.updatedReplicas === 3 && s;
  }, 'status counts', 30_000, 200);
  const rev1 = sts.status.currentRevision;
  assert.equal(sts.status.updateRevision, rev1);
  assert.equal(sts.status.observedGeneration, sts.metadata.generation);
  assert.equal(pods[0].metadata.labels['controller-revision-hash'], rev1);
  assert.match(await c.kubectl(['rollout', 'status', 'sts/zk', '--timeout=60s']), /partitioned roll out complete: 3 new pods have been updated/);
  assert.match((await c.kubectl(['get', 'sts', 'zk'])).trim().split('\n')[1], /^zk\s+3\/3\s+/);

  // A partitioned rolling update: only zk-2 moves to the new revision.
  await c.kubectl(['patch', 'sts', 'zk', '-p', '{"spec":{"updateStrategy":{"type":"RollingUpdate","rollingUpdate":{"partition":2}}}}']);
  await c.kubectl(['patch', 'sts', 'zk', '--type=json', '-p', '[{"op":"replace","path":"/spec/template/spec/containers/0/resources/requests/cpu","value":"0.3"}]']);
  const rev2 = await eventually(async () => {
    const s = await c.kubectlJson(['get', 'sts', 'zk']);
    return s.status.updateRevision !== rev1 && s.status.updatedReplicas === 1 && s.status.readyReplicas === 3 && s.status.updateRevision;
  }, 'zk-2 updated', 90_000, 300);
  assert.match(await c.kubectl(['rollout', 'status', 'sts/zk', '--timeout=60s']), /partitioned roll out complete: 1 new pods have been updated/);
  const revOf = async () => Object.fromEntries((await c.kubectlJson(['get', 'pods', '-l', 'app.kubernetes.io/name=zk'])).items.map((p: any) => [p.metadata.name, p.metadata.labels['controller-revision-hash']]));
  assert.deepEqual(await revOf(), { 'zk-0': rev1, 'zk-1': rev1, 'zk-2': rev2 });
  // (kubesim keeps quantities as written: "0.3" where Kubernetes prints "300m")
  assert.match((await c.kubectlJson(['get', 'pod', 'zk-2'])).spec.containers[0].resources.requests.cpu, /^(0\.3|300m)$/);
  assert.match((await c.kubectlJson(['get', 'pod', 'zk-0'])).spec.containers[0].resources.requests.cpu, /^(0\.5|500m)$/);

  const history = await c.kubectl(['rollout', 'history', 'sts/zk']);
  assert.match(history, /^statefulset\.apps\/zk\s*\nREVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>\n/);
  const detail = await c.kubectl(['rollout', 'history', 'sts/zk', '--revision=1']);
  assert.match(detail, /statefulset\.apps\/zk with revision #1/);
  assert.match(detail, /cpu:\s+(0\.5|500m)/);
  const revs = await c.kubectl(['get', 'controllerrevisions']);
  assert.match(revs, new RegExp(`${rev1}\\s+statefulset\\.apps/zk\\s+1\\s`));
  assert.match(revs, new RegExp(`${rev2}\\s+statefulset\\.apps/zk\\s+2\\s`));

  // rollout undo: the template of revision 1 again; revision 1 becomes revision 3 and zk-2 goes back.
  assert.match(await c.kubectl(['rollout', 'undo', 'sts/zk']), /statefulset\.apps\/zk rolled back/);
  await eventually(async () => {
    const s = await c.kubectlJson(['get', 'sts', 'zk']);
    return s.status.updateRevision === rev1 && s.status.currentRevision === rev1 && s.status.updatedReplicas === 3 && s.status.readyReplicas === 3;
  }, 'rolled back to revision 1', 90_000, 300);
  assert.deepEqual(await revOf(), { 'zk-0': rev1, 'zk-1': rev1, 'zk-2': rev1 });
  assert.match((await c.kubectlJson(['get', 'sts', 'zk'])).spec.template.spec.containers[0].resources.requests.cpu, /^(0\.5|500m)$/);
  assert.match(await c.kubectl(['rollout', 'history', 'sts/zk']), /REVISION\s+CHANGE-CAUSE\n2\s+<none>\n3\s+<none>\n/);
  assert.match(await c.kubectl(['rollout', 'undo', 'sts/zk', '--to-revision=3']), /skipped rollback \(current template already matches revision 3\)/);

  // Scale down removes the highest ordinal; the claims stay (whenScaled: Retain).
  await c.kubectl(['scale', 'sts', 'zk', '--replicas=2']);
  await eventually(async () => (await c.kubectl(['get', 'pods', '-l', 'app.kubernetes.io/name=zk', '-o', 'name'])).trim().split('\n').sort().join(',') === 'pod/zk-0,pod/zk-1', 'zk-2 gone', 60_000, 300);
  assert.equal((await c.kubectlJson(['get', 'pvc', 'datadir-zk-2'])).status.phase, 'Bound');
});

test('Parallel with ordinals.start and persistentVolumeClaimRetentionPolicy Delete/Delete', { skip, timeout: 180_000 }, async () => {
  await c.kubectl(['apply', '-f', '-'], {
    stdin: `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web}
spec:
  serviceName: nginx
  replicas: 3
  podManagementPolicy: Parallel
  ordinals: {start: 5}
  persistentVolumeClaimRetentionPolicy: {whenDeleted: Delete, whenScaled: Delete}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: nginx, image: "nginx:1.25", volumeMounts: [{name: www, mountPath: /usr/share/nginx/html}]}]
  volumeClaimTemplates:
  - metadata: {name: www}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
`,
  });
  const names = async (kind: string) => (await c.kubectlJson(['get', kind, '-l', 'app=web'])).items.filter((o: any) => !o.metadata.deletionTimestamp).map((o: any) => o.metadata.name).sort().join(',');
  await eventually(async () => (await c.kubectlJson(['get', 'sts', 'web'])).status.readyReplicas === 3, 'web ready', 90_000, 300);
  assert.equal(await names('pods'), 'web-5,web-6,web-7');
  assert.equal(await names('pvc'), 'www-web-5,www-web-6,www-web-7');
  const pvc = await c.kubectlJson(['get', 'pvc', 'www-web-5']);
  assert.deepEqual(pvc.metadata.ownerReferences.map((r: any) => `${r.kind}/${r.name}`), ['StatefulSet/web']);
  // Scaled away: the claims of web-6 and web-7 go with their pods.
  await c.kubectl(['scale', 'sts', 'web', '--replicas=1']);
  await eventually(async () => (await names('pods')) === 'web-5' && (await names('pvc')) === 'www-web-5', 'scaled to web-5 with its claim only', 90_000, 300);
  // Deleted: the last claim goes with the set.
  await c.kubectl(['delete', 'sts', 'web']);
  await eventually(async () => (await names('pvc')) === '', 'claims deleted with the set', 90_000, 300);
});

test('DaemonSet: rollout history lists ControllerRevisions, rollout undo restores the previous template, maxSurge', { skip, timeout: 180_000 }, async () => {
  await c.kubectl(['apply', '-f', '-'], {
    stdin: `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  updateStrategy: {type: RollingUpdate, rollingUpdate: {maxUnavailable: 0, maxSurge: 1}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      containers: [{name: agent, image: "busybox:1.36"}]
`,
  });
  const hashes = async () => (await c.kubectlJson(['get', 'pods', '-l', 'app=agent'])).items.filter((p: any) => !p.metadata.deletionTimestamp).map((p: any) => p.metadata.labels['controller-revision-hash']);
  const settled = async (image: string) =>
    eventually(async () => {
      const d = await c.kubectlJson(['get', 'ds', 'agent']);
      const hs = await hashes();
      return d.spec.template.spec.containers[0].image === image && d.status.updatedNumberScheduled === 3 && d.status.numberAvailable === 3 && hs.length === 3 && new Set(hs).size === 1 && hs[0];
    }, `agent at ${image}`, 90_000, 300);
  const h1 = await settled('busybox:1.36');
  assert.match(await c.kubectl(['rollout', 'status', 'ds/agent', '--timeout=60s']), /daemon set "agent" successfully rolled out/);
  await c.kubectl(['set', 'image', 'ds/agent', 'agent=busybox:1.37']);
  // maxSurge 1, maxUnavailable 0: a node runs the new pod beside the old one before the old goes.
  let surged = false;
  const h2 = await eventually(async () => {
    const pods = (await c.kubectlJson(['get', 'pods', '-l', 'app=agent'])).items;
    const perNode = new Map<string, number>();
    for (const p of pods) perNode.set(p.spec.nodeName, (perNode.get(p.spec.nodeName) ?? 0) + 1);
    if ([...perNode.values()].some((n) => n > 1)) surged = true;
    const hs = pods.filter((p: any) => !p.metadata.deletionTimestamp).map((p: any) => p.metadata.labels['controller-revision-hash']);
    return hs.length === 3 && new Set(hs).size === 1 && hs[0] !== h1 && hs[0];
  }, 'agent at busybox:1.37', 90_000, 100);
  assert.ok(surged, 'a surge pod ran beside an old one');
  const history = await c.kubectl(['rollout', 'history', 'ds/agent']);
  assert.match(history, /^daemonset\.apps\/agent\s*\nREVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>\n/);
  assert.match(await c.kubectl(['rollout', 'history', 'ds/agent', '--revision=1']), /Image:\s+busybox:1\.36/);
  const revs = await c.kubectl(['get', 'controllerrevisions', '-l', 'app=agent']);
  assert.match(revs, new RegExp(`agent-${h1}\\s+daemonset\\.apps/agent\\s+1\\s`));
  assert.match(revs, new RegExp(`agent-${h2}\\s+daemonset\\.apps/agent\\s+2\\s`));

  assert.match(await c.kubectl(['rollout', 'undo', 'ds/agent']), /daemonset\.apps\/agent rolled back/);
  assert.equal(await settled('busybox:1.36'), h1);
  assert.match(await c.kubectl(['rollout', 'history', 'ds/agent']), /REVISION\s+CHANGE-CAUSE\n2\s+<none>\n3\s+<none>\n/);
  assert.match(await c.kubectl(['rollout', 'undo', 'ds/agent', '--to-revision=3']), /skipped rollback \(current template already matches revision 3\)/);
});
