// Subresources: status, scale, binding (both paths), eviction, log proxy, exec refusal.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startTestServer, req, pod, deployment, type Res } from './helpers.ts';
import type { RunningApiServer } from '../../src/apiserver/index.ts';
import { eventually } from '../helpers/eventually.ts';

let srv: RunningApiServer;
let base: string;
before(async () => {
  srv = await startTestServer();
  base = srv.url;
});
after(() => srv.close());

const POD = '/api/v1/namespaces/default/pods';
const DEPLOY = '/apis/apps/v1/namespaces/default/deployments';
const MERGE = { 'Content-Type': 'application/merge-patch+json' };

function ok(r: Res, code = 200): any {
  assert.equal(r.status, code, r.text);
  return r.body;
}

test('status: GET returns the object; PUT/PATCH change only status; main updates keep status', async () => {
  const d = ok(await req(base, 'POST', DEPLOY, deployment('st')), 201);
  const st = ok(await req(base, 'GET', `${DEPLOY}/st/status`));
  assert.equal(st.kind, 'Deployment');
  const put = ok(await req(base, 'PUT', `${DEPLOY}/st/status`, { ...d, spec: { ...d.spec, replicas: 7 }, status: { replicas: 1, observedGeneration: 1 } }));
  assert.equal(put.status.replicas, 1);
  assert.equal(put.spec.replicas, 1, 'spec changes through /status are ignored');
  assert.equal(put.metadata.generation, 1, 'status writes do not bump generation');
  const patched = ok(await req(base, 'PATCH', `${DEPLOY}/st/status`, { status: { readyReplicas: 1 }, metadata: { labels: { sneaky: 'x' } } }, MERGE));
  assert.equal(patched.status.readyReplicas, 1);
  assert.equal(patched.metadata.labels?.sneaky, undefined);
  const main = ok(await req(base, 'PATCH', `${DEPLOY}/st`, { status: { replicas: 50 }, spec: { replicas: 2 } }, MERGE));
  assert.equal(main.status.replicas, 1);
  assert.equal(main.spec.replicas, 2);
  assert.equal(main.metadata.generation, 2);
  const stale = await req(base, 'PUT', `${DEPLOY}/st/status`, { ...d, status: { replicas: 3 } });
  assert.equal(stale.status, 409);
});

test('scale: GET/PUT/PATCH an autoscaling/v1 Scale', async () => {
  ok(await req(base, 'POST', DEPLOY, deployment('sc', 2)), 201);
  const s = ok(await req(base, 'GET', `${DEPLOY}/sc/scale`));
  assert.equal(s.kind, 'Scale');
  assert.equal(s.apiVersion, 'autoscaling/v1');
  assert.equal(s.spec.replicas, 2);
  assert.equal(s.status.selector, 'app=sc');
  const put = ok(await req(base, 'PUT', `${DEPLOY}/sc/scale`, { ...s, spec: { replicas: 4 } }));
  assert.equal(put.spec.replicas, 4);
  const d = ok(await req(base, 'GET', `${DEPLOY}/sc`));
  assert.equal(d.spec.replicas, 4);
  assert.equal(d.metadata.generation, 2);
  const stale = await req(base, 'PUT', `${DEPLOY}/sc/scale`, { ...s, spec: { replicas: 5 } });
  assert.equal(stale.status, 409);
  const patched = ok(await req(base, 'PATCH', `${DEPLOY}/sc/scale`, { spec: { replicas: 6 } }, MERGE));
  assert.equal(patched.spec.replicas, 6);
  const neg = await req(base, 'PATCH', `${DEPLOY}/sc/scale`, { spec: { replicas: -1 } }, MERGE);
  assert.equal(neg.status, 422);
  assert.equal(ok(await req(base, 'GET', `${DEPLOY}/sc`)).spec.replicas, 6);
  // no Content-Type on PUT (kubectl scale --current-replicas)
  const cur = ok(await req(base, 'GET', `${DEPLOY}/sc/scale`));
  const r = await fetch(base + `${DEPLOY}/sc/scale`, { method: 'PUT', body: Buffer.from(JSON.stringify({ ...cur, spec: { replicas: 3 } })) });
  assert.equal(r.status, 200);
  assert.equal(((await r.json()) as any).spec.replicas, 3);
  assert.equal((await req(base, 'GET', '/api/v1/namespaces/default/configmaps/x/scale')).status, 404);
});

test('binding: sets spec.nodeName once; a second binding → 409; /bindings works too', async () => {
  ok(await req(base, 'POST', POD, pod('b1')), 201);
  const b = ok(await req(base, 'POST', `${POD}/b1/binding`, { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'b1' }, target: { apiVersion: 'v1', kind: 'Node', name: 'n1' } }), 201);
  assert.equal(b.status, 'Success');
  const p = ok(await req(base, 'GET', `${POD}/b1`));
  assert.equal(p.spec.nodeName, 'n1');
  assert.equal(p.status.conditions.find((c: any) => c.type === 'PodScheduled')?.status, 'True');
  const again = await req(base, 'POST', `${POD}/b1/binding`, { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'b1' }, target: { name: 'n2' } });
  assert.equal(again.status, 409);
  assert.equal(again.body.reason, 'Conflict');
  assert.match(again.body.message, /pod b1 is already assigned to node "n1"/);
  ok(await req(base, 'POST', POD, pod('b2')), 201);
  ok(await req(base, 'POST', '/api/v1/namespaces/default/bindings', { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'b2' }, target: { kind: 'Node', name: 'n2' } }), 201);
  assert.equal(ok(await req(base, 'GET', `${POD}/b2`)).spec.nodeName, 'n2');
  assert.equal((await req(base, 'POST', `${POD}/absent/binding`, { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'absent' }, target: { name: 'n' } })).status, 404);
});

