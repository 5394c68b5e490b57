// TokenRequest (serviceaccounts/token) and the ServiceAccount token authenticator through HTTP:
// tokens are issued, accepted as system:serviceaccount:NS:NAME, and refused (401, never 5xx) once
// tampered, for another audience, signed by another key, or after the account or bound object is gone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { startApiServer, type RunningApiServer } from '../../src/apiserver/index.ts';
import { keyId, signingKeyFromPem, signToken, boundClaims } from '../../src/api/serviceaccount/token.ts';

let server: RunningApiServer;
let dir: string;

async function call(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; json: any }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  const r = await fetch(server.url + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  return { status: r.status, json: text ? JSON.parse(text) : undefined };
}

const whoami = (token?: string) => call('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }, token);
const requestToken = (sa: string, spec: Record<string, unknown> = {}, ns = 'default') =>
  call('POST', `/api/v1/namespaces/${ns}/serviceaccounts/${sa}/token`, { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec });

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kubesim-tokens-'));
  server = await startApiServer({ dataDir: dir, storage: 'memory' });
  assert.equal((await call('POST', '/api/v1/namespaces/default/serviceaccounts', { metadata: { name: 'robot' } })).status, 201);
});

after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

test('the data dir keeps the signing key: pki/sa.key (0600) and sa.pub', () => {
  const key = join(dir, 'pki', 'sa.key');
  assert.ok(existsSync(key) && existsSync(join(dir, 'pki', 'sa.pub')));
  assert.equal(statSync(key).mode & 0o777, 0o600);
});

test('a TokenRequest answers a signed JWT with the claims Kubernetes writes', async () => {
  const r = await requestToken('robot');
  assert.equal(r.status, 201, JSON.stringify(r.json));
  assert.equal(r.json.kind, 'TokenRequest');
  assert.equal(r.json.apiVersion, 'authentication.k8s.io/v1');
  assert.equal(r.json.spec.expirationSeconds, 3600);
  assert.deepEqual(r.json.spec.audiences, ['https://kubernetes.default.svc.cluster.local']);
  const token: string = r.json.status.token;
  const h = decodeProtectedHeader(token);
  assert.equal(h.alg, 'RS256');
  assert.equal(h.kid, signingKeyFromPem(readFileSync(join(dir, 'pki', 'sa.key'))).kid);
  const c: any = decodeJwt(token);
  const sa = (await call('GET', '/api/v1/namespaces/default/serviceaccounts/robot')).json;
  assert.equal(c.iss, 'https://kubernetes.default.svc.cluster.local');
  assert.equal(c.sub, 'system:serviceaccount:default:robot');
  assert.deepEqual(c.aud, ['https://kubernetes.default.svc.cluster.local']);
  assert.equal(c.exp - c.iat, 3600);
  assert.equal(c.nbf, c.iat);
  assert.match(c.jti, /^[0-9a-f-]{36}$/);
  assert.deepEqual(c['kubernetes.io'], { namespace: 'default', serviceaccount: { name: 'robot', uid: sa.metadata.uid } });
  assert.equal(Date.parse(r.json.status.expirationTimestamp) / 1000, c.exp);
  assert.equal(Date.parse(r.json.metadata.creationTimestamp) / 1000, c.iat);
  assert.equal(r.json.metadata.name, 'robot');
});

test('the token authenticates as the ServiceAccount', async () => {
  const token = (await requestToken('robot')).json.status.token;
  const sa = (await call('GET', '/api/v1/namespaces/default/serviceaccounts/robot')).json;
  const r = await whoami(token);
  assert.equal(r.status, 201, JSON.stringify(r.json));
  const jti = (decodeJwt(token) as any).jti;
  assert.deepEqual(r.json.status.userInfo, {
    username: 'system:serviceaccount:default:robot',
    uid: sa.metadata.uid,
    groups: ['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated'],
    extra: { 'authentication.kubernetes.io/credential-id': [`JTI=${jti}`] },
  });
  // No credentials: still the admin while nothing else authenticates.
  assert.equal((await whoami()).json.status.userInfo.username, 'system:admin');
});

