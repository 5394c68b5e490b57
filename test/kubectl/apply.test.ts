// kubectl apply (client-side and --server-side), diff, create -f, replace, delete, edit.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startCluster, hasKubectl, GUESTBOOK, type Cluster } from './harness.ts';
import { eventually } from '../helpers/eventually.ts';

let c: Cluster;
const skip = !hasKubectl;
const DEP = '/apis/apps/v1/namespaces/default/deployments';

before(async () => {
  c = await startCluster();
});
after(async () => {
  await c?.close();
});

test('apply -f the guestbook creates everything; re-apply reports unchanged', { skip }, async () => {
  const out = await c.ok(['apply', '-f', GUESTBOOK]);
  for (const line of ['deployment.apps/frontend created', 'service/frontend created', 'deployment.apps/redis-leader created', 'service/redis-follower created']) assert.match(out, new RegExp(line.replace('.', '\\.')));
  const fe = await c.get(`${DEP}/frontend`);
  assert.equal(fe.spec.replicas, 3);
  assert.equal(fe.spec.template.spec.containers[0].image, 'docker.io/corelab/gb-frontend:v5');
  assert.ok(fe.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']);
  const again = await c.ok(['apply', '-f', GUESTBOOK]);
  assert.equal(again.trim().split('\n').filter((l) => !l.endsWith(' unchanged')).length, 0, again);
});

test('apply of a changed manifest sends a strategic merge patch and keeps server-side fields', { skip }, async () => {
  const manifest = readFileSync(`${GUESTBOOK}/frontend-deployment.yaml`, 'utf8').replace('replicas: 3', 'replicas: 5').replace('gb-frontend:v5', 'gb-frontend:v6');
  const before = await c.get(`${DEP}/frontend`);
  assert.match(await c.ok(['apply', '-f', '-'], { stdin: manifest }), /deployment\.apps\/frontend configured/);
  const fe = await c.get(`${DEP}/frontend`);
  assert.equal(fe.spec.replicas, 5);
  assert.equal(fe.spec.template.spec.containers[0].image, 'docker.io/corelab/gb-frontend:v6');
  assert.deepEqual(fe.spec.template.spec.containers[0].env, [{ name: 'GET_HOSTS_FROM', value: 'dns' }]);
  assert.equal(fe.metadata.uid, before.metadata.uid);
  assert.equal(fe.spec.strategy.type, 'RollingUpdate', 'defaults kept');
});

test('re-apply removes what the manifest dropped: $patch delete, $setElementOrder, $retainKeys, null labels', { skip }, async () => {
  const a = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
  labels: {a: "1", b: "2"}
spec:
  replicas: 2
  selector: {matchLabels: {app: app}}
  template:
    metadata: {labels: {app: app}}
    spec:
      containers:
      - name: one
        image: nginx
        env: [{name: VX, value: "1"}, {name: VY, value: "2"}]
        ports: [{containerPort: 80}, {containerPort: 81}]
      - name: two
        image: busybox
`;
  const b = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app
  labels: {a: "1"}
spec:
  replicas: 2
  strategy: {type: Recreate}
  selector: {matchLabels: {app: app}}
  template:
    metadata: {labels: {app: app}}
    spec:
      containers:
      - name: two
        image: busybox
      - name: one
        image: nginx
        env: [{name: VY, value: "2"}]
        ports: [{containerPort: 81}]
`;
  await c.ok(['apply', '-f', '-'], { stdin: a });
  assert.match(await c.ok(['apply', '-f', '-'], { stdin: b }), /deployment\.apps\/app configured/);
  const d = await c.get(`${DEP}/app`);
  assert.deepEqual(d.metadata.labels, { a: '1' });
  assert.deepEqual(d.spec.strategy, { type: 'Recreate' }, 'retainKeys dropped rollingUpdate');
  const ctrs = d.spec.template.spec.containers;
  assert.deepEqual(ctrs.map((x: any) => x.name), ['two', 'one']);
  assert.deepEqual(ctrs[1].env, [{ name: 'VY', value: '2' }]);
  assert.deepEqual(ctrs[1].ports.map((p: any) => p.containerPort), [81]);
});

test('apply with an unknown field is rejected by the server (fieldValidation=Strict) naming the field', { skip }, async () => {
  const bad = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bad\ndata:\n  a: "1"\nbogus: true\n';
  const r = await c.kubectl(['apply', '-f', '-'], { stdin: bad });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /unknown field "bogus"/);
  assert.equal(await c.get('/api/v1/namespaces/default/configmaps/bad'), undefined);
});

test('diff shows the change a manifest would make and exits 1; nothing is written', { skip }, async () => {
  const manifest = readFileSync(`${GUESTBOOK}/redis-leader-deployment.yaml`, 'utf8').replace('replicas: 1', 'replicas: 4');
  const r = await c.kubectl(['diff', '-f', '-'], { stdin: manifest });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /^-  replicas: 1$/m);
  assert.match(r.stdout, /^\+  replicas: 4$/m);
  assert.equal((await c.get(`${DEP}/redis-leader`)).spec.replicas, 1);
});

