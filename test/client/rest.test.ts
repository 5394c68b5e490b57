// The REST client against a fake server speaking the wire protocol: paths, verbs, bodies, content
// types, Status errors, 429 retries, keep-alive reuse, rate limiting, watch parsing, kubeconfig.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as https from 'node:https';
import { spawnSync } from 'node:child_process';
import { Readable } from 'node:stream';
import { StatusError } from '../../src/api/errors.ts';
import { Client, retryAfterMs, type ResourceRef, type Transport } from '../../src/client/index.ts';
import { FakeApiServer } from './fakeserver.ts';

const CM: ResourceRef = { group: '', version: 'v1', plural: 'configmaps', namespaced: true, kind: 'ConfigMap' };
const NODES: ResourceRef = { group: '', version: 'v1', plural: 'nodes', namespaced: false, kind: 'Node' };
const DEPLOY: ResourceRef = { group: 'apps', version: 'v1', plural: 'deployments', namespaced: true, kind: 'Deployment' };

let fake: FakeApiServer;
let client: Client;
before(async () => {
  fake = await new FakeApiServer().start();
  client = new Client({ server: fake.url, token: 'tok123', userAgent: 'kubesim-test', qps: 0 });
});
after(async () => {
  client.close();
  await fake.close();
});

const last = () => fake.requests[fake.requests.length - 1];

test('create, get, list, update, delete on namespaced and cluster-scoped paths', async () => {
  const cms = client.resource(CM);
  const created = await cms.create({ metadata: { name: 'a', namespace: 'ns1', labels: { app: 'x' } }, data: { k: 'v' } });
  assert.equal(last().method, 'POST');
  assert.equal(last().url.split('?')[0], '/api/v1/namespaces/ns1/configmaps');
  const sent = JSON.parse(last().body);
  assert.equal(sent.apiVersion, 'v1');
  assert.equal(sent.kind, 'ConfigMap', 'type meta is filled in');
  assert.equal(last().headers.authorization, 'Bearer tok123');
  assert.equal(last().headers['user-agent'], 'kubesim-test');
  assert.equal(last().headers['content-type'], 'application/json');
  assert.ok(created.metadata.resourceVersion);

  const got = await cms.get('a', { namespace: 'ns1' });
  assert.deepEqual(got, created);
  assert.equal(last().url, '/api/v1/namespaces/ns1/configmaps/a');

  await cms.list({ namespace: 'ns1', labelSelector: 'app=x', fieldSelector: 'metadata.name=a', limit: 10, resourceVersion: '0', resourceVersionMatch: 'NotOlderThan' });
  const u = new URL(last().url, 'http://x');
  assert.equal(u.pathname, '/api/v1/namespaces/ns1/configmaps');
  assert.equal(u.searchParams.get('labelSelector'), 'app=x');
  assert.equal(u.searchParams.get('fieldSelector'), 'metadata.name=a');
  assert.equal(u.searchParams.get('limit'), '10');
  assert.equal(u.searchParams.get('resourceVersionMatch'), 'NotOlderThan');
  await cms.list();
  assert.equal(last().url, '/api/v1/configmaps', 'no namespace = all namespaces');

  const upd = await cms.update({ ...got, data: { k: 'v2' } });
  assert.equal(last().method, 'PUT');
  assert.equal(last().url, '/api/v1/namespaces/ns1/configmaps/a');
  assert.notEqual(upd.metadata.resourceVersion, got.metadata.resourceVersion);

  await client.resource(NODES).create({ metadata: { name: 'n1' } });
  assert.equal(last().url, '/api/v1/nodes');
  await client.resource(DEPLOY).inNamespace('prod').create({ metadata: { name: 'd' } });
  assert.equal(last().url, '/apis/apps/v1/namespaces/prod/deployments');
  assert.equal(JSON.parse(last().body).apiVersion, 'apps/v1');

  await cms.delete('a', { namespace: 'ns1', propagationPolicy: 'Foreground', gracePeriodSeconds: 0, preconditions: { resourceVersion: upd.metadata.resourceVersion } });
  assert.equal(last().method, 'DELETE');
  assert.deepEqual(JSON.parse(last().body), {
    kind: 'DeleteOptions',
    apiVersion: 'v1',
    propagationPolicy: 'Foreground',
    gracePeriodSeconds: 0,
    preconditions: { resourceVersion: upd.metadata.resourceVersion },
  });
  await assert.rejects(cms.get('a', { namespace: 'ns1' }), (e: unknown) => e instanceof StatusError && e.code === 404);
});

