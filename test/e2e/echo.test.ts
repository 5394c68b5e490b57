// Issue 16's e2e, first part: an echo server Deployment of 3 real Node.js pods behind a Service
// (`kubesim up`, real kubectl). Requests through the API server's service proxy are answered by all
// three (counted by the pod names in the answers); after `kubectl scale --replicas=1` by one only.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { up, hasKubectl, type UpCluster } from './harness.ts';
import { eventually } from '../helpers/eventually.ts';

const skip = !hasKubectl;
let c: UpCluster;

before(async () => {
  if (!skip) c = await up(['--nodes', '2']);
});
after(async () => {
  await c?.close();
});

const PROGRAM = `require('http').createServer((q, s) => s.end(process.env.POD_NAME + ' ' + q.url + '\\n')).listen(8080)`;
const MANIFEST = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: echo}
spec:
  replicas: 3
  selector: {matchLabels: {app: echo}}
  template:
    metadata: {labels: {app: echo}}
    spec:
      containers:
      - name: echo
        image: node
        command: ${JSON.stringify(['node', '-e', PROGRAM])}
        ports: [{name: http, containerPort: 8080}]
        env: [{name: POD_NAME, valueFrom: {fieldRef: {fieldPath: metadata.name}}}]
        readinessProbe: {httpGet: {path: /, port: http}, periodSeconds: 1}
---
apiVersion: v1
kind: Service
metadata: {name: echo}
spec:
  selector: {app: echo}
  ports: [{name: web, port: 80, targetPort: http}]
`;

const PROXY = '/api/v1/namespaces/default/services/echo:80/proxy';

async function answers(n: number): Promise<Map<string, number>> {
  const seen = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const r = await c.client.raw({ path: `${PROXY}/req/${i}` });
    let text = '';
    for await (const chunk of r.body) text += chunk;
    assert.equal(r.status, 200, text);
    const [pod, url] = text.trim().split(' ');
    assert.equal(url, `/req/${i}`);
    seen.set(pod, (seen.get(pod) ?? 0) + 1);
  }
  return seen;
}

async function readyEndpoints(): Promise<number> {
  const ep = await c.kubectlJson(['get', 'endpoints', 'echo']);
  return (ep.subsets ?? []).reduce((a: number, s: any) => a + (s.addresses?.length ?? 0), 0);
}

test('300 requests through the service proxy reach all three pods; scaled to one, only it answers', { skip, timeout: 240_000 }, async () => {
  await c.kubectl(['apply', '-f', '-'], { stdin: MANIFEST });
  try {
    await eventually(async () => (await readyEndpoints()) === 3, 'three ready endpoints', 90_000, 500);
  } catch (err) {
    const state = await c.kubectl(['get', 'pods,endpoints', '-o', 'wide']).catch((e) => String(e));
    const pod = await c.kubectl(['get', 'pods', '-o', 'yaml']).catch((e) => String(e));
    throw new Error(`${err}\n${state}\n${pod.slice(0, 4000)}`);
  }
  const pods = (await c.kubectlJson(['get', 'pods', '-l', 'app=echo'])).items.map((p: any) => p.metadata.name).sort();
  assert.equal(pods.length, 3);

  const seen = await answers(300);
  assert.deepEqual([...seen.keys()].sort(), pods, `answered by ${JSON.stringify([...seen])}`);
  for (const [pod, n] of seen) assert.ok(n >= 30, `${pod} answered only ${n} of 300`);

  // The same path as kubectl uses it, and the pod proxy by port name.
  const raw = await c.kubectl(['get', '--raw', `${PROXY}/via-kubectl`]);
  assert.match(raw, /^echo-\S+ \/via-kubectl\n$/);
  const direct = await c.kubectl(['get', '--raw', `/api/v1/namespaces/default/pods/${pods[0]}:http/proxy/direct`]);
  assert.equal(direct, `${pods[0]} /direct\n`);

  // kubectl exec (WebSocket v5.channel.k8s.io) runs beside the program, in its env; exit codes carry over.
  const out = await c.kubectl(['exec', pods[0], '--', 'node', '-e', 'console.log(process.env.POD_NAME); console.error("to stderr")']);
  assert.equal(out, `${pods[0]}\n`);
  const echoed = await c.kubectl(['exec', '-i', pods[0], '--', 'node', '-e', 'process.stdin.pipe(process.stdout)'], { stdin: 'through stdin\n' });
  assert.equal(echoed, 'through stdin\n');
  await assert.rejects(c.kubectl(['exec', pods[0], '--', 'node', '-e', 'process.exit(3)']), /command terminated with exit code 3/);
  await c.kubectl(['run', 'sim', '--image=nginx', '--port=80']);
  await eventually(async () => (await c.kubectlJson(['get', 'pod', 'sim'])).status?.phase === 'Running', 'sim Running', 30_000, 300);
  await assert.rejects(c.kubectl(['exec', 'sim', '--', 'ls']), /simulated containers/);

  await c.kubectl(['scale', 'deployment/echo', '--replicas=1']);
  await eventually(async () => (await c.kubectlJson(['get', 'pods', '-l', 'app=echo'])).items.length === 1 && (await readyEndpoints()) === 1, 'one pod left', 60_000, 500);
  const after = await answers(30);
  assert.equal(after.size, 1, JSON.stringify([...after]));
});
