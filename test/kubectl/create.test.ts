// Imperative commands whose bodies kubectl sends as protobuf (create deployment|namespace|configmap|
// secret|service|job|serviceaccount, autoscale, auth can-i) or JSON (run, expose): the stored
// objects must equal what the JSON path would store.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, hasKubectl, type Cluster } from './harness.ts';

let c: Cluster;
const skip = !hasKubectl;

before(async () => {
  c = await startCluster();
});
after(async () => {
  await c?.close();
});

test('create namespace (protobuf)', { skip }, async () => {
  assert.match(await c.ok(['create', 'namespace', 'team-a']), /namespace\/team-a created/);
  const ns = await c.get('/api/v1/namespaces/team-a');
  assert.equal(ns.metadata.name, 'team-a');
  assert.equal(ns.status.phase, 'Active');
});

test('create deployment (protobuf) stores replicas, selector, template and defaults', { skip }, async () => {
  assert.match(await c.ok(['create', 'deployment', 'web', '--image=nginx:1.25', '--replicas=3', '--port=80']), /deployment\.apps\/web created/);
  const d = await c.get('/apis/apps/v1/namespaces/default/deployments/web');
  assert.equal(d.spec.replicas, 3);
  assert.deepEqual(d.spec.selector, { matchLabels: { app: 'web' } });
  assert.deepEqual(d.spec.template.metadata.labels, { app: 'web' });
  const [ctr] = d.spec.template.spec.containers;
  assert.equal(ctr.name, 'nginx');
  assert.equal(ctr.image, 'nginx:1.25');
  assert.deepEqual(ctr.ports, [{ containerPort: 80, protocol: 'TCP' }]);
  assert.equal(d.spec.strategy.type, 'RollingUpdate');
  const zero = await c.ok(['create', 'deployment', 'idle', '--image=nginx', '--replicas=0']);
  assert.match(zero, /created/);
  assert.equal((await c.get('/apis/apps/v1/namespaces/default/deployments/idle')).spec.replicas, 0, 'an explicit 0 survives protobuf');
});

test('create configmap and secret (protobuf; secret data stays base64)', { skip }, async () => {
  await c.ok(['create', 'configmap', 'cfg', '--from-literal=a=1', '--from-literal=b=two words']);
  assert.deepEqual((await c.get('/api/v1/namespaces/default/configmaps/cfg')).data, { a: '1', b: 'two words' });
  await c.ok(['create', 'secret', 'generic', 'sec', '--from-literal=password=s3cr3t']);
  const s = await c.get('/api/v1/namespaces/default/secrets/sec');
  assert.equal(s.type, 'Opaque');
  assert.equal(Buffer.from(s.data.password, 'base64').toString(), 's3cr3t');
});

test('create service clusterip and nodeport (protobuf; targetPort int-or-string)', { skip }, async () => {
  await c.ok(['create', 'service', 'clusterip', 'svc', '--tcp=80:8080']);
  const svc = await c.get('/api/v1/namespaces/default/services/svc');
  assert.equal(svc.spec.type, 'ClusterIP');
  assert.deepEqual(svc.spec.ports[0], { ...svc.spec.ports[0], name: '80-8080', port: 80, targetPort: 8080, protocol: 'TCP' });
  assert.deepEqual(svc.spec.selector, { app: 'svc' });
  await c.ok(['create', 'service', 'nodeport', 'np', '--tcp=443:https']);
  const np = await c.get('/api/v1/namespaces/default/services/np');
  assert.equal(np.spec.type, 'NodePort');
  assert.equal(np.spec.ports[0].targetPort, 'https');
});

test('create job, cronjob-less job and serviceaccount (protobuf)', { skip }, async () => {
  await c.ok(['create', 'job', 'once', '--image=busybox', '--', 'echo', 'hi']);
  const j = await c.get('/apis/batch/v1/namespaces/default/jobs/once');
  assert.deepEqual(j.spec.template.spec.containers[0].command, ['echo', 'hi']);
  assert.equal(j.spec.template.spec.restartPolicy, 'Never');
  await c.ok(['create', 'serviceaccount', 'robot']);
  assert.equal((await c.get('/api/v1/namespaces/default/serviceaccounts/robot')).metadata.name, 'robot');
});

