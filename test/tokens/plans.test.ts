// The pure decisions of the token controller, the root CA publisher and CSR signing, and the
// ServiceAccount token claims, table-driven.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { boundClaims, keyId, legacyClaims, serviceAccountUsername, splitServiceAccountUsername } from '../../src/api/serviceaccount/token.ts';
import { filledSecret, tokenSecretAction } from '../../src/controllers/serviceaccounttoken/plan.ts';
import { DESCRIPTION, rootCAAction } from '../../src/controllers/rootcacert/plan.ts';
import { awaitsSigning, certDurationSeconds, parseCSR, signCSR, signerRefusal } from '../../src/controllers/csrsigning/plan.ts';
import { boundUser } from '../../src/apiserver/authn/serviceaccount.ts';
import { makeCA, makeCSR, makeKeyCSR } from './pki.ts';

test('bound token claims, as pkg/serviceaccount Claims() writes them', () => {
  const c = boundClaims({ serviceAccount: { namespace: 'ns', name: 'sa', uid: 'u1' }, audiences: ['api'], expirationSeconds: 600, now: 1000, id: 'j', pod: { name: 'p', uid: 'pu' }, node: { name: 'n', uid: 'nu' } });
  assert.deepEqual(c, { aud: ['api'], exp: 1600, iat: 1000, jti: 'j', nbf: 1000, sub: 'system:serviceaccount:ns:sa', 'kubernetes.io': { namespace: 'ns', serviceaccount: { name: 'sa', uid: 'u1' }, node: { name: 'n', uid: 'nu' }, pod: { name: 'p', uid: 'pu' } } });
  assert.deepEqual(legacyClaims({ namespace: 'ns', name: 'sa', uid: 'u1' }, 'sec'), {
    'kubernetes.io/serviceaccount/namespace': 'ns',
    'kubernetes.io/serviceaccount/secret.name': 'sec',
    'kubernetes.io/serviceaccount/service-account.name': 'sa',
    'kubernetes.io/serviceaccount/service-account.uid': 'u1',
    sub: 'system:serviceaccount:ns:sa',
  });
  assert.equal(serviceAccountUsername('a', 'b'), 'system:serviceaccount:a:b');
  assert.deepEqual(splitServiceAccountUsername('system:serviceaccount:a:b'), ['a', 'b']);
  assert.equal(splitServiceAccountUsername('system:serviceaccount:a'), undefined);
  assert.equal(splitServiceAccountUsername('alice'), undefined);
});

test('the user of a bound token: groups and extra as Kubernetes sets them', () => {
  assert.deepEqual(boundUser({ namespace: 'ns', serviceaccount: { name: 'sa', uid: 'u' }, pod: { name: 'p', uid: 'pu' }, node: { name: 'n', uid: 'nu' } }, 'u', 'j1'), {
    username: 'system:serviceaccount:ns:sa',
    uid: 'u',
    groups: ['system:serviceaccounts', 'system:serviceaccounts:ns', 'system:authenticated'],
    extra: {
      'authentication.kubernetes.io/pod-name': ['p'],
      'authentication.kubernetes.io/pod-uid': ['pu'],
      'authentication.kubernetes.io/node-name': ['n'],
      'authentication.kubernetes.io/node-uid': ['nu'],
      'authentication.kubernetes.io/credential-id': ['JTI=j1'],
    },
  });
  assert.equal(boundUser({ namespace: 'ns', serviceaccount: { name: 'sa', uid: 'u' } }, 'u').extra, undefined);
});

test('the key id is the base64url SHA-256 of the PKIX public key', () => {
  const pub = createPublicKey(makeCA().key);
  assert.match(keyId(pub), /^[A-Za-z0-9_-]{43}$/);
});

const b64 = (s: string) => Buffer.from(s).toString('base64');
const secret = (extra: any = {}) => ({
  metadata: { name: 's', namespace: 'ns', annotations: { 'kubernetes.io/service-account.name': 'sa', ...(extra.annotations ?? {}) } },
  type: extra.type ?? 'kubernetes.io/service-account-token',
  data: extra.data,
});
const sa = { metadata: { name: 'sa', namespace: 'ns', uid: 'u1' } };

