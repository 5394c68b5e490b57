// The ServiceAccount token a runtime container gets: ServiceAccount admission adds Kubernetes'
// kube-api-access-* projected volume, the node pool asks the TokenRequest API for a token bound to
// the pod and writes it with ca.crt and namespace; the program calls the API server through the
// `kubernetes` Service (KUBERNETES_SERVICE_HOST/PORT) with it and RBAC answers as the account.
// The call goes to the API server's non-loopback address when the machine has one: every cluster's
// `kubernetes` Service is 10.96.0.1:443, and a pool of another test run on the machine may serve that
// alias first (the test/runtime/serviceaccount-up-e2e test goes through the Service itself).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { networkInterfaces } from 'node:os';
import { decodeJwt } from 'jose';
import { startApiServer, type Authenticator, type RunningApiServer } from '../../src/apiserver/index.ts';
import { Client } from '../../src/client/index.ts';
import { startNodePool, type NodePool } from '../../src/node/index.ts';
import { CONFIGMAPS, SERVICEACCOUNTS } from '../../src/api/core/refs.ts';
import { eventually, fast, getPod, kubeletLog, nodePod, PODS, quiet } from './helpers.ts';

const ADMIN = 'runtime-admin-token';
let api: RunningApiServer;
let client: Client;
let pool: NodePool;

before(async () => {
  const saKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  const admin: Authenticator = { name: 'TestAdmin', authenticate: (req) => (req.headers.authorization === `Bearer ${ADMIN}` ? { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] } : undefined) };
  api = await startApiServer({ port: 0, host: '0.0.0.0', logger: quiet, serviceAccountSigningKey: saKey, authorizationModes: ['RBAC'], pipeline: { authenticators: [admin] } });
  client = new Client({ server: api.url, qps: Infinity, token: ADMIN });
  await client.resource(SERVICEACCOUNTS).create({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: 'default' } });
  await client.resource(CONFIGMAPS).create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kube-root-ca.crt', namespace: 'default' }, data: { 'ca.crt': '-----BEGIN CERTIFICATE-----\ntest\n-----END CERTIFICATE-----\n' } });
  pool = await startNodePool({ client, count: 1, logger: quiet, timings: fast });
});

after(async () => {
  await pool.stop();
  client.close();
  await api.close();
});

const SCRIPT = `
const fs = require('fs'), http = require('http');
const dir = '/var/run/secrets/kubernetes.io/serviceaccount';
const token = fs.readFileSync(dir + '/token', 'utf8');
const out = { namespace: fs.readFileSync(dir + '/namespace', 'utf8'), ca: fs.readFileSync(dir + '/ca.crt', 'utf8').includes('BEGIN CERTIFICATE'), token };
out.service = process.env.KUBERNETES_SERVICE_HOST + ':' + process.env.KUBERNETES_SERVICE_PORT;
http.get({ host: process.env.API_HOST || process.env.KUBERNETES_SERVICE_HOST, port: process.env.API_PORT || process.env.KUBERNETES_SERVICE_PORT, path: '/api/v1/namespaces/default/pods', headers: { authorization: 'Bearer ' + token } }, (res) => {
  let b = '';
  res.on('data', (d) => (b += d));
  res.on('end', () => { out.status = res.statusCode; out.body = JSON.parse(b); console.log('RESULT ' + JSON.stringify(out)); });
}).on('error', (e) => console.log('ERROR ' + e.message));
setInterval(() => {}, 1000);
`;

test('a runtime pod reads its ServiceAccount token and the API server answers as system:serviceaccount:default:default', async () => {
  const host = Object.values(networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal && !a.address.startsWith('10.'))?.address;
  const env = host ? [{ name: 'API_HOST', value: host }, { name: 'API_PORT', value: new URL(api.url).port }] : [];
  await client.resource(PODS).create(nodePod('sa-reader', SCRIPT, {}, { env }));
  const pod = await getPod(client, 'sa-reader');
  const vol = pod.spec!.volumes.find((v: any) => v.name.startsWith('kube-api-access-'));
  assert.ok(vol, 'ServiceAccount admission added the kube-api-access volume');
  assert.equal(vol.projected.sources[0].serviceAccountToken.expirationSeconds, 3607);
  assert.deepEqual(pod.spec!.containers[0].volumeMounts, [{ name: vol.name, readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' }]);
  const line = await eventually(async () => (await kubeletLog(pool, 'sa-reader')).split('\n').find((l) => l.startsWith('RESULT ') || l.startsWith('ERROR ')), 'the program called the API server', 60_000);
  assert.ok(line!.startsWith('RESULT '), line);
  const out = JSON.parse(line!.slice('RESULT '.length));
  assert.equal(out.namespace, 'default');
  assert.equal(out.service, '10.96.0.1:443', 'the kubernetes Service in the environment');
  assert.equal(out.ca, true);
  const claims: any = decodeJwt(out.token);
  assert.equal(claims.sub, 'system:serviceaccount:default:default');
  assert.equal(claims['kubernetes.io'].pod.name, 'sa-reader');
  assert.equal(claims.exp - claims.iat, 3607);
  assert.equal(out.status, 403);
  assert.equal(out.body.reason, 'Forbidden');
  assert.match(out.body.message, /User "system:serviceaccount:default:default" cannot list resource "pods" in API group "" in the namespace "default"/);
});

test('automountServiceAccountToken: false adds no token volume', async () => {
  await client.resource(PODS).create(nodePod('no-token', 'setInterval(() => {}, 1000)', { automountServiceAccountToken: false }));
  const pod = await getPod(client, 'no-token');
  assert.equal((pod.spec!.volumes ?? []).length, 0);
  assert.equal(pod.spec!.containers[0].volumeMounts, undefined);
});