test('namespace defaults: object namespace, then bound, then the client default', async () => {
  const c = new Client({ server: fake.url, namespace: 'team', qps: 0 });
  await c.resource(CM).create({ metadata: { name: 'dflt' } });
  assert.equal(last().url, '/api/v1/namespaces/team/configmaps');
  await c.resource(CM).get('dflt');
  assert.equal(last().url, '/api/v1/namespaces/team/configmaps/dflt');
  c.close();
});

test('patch sends the content type of each patch type, with fieldManager and force', async () => {
  const cms = client.resource(CM);
  await cms.create({ metadata: { name: 'p', namespace: 'default' }, data: { a: '1' } });
  const types = { merge: 'application/merge-patch+json', json: 'application/json-patch+json', strategic: 'application/strategic-merge-patch+json', apply: 'application/apply-patch+yaml' } as const;
  for (const [type, ct] of Object.entries(types)) {
    await cms.patch('p', { data: { b: '2' } }, { namespace: 'default', type: type as keyof typeof types, fieldManager: 'me', force: type === 'apply' ? true : undefined });
    assert.equal(last().headers['content-type'], ct);
    const u = new URL(last().url, 'http://x');
    assert.equal(u.searchParams.get('fieldManager'), 'me');
    assert.equal(u.searchParams.get('force'), type === 'apply' ? 'true' : null);
  }
  const patched = await cms.patch('p', { data: { a: null } }, { namespace: 'default' });
  assert.deepEqual(patched.data, { b: '2' });
  await cms.patchSubresource('p', 'status', { status: {} }, { namespace: 'default' });
  assert.equal(last().url.split('?')[0], '/api/v1/namespaces/default/configmaps/p/status');
});

test('subresources: status/scale/binding/eviction paths and pod logs as text', async () => {
  const pods = client.resource({ group: '', version: 'v1', plural: 'pods', namespaced: true, kind: 'Pod' });
  const p = await pods.create({ metadata: { name: 'web', namespace: 'default' } });
  await pods.updateStatus({ ...p, status: { phase: 'Running' } });
  assert.equal(last().url, '/api/v1/namespaces/default/pods/web/status');
  await pods.createSubresource('web', 'binding', { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'web' }, target: { kind: 'Node', name: 'n1' } }, { namespace: 'default' });
  assert.equal(last().url, '/api/v1/namespaces/default/pods/web/binding');
  await pods.createSubresource('web', 'eviction', { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'web', namespace: 'default' } });
  assert.equal(last().url, '/api/v1/namespaces/default/pods/web/eviction');
  await pods.getSubresource('web', 'status', { namespace: 'default' });
  assert.equal(last().url, '/api/v1/namespaces/default/pods/web/status');
  await client.resource(DEPLOY).updateSubresource('x', 'scale', { spec: { replicas: 3 } }, { namespace: 'default' }).catch(() => {});
  assert.equal(last().method, 'PUT');
  assert.equal(last().url, '/apis/apps/v1/namespaces/default/deployments/x/scale');
  const text = await pods.log('web', { namespace: 'default', container: 'c1', tailLines: 5 });
  assert.equal(text, 'log of web container=c1\n');
  assert.match(last().url, /tailLines=5/);
  assert.equal(await pods.getSubresource('web', 'log', { namespace: 'default' }), 'log of web container=\n');
  assert.equal(last().headers.accept, 'text/plain, */*');
});

test('errors are StatusError built from the server Status (code, reason, message, details)', async () => {
  const cms = client.resource(CM);
  await cms.create({ metadata: { name: 'dup', namespace: 'default' } });
  await assert.rejects(cms.create({ metadata: { name: 'dup', namespace: 'default' } }), (e: any) => {
    assert.ok(e instanceof StatusError);
    assert.equal(e.code, 409);
    assert.equal(e.reason, 'AlreadyExists');
    assert.equal(e.message, 'configmaps "dup" already exists');
    assert.equal(e.details?.name, 'dup');
    return true;
  });
  const cur = await cms.get('dup', { namespace: 'default' });
  await cms.update({ ...cur, data: { x: '1' } });
  await assert.rejects(cms.update({ ...cur, data: { x: '2' } }), (e: any) => e.code === 409 && e.reason === 'Conflict');
  await assert.rejects(cms.create({ metadata: { name: '', namespace: 'default' } } as any), (e: any) => {
    assert.equal(e.code, 422);
    assert.equal(e.reason, 'Invalid');
    assert.equal(e.details.causes[0].field, 'metadata.name');
    return true;
  });
  // a non-Status error body still becomes a StatusError with the HTTP code
  const t: Transport = async () => ({ status: 503, headers: {}, body: Readable.from([Buffer.from('upstream down')]) });
  const c = new Client({ server: 'http://unused', transport: t, qps: 0 });
  await assert.rejects(c.resource(CM).get('x'), (e: any) => e instanceof StatusError && e.code === 503 && e.reason === 'ServiceUnavailable' && e.message === 'upstream down');
});

