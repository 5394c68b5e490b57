// The secure default of `kubesim up` as a user meets it: HTTPS with the data dir's PKI, the
// kubeconfigs it writes (kubectl, @kubernetes/client-node, the Python client through mutual TLS),
// one identity per component (`kubectl auth whoami`), static tokens, and what is refused with 401.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import https from 'node:https';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as k8s from '@kubernetes/client-node';
import { parse } from 'yaml';
import { KUBECTL, hasKubectl, up, type UpCluster } from './harness.ts';
import { tlsFetch } from '../helpers/kubeconfig-fetch.ts';
import { createCA, issueClientCert } from '../../src/apiserver/pki/index.ts';
import { PYTHON, hasPythonKubernetes } from '../clients/helpers.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const skip = hasKubectl ? false : `${KUBECTL} is missing`;
const work = mkdtempSync(join(tmpdir(), 'kubesim-secure-'));
let c: UpCluster;
let data: string;
let server: string;
let ca: Buffer;

before(async () => {
  if (skip) return;
  const tokens = join(work, 'tokens.csv');
  writeFileSync(tokens, 'alice-token,alice,1001,"dev,ops"\n');
  c = await up(['--nodes', '1', '--token-auth-file', tokens]);
  data = dirname(c.kubeconfig);
  const kc = parse(readFileSync(c.kubeconfig, 'utf8'));
  server = kc.clusters[0].cluster.server;
  ca = Buffer.from(kc.clusters[0].cluster['certificate-authority-data'], 'base64');
});
after(async () => {
  await c?.close();
  rmSync(work, { recursive: true, force: true });
});

const kubectlAs = (kubeconfig: string, args: string[]) =>
  new Promise<string>((res, rej) =>
    execFile(KUBECTL, ['--kubeconfig', kubeconfig, ...args], { env: { ...process.env, HOME: work }, timeout: 60_000 }, (err, out, se) => (err ? rej(new Error(se || err.message)) : res(out))),
  );

test('kubesim up serves HTTPS with a generated PKI; the kubeconfig holds the CA and the admin certificate', { skip }, async () => {
  assert.match(server, /^https:\/\/127\.0\.0\.1:\d+$/);
  const kc = parse(readFileSync(c.kubeconfig, 'utf8'));
  assert.ok(kc.users[0].user['client-certificate-data'] && kc.users[0].user['client-key-data']);
  for (const f of ['ca.key', 'apiserver.key', 'admin.key', 'tokens.csv']) assert.equal(statSync(join(data, 'pki', f)).mode & 0o777, 0o600, f);
  assert.equal(statSync(c.kubeconfig).mode & 0o777, 0o600);
  assert.match(await c.kubectl(['get', 'nodes', '-o', 'name']), /node\//);
});

test('kubectl auth whoami names each identity kubesim writes a kubeconfig for', { skip }, async () => {
  const cases: [string, string, string[]][] = [
    ['kubeconfig', 'kubernetes-admin', ['system:masters', 'system:authenticated']],
    ['scheduler.kubeconfig', 'system:kube-scheduler', ['system:authenticated']],
    ['controller-manager.kubeconfig', 'system:kube-controller-manager', ['system:authenticated']],
    ['node-pool.kubeconfig', 'system:kubesim:node-pool', ['system:kubesim:node-pools', 'system:authenticated']],
  ];
  for (const [file, username, groups] of cases) {
    const r = JSON.parse(await kubectlAs(join(data, file), ['auth', 'whoami', '-o', 'json']));
    assert.deepEqual([r.status.userInfo.username, r.status.userInfo.groups], [username, groups], file);
  }
});

test('no credentials: 401 Status on the API, 200 on /readyz, /livez, /healthz and /version', { skip }, async () => {
  const anon = tlsFetch({ server, ca });
  try {
    for (const p of ['/api/v1/namespaces', '/api', '/apis', '/api/v1', '/openapi/v2', '/metrics']) {
      const r = await anon(p);
      assert.equal(r.status, 401, p);
      assert.deepEqual(await r.json(), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 }, p);
    }
    for (const p of ['/readyz', '/livez', '/healthz', '/version']) assert.equal((await anon(p)).status, 200, p);
  } finally {
    anon.close();
  }
});