test('TokenRequest validation and refusals, worded as Kubernetes', async () => {
  const short = await requestToken('robot', { expirationSeconds: 60 });
  assert.equal(short.status, 422);
  assert.equal(short.json.message, 'TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes');
  const long = await requestToken('robot', { expirationSeconds: 2 ** 32 + 1 });
  assert.equal(long.status, 422);
  assert.match(long.json.message, /may not specify a duration larger than 2\^32 seconds/);
  const missing = await requestToken('nobody');
  assert.equal(missing.status, 404);
  assert.equal(missing.json.message, 'serviceaccounts "nobody" not found');
  const kind = await requestToken('robot', { boundObjectRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'x' } });
  assert.equal(kind.status, 400);
  assert.equal(kind.json.message, 'cannot bind token to object of type apps/v1, Kind=Deployment');
  const wrongBody = await call('POST', '/api/v1/namespaces/default/serviceaccounts/robot/token', { apiVersion: 'v1', kind: 'Pod' });
  assert.equal(wrongBody.status, 400);
  const otherName = await call('POST', '/api/v1/namespaces/default/serviceaccounts/robot/token', { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', metadata: { name: 'x' } });
  assert.equal(otherName.status, 422);
  assert.equal(otherName.json.message, 'TokenRequest.authentication.k8s.io "robot" is invalid: metadata.name: Invalid value: "x": must match the service account name if specified');
});

test('tampered, foreign, expired and wrong-audience tokens get 401; a non-JWT token is not ours', async () => {
  const token: string = (await requestToken('robot')).json.status.token;
  const [h, p, sig] = token.split('.');
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
  claims.sub = 'system:serviceaccount:kube-system:admin';
  const tampered = `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${sig}`;
  const badSig = `${h}.${p}.${sig.slice(0, -4)}AAAA`;
  const other = signingKeyFromPem(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string);
  const sa = (await call('GET', '/api/v1/namespaces/default/serviceaccounts/robot')).json;
  const base = { serviceAccount: { namespace: 'default', name: 'robot', uid: sa.metadata.uid }, audiences: ['https://kubernetes.default.svc.cluster.local'], expirationSeconds: 3600 };
  const foreign = await signToken(other, 'https://kubernetes.default.svc.cluster.local', boundClaims(base));
  const key = signingKeyFromPem(readFileSync(join(dir, 'pki', 'sa.key')));
  const expired = await signToken(key, 'https://kubernetes.default.svc.cluster.local', boundClaims({ ...base, now: Math.floor(Date.now() / 1000) - 7200 }));
  const notYet = await signToken(key, 'https://kubernetes.default.svc.cluster.local', boundClaims({ ...base, now: Math.floor(Date.now() / 1000) + 7200 }));
  const audience = (await requestToken('robot', { audiences: ['vault'] })).json.status.token;
  const wrongIssuer = await signToken(key, 'https://elsewhere.example', boundClaims(base));
  for (const [what, t] of Object.entries({ tampered, badSig, foreign, expired, notYet, audience, wrongIssuer, garbage: 'not-a-jwt', almost: 'a.b.c' })) {
    const r = await whoami(t);
    assert.equal(r.status, 401, `${what}: ${JSON.stringify(r.json)}`);
    assert.equal(r.json.kind, 'Status');
    assert.equal(r.json.reason, 'Unauthorized');
    assert.equal(r.json.message, 'Unauthorized');
  }
  assert.notEqual(other.kid, keyId(key.publicKey));
});

test('a token bound to a pod dies with the pod; one bound to a secret with the secret', async () => {
  await call('POST', '/api/v1/namespaces/default/pods', { metadata: { name: 'p1' }, spec: { serviceAccountName: 'robot', containers: [{ name: 'c', image: 'nginx' }] } });
  const pod = (await call('GET', '/api/v1/namespaces/default/pods/p1')).json;
  const mismatch = await requestToken('robot', { boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: 'p1', uid: 'not-the-uid' } });
  assert.equal(mismatch.status, 409);
  assert.match(mismatch.json.message, /the UID in the bound object reference \(not-the-uid\) does not match the UID in record/);
  await call('POST', '/api/v1/namespaces/default/serviceaccounts', { metadata: { name: 'other' } });
  const other = await requestToken('other', { boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: 'p1' } });
  assert.equal(other.status, 400);
  assert.equal(other.json.message, 'cannot bind token for serviceaccount "other" to pod running with different serviceaccount name.');
  const r = await requestToken('robot', { boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: 'p1', uid: pod.metadata.uid } });
  assert.equal(r.status, 201, JSON.stringify(r.json));
  const podToken = r.json.status.token;
  assert.deepEqual((decodeJwt(podToken) as any)['kubernetes.io'].pod, { name: 'p1', uid: pod.metadata.uid });
  const me = await whoami(podToken);
  assert.equal(me.status, 201);
  assert.deepEqual(me.json.status.userInfo.extra['authentication.kubernetes.io/pod-name'], ['p1']);
  assert.deepEqual(me.json.status.userInfo.extra['authentication.kubernetes.io/pod-uid'], [pod.metadata.uid]);

  await call('POST', '/api/v1/namespaces/default/secrets', { metadata: { name: 's1' } });
  const secretToken = (await requestToken('robot', { boundObjectRef: { kind: 'Secret', apiVersion: 'v1', name: 's1' } })).json.status.token;
  assert.equal((await whoami(secretToken)).status, 201);

  assert.ok([200, 202].includes((await call('DELETE', '/api/v1/namespaces/default/pods/p1?gracePeriodSeconds=0')).status));
  assert.equal((await whoami(podToken)).status, 401);
  assert.equal((await call('DELETE', '/api/v1/namespaces/default/secrets/s1')).status, 200);
  assert.equal((await whoami(secretToken)).status, 401);
});