test('429 TooManyRequests is retried after Retry-After', async () => {
  fake.failNext.push({ match: (r) => r.url.includes('/configmaps/retry'), code: 429, reason: 'TooManyRequests', message: 'slow down', times: 1, headers: { 'Retry-After': '0' } });
  await client.resource(CM).create({ metadata: { name: 'retry', namespace: 'default' } });
  const before = fake.requests.length;
  const got = await client.resource(CM).get('retry', { namespace: 'default' });
  assert.equal(got.metadata.name, 'retry');
  assert.equal(fake.requests.length - before, 2, 'one 429 then one success');
});

test('429: the wait is Retry-After seconds, capped; the retries are bounded', async () => {
  assert.equal(retryAfterMs('2'), 2000);
  assert.equal(retryAfterMs('0'), 0);
  // as client-go's checkWait: no header or an unreadable one = not retried; a negative one = at once
  assert.equal(retryAfterMs(undefined), undefined, 'no header: not retried');
  assert.equal(retryAfterMs('soon'), undefined, 'unreadable: not retried');
  assert.equal(retryAfterMs('1.5'), undefined, 'not an integer');
  assert.equal(retryAfterMs('-3'), 0);
  assert.equal(retryAfterMs('120'), 10_000, 'capped at 10 s by default');
  assert.equal(retryAfterMs('120', 0.05), 50);
  assert.equal(retryAfterMs(['3', '4']), 3000);

  // Retry-After 1 is honoured: the second attempt comes about a second later
  await client.resource(CM).create({ metadata: { name: 'wait1', namespace: 'default' } });
  fake.failNext.push({ match: (r) => r.url.includes('/configmaps/wait1'), code: 429, reason: 'TooManyRequests', message: 'Too many requests, please try again later.', times: 1, headers: { 'Retry-After': '1' } });
  const t0 = performance.now();
  await client.resource(CM).get('wait1', { namespace: 'default' });
  assert.ok(performance.now() - t0 >= 950, `retried after ${performance.now() - t0} ms`);

  // a huge Retry-After waits only the cap; after maxRetries the 429 is the caller's
  const c = new Client({ server: fake.url, qps: 0, maxRetryAfterSeconds: 0.02, maxRetries: 2 });
  fake.failNext.push({ match: (r) => r.url.includes('/configmaps/wait1'), code: 429, reason: 'TooManyRequests', message: 'Too many requests, please try again later.', times: 3, headers: { 'Retry-After': '3600' } });
  const before = fake.requests.length;
  const t1 = performance.now();
  await assert.rejects(c.resource(CM).get('wait1', { namespace: 'default' }), (e: any) => e instanceof StatusError && e.code === 429 && e.message === 'Too many requests, please try again later.');
  assert.ok(performance.now() - t1 < 2000);
  assert.equal(fake.requests.length - before, 3, 'one try and two retries');
  c.close();
});

test('keep-alive: sequential requests reuse one connection', async () => {
  const c = new Client({ server: fake.url, qps: 0 });
  let conns = 0;
  const onConn = () => conns++;
  fake.server.on('connection', onConn);
  for (let i = 0; i < 20; i++) await c.resource(CM).list({ namespace: 'default' });
  fake.server.off('connection', onConn);
  assert.equal(conns, 1);
  c.close();
});

test('client-side rate limit: burst passes at once, then requests wait for tokens; qps 0/Infinity disables', async () => {
  const c = new Client({ server: fake.url, qps: 20, burst: 2 });
  const t0 = performance.now();
  await Promise.all(Array.from({ length: 6 }, () => c.resource(CM).list({ namespace: 'default' })));
  const took = performance.now() - t0;
  // 2 immediately, 4 more at 20 qps = at least 200 ms (a lower bound the limiter guarantees)
  assert.ok(took >= 190, `6 requests at 20 qps burst 2 took only ${took} ms`);
  c.close();
  assert.equal(new Client({ server: fake.url, qps: Infinity }).limiter.unlimited, true);
  assert.equal(new Client({ server: fake.url, qps: 0 }).limiter.unlimited, true);
  const d = new Client({ server: fake.url });
  assert.equal(d.limiter.qps, 50);
  assert.equal(d.limiter.burst, 100);
});