test('eviction: deletes the pod gracefully', async () => {
  ok(await req(base, 'POST', POD, pod('ev', { nodeName: 'n1' })), 201);
  const r = ok(await req(base, 'POST', `${POD}/ev/eviction`, { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'ev', namespace: 'default' } }), 201);
  assert.equal(r.status, 'Success');
  const p = ok(await req(base, 'GET', `${POD}/ev`));
  assert.ok(p.metadata.deletionTimestamp);
  ok(await req(base, 'POST', POD, pod('ev2')), 201);
  ok(await req(base, 'POST', `${POD}/ev2/eviction`, { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'ev2' } }), 201);
  assert.equal((await req(base, 'GET', `${POD}/ev2`)).status, 404);
});

test('log: proxied to the node kubelet URL with the query; clear 400s otherwise', async () => {
  const seen: string[] = [];
  const kubelet = http.createServer((rq, rs) => {
    seen.push(rq.url ?? '');
    rs.writeHead(200, { 'Content-Type': 'text/plain' });
    rs.end('line 1\nline 2\n');
  });
  await new Promise<void>((r) => kubelet.listen(0, '127.0.0.1', r));
  const port = (kubelet.address() as { port: number }).port;
  try {
    ok(await req(base, 'POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'kn', annotations: { 'kubesim.io/kubelet-url': `http://127.0.0.1:${port}` } } }), 201);
    ok(await req(base, 'POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'nokubelet' } }), 201);
    ok(await req(base, 'POST', POD, pod('lg', { nodeName: 'kn' })), 201);
    const r = await req(base, 'GET', `${POD}/lg/log?tailLines=5&timestamps=true`);
    assert.equal(r.status, 200);
    assert.equal(r.text, 'line 1\nline 2\n');
    assert.match(seen[0], /^\/containerLogs\/default\/lg\/c\?/);
    assert.match(seen[0], /tailLines=5/);
    assert.match(seen[0], /container=c/);
    ok(await req(base, 'POST', POD, pod('unsched')), 201);
    const u = await req(base, 'GET', `${POD}/unsched/log`);
    assert.equal(u.status, 400);
    assert.equal(u.body.kind, 'Status');
    assert.match(u.body.message, /not scheduled/);
    ok(await req(base, 'POST', POD, pod('nk', { nodeName: 'nokubelet' })), 201);
    const n = await req(base, 'GET', `${POD}/nk/log`);
    assert.equal(n.status, 400);
    assert.match(n.body.message, /no kubelet endpoint/);
    const bad = await req(base, 'GET', `${POD}/lg/log?container=zzz`);
    assert.equal(bad.status, 400);
  } finally {
    kubelet.close();
  }
});

test('exec/attach/portforward answer a clear Status instead of hanging', async () => {
  ok(await req(base, 'POST', POD, pod('ex', { nodeName: 'n1' })), 201);
  for (const sub of ['exec', 'attach', 'portforward']) {
    const r = await req(base, 'POST', `${POD}/ex/${sub}?command=ls`);
    assert.equal(r.status, 400, r.text);
    assert.equal(r.body.kind, 'Status');
    assert.match(r.body.message, sub === 'portforward' ? /^Upgrade request required/ : /not supported by kubesim over plain HTTP/);
  }
  assert.equal((await req(base, 'GET', `${POD}/ex/nonsense`)).status, 404);
});

test('log follow streams through the proxy and ends upstream when the client goes away', async () => {
  let upstreamClosed = false;
  const kubelet = http.createServer((rq, rs) => {
    rs.writeHead(200, { 'Content-Type': 'text/plain' });
    let n = 0;
    const t = setInterval(() => rs.write(`line ${n++}\n`), 20);
    rq.on('close', () => {
      clearInterval(t);
      upstreamClosed = true;
    });
  });
  await new Promise<void>((r) => kubelet.listen(0, '127.0.0.1', r));
  const port = (kubelet.address() as { port: number }).port;
  try {
    ok(await req(base, 'POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: 'kf', annotations: { 'kubesim.io/kubelet-url': `http://127.0.0.1:${port}` } } }), 201);
    ok(await req(base, 'POST', POD, pod('follow', { nodeName: 'kf' })), 201);
    let text = '';
    const r = http.get(`${base}${POD}/follow/log?follow=true`, (res) => {
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
    });
    r.on('error', () => {});
    await eventually(() => text.split('\n').length > 3, 'streamed log lines', 5000);
    r.destroy();
    await eventually(() => upstreamClosed, 'the kubelet request to be closed', 5000);
    assert.match(text, /^line 0\nline 1\n/);
  } finally {
    kubelet.close();
  }
});