test('a token from --token-auth-file is its user (RBAC then decides); a wrong token and a certificate from another CA get 401', { skip }, async () => {
  const alice = tlsFetch({ server, ca, token: 'alice-token' });
  const wrong = tlsFetch({ server, ca, token: 'not-a-token' });
  const empty = tlsFetch({ server, ca, token: ' ' });
  const other = await createCA('not-kubesim');
  const stranger = tlsFetch({ server, ca, ...(await issueClientCert(other, { cn: 'mallory', groups: ['system:masters'] })) });
  try {
    const r = await alice('/apis/authentication.k8s.io/v1/selfsubjectreviews', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }) });
    assert.equal(r.status, 201);
    assert.deepEqual(((await r.json()) as any).status.userInfo, { username: 'alice', uid: '1001', groups: ['dev', 'ops', 'system:authenticated'] });
    // Authenticated, but RBAC (Node,RBAC by default) grants alice nothing: 403 in Kubernetes' words, not 401.
    const denied = await alice('/api/v1/namespaces');
    assert.equal(denied.status, 403);
    assert.equal(((await denied.json()) as any).message, 'namespaces is forbidden: User "alice" cannot list resource "namespaces" in API group "" at the cluster scope');
    for (const [name, f] of [['wrong token', wrong], ['empty token', empty], ['foreign certificate', stranger]] as const) {
      const res = await f('/api/v1/namespaces');
      assert.equal(res.status, 401, name);
      assert.equal(((await res.json()) as any).reason, 'Unauthorized', name);
    }
    // The dashboard's token (D/pki/tokens.csv) is an admin.
    const dash = readFileSync(join(data, 'pki', 'tokens.csv'), 'utf8').split(',')[0];
    assert.match(c.stdout(), new RegExp(`dashboard: ${server}/dashboard/#token=${dash}`));
  } finally {
    for (const f of [alice, wrong, empty, stranger]) f.close();
  }
});

test('TLS: the serving certificate is the cluster CA\'s and lists the host names; no CA = refused', { skip }, async () => {
  const u = new URL(server);
  const peer = await new Promise<any>((res, rej) => {
    const r = https.get({ host: u.hostname, port: u.port, path: '/livez', ca }, (resp) => {
      res((resp.socket as any).getPeerCertificate());
      resp.resume();
    });
    r.on('error', rej);
  });
  for (const san of ['IP Address:127.0.0.1', 'DNS:localhost', 'DNS:kubernetes.default.svc.cluster.local', 'IP Address:10.96.0.1']) assert.ok(peer.subjectaltname.includes(san), `${san} in ${peer.subjectaltname}`);
  await assert.rejects(fetch(`${server}/livez`), 'an unknown CA is refused by a verifying client');
});

test('@kubernetes/client-node through mutual TLS with the admin kubeconfig', { skip }, async () => {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(c.kubeconfig);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const list = await core.listNamespace();
  assert.ok(list.items.some((n) => n.metadata?.name === 'default'));
  const auth = kc.makeApiClient(k8s.AuthenticationV1Api);
  const review = await auth.createSelfSubjectReview({ body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' } });
  assert.equal(review.status?.userInfo?.username, 'kubernetes-admin');
});

test('the Python client through mutual TLS with the admin kubeconfig', { skip: skip || (!hasPythonKubernetes() && 'python3-kubernetes is not installed') }, async () => {
  const script = 'from kubernetes import client, config\nconfig.load_kube_config()\nprint(",".join(n.metadata.name for n in client.CoreV1Api().list_namespace().items))\n';
  const out = await new Promise<string>((res, rej) =>
    execFile(PYTHON, ['-c', script], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', KUBECONFIG: c.kubeconfig }, timeout: 60_000 }, (err, o, se) => (err ? rej(new Error(se || err.message)) : res(String(o)))),
  );
  assert.ok(out.split(',').includes('default'), out);
});

test('--insecure on a non-loopback address is refused at start, saying why', () => {
  for (const args of [['apiserver', '--insecure', '--bind-address', '0.0.0.0'], ['up', '--insecure', '--host', '192.0.2.1']]) {
    const r = spawnSync(process.execPath, [join(root, 'bin/kubesim.js'), ...args, '--data-dir', join(work, 'refused')], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 2, args.join(' '));
    assert.match(r.stderr, /--insecure serves every request as system:admin over plain HTTP, without authentication, so it may only bind a loopback address/);
  }
});