test('watch: events in order, query parameters, close() ends iteration', async () => {
  const cms = client.resource(CM);
  const list = await cms.list({ namespace: 'wns' });
  const w = await cms.watch({ namespace: 'wns', resourceVersion: list.metadata.resourceVersion, allowWatchBookmarks: true, timeoutSeconds: 30 });
  const u = new URL(last().url, 'http://x');
  assert.equal(u.searchParams.get('watch'), 'true');
  assert.equal(u.searchParams.get('allowWatchBookmarks'), 'true');
  assert.equal(u.searchParams.get('timeoutSeconds'), '30');
  const a = await cms.create({ metadata: { name: 'w1', namespace: 'wns' } });
  await cms.update({ ...a, data: { x: 'y' } });
  await cms.delete('w1', { namespace: 'wns' });
  const seen: string[] = [];
  for await (const ev of w) {
    if (ev.type === 'BOOKMARK') continue;
    seen.push(`${ev.type}:${(ev.object as any).metadata.name}`);
    if (seen.length === 3) w.close();
  }
  assert.deepEqual(seen, ['ADDED:w1', 'MODIFIED:w1', 'DELETED:w1']);
  assert.equal(w.closed, true);
});

test('watch: ERROR events are surfaced; an error answer rejects with StatusError', async () => {
  const cms = client.resource(CM);
  fake.compact();
  const w = await cms.watch({ resourceVersion: '1' });
  const evs = [];
  for await (const ev of w) evs.push(ev);
  assert.equal(evs.length, 1);
  assert.equal(evs[0].type, 'ERROR');
  assert.equal((evs[0].object as any).code, 410);
  assert.equal((evs[0].object as any).reason, 'Expired');
  fake.expiredAsHttp = true;
  await assert.rejects(cms.watch({ resourceVersion: '1' }), (e: any) => e instanceof StatusError && e.code === 410);
  fake.expiredAsHttp = false;
});

