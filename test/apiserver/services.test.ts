// Service address allocation over HTTP (what `kubectl get svc` shows) and the default/kubernetes
// Service + Endpoints the API server maintains.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTestServer, req } from './helpers.ts';
import type { RunningApiServer } from '../../src/apiserver/index.ts';

let srv: RunningApiServer;
before(async () => {
  srv = await startTestServer();
});
after(() => srv.close());

const svcs = '/api/v1/namespaces/default/services';
const service = (name: string, spec: Record<string, any> = {}) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name },
  spec: { selector: { app: name }, ports: [{ port: 80 }], ...spec },
});

/** Inside 10.96.0.0/12 = 10.96.0.0 .. 10.111.255.255. */
function inServiceCidr(ip: string): boolean {
  const [a, b] = ip.split('.').map(Number);
  return a === 10 && b >= 96 && b <= 111;
}

test('a ClusterIP Service gets a clusterIP in 10.96.0.0/12, mirrored in clusterIPs and kept on update', async () => {
  const r = await req(srv.url, 'POST', svcs, service('web'));
  assert.equal(r.status, 201, r.text);
  const ip = r.body.spec.clusterIP;
  assert.ok(inServiceCidr(ip), ip);
  assert.notEqual(ip, '10.96.0.1');
  assert.deepEqual(r.body.spec.clusterIPs, [ip]);
  const got = await req(srv.url, 'GET', `${svcs}/web`);
  assert.equal(got.body.spec.clusterIP, ip);
  // a replace without clusterIP (kubectl replace of the manifest) keeps the allocated address
  const put = await req(srv.url, 'PUT', `${svcs}/web`, { ...service('web', { ports: [{ port: 8080 }] }), metadata: { name: 'web' } });
  assert.equal(put.status, 200, put.text);
  assert.equal(put.body.spec.clusterIP, ip);
  assert.equal(put.body.spec.ports[0].port, 8080);
});

test('concurrently created Services never share a clusterIP', async () => {
  const rs = await Promise.all(Array.from({ length: 30 }, (_, i) => req(srv.url, 'POST', svcs, service(`many-${i}`))));
  for (const r of rs) assert.equal(r.status, 201, r.text);
  const list = await req(srv.url, 'GET', svcs);
  const ips = list.body.items.map((s: any) => s.spec.clusterIP);
  assert.equal(new Set(ips).size, ips.length, `duplicate clusterIP in ${ips}`);
});

test('a NodePort Service gets nodePorts in 30000-32767, kept on update, distinct across services', async () => {
  const r = await req(srv.url, 'POST', svcs, service('np', { type: 'NodePort', ports: [{ name: 'a', port: 80 }, { name: 'b', port: 443 }] }));
  assert.equal(r.status, 201, r.text);
  const ports = r.body.spec.ports.map((p: any) => p.nodePort);
  for (const p of ports) assert.ok(p >= 30000 && p <= 32767, String(p));
  assert.equal(new Set(ports).size, 2);
  const patched = await req(srv.url, 'PATCH', `${svcs}/np`, { metadata: { labels: { x: 'y' } } }, { 'Content-Type': 'application/merge-patch+json' });
  assert.equal(patched.status, 200, patched.text);
  assert.deepEqual(patched.body.spec.ports.map((p: any) => p.nodePort), ports);
  // switching a ClusterIP service to NodePort allocates its nodePort then
  await req(srv.url, 'POST', svcs, service('later'));
  const sw = await req(srv.url, 'PATCH', `${svcs}/later`, { spec: { type: 'NodePort' } }, { 'Content-Type': 'application/merge-patch+json' });
  assert.equal(sw.status, 200, sw.text);
  const np = sw.body.spec.ports[0].nodePort;
  assert.ok(np >= 30000 && np <= 32767 && !ports.includes(np), String(np));
});

test('a requested clusterIP that is taken → 422 with Kubernetes’ message, nothing written', async () => {
  const first = await req(srv.url, 'POST', svcs, service('fixed', { clusterIP: '10.96.0.10' }));
  assert.equal(first.status, 201, first.text);
  assert.equal(first.body.spec.clusterIP, '10.96.0.10');
  const r = await req(srv.url, 'POST', svcs, service('clash', { clusterIP: '10.96.0.10' }));
  assert.equal(r.status, 422);
  assert.equal(r.body.kind, 'Status');
  assert.equal(r.body.reason, 'Invalid');
  assert.equal(
    r.body.message,
    'Service "clash" is invalid: spec.clusterIPs: Invalid value: []string{"10.96.0.10"}: failed to allocate IP 10.96.0.10: provided IP is already allocated',
  );
  assert.equal(r.body.details.causes[0].field, 'spec.clusterIPs');
  assert.equal((await req(srv.url, 'GET', `${svcs}/clash`)).status, 404);
  // the kubernetes service's address is taken too
  const k = await req(srv.url, 'POST', svcs, service('k', { clusterIP: '10.96.0.1' }));
  assert.equal(k.status, 422);
  assert.equal((await req(srv.url, 'GET', `${svcs}/k`)).status, 404);
});

test('a requested nodePort that is taken → 422, nothing written', async () => {
  const a = await req(srv.url, 'POST', svcs, service('np-a', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }));
  assert.equal(a.status, 201, a.text);
  const b = await req(srv.url, 'POST', svcs, service('np-b', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }));
  assert.equal(b.status, 422);
  assert.match(b.body.message, /spec\.ports\[0\]\.nodePort: Invalid value: 30080: provided port is already allocated/);
  assert.equal((await req(srv.url, 'GET', `${svcs}/np-b`)).status, 404);
});

test('default/kubernetes Service (10.96.0.1:443 → the API server port) and its Endpoints exist', async () => {
  const svc = await req(srv.url, 'GET', `${svcs}/kubernetes`);
  assert.equal(svc.status, 200);
  assert.equal(svc.body.spec.clusterIP, '10.96.0.1');
  assert.deepEqual(svc.body.metadata.labels, { component: 'apiserver', provider: 'kubernetes' });
  assert.equal(svc.body.spec.type, 'ClusterIP');
  assert.deepEqual(
    svc.body.spec.ports.map((p: any) => [p.name, p.port, p.protocol, p.targetPort]),
    [['https', 443, 'TCP', srv.port]],
  );
  const ep = await req(srv.url, 'GET', '/api/v1/namespaces/default/endpoints/kubernetes');
  assert.equal(ep.status, 200);
  assert.deepEqual(ep.body.subsets, [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'https', port: srv.port, protocol: 'TCP' }] }]);
});

test('restart on another port keeps the kubernetes Service (same uid) and updates the Endpoints port', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubesim-'));
  try {
    const one = await startTestServer({ dataDir: dir });
    const uid = (await req(one.url, 'GET', `${svcs}/kubernetes`)).body.metadata.uid;
    const oldPort = one.port;
    await one.close();
    const two = await startTestServer({ dataDir: dir });
    try {
      assert.notEqual(two.port, oldPort);
      const svc = await req(two.url, 'GET', `${svcs}/kubernetes`);
      assert.equal(svc.body.metadata.uid, uid);
      assert.equal(svc.body.spec.ports[0].targetPort, two.port);
      const ep = await req(two.url, 'GET', '/api/v1/namespaces/default/endpoints/kubernetes');
      assert.equal(ep.body.subsets[0].ports[0].port, two.port);
    } finally {
      await two.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