test('token controller plan: fill, delete or leave a token Secret', () => {
  const full = { token: b64('t'), namespace: b64('ns'), 'ca.crt': b64('CA') };
  const table: [string, any, any, string | undefined, string][] = [
    ['another type', secret({ type: 'Opaque' }), sa, undefined, 'none'],
    ['empty secret', secret(), sa, undefined, 'fill+token'],
    ['account missing', secret(), undefined, undefined, 'delete'],
    ['account recreated (uid differs)', secret({ annotations: { 'kubernetes.io/service-account.uid': 'old' } }), sa, undefined, 'delete'],
    ['filled', secret({ annotations: { 'kubernetes.io/service-account.uid': 'u1' }, data: full }), sa, 'CA', 'none'],
    ['CA changed', secret({ annotations: { 'kubernetes.io/service-account.uid': 'u1' }, data: full }), sa, 'CA2', 'fill'],
    ['no CA configured keeps ca.crt', secret({ annotations: { 'kubernetes.io/service-account.uid': 'u1' }, data: full }), sa, undefined, 'none'],
    ['namespace missing', secret({ annotations: { 'kubernetes.io/service-account.uid': 'u1' }, data: { token: b64('t') } }), sa, undefined, 'fill'],
  ];
  for (const [what, s, account, ca, want] of table) {
    const a = tokenSecretAction(s, account, ca);
    const got = a.op === 'fill' ? (a.needsToken ? 'fill+token' : 'fill') : a.op;
    assert.equal(got, want, what);
  }
  const f = filledSecret(secret() as any, sa, { token: 'jwt', rootCA: 'CA' });
  assert.deepEqual(f.data, { token: b64('jwt'), 'ca.crt': b64('CA'), namespace: b64('ns') });
  assert.equal(f.metadata.annotations!['kubernetes.io/service-account.uid'], 'u1');
});

