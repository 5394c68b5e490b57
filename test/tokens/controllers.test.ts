// The token controller, the root CA publisher and CSR signing against a real API server: legacy
// token Secrets are filled and authenticate until deleted, kube-root-ca.crt is in every namespace
// and comes back, an approved CSR gets a certificate from the cluster CA.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, generateKeyPairSync } from 'node:crypto';
import pino from 'pino';
import { startApiServer, type RunningApiServer } from '../../src/apiserver/index.ts';
import { Client } from '../../src/client/index.ts';
import { startControllerManager, type ControllerManager } from '../../src/controllers/index.ts';
import { CERTIFICATESIGNINGREQUESTS, CONFIGMAPS, NAMESPACES, SECRETS, SERVICEACCOUNTS } from '../../src/api/core/refs.ts';
import { isStatusError } from '../../src/api/errors.ts';
import { eventually } from '../helpers/eventually.ts';
import { makeCA, makeCSR, type TestCA } from './pki.ts';

let api: RunningApiServer;
let client: Client;
let cm: ControllerManager;
let ca: TestCA;

const saKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }) as string;
const missing = (e: unknown) => (isStatusError(e, 404) ? undefined : Promise.reject(e));

async function whoami(token: string): Promise<{ status: number; json: any }> {
  const r = await fetch(`${api.url}/apis/authentication.k8s.io/v1/selfsubjectreviews`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }),
  });
  return { status: r.status, json: await r.json() };
}

before(async () => {
  ca = makeCA();
  api = await startApiServer({ port: 0, logger: pino({ level: 'silent' }), serviceAccountSigningKey: saKey });
  client = new Client({ server: api.url, qps: Infinity });
  cm = await startControllerManager({
    client,
    leaderElect: false,
    events: false,
    controllers: ['serviceaccount-token', 'root-ca-cert-publisher', 'csrsigning'],
    serviceAccountPrivateKey: saKey,
    rootCA: ca.cert,
    clusterSigningCert: ca.cert,
    clusterSigningKey: ca.key,
  });
});

after(async () => {
  await cm.stop();
  client.close();
  await api.close();
});

test('kube-root-ca.crt is in every namespace, and comes back when deleted or changed', async () => {
  const cms = client.resource(CONFIGMAPS);
  const get = (namespace: string) => cms.get('kube-root-ca.crt', { namespace }).catch(missing);
  const first = await eventually(() => get('default'), 'default/kube-root-ca.crt');
  assert.equal((first as any).data['ca.crt'], ca.cert);
  await eventually(() => get('kube-system'), 'kube-system/kube-root-ca.crt');
  await client.resource(NAMESPACES).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-ca' } });
  await eventually(() => get('team-ca'), 'team-ca/kube-root-ca.crt');
  await cms.delete('kube-root-ca.crt', { namespace: 'team-ca' });
  await eventually(async () => (await get('team-ca'))?.metadata.uid !== undefined, 'kube-root-ca.crt recreated');
  const cur = (await get('default'))!;
  await cms.update({ ...cur, data: { 'ca.crt': 'tampered' } }, { namespace: 'default' });
  await eventually(async () => ((await get('default')) as any)?.data['ca.crt'] === ca.cert, 'kube-root-ca.crt restored');
});

test('a service-account-token Secret is filled; its token authenticates until the Secret is deleted', async () => {
  const sas = client.resource(SERVICEACCOUNTS);
  const secrets = client.resource(SECRETS);
  const sa = await sas.create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'builder' } }, { namespace: 'default' });
  await secrets.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'builder-token', annotations: { 'kubernetes.io/service-account.name': 'builder' } }, type: 'kubernetes.io/service-account-token' } as any, { namespace: 'default' });
  const s: any = await eventually(async () => {
    const x: any = await secrets.get('builder-token', { namespace: 'default' });
    return x.data?.token ? x : undefined;
  }, 'the token Secret filled');
  assert.equal(Buffer.from(s.data.namespace, 'base64').toString(), 'default');
  assert.equal(Buffer.from(s.data['ca.crt'], 'base64').toString(), ca.cert);
  assert.equal(s.metadata.annotations['kubernetes.io/service-account.uid'], sa.metadata.uid);
  const token = Buffer.from(s.data.token, 'base64').toString();
  const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
  assert.equal(claims.iss, 'kubernetes/serviceaccount');
  assert.equal(claims.exp, undefined);
  assert.equal(claims['kubernetes.io/serviceaccount/secret.name'], 'builder-token');
  const me = await whoami(token);
  assert.equal(me.status, 201, JSON.stringify(me.json));
  assert.equal(me.json.status.userInfo.username, 'system:serviceaccount:default:builder');
  assert.equal(me.json.status.userInfo.uid, sa.metadata.uid);
  await secrets.delete('builder-token', { namespace: 'default' });
  assert.equal((await whoami(token)).status, 401);
});

