// The proxy subresource of pods, services and nodes: paths, methods, bodies and queries pass
// through to the pod's IP alias, a ready endpoint, or the node's kubelet; failures are Status values.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestServer, req, pod } from './helpers.ts';
import type { RunningApiServer } from '../../src/apiserver/index.ts';
import { parseResourcePath } from '../../src/apiserver/routing.ts';
import { splitSchemeNamePort, forwardedHeaders } from '../../src/apiserver/kinds/proxy.ts';
import { loopbackAlias } from '../../src/node/process/services.ts';

let srv: RunningApiServer;
let base: string;
const servers: http.Server[] = [];
before(async () => {
  srv = await startTestServer();
  base = srv.url;
});
after(async () => {
  for (const s of servers) s.close();
  await srv.close();
});

/** An HTTP server at the loopback alias of ip that answers who it is and what it was asked. */
async function echo(who: string, ip: string, port = 0): Promise<number> {
  const s = http.createServer((rq, rs) => {
    let body = '';
    rq.on('data', (c) => (body += c));
    rq.on('end', () => {
      rs.setHeader('X-Who', who);
      rs.end(JSON.stringify({ who, method: rq.method, url: rq.url, body, auth: rq.headers.authorization ?? null }));
    });
  });
  servers.push(s);
  await new Promise<void>((r) => s.listen(port, loopbackAlias(ip), r));
  return (s.address() as AddressInfo).port;
}

async function runningPod(name: string, ip: string, ports: any[] = []) {
  const r = await req(base, 'POST', '/api/v1/namespaces/default/pods', { ...pod(name, { nodeName: 'n1' }), spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'nginx', ports }] } });
  assert.equal(r.status, 201, r.text);
  const st = await req(base, 'PATCH', `/api/v1/namespaces/default/pods/${name}/status`, { status: { phase: 'Running', podIP: ip, podIPs: [{ ip }] } }, { 'Content-Type': 'application/merge-patch+json' });
  assert.equal(st.status, 200, st.text);
}

test('routing keeps the path below a subresource raw, and only connect-style subresources take one', async () => {
  const cases: [string, string | undefined, string | undefined][] = [
    ['/api/v1/namespaces/d/pods/p/proxy/a/b%2Fc', 'proxy', '/a/b%2Fc'],
    ['/api/v1/namespaces/d/pods/p/proxy/', 'proxy', '/'],
    ['/api/v1/namespaces/d/pods/p/proxy', 'proxy', undefined],
    ['/api/v1/nodes/n/proxy/stats/summary', 'proxy', '/stats/summary'],
    ['/api/v1/namespaces/d/services/s:80/proxy/x/', 'proxy', '/x/'],
  ];
  for (const [path, sub, subpath] of cases) {
    const info = parseResourcePath('GET', path, false);
    assert.ok(info && info !== 'badMethod', path);
    assert.equal(info.subresource, sub, path);
    assert.equal(info.subpath, subpath, path);
  }
  assert.equal(parseResourcePath('GET', '/api/v1/namespaces/d//p', false), undefined);
  await runningPod('deep', '10.244.9.1');
  assert.equal((await req(base, 'GET', '/api/v1/namespaces/default/pods/deep/status/x')).status, 404);
  assert.equal((await req(base, 'GET', '/api/v1/namespaces/default/pods/deep/status/')).status, 200);
});

test('splitSchemeNamePort and forwarded headers', () => {
  const table: [string, ReturnType<typeof splitSchemeNamePort>][] = [
    ['web', { scheme: '', name: 'web', port: '' }],
    ['web:8080', { scheme: '', name: 'web', port: '8080' }],
    ['http:web:http', { scheme: 'http', name: 'web', port: 'http' }],
    ['ftp:web:1', undefined],
    [':80', undefined],
    ['a:b:c:d', undefined],
  ];
  for (const [id, want] of table) assert.deepEqual(splitSchemeNamePort(id), want, id);
  const h = forwardedHeaders({ authorization: 'Bearer x', connection: 'keep-alive', accept: 'text/plain', host: 'api' }, '127.0.0.1:1');
  assert.deepEqual(h, { accept: 'text/plain', host: '127.0.0.1:1' });
});