test('root CA publisher plan: create, update or leave kube-root-ca.crt', () => {
  const ns = (extra: any = {}) => ({ metadata: { name: 'ns', ...extra }, status: { phase: 'Active' } });
  assert.equal(rootCAAction(undefined, undefined, 'CA').op, 'none');
  assert.equal(rootCAAction(ns({ deletionTimestamp: '2026-01-01T00:00:00Z' }), undefined, 'CA').op, 'none');
  const c = rootCAAction(ns(), undefined, 'CA');
  assert.equal(c.op, 'create');
  const cm = (c as any).configMap;
  assert.deepEqual(cm, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kube-root-ca.crt', namespace: 'ns', annotations: { 'kubernetes.io/description': DESCRIPTION } }, data: { 'ca.crt': 'CA' } });
  assert.equal(rootCAAction(ns(), cm, 'CA').op, 'none');
  assert.equal(rootCAAction(ns(), { ...cm, data: { 'ca.crt': 'old' } }, 'CA').op, 'update');
  assert.equal(rootCAAction(ns(), { ...cm, data: { 'ca.crt': 'CA', extra: 'x' } }, 'CA').op, 'update');
});

test('CSR signing: durations, signer checks, approval state', () => {
  const year = 365 * 86400;
  assert.equal(certDurationSeconds(year, undefined), year);
  assert.equal(certDurationSeconds(year, 2 * year), year);
  assert.equal(certDurationSeconds(year, 3600), 3600);
  assert.equal(certDurationSeconds(year, 60), 600);
  const client = parseCSR(makeCSR('alice', ['devs']).csr);
  const node = parseCSR(makeCSR('system:node:n1', ['system:nodes']).csr);
  const table: [string, any, string[], string | undefined][] = [
    ['kubernetes.io/kube-apiserver-client', client, ['client auth'], undefined],
    ['kubernetes.io/kube-apiserver-client', client, ['digital signature', 'key encipherment', 'client auth'], undefined],
    ['kubernetes.io/kube-apiserver-client', client, ['server auth'], 'invalid usage for client certificate'],
    ['kubernetes.io/kube-apiserver-client', client, ['client auth', 'server auth'], 'invalid usage for client certificate'],
    ['kubernetes.io/kube-apiserver-client-kubelet', client, ['client auth'], 'subject organization is not system:nodes'],
    ['kubernetes.io/kube-apiserver-client-kubelet', node, ['digital signature', 'client auth'], undefined],
    ['kubernetes.io/kubelet-serving', node, ['server auth'], 'DNS or IP subjectAltName is required'],
    ['example.com/other', client, ['client auth'], 'unrecognized signerName: "example.com/other"'],
  ];
  for (const [signer, req, usages, want] of table) assert.equal(signerRefusal(signer, req, usages), want, `${signer} ${usages}`);
  const approved = { metadata: {}, status: { conditions: [{ type: 'Approved', status: 'True' }] } };
  assert.equal(awaitsSigning(approved), true);
  assert.equal(awaitsSigning({ metadata: {}, status: {} }), false);
  assert.equal(awaitsSigning({ ...approved, status: { ...approved.status, certificate: 'x' } }), false);
  assert.equal(awaitsSigning({ metadata: {}, status: { conditions: [{ type: 'Approved', status: 'True' }, { type: 'Failed', status: 'True' }] } }), false);
});

test('signCSR: the request\'s subject and SANs, usages, duration, verified by the CA', () => {
  const ca = makeCA();
  const { csr } = makeCSR('alice', ['devs', 'ops'], ['alice.example']);
  const now = Date.parse('2026-06-01T00:00:00Z');
  const pem = signCSR(csr, ca, { usages: ['digital signature', 'key encipherment', 'client auth'], expirationSeconds: 3600, now: Math.max(now, Date.now()) });
  const cert = new X509Certificate(pem);
  const caCert = new X509Certificate(ca.cert);
  assert.ok(cert.verify(caCert.publicKey));
  assert.ok(cert.checkIssued(caCert));
  assert.match(cert.subject, /CN=alice/);
  assert.match(cert.subject, /O=devs/);
  assert.match(cert.subject, /O=ops/);
  assert.equal(cert.subjectAltName, 'DNS:alice.example');
  assert.deepEqual(cert.keyUsage, ['1.3.6.1.5.5.7.3.2']);
  assert.equal(cert.ca, false);
  const life = (Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / 1000;
  assert.equal(life, 3600 + 300);
  // Never beyond the CA's own expiry.
  const shortCA = makeCA('short', 1);
  const capped = new X509Certificate(signCSR(csr, shortCA, { usages: ['client auth'] }));
  assert.ok(Date.parse(capped.validTo) <= Date.parse(new X509Certificate(shortCA.cert).validTo));
  assert.throws(() => signCSR('-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n', ca, { usages: ['client auth'] }), /unable to parse/);
});

test('signCSR: ECDSA (P-256, P-384) and Ed25519 requests, as Go\'s x509 reads them; the certificate carries the request\'s own key', () => {
  const ca = makeCA();
  const caCert = new X509Certificate(ca.cert);
  for (const key of [{ type: 'ec', curve: 'P-256' }, { type: 'ec', curve: 'P-384' }, { type: 'ed25519' }] as const) {
    const what = 'curve' in key ? key.curve : key.type;
    const req = makeKeyCSR('dave', ['devs'], key, ['dave.example']);
    const parsed = parseCSR(req.csr);
    assert.equal(parsed.commonName, 'dave', what);
    assert.deepEqual(parsed.organizations, ['devs'], what);
    assert.deepEqual(parsed.sans.dns, ['dave.example'], what);
    assert.equal(signerRefusal('kubernetes.io/kube-apiserver-client', parsed, ['client auth']), undefined);
    const cert = new X509Certificate(signCSR(req.csr, ca, { usages: ['digital signature', 'client auth'], expirationSeconds: 3600 }));
    assert.ok(cert.verify(caCert.publicKey), `${what}: signed by the CA`);
    assert.ok(cert.checkIssued(caCert), what);
    assert.ok(cert.checkPrivateKey(createPrivateKey(req.key)), `${what}: the request's key`);
    assert.match(cert.subject, /CN=dave/);
    assert.equal(cert.subjectAltName, 'DNS:dave.example');
    assert.deepEqual(cert.keyUsage, ['1.3.6.1.5.5.7.3.2']);
  }
});

test('parseCSR refuses a changed request, another PEM type and garbage, with the reason', () => {
  const { csr } = makeKeyCSR('eve', [], { type: 'ec', curve: 'P-256' });
  const der = Buffer.from(csr.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, ''), 'base64');
  const at = der.indexOf(Buffer.from('eve'));
  der[at] = 'm'.charCodeAt(0); // CN=mve, signature no longer matches
  const changed = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
  assert.throws(() => parseCSR(changed), /^Error: the certificate request signature is invalid$/);
  assert.throws(() => parseCSR(csr.replace(/CERTIFICATE REQUEST/g, 'PRIVATE KEY')), /unable to parse the certificate request: PEM block type must be CERTIFICATE REQUEST/);
  assert.throws(() => parseCSR('no pem here'), /unable to parse the certificate request: PEM block not found/);
  assert.throws(() => parseCSR('-----BEGIN CERTIFICATE REQUEST-----\nMAMCAQA=\n-----END CERTIFICATE REQUEST-----\n'), /unable to parse the certificate request/);
});
