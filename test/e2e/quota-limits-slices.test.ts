// End to end on `kubesim up` with the real kubectl: a ResourceQuota refuses a pod with Kubernetes'
// exact message, a LimitRange's defaults appear on a created pod, and EndpointSlices follow
// readiness (a pod going not ready flips `ready` in its slice).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { hasKubectl, up, type UpCluster } from './harness.ts';
import { eventually } from '../helpers/eventually.ts';

const skip = !hasKubectl;
let c: UpCluster;

before(async () => {
  if (skip) return;
  c = await up(['--nodes', '1']);
});
after(async () => {
  await c?.close();
});

const fails = (p: Promise<string>) => p.then(
  (out) => assert.fail(`expected a failure, got ${out}`),
  (e: Error) => e.message,
);

test('kubectl: a quota rejection with the exact message; get quota prints REQUEST and LIMIT', { skip }, async () => {
  await c.kubectl(['create', 'namespace', 'quota']);
  await c.kubectl(['create', 'quota', 'q', '-n', 'quota', '--hard=pods=2,requests.cpu=1,limits.memory=1Gi']);
  await eventually(async () => (await c.kubectlJson(['get', 'quota', 'q', '-n', 'quota'])).status?.used?.pods === '0', 'quota counted by the controller', 60000, 200);
  const pod = (name: string) => `apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: quota}
spec:
  containers:
  - name: app
    image: nginx
    resources: {requests: {cpu: 100m}, limits: {memory: 64Mi}}
`;
  for (const n of ['a', 'b']) await c.kubectl(['apply', '-f', '-'], { stdin: pod(n) });
  const msg = await fails(c.kubectl(['apply', '-f', '-'], { stdin: pod('c') }));
  assert.match(msg, /Error from server \(Forbidden\): error when creating "STDIN": pods "c" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2/);
  const missing = await fails(c.kubectl(['run', 'bare', '-n', 'quota', '--image=nginx']));
  assert.match(missing, /pods "bare" is forbidden: failed quota: q: must specify limits\.memory for: bare; requests\.cpu for: bare/);
  const table = await c.kubectl(['get', 'quota', '-n', 'quota']);
  assert.match(table, /^NAME\s+AGE\s+REQUEST\s+LIMIT\n/);
  assert.match(table, /q\s+\S+\s+pods: 2\/2, requests\.cpu: 200m\/1\s+limits\.memory: 128Mi\/1Gi/);
  // Deleting a pod gives the quota back.
  await c.kubectl(['delete', 'pod', 'a', '-n', 'quota', '--grace-period=0', '--force']);
  await eventually(async () => (await c.kubectlJson(['get', 'quota', 'q', '-n', 'quota'])).status.used.pods === '1', 'quota released', 60000, 200);
  assert.match(await c.kubectl(['apply', '-f', '-'], { stdin: pod('c') }), /pod\/c created/);
});

test('kubectl: LimitRange defaults appear on a created pod', { skip }, async () => {
  await c.kubectl(['create', 'namespace', 'limits']);
  await c.kubectl(['apply', '-f', '-'], {
    stdin: `apiVersion: v1
kind: LimitRange
metadata: {name: defaults, namespace: limits}
spec:
  limits:
  - type: Container
    default: {cpu: 500m, memory: 256Mi}
    defaultRequest: {cpu: 250m}
    min: {cpu: 100m}
`,
  });
  assert.match(await c.kubectl(['get', 'limits', '-n', 'limits']), /^NAME\s+CREATED AT\ndefaults\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\n$/);
  await c.kubectl(['run', 'web', '-n', 'limits', '--image=nginx']);
  const p = await c.kubectlJson(['get', 'pod', 'web', '-n', 'limits']);
  assert.deepEqual(p.spec.containers[0].resources, { limits: { cpu: '500m', memory: '256Mi' }, requests: { cpu: '250m', memory: '256Mi' } });
  assert.equal(p.metadata.annotations['kubernetes.io/limit-ranger'], 'LimitRanger plugin set: cpu, memory request for container web; cpu, memory limit for container web');
  const low = await fails(c.kubectl(['run', 'low', '-n', 'limits', '--image=nginx', '--overrides={"spec":{"containers":[{"name":"low","image":"nginx","resources":{"requests":{"cpu":"50m"}}}]}}']));
  assert.match(low, /pods "low" is forbidden: minimum cpu usage per Container is 100m, but request is 50m/);
});

test('kubectl: EndpointSlices follow readiness', { skip }, async () => {
  await c.kubectl(['create', 'namespace', 'slices']);
  await c.kubectl(['apply', '-f', '-'], {
    stdin: `apiVersion: v1
kind: Service
metadata: {name: web, namespace: slices}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: http}]
---
apiVersion: v1
kind: Pod
metadata:
  name: web-0
  namespace: slices
  labels: {app: web}
  annotations: {kubesim.io/unready-after: 6s}
spec:
  containers:
  - name: web
    image: nginx
    ports: [{name: http, containerPort: 8080}]
`,
  });
  const endpoint = async () => {
    const items = (await c.kubectlJson(['get', 'endpointslices', '-n', 'slices', '-l', 'kubernetes.io/service-name=web'])).items;
    return items.flatMap((s: any) => (s.endpoints ?? []).map((e: any) => ({ ...e, ports: s.ports, slice: s })))[0];
  };
  const ready = await eventually(async () => {
    const e = await endpoint();
    return e?.conditions?.ready === true && e;
  }, 'the pod ready in its slice', 60000, 200);
  assert.deepEqual(ready.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
  assert.equal(ready.slice.metadata.labels['endpointslice.kubernetes.io/managed-by'], 'endpointslice-controller.k8s.io');
  assert.match(ready.slice.metadata.name, /^web-[a-z0-9]{5}$/);
  const table = await c.kubectl(['get', 'endpointslices', '-n', 'slices']);
  assert.match(table, /^NAME\s+ADDRESSTYPE\s+PORTS\s+ENDPOINTS\s+AGE\n/);
  assert.match(table, new RegExp(`${ready.slice.metadata.name}\\s+IPv4\\s+8080\\s+${ready.addresses[0].replace(/\./g, '\\.')}\\s`));
  await eventually(async () => (await endpoint())?.conditions?.ready === false, 'ready flipped to false when the pod went not ready', 30_000, 200);
  const e = await endpoint();
  assert.deepEqual(e.conditions, { ready: false, serving: false, terminating: false });
  // The API server's own slice for default/kubernetes.
  assert.match(await c.kubectl(['get', 'endpointslice', 'kubernetes', '-n', 'default']), /kubernetes\s+IPv4\s+\d+\s+127\.0\.0\.1\s/);
});
