// End to end on `kubesim up` with the real kubectl: the default StorageClass, a StatefulSet-style pod
// whose claim (from the default WaitForFirstConsumer class) is provisioned on the pod's node and
// Bound before the pod runs, expansion, reclaim Delete and Retain, static volumes (smallest fit),
// and bad input for every storage kind refused with the field named and nothing written.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { hasKubectl, up, type UpCluster } from './harness.ts';
import { eventually } from '../helpers/eventually.ts';

const skip = !hasKubectl;
let c: UpCluster;

before(async () => {
  if (skip) return;
  c = await up(['--nodes', '2']);
});
after(async () => {
  await c?.close();
});

const claimYaml = (name: string, extra = '', size = '1Gi') => `apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: ${name}
spec:
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: ${size}
${extra}`;

test('the default class standard is listed as kubectl prints it', { skip }, async () => {
  const out = await c.kubectl(['get', 'sc']);
  const [head, row] = out.trim().split('\n');
  assert.match(head, /^NAME\s+PROVISIONER\s+RECLAIMPOLICY\s+VOLUMEBINDINGMODE\s+ALLOWVOLUMEEXPANSION\s+AGE$/);
  assert.match(row, /^standard \(default\)\s+kubesim\.io\/simulated\s+Delete\s+WaitForFirstConsumer\s+true\s+\S+$/);
});

test('a StatefulSet-style pod with a claim from the default class runs only once its claim is Bound', { skip }, async () => {
  await c.kubectl(['apply', '-f', '-'], { stdin: claimYaml('www-web-0') });
  const pending = await c.kubectlJson(['get', 'pvc', 'www-web-0']);
  assert.equal(pending.spec.storageClassName, 'standard', 'DefaultStorageClass admission');
  assert.deepEqual(pending.metadata.finalizers, ['kubernetes.io/pvc-protection']);
  await eventually(async () => (await c.kubectl(['get', 'events', '--field-selector', 'involvedObject.name=www-web-0'])).includes('WaitForFirstConsumer'), 'the WaitForFirstConsumer event', 60000, 200);
  assert.equal((await c.kubectlJson(['get', 'pvc', 'www-web-0'])).status.phase, 'Pending');

  await c.kubectl(['apply', '-f', '-'], {
    stdin: `apiVersion: v1
kind: Pod
metadata:
  name: web-0
  labels: {app: web}
spec:
  containers:
  - name: nginx
    image: nginx:1.25
    volumeMounts: [{name: www, mountPath: /usr/share/nginx/html}]
  volumes:
  - name: www
    persistentVolumeClaim: {claimName: www-web-0}
`,
  });
  // Watch both: the pod is never Running (nor even bound to a node) while its claim is not Bound.
  const seen: string[] = [];
  const pod = await eventually(async () => {
    const [p, pvc] = await Promise.all([c.kubectlJson(['get', 'pod', 'web-0']), c.kubectlJson(['get', 'pvc', 'www-web-0'])]);
    seen.push(`${p.spec.nodeName ?? '-'}/${p.status.phase}/${pvc.status.phase}`);
    if ((p.spec.nodeName || p.status.phase === 'Running') && pvc.status.phase !== 'Bound') throw new Error(`pod went ahead of its claim: ${seen.join(' ')}`);
    return p.status.phase === 'Running' && p;
  }, 'web-0 Running', 60_000, 100);
  const pvc = await c.kubectlJson(['get', 'pvc', 'www-web-0']);
  assert.equal(pvc.metadata.annotations['volume.kubernetes.io/selected-node'], pod.spec.nodeName);
  assert.equal(pvc.spec.volumeName, `pvc-${pvc.metadata.uid}`);
  const pv = await c.kubectlJson(['get', 'pv', pvc.spec.volumeName]);
  assert.deepEqual(pv.spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].values, [pod.spec.nodeName]);
  assert.equal(pv.status.phase, 'Bound');
  assert.equal(pv.spec.persistentVolumeReclaimPolicy, 'Delete');

  const pvTable = (await c.kubectl(['get', 'pv'])).trim().split('\n');
  assert.match(pvTable[0], /^NAME\s+CAPACITY\s+ACCESS MODES\s+RECLAIM POLICY\s+STATUS\s+CLAIM\s+STORAGECLASS\s+VOLUMEATTRIBUTESCLASS\s+REASON\s+AGE$/);
  assert.match(pvTable.find((l) => l.startsWith(pv.metadata.name))!, /\s1Gi\s+RWO\s+Delete\s+Bound\s+default\/www-web-0\s+standard\s+<unset>\s+\S+$/);
  const pvcTable = (await c.kubectl(['get', 'pvc'])).trim().split('\n');
  assert.match(pvcTable[0], /^NAME\s+STATUS\s+VOLUME\s+CAPACITY\s+ACCESS MODES\s+STORAGECLASS\s+VOLUMEATTRIBUTESCLASS\s+AGE$/);
  const events = await c.kubectl(['get', 'events', '--field-selector', 'involvedObject.name=www-web-0']);
  for (const reason of ['WaitForFirstConsumer', 'ExternalProvisioning', 'Provisioning', 'ProvisioningSucceeded']) assert.ok(events.includes(reason), `event ${reason}: ${events}`);

  // Expansion (the default class allows it): the volume and the claim's capacity follow the request.
  await c.kubectl(['patch', 'pvc', 'www-web-0', '-p', '{"spec":{"resources":{"requests":{"storage":"2Gi"}}}}']);
  await eventually(async () => (await c.kubectlJson(['get', 'pvc', 'www-web-0'])).status.capacity.storage === '2Gi', 'claim capacity 2Gi', 60000, 200);
  assert.equal((await c.kubectlJson(['get', 'pv', pv.metadata.name])).spec.capacity.storage, '2Gi');
  // Other spec changes are refused as Kubernetes refuses them.
  await assert.rejects(c.kubectl(['patch', 'pvc', 'www-web-0', '-p', '{"spec":{"accessModes":["ReadWriteMany"]}}']), /spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims/);

  // Reclaim Delete: the claim goes (once no pod uses it), then its volume.
  await c.kubectl(['delete', 'pvc', 'www-web-0', '--wait=false']);
  assert.equal((await c.kubectlJson(['get', 'pvc', 'www-web-0'])).status.phase, 'Bound', 'held by pvc-protection while web-0 uses it');
  await c.kubectl(['delete', 'pod', 'web-0']);
  await eventually(async () => !(await c.kubectl(['get', 'pv', '-o', 'name'])).includes(pv.metadata.name), 'the provisioned volume deleted', 60000, 200);
});