test('pods/NAME[:PORT]/proxy reaches the pod at its IP alias with method, path, query and body', async () => {
  const port = await echo('p1', '10.244.7.5');
  await runningPod('web1', '10.244.7.5', [{ name: 'http', containerPort: port }]);
  for (const id of ['web1', `web1:${port}`, 'web1:http', `http:web1:${port}`]) {
    const r = await req(base, 'POST', `/api/v1/namespaces/default/pods/${id}/proxy/hello/world?x=1`, 'ping', { Authorization: 'Bearer secret', 'Content-Type': 'text/plain' });
    assert.equal(r.status, 200, r.text);
    const b = JSON.parse(r.text);
    assert.deepEqual(b, { who: 'p1', method: 'POST', url: '/hello/world?x=1', body: 'ping', auth: null }, id);
  }
  const root = await req(base, 'GET', '/api/v1/namespaces/default/pods/web1/proxy/');
  assert.equal(JSON.parse(root.text).url, '/');
});

test('pod proxy failures are Status values', async () => {
  await runningPod('closed', '10.244.7.6');
  const refused = await req(base, 'GET', '/api/v1/namespaces/default/pods/closed:1/proxy/');
  assert.equal(refused.status, 503, refused.text);
  assert.match(refused.body.message, /^error trying to reach service: dial tcp 10\.244\.7\.6:1: connect: connection refused/);
  const r = await req(base, 'POST', '/api/v1/namespaces/default/pods', pod('noip'));
  assert.equal(r.status, 201);
  assert.equal((await req(base, 'GET', '/api/v1/namespaces/default/pods/noip/proxy/')).status, 503);
  assert.equal((await req(base, 'GET', '/api/v1/namespaces/default/pods/missing/proxy/')).status, 404);
  assert.equal((await req(base, 'GET', '/api/v1/namespaces/default/pods/closed:nope/proxy/')).status, 400);
});

test('services/NAME[:PORT]/proxy picks among the ready endpoints of the port', async () => {
  const ips = ['10.244.8.1', '10.244.8.2', '10.244.8.3'];
  const port = await echo('e0', ips[0]);
  await echo('e1', ips[1], port);
  await echo('e2', ips[2], port);
  const svc = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'echo' }, spec: { ports: [{ name: 'web', port: 80, targetPort: port }] } };
  assert.equal((await req(base, 'POST', '/api/v1/namespaces/default/services', svc)).status, 201);
  const none = await req(base, 'GET', '/api/v1/namespaces/default/services/echo/proxy/');
  assert.equal(none.status, 503);
  assert.equal(none.body.message, 'no endpoints available for service "echo"');
  const ep = {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'echo' },
    subsets: [{ addresses: ips.slice(0, 2).map((ip) => ({ ip })), notReadyAddresses: [{ ip: ips[2] }], ports: [{ name: 'web', port }] }],
  };
  assert.equal((await req(base, 'POST', '/api/v1/namespaces/default/endpoints', ep)).status, 201);
  const seen = new Map<string, number>();
  for (let i = 0; i < 60; i++) {
    const r = await req(base, 'GET', `/api/v1/namespaces/default/services/echo${i % 2 ? ':80' : ':web'}/proxy/x`);
    assert.equal(r.status, 200, r.text);
    const who = JSON.parse(r.text).who;
    seen.set(who, (seen.get(who) ?? 0) + 1);
  }
  assert.deepEqual([...seen.keys()].sort(), ['e0', 'e1'], 'an unready address gets nothing');
  const wrong = await req(base, 'GET', '/api/v1/namespaces/default/services/echo:81/proxy/');
  assert.equal(wrong.status, 503);
  assert.equal(wrong.body.message, 'no service port 81 found for service "echo"');
  assert.equal((await req(base, 'GET', '/api/v1/namespaces/default/services/echo/proxy/')).status, 503, 'no unnamed port');
});

test('nodes/NAME/proxy reaches the kubelet through its /nodes/<name> view', async () => {
  let asked = '';
  const kubelet = http.createServer((rq, rs) => {
    asked = rq.url ?? '';
    rs.end('ok');
  });
  servers.push(kubelet);
  await new Promise<void>((r) => kubelet.listen(0, '127.0.0.1', r));
  const port = (kubelet.address() as AddressInfo).port;
  const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'kp', annotations: { 'kubesim.io/kubelet-url': `http://127.0.0.1:${port}` } } };
  assert.equal((await req(base, 'POST', '/api/v1/nodes', node)).status, 201);
  const r = await req(base, 'GET', '/api/v1/nodes/kp/proxy/stats/summary?only=cpu');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.text, 'ok');
  assert.equal(asked, '/nodes/kp/stats/summary?only=cpu');
  assert.equal((await req(base, 'POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'bare' } })).status, 201);
  assert.equal((await req(base, 'GET', '/api/v1/nodes/bare/proxy/')).status, 503);
  assert.equal((await req(base, 'GET', '/api/v1/nodes/ghost/proxy/')).status, 404);
});
