// The ServiceAccount token authenticator on its own (objects from a map): key rotation through
// serviceAccountKeys, the bound pod's deletion grace, node-bound tokens, legacy tokens whose Secret
// holds another token, and what is left to other authenticators.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { generateKeyPairSync } from 'node:crypto';
import { serviceAccountAuthenticator, type ObjectGetter } from '../../src/apiserver/authn/serviceaccount.ts';
import { createTokenIssuer } from '../../src/apiserver/serviceaccount/issuer.ts';
import { boundClaims, legacyClaims, LEGACY_ISSUER, signingKeyFromPem, signToken } from '../../src/api/serviceaccount/token.ts';
import type { KubeObject } from '../../src/api/types.ts';

const pem = () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
const pubPem = (k: string) => signingKeyFromPem(k).publicKey.export({ type: 'spki', format: 'pem' }) as string;
const req = (token?: string) => ({ headers: token === undefined ? {} : { authorization: `Bearer ${token}` } }) as IncomingMessage;
const ISS = 'https://kubernetes.default.svc.cluster.local';

function objects(list: KubeObject[]): { get: ObjectGetter; map: Map<string, KubeObject> } {
  const map = new Map(list.map((o) => [`${(o as any).plural}/${o.metadata.namespace ?? ''}/${o.metadata.name}`, o]));
  return { map, get: async (plural, ns, name) => map.get(`${plural}/${ns ?? ''}/${name}`) };
}
const obj = (plural: string, name: string, uid: string, ns?: string, extra: any = {}) => ({ plural, metadata: { name, uid, ...(ns ? { namespace: ns } : {}), ...extra }, ...(extra.body ?? {}) }) as any;

test('key rotation: serviceAccountKeys accepts the old key and the new one', async () => {
  const oldKey = pem();
  const newKey = pem();
  const tokens = await createTokenIssuer({ signingKey: newKey, keys: [pubPem(oldKey) + pubPem(newKey)] });
  assert.equal(tokens.verificationKeys().length, 2);
  const { get } = objects([obj('serviceaccounts', 'sa', 'u1', 'ns')]);
  const a = serviceAccountAuthenticator({ tokens, get });
  const claims = boundClaims({ serviceAccount: { namespace: 'ns', name: 'sa', uid: 'u1' }, audiences: [ISS], expirationSeconds: 600 });
  for (const k of [oldKey, newKey]) assert.equal((await a.authenticate(req(await signToken(signingKeyFromPem(k), ISS, claims))))?.username, 'system:serviceaccount:ns:sa');
  const stranger = await signToken(signingKeyFromPem(pem()), ISS, claims);
  await assert.rejects(async () => a.authenticate(req(stranger)), (e: any) => e.code === 401);
});

test('pod-bound tokens: valid up to 60 s past the pod\'s deletionTimestamp; node-bound tokens need the node', async () => {
  const key = pem();
  const tokens = await createTokenIssuer({ signingKey: key });
  const now = Math.floor(Date.now() / 1000);
  const iso = (s: number) => new Date(s * 1000).toISOString();
  const pod = obj('pods', 'p', 'pu', 'ns');
  const { get, map } = objects([obj('serviceaccounts', 'sa', 'u1', 'ns'), pod, obj('nodes', 'n1', 'nu')]);
  const a = serviceAccountAuthenticator({ tokens, get });
  const sa = { namespace: 'ns', name: 'sa', uid: 'u1' };
  const podToken = await tokens.sign(boundClaims({ serviceAccount: sa, audiences: [ISS], expirationSeconds: 600, pod: { name: 'p', uid: 'pu' }, node: { name: 'n1', uid: 'nu' } }));
  const u = await a.authenticate(req(podToken));
  assert.deepEqual(u?.extra?.['authentication.kubernetes.io/node-name'], ['n1']);
  pod.metadata.deletionTimestamp = iso(now - 30);
  assert.ok(await a.authenticate(req(podToken)));
  pod.metadata.deletionTimestamp = iso(now - 120);
  await assert.rejects(async () => a.authenticate(req(podToken)), (e: any) => e.code === 401);
  const nodeToken = await tokens.sign(boundClaims({ serviceAccount: sa, audiences: [ISS], expirationSeconds: 600, node: { name: 'n1', uid: 'nu' } }));
  assert.ok(await a.authenticate(req(nodeToken)));
  map.delete('nodes//n1');
  await assert.rejects(async () => a.authenticate(req(nodeToken)), (e: any) => e.code === 401);
});

test('legacy tokens: valid while the Secret holds that very token', async () => {
  const key = signingKeyFromPem(pem());
  const tokens = await createTokenIssuer({ signingKey: key.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string });
  const token = await signToken(key, LEGACY_ISSUER, legacyClaims({ namespace: 'ns', name: 'sa', uid: 'u1' }, 'tok'));
  const secret = obj('secrets', 'tok', 'su', 'ns', { body: { data: { token: Buffer.from(token).toString('base64') } } });
  const { get } = objects([obj('serviceaccounts', 'sa', 'u1', 'ns'), secret]);
  const a = serviceAccountAuthenticator({ tokens, get });
  assert.deepEqual(await a.authenticate(req(token)), { username: 'system:serviceaccount:ns:sa', uid: 'u1', groups: ['system:serviceaccounts', 'system:serviceaccounts:ns', 'system:authenticated'] });
  secret.data.token = Buffer.from('another').toString('base64');
  await assert.rejects(async () => a.authenticate(req(token)), (e: any) => e.code === 401);
});

test('left to other authenticators: no credentials, a non-JWT token, a JWT of another issuer', async () => {
  const tokens = await createTokenIssuer({ signingKey: pem() });
  const a = serviceAccountAuthenticator({ tokens, get: async () => undefined });
  assert.equal(await a.authenticate(req()), undefined);
  assert.equal(await a.authenticate(req('31ada4fd-adec-460c-809a-9e56ceb75269')), undefined);
  const other = await signToken(signingKeyFromPem(pem()), 'https://accounts.example.com', { sub: 'x', exp: 9999999999 });
  assert.equal(await a.authenticate(req(other)), undefined);
});