test('run (JSON) creates a pod with labels, env, port and args', { skip }, async () => {
  assert.match(await c.ok(['run', 'box', '--image=busybox', '--labels=app=box', '--env=A=1', '--port=8080', '--', 'sleep', '100']), /pod\/box created/);
  const p = await c.get('/api/v1/namespaces/default/pods/box');
  assert.deepEqual(p.metadata.labels, { app: 'box' });
  const [ctr] = p.spec.containers;
  assert.deepEqual(ctr.args, ['sleep', '100']);
  assert.deepEqual(ctr.env, [{ name: 'A', value: '1' }]);
  assert.equal(ctr.ports[0].containerPort, 8080);
  assert.equal(p.status.phase, 'Pending');
});

test('expose a deployment as a service selecting its pods', { skip }, async () => {
  assert.match(await c.ok(['expose', 'deployment', 'web', '--port=80', '--target-port=8080', '--name=web-svc']), /service\/web-svc exposed/);
  const s = await c.get('/api/v1/namespaces/default/services/web-svc');
  assert.deepEqual(s.spec.selector, { app: 'web' });
  assert.equal(s.spec.ports[0].port, 80);
  assert.equal(s.spec.ports[0].targetPort, 8080);
});

test('autoscale sends an autoscaling/v1 HorizontalPodAutoscaler (protobuf), stored and served as v2 too', { skip }, async () => {
  assert.match(await c.ok(['autoscale', 'deployment', 'web', '--min=2', '--max=5', '--cpu-percent=80']), /horizontalpodautoscaler\.autoscaling\/web autoscaled/);
  const h = await c.get('/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers/web');
  assert.equal(h.spec.minReplicas, 2);
  assert.equal(h.spec.maxReplicas, 5);
  assert.equal(h.spec.metrics[0].resource.target.averageUtilization, 80);
  const v1 = await c.get('/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers/web');
  assert.equal(v1.spec.targetCPUUtilizationPercentage, 80);
  assert.match(await c.ok(["get", "hpa", "web"]), /web\s+Deployment\/web\s+cpu: <unknown>\/80%\s+2\s+5\s+0/);
});

test('auth can-i answers yes (SelfSubjectAccessReview, protobuf)', { skip }, async () => {
  const r = await c.kubectl(['auth', 'can-i', 'create', 'pods']);
  assert.equal(r.stdout.trim(), 'yes');
  assert.equal(r.code, 0);
  const ns = await c.kubectl(['auth', 'can-i', 'delete', 'deployments', '-n', 'kube-system']);
  assert.equal(ns.stdout.trim(), 'yes');
});

test('auth can-i --list and auth whoami (SelfSubjectRulesReview, SelfSubjectReview; protobuf)', { skip }, async () => {
  const list = await c.ok(['auth', 'can-i', '--list']);
  assert.match(list, /^\*\.\*\s+\[\]\s+\[\]\s+\[\*\]$/m);
  const who = await c.ok(['auth', 'whoami']);
  assert.match(who, /Username\s+\S+/);
});

test('a protobuf body of a kind kubesim cannot decode is 415 and nothing is written', async () => {
  const { encodeProtobuf } = await import('../../src/apiserver/protobuf/index.ts');
  const body = encodeProtobuf({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } });
  const odd = Buffer.from(body.toString('latin1').replace('ConfigMap', 'WidgetMap'), 'latin1');
  const r = await c.http('POST', '/api/v1/namespaces/default/configmaps', odd, { 'content-type': 'application/vnd.kubernetes.protobuf' });
  assert.equal(r.status, 415);
  assert.equal(r.json.kind, 'Status');
  assert.equal(await c.get('/api/v1/namespaces/default/configmaps/x'), undefined);
  const ok = await c.http('POST', '/api/v1/namespaces/default/configmaps', body, { 'content-type': 'application/vnd.kubernetes.protobuf' });
  assert.equal(ok.status, 201, ok.text);
});