test('Immediate binding with Retain: Bound without a pod, Released when the claim goes', { skip }, async () => {
  await c.kubectl(['apply', '-f', '-'], {
    stdin: `apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: fast}
provisioner: example.com/fast
reclaimPolicy: Retain
volumeBindingMode: Immediate
`,
  });
  await c.kubectl(['apply', '-f', '-'], { stdin: claimYaml('logs', '  storageClassName: fast\n') });
  const pvc = await eventually(async () => {
    const x = await c.kubectlJson(['get', 'pvc', 'logs']);
    return x.status.phase === 'Bound' && x;
  }, 'logs Bound', 60000, 200);
  assert.equal(pvc.status.capacity.storage, '1Gi');
  assert.deepEqual(pvc.status.accessModes, ['ReadWriteOnce']);
  await c.kubectl(['delete', 'pvc', 'logs']);
  await eventually(async () => (await c.kubectlJson(['get', 'pv', pvc.spec.volumeName])).status.phase === 'Released', 'volume Released', 60000, 200);
  // Growing a claim of a class without allowVolumeExpansion is forbidden by admission.
  await c.kubectl(['apply', '-f', '-'], { stdin: claimYaml('logs2', '  storageClassName: fast\n') });
  await eventually(async () => (await c.kubectlJson(['get', 'pvc', 'logs2'])).status.phase === 'Bound', 'logs2 Bound', 60000, 200);
  await assert.rejects(c.kubectl(['patch', 'pvc', 'logs2', '-p', '{"spec":{"resources":{"requests":{"storage":"5Gi"}}}}']), /only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize/);
});