test('token Secrets of a deleted ServiceAccount are deleted', async () => {
  const sas = client.resource(SERVICEACCOUNTS);
  const secrets = client.resource(SECRETS);
  await sas.create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'shortlived' } }, { namespace: 'default' });
  await secrets.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'shortlived-token', annotations: { 'kubernetes.io/service-account.name': 'shortlived' } }, type: 'kubernetes.io/service-account-token' } as any, { namespace: 'default' });
  const s: any = await eventually(async () => ((await secrets.get('shortlived-token', { namespace: 'default' })) as any).data?.token, 'filled');
  const token = Buffer.from(s, 'base64').toString();
  assert.equal((await whoami(token)).status, 201);
  await sas.delete('shortlived', { namespace: 'default' });
  await eventually(async () => (await secrets.get('shortlived-token', { namespace: 'default' }).catch(missing)) === undefined, 'the token Secret deleted');
  assert.equal((await whoami(token)).status, 401);
});

test('an approved kube-apiserver-client CSR gets a certificate from the cluster CA; a bad one fails', async () => {
  const csrs = client.resource(CERTIFICATESIGNINGREQUESTS);
  const { csr } = makeCSR('alice', ['devs']);
  const body = (name: string, usages: string[]) => ({
    apiVersion: 'certificates.k8s.io/v1',
    kind: 'CertificateSigningRequest',
    metadata: { name },
    spec: { request: Buffer.from(csr).toString('base64'), signerName: 'kubernetes.io/kube-apiserver-client', usages, expirationSeconds: 86400 },
  });
  await csrs.create(body('alice', ['client auth']) as any);
  await csrs.create(body('alice-server', ['server auth']) as any);
  for (const name of ['alice', 'alice-server']) {
    const cur: any = await csrs.get(name);
    await csrs.updateSubresource(name, 'approval', { ...cur, status: { conditions: [{ type: 'Approved', status: 'True', reason: 'Test', message: 'ok' }] } });
  }
  const issued: any = await eventually(async () => ((await csrs.get('alice')) as any).status?.certificate, 'the certificate');
  const cert = new X509Certificate(Buffer.from(issued, 'base64').toString());
  assert.ok(cert.verify(new X509Certificate(ca.cert).publicKey));
  assert.match(cert.subject, /CN=alice/);
  assert.match(cert.subject, /O=devs/);
  assert.equal((Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / 1000, 86400 + 300);
  const failed: any = await eventually(async () => ((await csrs.get('alice-server')) as any).status?.conditions?.find((c: any) => c.type === 'Failed'), 'the Failed condition');
  assert.equal(failed.reason, 'SignerValidationFailure');
  assert.equal(failed.message, 'invalid usage for client certificate');
});

test('a legacy-unknown CSR is refused at create, as certificates.k8s.io/v1 does', async () => {
  const { csr } = makeCSR('bob');
  const err = await client
    .resource(CERTIFICATESIGNINGREQUESTS)
    .create({ apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name: 'legacy' }, spec: { request: Buffer.from(csr).toString('base64'), signerName: 'kubernetes.io/legacy-unknown', usages: ['client auth'] } } as any)
    .catch((e) => e);
  assert.ok(isStatusError(err, 422));
  assert.match(String(err.message), /spec.signerName: Invalid value: "kubernetes.io\/legacy-unknown": the legacy signerName is not allowed via this API version/);
});
