// kubectl logs through the API server's proxy to a (fake) kubelet, exec and port-forward relayed to it
// and refused quickly with a clear message instead of hanging.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startCluster, hasKubectl, type Cluster } from './harness.ts';

let c: Cluster;
let kubelet: http.Server;
const skip = !hasKubectl;
const seen: string[] = [];

before(async () => {
  c = await startCluster();
  // The fake kubelet answers /containerLogs/<ns>/<pod>/<container>?... like the node agent does.
  kubelet = http.createServer((req, res) => {
    seen.push(req.url!);
    const u = new URL(req.url!, 'http://x');
    const [, , ns, pod, container] = u.pathname.split('/');
    let lines = [1, 2, 3].map((i) => `${ns}/${pod}/${container} line ${i}`);
    if (u.searchParams.get('previous') === 'true') lines = ['previous instance'];
    const tail = u.searchParams.get('tailLines');
    if (tail) lines = lines.slice(-Number(tail));
    if (u.searchParams.get('timestamps') === 'true') lines = lines.map((l) => `2024-01-01T00:00:00.000000000Z ${l}`);
    res.writeHead(200, { 'content-type': 'text/plain' });
    if (u.searchParams.get('follow') === 'true') {
      // Streams, then ends (the container "exits"), so `logs -f` returns.
      let i = 0;
      const t = setInterval(() => {
        if (i < lines.length) res.write(lines[i++] + '\n');
        else {
          clearInterval(t);
          res.end();
        }
      }, 20);
      return;
    }
    res.end(lines.map((l) => l + '\n').join(''));
  });
  // exec is relayed to the kubelet as an upgrade; the node agent refuses it for a simulated container
  // with a Status before upgrading (src/node/exec.ts), and so does this fake; port-forward likewise
  // for a pod of simulated containers without ports (src/node/portforward/).
  kubelet.on('upgrade', (req, socket) => {
    seen.push(req.url!);
    const message = req.url!.includes('/portforward/')
      ? 'port-forward is not supported by kubesim for simulated containers: pod app runs no process and declares no containerPort to answer on'
      : 'exec is not supported by kubesim for simulated containers: container main of pod app (image busybox) runs no process';
    const status = JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: 'BadRequest', code: 400 });
    socket.end(`HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(status)}\r\nConnection: close\r\n\r\n${status}`);
  });
  await new Promise<void>((r) => kubelet.listen(0, '127.0.0.1', r));
  const port = (kubelet.address() as any).port;
  await c.http('POST', '/api/v1/nodes', {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'n1', annotations: { 'kubesim.io/kubelet-url': `http://127.0.0.1:${port}` } },
    status: { daemonEndpoints: { kubeletEndpoint: { Port: port } } },
  });
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'app' },
    spec: { nodeName: 'n1', containers: [{ name: 'main', image: 'i' }, { name: 'side', image: 'i' }] },
  };
  assert.equal((await c.http('POST', '/api/v1/namespaces/default/pods', pod)).status, 201);
  const cur = await c.get('/api/v1/namespaces/default/pods/app');
  cur.status = { phase: 'Running', podIP: '10.0.0.9', conditions: [{ type: 'Ready', status: 'True' }] };
  assert.equal((await c.http('PUT', '/api/v1/namespaces/default/pods/app/status', cur)).status, 200);
});
after(async () => {
  await c?.close();
  await new Promise((r) => kubelet?.close(r));
});

test('logs of a container, with --tail, --timestamps, --previous', { skip }, async () => {
  assert.equal(await c.ok(['logs', 'app', '-c', 'side']), 'default/app/side line 1\ndefault/app/side line 2\ndefault/app/side line 3\n');
  assert.equal(await c.ok(['logs', 'app', '-c', 'main', '--tail=1']), 'default/app/main line 3\n');
  assert.match(await c.ok(['logs', 'app', '-c', 'main', '--timestamps', '--tail=1']), /^2024-01-01T00:00:00\.000000000Z default\/app\/main line 3\n$/);
  assert.equal(await c.ok(['logs', 'app', '-c', 'main', '--previous']), 'previous instance\n');
  assert.ok(seen.some((u) => u.startsWith('/containerLogs/default/app/main?') && u.includes('tailLines=1')));
});

test('logs without -c on a pod with several containers shows the first container', { skip }, async () => {
  const r = await c.kubectl(['logs', 'app']);
  // kubectl defaults to the first container and says so.
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /default\/app\/main line 1/);
});

test('logs -f streams until the container stream ends', { skip }, async () => {
  const out = await c.ok(['logs', '-f', 'app', '-c', 'main']);
  assert.equal(out, 'default/app/main line 1\ndefault/app/main line 2\ndefault/app/main line 3\n');
});

test('logs of an unknown pod is NotFound', { skip }, async () => {
  const r = await c.kubectl(['logs', 'ghost']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /error from server \(NotFound\): pods "ghost" not found in namespace "default"/);
});

test('exec and port-forward fail fast with a clear message', { skip }, async () => {
  const t0 = Date.now();
  const exec = await c.kubectl(['exec', 'app', '-c', 'main', '--', 'ls'], { timeoutMs: 20_000 });
  assert.notEqual(exec.code, 0);
  assert.notEqual(exec.code, 124, 'exec must not hang');
  assert.match(exec.stderr, /exec is not supported by kubesim/);
  const pf = await c.kubectl(['port-forward', 'pod/app', '18080:80'], { timeoutMs: 20_000 });
  assert.notEqual(pf.code, 0);
  assert.notEqual(pf.code, 124, 'port-forward must not hang');
  assert.match(pf.stderr, /port-?forward/i);
  assert.ok(Date.now() - t0 < 20_000);
});