test('watch parses JSON lines split across arbitrary chunks (in-process transport hook)', async () => {
  const lines = [
    { type: 'ADDED', object: { metadata: { name: 'a', resourceVersion: '5' } } },
    { type: 'MODIFIED', object: { metadata: { name: 'a', resourceVersion: '6', annotations: { x: 'ü'.repeat(5) } } } },
    { type: 'DELETED', object: { metadata: { name: 'a', resourceVersion: '7' } } },
  ];
  const whole = Buffer.from(lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  const chunks: Buffer[] = [];
  for (let i = 0; i < whole.length; i += 7) chunks.push(whole.subarray(i, i + 7)); // splits multi-byte chars too
  const t: Transport = async () => ({ status: 200, headers: {}, body: Readable.from(chunks) });
  const c = new Client({ server: 'http://unused', transport: t, qps: 0 });
  const got = [];
  for await (const ev of await c.resource(CM).watch()) got.push(ev);
  assert.deepEqual(got, lines);
});

function writeKubeconfig(dir: string, doc: string): string {
  const p = path.join(dir, 'kubeconfig');
  fs.writeFileSync(p, doc);
  return p;
}

test('fromKubeconfig: current-context, token, namespace; another context by name', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubesim-'));
  try {
    fs.writeFileSync(path.join(dir, 'tokenfile'), 'file-token\n');
    const p = writeKubeconfig(
      dir,
      `apiVersion: v1
kind: Config
current-context: kubesim
clusters:
- name: kubesim
  cluster:
    server: ${fake.url}
users:
- name: admin
  user:
    token: kc-token
- name: other
  user:
    tokenFile: tokenfile
contexts:
- name: kubesim
  context: {cluster: kubesim, user: admin, namespace: team-a}
- name: second
  context: {cluster: kubesim, user: other}
`,
    );
    const c = Client.fromKubeconfig(p, { qps: 0 });
    await c.resource(CM).create({ metadata: { name: 'kc' } });
    assert.equal(last().headers.authorization, 'Bearer kc-token');
    assert.equal(last().url, '/api/v1/namespaces/team-a/configmaps');
    c.close();
    const c2 = Client.fromKubeconfig(p, { context: 'second', qps: 0 });
    await c2.resource(CM).list();
    assert.equal(last().headers.authorization, 'Bearer file-token');
    c2.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('fromKubeconfig over https: certificate-authority(-data), insecure-skip-tls-verify, client cert', { skip: spawnSync('openssl', ['version']).status !== 0 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubesim-'));
  try {
    const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'key.pem', '-out', 'cert.pem', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { cwd: dir });
    assert.equal(r.status, 0, r.stderr.toString());
    const cert = fs.readFileSync(path.join(dir, 'cert.pem'));
    const key = fs.readFileSync(path.join(dir, 'key.pem'));
    let sawClientCert = false;
    const srv = https.createServer({ cert, key, requestCert: true, rejectUnauthorized: false }, (req, res) => {
      sawClientCert = !!(req.socket as any).getPeerCertificate?.()?.subject;
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ kind: 'ConfigMapList', apiVersion: 'v1', metadata: { resourceVersion: '1' }, items: [] }));
    });
    let connections = 0;
    srv.on('secureConnection', () => connections++);
    await new Promise<void>((res) => srv.listen(0, '127.0.0.1', res));
    const url = `https://127.0.0.1:${(srv.address() as any).port}`;
    const cfg = (clusterExtra: string, userExtra = 'token: t') => `apiVersion: v1
kind: Config
current-context: c
clusters:
- name: k
  cluster:
    server: ${url}
${clusterExtra}
users:
- name: u
  user:
    ${userExtra}
contexts:
- name: c
  context: {cluster: k, user: u}
`;
    const withData = writeKubeconfig(dir, cfg(`    certificate-authority-data: ${cert.toString('base64')}`, `client-certificate-data: ${cert.toString('base64')}\n    client-key-data: ${key.toString('base64')}`));
    let c = Client.fromKubeconfig(withData, { qps: 0 });
    assert.equal((await c.resource(CM).list()).kind, 'ConfigMapList');
    assert.equal(sawClientCert, true, 'client certificate presented');
    // one keep-alive connection for requests one after another (the agent's pool is named once)
    for (let i = 0; i < 10; i++) await c.resource(CM).list();
    assert.equal(connections, 1);
    c.close();
    const withFile = writeKubeconfig(dir, cfg('    certificate-authority: cert.pem'));
    c = Client.fromKubeconfig(withFile, { qps: 0 });
    assert.equal((await c.resource(CM).list()).kind, 'ConfigMapList');
    c.close();
    const noCa = writeKubeconfig(dir, cfg(''));
    c = Client.fromKubeconfig(noCa, { qps: 0 });
    await assert.rejects(c.resource(CM).list(), /self[- ]signed|unable to verify/i);
    c.close();
    const insecure = writeKubeconfig(dir, cfg('    insecure-skip-tls-verify: true'));
    c = Client.fromKubeconfig(insecure, { qps: 0 });
    assert.equal((await c.resource(CM).list()).kind, 'ConfigMapList');
    c.close();
    await new Promise((res) => srv.close(res));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('deleteCollection sends selectors and DeleteOptions to the collection path', async () => {
  const cms = client.resource(CM);
  for (const n of ['d1', 'd2']) await cms.create({ metadata: { name: n, namespace: 'dc', labels: { g: 'x' } } });
  await cms.deleteCollection({ namespace: 'dc', labelSelector: 'g=x', propagationPolicy: 'Background' });
  assert.equal(last().method, 'DELETE');
  const u = new URL(last().url, 'http://x');
  assert.equal(u.pathname, '/api/v1/namespaces/dc/configmaps');
  assert.equal(u.searchParams.get('labelSelector'), 'g=x');
  assert.equal(JSON.parse(last().body).propagationPolicy, 'Background');
  assert.equal((await cms.list({ namespace: 'dc' })).items.length, 0);
});

test('listAll follows continue tokens and returns one list', async () => {
  const cms = client.resource(CM);
  for (let i = 0; i < 7; i++) await cms.create({ metadata: { name: `la${i}`, namespace: 'la' } });
  const before = fake.requests.length;
  const all = await cms.listAll({ namespace: 'la', limit: 3 });
  assert.equal(all.items.length, 7);
  assert.equal(fake.requests.length - before, 3, 'pages of 3, 3, 1');
  assert.equal(all.metadata.continue, undefined);
});
