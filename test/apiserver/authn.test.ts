// Authentication and the PKI, in-process: the pure readers (token file CSV, certificate subjects,
// bearer headers, SAN coverage, loopback) table-driven, then a server with clientCA, a token file and
// --anonymous-auth answering each kind of caller; ensurePki reusing and re-issuing what it wrote.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IncomingMessage } from 'node:http';
import { startApiServer } from '../../src/apiserver/index.ts';
import { bearerToken, csvRecord, parseTokenFile, userFromCert, isPublicPath } from '../../src/apiserver/authn/index.ts';
import { certSans, certSubject, createCA, ensurePki, ensureServiceAccountKeys, issueClientCert, issueServingCert, sansCover, splitSans } from '../../src/apiserver/pki/index.ts';
import { insecureRefusal, isLoopback, securityOptions } from '../../src/cluster/security.ts';
import { tlsFetch } from '../helpers/kubeconfig-fetch.ts';

const dir = mkdtempSync(join(tmpdir(), 'kubesim-authn-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('csvRecord and parseTokenFile read Kubernetes\' token file format', () => {
  const cases: [string, string[]][] = [
    ['a,b,c', ['a', 'b', 'c']],
    ['tok,alice,1,"dev,ops"', ['tok', 'alice', '1', 'dev,ops']],
    ['t,u,i,"say ""hi"""', ['t', 'u', 'i', 'say "hi"']],
    ['t,u,', ['t', 'u', '']],
  ];
  for (const [line, want] of cases) assert.deepEqual(csvRecord(line), want, line);
  const users = parseTokenFile('tok1,alice,1001,"dev,ops"\n\ntok2,bob,1002\n,nobody,0\n');
  assert.deepEqual([...users], [
    ['tok1', { username: 'alice', uid: '1001', groups: ['dev', 'ops'] }],
    ['tok2', { username: 'bob', uid: '1002', groups: [] }],
  ]);
  assert.throws(() => parseTokenFile('tok,alice\n', '/etc/tokens.csv'), /token file '\/etc\/tokens.csv' must have at least 3 columns \(token, user name, user uid\), found 2/);
});

test('bearerToken reads the Authorization header', () => {
  const cases: [string | undefined, string | undefined][] = [
    [undefined, undefined],
    ['Bearer abc', 'abc'],
    ['bearer   abc  ', 'abc'],
    ['Bearer', ''],
    ['Basic dXNlcjpwYXNz', undefined],
    ['Bearer  abc', 'abc'],
    ['Bearer abc ', 'abc'],
    ['Bearer a b', 'a b'],
    ['Bearer \u00a0abc\u00a0', 'abc'],
    ['BEARER abc', 'abc'],
    [' Bearer abc', 'abc'],
    ['Bearerabc', undefined],
    ['Bearer ', ''],
  ];
  for (const [h, want] of cases) assert.equal(bearerToken({ headers: h === undefined ? {} : { authorization: h } } as IncomingMessage), want, String(h));
});

test('userFromCert: CN is the user, O the groups; a certificate not for client auth names no one', () => {
  const cases: [any, any][] = [
    [{ subject: { CN: 'alice', O: 'dev' } }, { username: 'alice', groups: ['dev', 'system:authenticated'] }],
    [{ subject: { CN: 'bob', O: ['a', 'b'] }, ext_key_usage: ['1.3.6.1.5.5.7.3.2'] }, { username: 'bob', groups: ['a', 'b', 'system:authenticated'] }],
    [{ subject: { CN: 'srv' }, ext_key_usage: ['1.3.6.1.5.5.7.3.1'] }, undefined],
    [{ subject: { O: 'x' } }, undefined],
  ];
  for (const [cert, want] of cases) assert.deepEqual(userFromCert(cert), want, JSON.stringify(cert));
});

test('public paths, loopback addresses and the --insecure refusal', () => {
  for (const [p, want] of [['/readyz', true], ['/livez', true], ['/healthz', true], ['/version', true], ['/dashboard/app.js', true], ['/metrics', false], ['/api', false], ['/openapi/v2', false]] as const) assert.equal(isPublicPath(p), want, p);
  for (const [a, want] of [['127.0.0.1', true], ['127.1.2.3', true], ['::1', true], ['[::1]', true], ['localhost', true], ['0.0.0.0', false], ['::', false], ['10.0.0.1', false]] as const) assert.equal(isLoopback(a), want, a);
  assert.equal(insecureRefusal('127.0.0.1'), undefined);
  assert.match(insecureRefusal('0.0.0.0')!, /may only bind a loopback address .*refusing --bind-address 0\.0\.0\.0/);
});

test('splitSans and sansCover', () => {
  assert.deepEqual(splitSans(['127.0.0.1', '::1', 'LocalHost', '[::1]', '', 'kubernetes']), { dns: ['localhost', 'kubernetes'], ips: ['127.0.0.1', '::1'] });
  assert.equal(sansCover({ dns: ['a'], ips: ['1.2.3.4'] }, { dns: ['a'], ips: [] }), true);
  assert.equal(sansCover({ dns: ['a'], ips: ['1.2.3.4'] }, { dns: [], ips: ['5.6.7.8'] }), false);
});

test('ensurePki writes the PKI once, reuses it, and re-issues the serving certificate for a new address', async () => {
  const pki = join(dir, 'pki');
  const first = await ensurePki(pki, { sans: ['127.0.0.1', 'localhost'] });
  for (const f of ['ca.key', 'apiserver.key']) assert.equal(statSync(join(pki, f)).mode & 0o777, 0o600, f);
  const again = await ensurePki(pki, { sans: ['localhost'] });
  assert.deepEqual(again, first, 'reused');
  const moved = await ensurePki(pki, { sans: ['127.0.0.1', 'localhost', '192.0.2.7'] });
  assert.equal(moved.caCert, first.caCert, 'same CA');
  assert.notEqual(moved.servingCert, first.servingCert, 're-issued');
  assert.deepEqual(certSans(moved.servingCert).ips.sort(), ['127.0.0.1', '192.0.2.7']);
  assert.equal(readFileSync(join(pki, 'apiserver.crt'), 'utf8'), moved.servingCert);
  const client = await issueClientCert({ cert: first.caCert, key: first.caKey }, { cn: 'alice', groups: ['dev', 'ops'] });
  assert.deepEqual(certSubject(client.cert), { cn: 'alice', groups: ['dev', 'ops'] });
});

test('an API server with clientCA, a token file and anonymous auth: who each caller is', async () => {
  const pki = await ensurePki(join(dir, 'server-pki'), { sans: ['127.0.0.1'] });
  const ca = { cert: pki.caCert, key: pki.caKey };
  const tokens = join(dir, 'tokens.csv');
  writeFileSync(tokens, 'tok-alice,alice,1,"dev"\n');
  const srv = await startApiServer({ tls: { key: pki.servingKey, cert: pki.servingCert, ca: pki.caCert }, clientCA: pki.caCert, tokenAuthFile: tokens, anonymousAuth: true });
  const who = async (creds: object) => {
    const f = tlsFetch({ server: srv.url, ca: pki.caCert, ...creds });
    try {
      const r = await f('/apis/authentication.k8s.io/v1/selfsubjectreviews', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"}' });
      const body: any = await r.json();
      return r.status === 201 ? [body.status.userInfo.username, body.status.userInfo.groups] : [r.status, body.message];
    } finally {
      f.close();
    }
  };
  try {
    const cases: [string, object, unknown[]][] = [
      ['client certificate', await issueClientCert(ca, { cn: 'carol', groups: ['qa'] }), ['carol', ['qa', 'system:authenticated']]],
      ['token', { token: 'tok-alice' }, ['alice', ['dev', 'system:authenticated']]],
      ['nothing (anonymous on)', {}, ['system:anonymous', ['system:unauthenticated']]],
      ['wrong token', { token: 'nope' }, [401, 'Unauthorized']],
      ['certificate of another CA', await issueClientCert(await createCA('other'), { cn: 'mallory', groups: ['system:masters'] }), [401, 'Unauthorized']],
      ['serving certificate as client', { cert: pki.servingCert, key: pki.servingKey }, [401, 'Unauthorized']],
    ];
    for (const [name, creds, want] of cases) assert.deepEqual(await who(creds), want, name);
    // The handshake asks for a certificate but does not require one.
    const r = await new Promise<number>((res, rej) => https.get(`${srv.url}/readyz`, { ca: pki.caCert }, (x) => (x.resume(), res(x.statusCode!))).on('error', rej));
    assert.equal(r, 200);
  } finally {
    await srv.close();
  }
});

test('the library default is unchanged: no authenticator, every request system:admin', async () => {
  const srv = await startApiServer();
  try {
    const r = await fetch(`${srv.url}/apis/authentication.k8s.io/v1/selfsubjectreviews`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"}' });
    const body: any = await r.json();
    assert.deepEqual(body.status.userInfo, { username: 'system:admin', groups: ['system:masters', 'system:authenticated'] });
  } finally {
    await srv.close();
  }
});

test('securityOptions: --insecure off loopback throws the refusal; secure options carry the PKI, given files win', async () => {
  await assert.rejects(securityOptions(join(dir, 'x'), { insecure: true, bindAddress: '0.0.0.0' }), /may only bind a loopback address/);
  assert.deepEqual((await securityOptions(join(dir, 'x'), { insecure: true, bindAddress: '127.0.0.1' })).options, {});
  const data = join(dir, 'secure');
  const own = await issueServingCert(await createCA('mine'), splitSans(['127.0.0.1']));
  const otherCA = await createCA('partner');
  writeFileSync(join(dir, 'own.crt'), own.cert);
  writeFileSync(join(dir, 'own.key'), own.key);
  writeFileSync(join(dir, 'partner-ca.crt'), otherCA.cert);
  const s = await securityOptions(data, { bindAddress: '127.0.0.1', tokenAuthFile: '/tmp/t.csv', tlsCertFile: join(dir, 'own.crt'), tlsPrivateKeyFile: join(dir, 'own.key'), clientCAFile: join(dir, 'partner-ca.crt') });
  const ca = readFileSync(join(data, 'pki', 'ca.crt'), 'utf8');
  assert.equal(s.options.tls!.cert, own.cert);
  assert.ok(String(s.options.tls!.ca).includes(ca.trim()) && String(s.options.tls!.ca).includes(own.cert.trim()), 'the kubeconfig trusts the cluster CA and the given certificate');
  assert.ok(String(s.options.clientCA).includes(otherCA.cert.trim()) && String(s.options.clientCA).includes(ca.trim()), 'both CAs sign accepted client certificates');
  assert.deepEqual(s.options.tokenAuthFile, [join(data, 'pki', 'tokens.csv'), '/tmp/t.csv']);
  assert.equal(s.options.anonymousAuth, false);
  assert.deepEqual(Object.keys(s.options.kubeconfigCerts!).sort(), ['controller-manager.kubeconfig', 'kubeconfig', 'node-pool.kubeconfig', 'scheduler.kubeconfig']);
  assert.match(s.dashboardToken!, /^[A-Za-z0-9_-]{32}$/);
  assert.equal((await securityOptions(data, { bindAddress: '127.0.0.1' })).dashboardToken, s.dashboardToken, 'the dashboard token is kept');
});

test('ensureServiceAccountKeys writes sa.key/sa.pub once', () => {
  const a = ensureServiceAccountKeys(join(dir, 'sa'));
  assert.deepEqual(ensureServiceAccountKeys(join(dir, 'sa')), a);
  assert.equal(statSync(join(dir, 'sa', 'sa.key')).mode & 0o777, 0o600);
  assert.match(a.publicKey, /BEGIN PUBLIC KEY/);
});