test('static volumes: a claim without a class binds the smallest fitting volume', { skip }, async () => {
  const pvYaml = (name: string, size: string) => `apiVersion: v1
kind: PersistentVolume
metadata: {name: ${name}}
spec:
  capacity: {storage: ${size}}
  accessModes: [ReadWriteOnce]
  storageClassName: ""
  hostPath: {path: /data/${name}}
`;
  await c.kubectl(['apply', '-f', '-'], { stdin: `${pvYaml('big', '10Gi')}---\n${pvYaml('small', '2Gi')}` });
  await eventually(async () => (await c.kubectlJson(['get', 'pv', 'small'])).status.phase === 'Available', 'small Available', 60000, 200);
  await c.kubectl(['apply', '-f', '-'], { stdin: claimYaml('manual', '  storageClassName: ""\n') });
  const pvc = await eventually(async () => {
    const x = await c.kubectlJson(['get', 'pvc', 'manual']);
    return x.status.phase === 'Bound' && x;
  }, 'manual Bound', 60000, 200);
  assert.equal(pvc.spec.volumeName, 'small');
  assert.equal(pvc.status.capacity.storage, '2Gi');
  assert.equal((await c.kubectlJson(['get', 'pv', 'big'])).status.phase, 'Available');
});

test('bad input for every storage kind: 4xx naming the field, nothing written', { skip }, async () => {
  const cases: { kind: string; resource: string; name: string; yaml: string; want: RegExp }[] = [
    { kind: 'PersistentVolume', resource: 'pv', name: 'bad-pv', yaml: 'apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: bad-pv}\nspec:\n  accessModes: [ReadWriteOnce]\n  hostPath: {path: /x}\n', want: /spec\.capacity: Required value/ },
    { kind: 'PersistentVolumeClaim', resource: 'pvc', name: 'bad-pvc', yaml: 'apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: bad-pvc}\nspec:\n  resources: {requests: {storage: 1Gi}}\n', want: /spec\.accessModes: Required value: at least 1 access mode is required/ },
    { kind: 'StorageClass', resource: 'sc', name: 'bad-sc', yaml: 'apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: bad-sc}\nvolumeBindingMode: Sometimes\nprovisioner: x.io/y\n', want: /volumeBindingMode: Unsupported value: "Sometimes"/ },
    { kind: 'CSIDriver', resource: 'csidriver', name: 'bad.csi.io', yaml: 'apiVersion: storage.k8s.io/v1\nkind: CSIDriver\nmetadata: {name: bad.csi.io}\nspec: {fsGroupPolicy: Maybe}\n', want: /spec\.fsGroupPolicy: Unsupported value: "Maybe"/ },
    { kind: 'CSINode', resource: 'csinode', name: 'bad-node', yaml: 'apiVersion: storage.k8s.io/v1\nkind: CSINode\nmetadata: {name: bad-node}\nspec:\n  drivers: [{name: x.csi.io}]\n', want: /spec\.drivers\[0\]\.nodeID: Required value/ },
    { kind: 'VolumeAttachment', resource: 'volumeattachment', name: 'bad-va', yaml: 'apiVersion: storage.k8s.io/v1\nkind: VolumeAttachment\nmetadata: {name: bad-va}\nspec: {attacher: x.csi.io, nodeName: n1, source: {}}\n', want: /spec\.source: Required value: must specify exactly one of inlineVolumeSpec and persistentVolumeName/ },
  ];
  for (const x of cases) {
    await assert.rejects(c.kubectl(['create', '-f', '-'], { stdin: x.yaml }), (e: Error) => {
      assert.match(e.message, x.want, x.kind);
      assert.match(e.message, new RegExp(`${x.kind} "${x.name.replace(/\./g, '\\.')}" is invalid`), x.kind);
      return true;
    });
    await assert.rejects(c.kubectl(['get', x.resource, x.name]), /NotFound|not found/, `${x.kind} not written`);
  }
});