test('a token dies with its ServiceAccount, also when one of the same name is made again', async () => {
  await call('POST', '/api/v1/namespaces/default/serviceaccounts', { metadata: { name: 'temp' } });
  const token = (await requestToken('temp')).json.status.token;
  assert.equal((await whoami(token)).status, 201);
  await call('DELETE', '/api/v1/namespaces/default/serviceaccounts/temp');
  assert.equal((await whoami(token)).status, 401);
  await call('POST', '/api/v1/namespaces/default/serviceaccounts', { metadata: { name: 'temp' } });
  assert.equal((await whoami(token)).status, 401);
});

test('discovery lists serviceaccounts/token as a TokenRequest create', async () => {
  const r = await call('GET', '/api/v1');
  const sub = r.json.resources.find((x: any) => x.name === 'serviceaccounts/token');
  assert.deepEqual(sub, { name: 'serviceaccounts/token', singularName: '', namespaced: true, group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest', verbs: ['create'] });
});

test('the signing key is reused on restart: old tokens stay valid', async () => {
  const d = mkdtempSync(join(tmpdir(), 'kubesim-tokens-'));
  try {
    const s1 = await startApiServer({ dataDir: d });
    const key1 = readFileSync(join(d, 'pki', 'sa.key'), 'utf8');
    await fetch(`${s1.url}/api/v1/namespaces/default/serviceaccounts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ metadata: { name: 'keep' } }) });
    const tr = (await (await fetch(`${s1.url}/api/v1/namespaces/default/serviceaccounts/keep/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).json()) as any;
    await s1.close();
    const s2 = await startApiServer({ dataDir: d });
    try {
      assert.equal(readFileSync(join(d, 'pki', 'sa.key'), 'utf8'), key1);
      const r = await fetch(`${s2.url}/apis/authentication.k8s.io/v1/selfsubjectreviews`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${tr.status.token}` }, body: '{"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"}' });
      assert.equal(r.status, 201);
      assert.equal(((await r.json()) as any).status.userInfo.username, 'system:serviceaccount:default:keep');
    } finally {
      await s2.close();
    }
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});
