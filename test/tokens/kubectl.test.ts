// The real kubectl (over HTTPS: it sends credentials only over TLS) against tokens: `kubectl create token` (durations, audiences, bound objects),
// `kubectl --token T auth whoami` as the ServiceAccount, a refused token, and
// `kubectl certificate approve` ending in a certificate signed by the cluster CA.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { X509Certificate, generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { decodeJwt } from 'jose';
import { startApiServer, kubeconfigYaml, type Authenticator, type RunningApiServer } from '../../src/apiserver/index.ts';
import { Client } from '../../src/client/index.ts';
import { startControllerManager, type ControllerManager } from '../../src/controllers/index.ts';
import { eventually } from '../helpers/eventually.ts';
import { makeCA, makeCSR, makeServingCert, type TestCA } from './pki.ts';

const KUBECTL = '/usr/bin/kubectl';
const skip = !existsSync(KUBECTL) && 'no /usr/bin/kubectl';

let api: RunningApiServer;
let client: Client;
let cm: ControllerManager;
let ca: TestCA;
let dir: string;
const ADMIN_TOKEN = 'admin-static-token';

function kubectl(args: string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: join(dir, 'home'), KUBECONFIG: join(dir, 'kubeconfig') };
  return new Promise((resolve) => {
    const child = execFile(KUBECTL, args, { env, timeout: 30_000, killSignal: 'SIGKILL' }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof (err as any).code === 'number' ? (err as any).code : 124) : 0, stdout: String(stdout), stderr: String(stderr) }),
    );
    child.stdin!.end(stdin ?? '');
  });
}

async function ok(args: string[], stdin?: string): Promise<string> {
  const r = await kubectl(args, stdin);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'kubesim-kubectl-tokens-'));
  ca = makeCA();
  const saKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  // kubectl sends credentials only over TLS: serve HTTPS with a certificate from the test CA.
  const serving = makeServingCert(ca);
  // The admin's kubeconfig carries a static token (a stand-in for the token file / client certificates).
  const admin: Authenticator = { name: 'TestAdminToken', authenticate: (req) => (req.headers.authorization === `Bearer ${ADMIN_TOKEN}` ? { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] } : undefined) };
  api = await startApiServer({ port: 0, logger: pino({ level: 'silent' }), serviceAccountSigningKey: saKey, tls: { ...serving, ca: ca.cert }, pipeline: { authenticators: [admin] } });
  writeFileSync(join(dir, 'kubeconfig'), kubeconfigYaml(api.url, { ca: ca.cert, token: ADMIN_TOKEN }));
  client = new Client({ server: api.url, qps: Infinity, ca: ca.cert, token: ADMIN_TOKEN });
  cm = await startControllerManager({ client, leaderElect: false, events: false, controllers: ['serviceaccount', 'csrsigning'], clusterSigningCert: ca.cert, clusterSigningKey: ca.key });
});

after(async () => {
  if (skip) return;
  await cm.stop();
  client.close();
  await api.close();
  rmSync(dir, { recursive: true, force: true });
});

test('kubectl create token, then kubectl --token auth whoami is the ServiceAccount', { skip }, async () => {
  await ok(['create', 'serviceaccount', 'deployer']);
  const token = (await ok(['create', 'token', 'deployer', '--duration', '10m', '--audience', 'https://kubernetes.default.svc.cluster.local', '--audience', 'vault'])).trim();
  const c: any = decodeJwt(token);
  assert.equal(c.exp - c.iat, 600);
  assert.deepEqual(c.aud, ['https://kubernetes.default.svc.cluster.local', 'vault']);
  const who = await ok(['--token', token, 'auth', 'whoami', '-o', 'json']);
  const info = JSON.parse(who).status.userInfo;
  assert.equal(info.username, 'system:serviceaccount:default:deployer');
  assert.deepEqual(info.groups, ['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated']);
  const table = await ok(['--token', token, 'auth', 'whoami']);
  assert.match(table, /Username\s+system:serviceaccount:default:deployer/);
  // The token works for ordinary requests too.
  assert.match(await ok(['--token', token, 'get', 'serviceaccounts']), /deployer/);
});

test('kubectl create token refusals: short duration, unknown account; a tampered token is 401', { skip }, async () => {
  const short = await kubectl(['create', 'token', 'deployer', '--duration', '1m']);
  assert.notEqual(short.code, 0);
  assert.match(short.stderr, /may not specify a duration less than 10 minutes/);
  const none = await kubectl(['create', 'token', 'nobody']);
  assert.notEqual(none.code, 0);
  assert.match(none.stderr, /serviceaccounts "nobody" not found/);
  const token = (await ok(['create', 'token', 'deployer'])).trim();
  const bad = await kubectl(['--token', `${token.slice(0, -3)}abc`, 'get', 'pods']);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /Unauthorized|You must be logged in to the server/);
});

test('kubectl create token bound to a pod: valid while the pod exists', { skip }, async () => {
  await ok(['run', 'worker', '--image', 'nginx', '--overrides', JSON.stringify({ spec: { serviceAccountName: 'deployer' } })]);
  const token = (await ok(['create', 'token', 'deployer', '--bound-object-kind', 'Pod', '--bound-object-name', 'worker'])).trim();
  const info = JSON.parse(await ok(['--token', token, 'auth', 'whoami', '-o', 'json'])).status.userInfo;
  assert.deepEqual(info.extra['authentication.kubernetes.io/pod-name'], ['worker']);
  await ok(['delete', 'pod', 'worker', '--grace-period', '0', '--force']);
  const after = await kubectl(['--token', token, 'auth', 'whoami']);
  assert.notEqual(after.code, 0);
});

test('kubectl certificate approve: the issued certificate has the request\'s CN/O and verifies against the CA', { skip }, async () => {
  const { csr } = makeCSR('carol', ['qa']);
  const manifest = JSON.stringify({
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: { name: 'carol' },
    spec: { request: Buffer.from(csr).toString('base64'), signerName: 'kubernetes.io/kube-apiserver-client', usages: ['client auth'], expirationSeconds: 86400 },
  });
  await ok(['apply', '-f', '-'], manifest);
  assert.match(await ok(['certificate', 'approve', 'carol']), /certificatesigningrequest.certificates.k8s.io\/carol approved/);
  const pem = await eventually(async () => Buffer.from((await ok(['get', 'csr', 'carol', '-o', 'jsonpath={.status.certificate}'])).trim(), 'base64').toString(), 'the issued certificate');
  const cert = new X509Certificate(pem);
  assert.ok(cert.verify(new X509Certificate(ca.cert).publicKey));
  assert.match(cert.subject, /CN=carol/);
  assert.match(cert.subject, /O=qa/);
  assert.match(await ok(['get', 'csr', 'carol']), /Approved,Issued/);
});
