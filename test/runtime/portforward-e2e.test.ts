// Real kubectl port-forward to real programs (src/node/portforward/): `pod/P`, `svc/NAME` and
// `deploy/NAME` (kubectl picks the pod and maps the Service port to the container port itself), two
// concurrent connections through one forward, a clean stop; a connection refused on the pod's port
// and a pod of simulated containers without ports answer as the kubelet would.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { kubeconfigYaml } from '../../src/apiserver/index.ts';
import { eventually, getPod, nodePod, PODS, runtimeCluster } from './helpers.ts';

const skip = !existsSync('/usr/bin/kubectl');
let c: Awaited<ReturnType<typeof runtimeCluster>>;
let dir: string;

const ECHO = `require('http').createServer((q, s) => { if (q.url === '/big') return s.end(Buffer.alloc(24 << 20, 97)); let b = ''; q.on('data', (d) => (b += d)); q.on('end', () => setTimeout(() => s.end(process.env.POD + ' ' + q.method + ' ' + q.url + ' ' + b), 100)); }).listen(8080)`;

before(async () => {
  if (skip) return;
  c = await runtimeCluster();
  dir = mkdtempSync(path.join(os.tmpdir(), 'kubesim-pf-'));
  writeFileSync(path.join(dir, 'kubeconfig'), kubeconfigYaml(c.api.url));
  const pod = nodePod('pf', ECHO, {}, { ports: [{ name: 'http', containerPort: 8080 }], env: [{ name: 'POD', value: 'pf' }], readinessProbe: { httpGet: { path: '/', port: 'http' }, periodSeconds: 1 } });
  pod.metadata.labels = { app: 'pf' };
  await c.client.resource(PODS).create(pod);
  await c.client.resource({ group: '', version: 'v1', plural: 'services', namespaced: true }).create({
    apiVersion: 'v1', kind: 'Service', metadata: { name: 'pf', namespace: 'default' },
    spec: { selector: { app: 'pf' }, ports: [{ name: 'web', port: 80, targetPort: 'http' }] },
  });
  await c.client.resource({ group: 'apps', version: 'v1', plural: 'deployments', namespaced: true }).create({
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'pf', namespace: 'default' },
    spec: { replicas: 1, selector: { matchLabels: { app: 'pf' } }, template: { metadata: { labels: { app: 'pf' } }, spec: { containers: [{ name: 'app', image: 'node:20' }] } } },
  });
  // Ready: the program listens.
  await eventually(async () => ((await getPod(c.client, 'pf')).status?.conditions?.some((x: any) => x.type === 'Ready' && x.status === 'True') ? true : undefined), 'pf ready', 20_000);
});

after(async () => {
  if (skip) return;
  await c.close();
  rmSync(dir, { recursive: true, force: true });
});

/** kubectl port-forward started; resolves with the local port once it prints "Forwarding from". */
function portForward(args: string[], env: Record<string, string> = {}): Promise<{ child: ChildProcess; port: number; out: () => string }> {
  const child = spawn('/usr/bin/kubectl', ['--kubeconfig', path.join(dir, 'kubeconfig'), 'port-forward', ...args], { env: { ...process.env, HOME: dir, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`port-forward did not start: ${out}`));
    }, 20_000);
    child.stdout!.on('data', () => {
      const m = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, port: Number(m[1]), out: () => out });
      }
    });
    child.on('close', () => {
      clearTimeout(timer);
      reject(new Error(`port-forward exited: ${out}`));
    });
  });
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve(code ?? (signal ? -1 : null));
    });
    child.kill('SIGINT');
  });
}

/** One request on its own connection (no keep-alive agent), as curl would make it. */
function request(port: number, p: string, body = ''): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: p, method: body ? 'POST' : 'GET', agent: false }, (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function kubectl(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile('/usr/bin/kubectl', ['--kubeconfig', path.join(dir, 'kubeconfig'), ...args], { env: { ...process.env, HOME: dir }, timeout: 30_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? 1 : 0, stdout: String(stdout), stderr: String(stderr) }),
    ),
  );
}

test('kubectl port-forward pod/P: two concurrent connections through one forward, then a clean stop', { skip }, async () => {
  const pf = await portForward(['pod/pf', ':8080']);
  try {
    const [a, b] = await Promise.all([request(pf.port, '/one'), request(pf.port, '/two', 'x'.repeat(200_000))]);
    assert.equal(a.text, 'pf GET /one ');
    assert.equal(b.text, `pf POST /two ${'x'.repeat(200_000)}`);
    // A 24 MiB answer (the pod socket pauses while the transport is behind, then resumes).
    const big = await request(pf.port, '/big');
    assert.equal(big.text.length, 24 << 20);
    // Later connections keep working on the same session.
    assert.equal((await request(pf.port, '/three')).text, 'pf GET /three ');
    assert.match(pf.out(), /Handling connection for \d+/);
  } catch (e) {
    throw new Error(`${e}\nkubectl: ${pf.out()}`);
  } finally {
    await stop(pf.child);
  }
});

test('kubectl port-forward svc/NAME and deploy/NAME reach the pod behind them', { skip }, async () => {
  const svc = await portForward(['svc/pf', ':80']);
  try {
    assert.match(svc.out(), /-> 8080/); // the Service's port 80 mapped to targetPort http = 8080
    assert.equal((await request(svc.port, '/svc')).text, 'pf GET /svc ');
  } finally {
    await stop(svc.child);
  }
  const deploy = await portForward(['deploy/pf', ':8080']);
  try {
    assert.equal((await request(deploy.port, '/deploy')).text, 'pf GET /deploy ');
  } finally {
    await stop(deploy.child);
  }
});

test('kubectl port-forward over SPDY/3.1 (KUBECTL_PORT_FORWARD_WEBSOCKETS=false: what older kubectl speaks)', { skip }, async () => {
  const pf = await portForward(['pod/pf', ':8080', '-v=6'], { KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false' });
  try {
    const [a, b] = await Promise.all([request(pf.port, '/a'), request(pf.port, '/b')]);
    assert.deepEqual([a.text, b.text], ['pf GET /a ', 'pf GET /b ']);
    assert.match(pf.out(), /POST http:\/\/[^ ]+\/portforward 101/);
    assert.doesNotMatch(pf.out(), /tunneling_dialer/);
  } finally {
    await stop(pf.child);
  }
});

test('kubectl port-forward to a port nothing listens on: the kubelet error, the forward ends', { skip }, async () => {
  const pf = await portForward(['pod/pf', ':9999']);
  await assert.rejects(request(pf.port, '/'));
  await eventually(() => (/error forwarding port 9999 to pod pf, uid [-0-9a-f]+: .*connection refused/.test(pf.out()) ? true : undefined), 'the error on stderr', 15_000);
  await stop(pf.child);
});

test('kubectl port-forward to a pod of simulated containers without ports: a clear Status', { skip }, async () => {
  await c.client.resource(PODS).create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'sim', namespace: 'default' }, spec: { nodeName: 'node-0', containers: [{ name: 'app', image: 'nginx' }] } });
  await eventually(async () => ((await getPod(c.client, 'sim')).status?.phase === 'Running' ? true : undefined), 'sim running');
  const r = await kubectl('port-forward', 'pod/sim', ':80');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /port-forward is not supported by kubesim for simulated containers: pod sim runs no process/);
});