test('apply --server-side creates, records managedFields, reports conflicts, and --force-conflicts takes over', { skip }, async () => {
  const cm = (v: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\ndata:\n  key: "${v}"\n  other: x\n`;
  assert.match(await c.ok(['apply', '--server-side', '-f', '-'], { stdin: cm('1') }), /configmap\/ssa serverside-applied/);
  const stored = await c.get('/api/v1/namespaces/default/configmaps/ssa');
  assert.deepEqual(stored.data, { key: '1', other: 'x' });
  const mf = stored.metadata.managedFields.find((m: any) => m.manager === 'kubectl');
  assert.equal(mf.operation, 'Apply');
  assert.deepEqual(mf.fieldsV1, { 'f:data': { 'f:key': {}, 'f:other': {} } });
  // Another manager changes data.key.
  await c.ok(['patch', 'configmap', 'ssa', '--type=merge', '-p', '{"data":{"key":"2"}}']);
  const conflict = await c.kubectl(['apply', '--server-side', '-f', '-'], { stdin: cm('3') });
  assert.notEqual(conflict.code, 0);
  assert.match(conflict.stderr, /Apply failed with 1 conflict: conflict with "kubectl-patch" using v1: \.data\.key/);
  assert.equal((await c.get('/api/v1/namespaces/default/configmaps/ssa')).data.key, '2');
  await c.ok(['apply', '--server-side', '--force-conflicts', '-f', '-'], { stdin: cm('3') });
  assert.equal((await c.get('/api/v1/namespaces/default/configmaps/ssa')).data.key, '3');
  // Dropping a field from the applied config removes it.
  await c.ok(['apply', '--server-side', '-f', '-'], { stdin: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\ndata:\n  key: "3"\n' });
  assert.deepEqual((await c.get('/api/v1/namespaces/default/configmaps/ssa')).data, { key: '3' });
});

test('create -f creates, a second create is AlreadyExists', { skip }, async () => {
  const f = c.write('cm.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: created\ndata:\n  a: b\n');
  assert.match(await c.ok(['create', '-f', f]), /configmap\/created created/);
  const again = await c.kubectl(['create', '-f', f]);
  assert.notEqual(again.code, 0);
  assert.match(again.stderr, /Error from server \(AlreadyExists\).*configmaps "created" already exists/);
});

test('replace with a stale resourceVersion is a conflict; with the current one it succeeds', { skip }, async () => {
  const cur = await c.get('/api/v1/namespaces/default/configmaps/created');
  await c.ok(['patch', 'configmap', 'created', '--type=merge', '-p', '{"data":{"a":"changed"}}']);
  const stale = { ...cur, data: { a: 'stale' } };
  const r = await c.kubectl(['replace', '-f', '-'], { stdin: JSON.stringify(stale) });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /Error from server \(Conflict\).*Operation cannot be fulfilled on configmaps "created": the object has been modified; please apply your changes to the latest version and try again/);
  assert.equal((await c.get('/api/v1/namespaces/default/configmaps/created')).data.a, 'changed');
  const fresh = await c.get('/api/v1/namespaces/default/configmaps/created');
  fresh.data = { a: 'replaced' };
  assert.match(await c.ok(['replace', '-f', '-'], { stdin: JSON.stringify(fresh) }), /configmap\/created replaced/);
  assert.equal((await c.get('/api/v1/namespaces/default/configmaps/created')).data.a, 'replaced');
});

test('edit through KUBE_EDITOR changes the stored object', { skip }, async () => {
  const editor = c.write('editor.sh', '#!/bin/sh\nsed -i "s/a: replaced/a: edited/" "$1"\n');
  const r = await c.kubectl(['edit', 'configmap', 'created'], { env: { KUBE_EDITOR: `sh ${editor}` } });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /configmap\/created edited/);
  assert.equal((await c.get('/api/v1/namespaces/default/configmaps/created')).data.a, 'edited');
});

test('delete removes objects (--cascade=orphan and background); a missing object is NotFound', { skip }, async () => {
  assert.match(await c.ok(['delete', 'configmap', 'created']), /configmap "created" deleted/);
  assert.equal(await c.get('/api/v1/namespaces/default/configmaps/created'), undefined);
  assert.match(await c.ok(['delete', 'deployment', 'redis-follower', '--cascade=background']), /deployment\.apps "redis-follower" deleted/);
  await eventually(async () => (await c.get(`${DEP}/redis-follower`)) === undefined, 'deployment gone', 10_000);
  // Orphan: the server marks the object with the orphan finalizer (the garbage collector, not running
  // in this test, would finish the deletion), so kubectl must not wait for it.
  assert.match(await c.ok(['delete', 'deployment', 'redis-leader', '--cascade=orphan', '--wait=false']), /deployment\.apps "redis-leader" deleted/);
  const orphaned = await c.get(`${DEP}/redis-leader`);
  assert.ok(orphaned.metadata.deletionTimestamp);
  assert.deepEqual(orphaned.metadata.finalizers, ['orphan']);
  const missing = await c.kubectl(['delete', 'configmap', 'nope']);
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /Error from server \(NotFound\): configmaps "nope" not found/);
  assert.match(await c.ok(['delete', '-f', `${GUESTBOOK}/frontend-service.yaml`]), /service "frontend" deleted/);
});
