// External JWTs through the structured AuthenticationConfiguration: configuration validation,
// claim mapping (claim + prefix, CEL expressions, validation rules), and through HTTP a token signed
// by a jose-generated key whose public JWK is in a local JWKS file.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey, type JWTPayload } from 'jose';
import pino from 'pino';
import { startApiServer, type RunningApiServer } from '../../src/apiserver/index.ts';
import { mapClaims, validateAuthenticationConfig, type JWTAuthenticatorConfig } from '../../src/apiserver/authn/jwt.ts';

const ISSUER = 'https://issuer.example.com';
const cfg = (jwt: any[]) => ({ apiVersion: 'apiserver.config.k8s.io/v1', kind: 'AuthenticationConfiguration', jwt });
const entry = (extra: any = {}) => ({
  issuer: { url: ISSUER, audiences: ['kubesim'], discoveryURL: 'file:///tmp/jwks.json', ...(extra.issuer ?? {}) },
  claimMappings: { username: { claim: 'sub', prefix: 'oidc:' }, ...(extra.claimMappings ?? {}) },
  ...(extra.rest ?? {}),
});

test('AuthenticationConfiguration validation, worded as Kubernetes', () => {
  const table: [string, any, RegExp | undefined][] = [
    ['valid', cfg([entry()]), undefined],
    ['wrong kind', { apiVersion: 'v1', kind: 'Pod' }, /expected kind AuthenticationConfiguration/],
    ['http issuer', cfg([entry({ issuer: { url: 'http://x.example' } })]), /jwt\[0\]\.issuer\.url: Invalid value: "http:\/\/x.example": URL scheme must be https/],
    ['no audiences', cfg([entry({ issuer: { audiences: [] } })]), /jwt\[0\]\.issuer\.audiences: Required value/],
    ['two audiences without MatchAny', cfg([entry({ issuer: { audiences: ['a', 'b'] } })]), /audienceMatchPolicy must be MatchAny for multiple audiences/],
    ['two audiences with MatchAny', cfg([entry({ issuer: { audiences: ['a', 'b'], audienceMatchPolicy: 'MatchAny' } })]), undefined],
    ['duplicate issuer', cfg([entry(), entry()]), /jwt\[1\]\.issuer\.url: Duplicate value/],
    ['no username', cfg([entry({ claimMappings: { username: {} } })]), /claimMappings\.username: Required value: claim or expression is required/],
    ['claim without prefix', cfg([entry({ claimMappings: { username: { claim: 'sub' } } })]), /claimMappings\.username\.prefix: Required value: prefix is required when claim is set/],
    ['claim and expression', cfg([entry({ claimMappings: { username: { claim: 'sub', prefix: '', expression: 'claims.sub' } } })]), /claim and expression cannot both be set/],
    ['bad CEL', cfg([entry({ claimMappings: { username: { expression: 'claims.sub +' } } })]), /claimMappings\.username\.expression: Invalid value: "claims.sub \+": compilation failed/],
    ['no keys', cfg([entry({ issuer: { discoveryURL: undefined } })]), /issuer\.discoveryURL: Required value/],
  ];
  for (const [what, c, want] of table) {
    const errs = validateAuthenticationConfig(c);
    if (!want) assert.deepEqual(errs, [], what);
    else assert.ok(errs.some((e) => want.test(e)), `${what}: ${errs.join('; ')}`);
  }
});

test('claim mappings: prefixes, groups, email_verified, CEL expressions and validation rules', () => {
  const j = entry({ claimMappings: { groups: { claim: 'groups', prefix: 'oidc:' }, uid: { claim: 'sub' } } }) as JWTAuthenticatorConfig;
  assert.deepEqual(mapClaims(j, { sub: 'alice', groups: ['dev', 'ops'] }), { username: 'oidc:alice', uid: 'alice', groups: ['oidc:dev', 'oidc:ops', 'system:authenticated'] });
  assert.deepEqual(mapClaims(j, { sub: 'alice', groups: 'dev' }).groups, ['oidc:dev', 'system:authenticated']);
  assert.throws(() => mapClaims(j, { groups: ['x'] }), /401|Unauthorized/);
  const email = entry({ claimMappings: { username: { claim: 'email', prefix: '' } } }) as JWTAuthenticatorConfig;
  assert.equal(mapClaims(email, { email: 'a@x.io', email_verified: true }).username, 'a@x.io');
  assert.throws(() => mapClaims(email, { email: 'a@x.io', email_verified: false }));
  const cel = entry({
    claimMappings: {
      username: { expression: "claims.preferred_username + ':external'" },
      groups: { expression: "claims.roles.map(r, 'role:' + r)" },
      extra: [{ key: 'example.com/tenant', valueExpression: 'claims.tenant' }],
    },
    rest: {
      claimValidationRules: [{ claim: 'hd', requiredValue: 'example.com' }, { expression: "claims.exp - claims.iat <= 86400", message: 'too long' }],
      userValidationRules: [{ expression: "!user.username.startsWith('system:')", message: 'username cannot use reserved system: prefix' }],
    },
  }) as JWTAuthenticatorConfig;
  const claims: JWTPayload = { preferred_username: 'bob', roles: ['a', 'b'], tenant: 't1', hd: 'example.com', iat: 0, exp: 3600 };
  assert.deepEqual(mapClaims(cel, claims), { username: 'bob:external', groups: ['role:a', 'role:b', 'system:authenticated'], extra: { 'example.com/tenant': ['t1'] } });
  assert.throws(() => mapClaims(cel, { ...claims, hd: 'other.com' }));
  assert.throws(() => mapClaims(cel, { ...claims, exp: 999999 }));
  assert.throws(() => mapClaims(cel, { ...claims, preferred_username: 'system:x' }), (e: any) => /reserved system: prefix/.test(e.why));
});

let dir: string;
let api: RunningApiServer;
let key: CryptoKey;
let jwksPath: string;

async function sign(claims: JWTPayload, k: CryptoKey = key, kid = 'k1'): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ iss: ISSUER, aud: 'kubesim', iat: now, exp: now + 600, ...claims }).setProtectedHeader({ alg: 'RS256', kid }).sign(k);
}

async function whoami(token: string): Promise<{ status: number; json: any }> {
  const r = await fetch(`${api.url}/apis/authentication.k8s.io/v1/selfsubjectreviews`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }),
  });
  return { status: r.status, json: await r.json() };
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kubesim-jwt-'));
  jwksPath = join(dir, 'jwks.json');
  const kp = await generateKeyPair('RS256', { extractable: true });
  key = kp.privateKey;
  writeFileSync(jwksPath, JSON.stringify({ keys: [{ ...(await exportJWK(kp.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }] }));
  const configPath = join(dir, 'auth.yaml');
  writeFileSync(
    configPath,
    [
      'apiVersion: apiserver.config.k8s.io/v1',
      'kind: AuthenticationConfiguration',
      'jwt:',
      '- issuer:',
      `    url: ${ISSUER}`,
      `    discoveryURL: ${pathToFileURL(jwksPath).href}`,
      '    audiences: [kubesim]',
      '  claimMappings:',
      '    username: {claim: email, prefix: ""}',
      '    groups: {claim: groups, prefix: "oidc:"}',
      '',
    ].join('\n'),
  );
  api = await startApiServer({ port: 0, logger: pino({ level: 'silent' }), authenticationConfig: configPath });
});

after(async () => {
  await api.close();
  rmSync(dir, { recursive: true, force: true });
});

test('a JWT from the configured issuer authenticates with its mapped user', async () => {
  const r = await whoami(await sign({ sub: '1234', email: 'jane@example.com', email_verified: true, groups: ['admins'] }));
  assert.equal(r.status, 201, JSON.stringify(r.json));
  assert.deepEqual(r.json.status.userInfo, { username: 'jane@example.com', groups: ['oidc:admins', 'system:authenticated'] });
});

test('tampered, expired, wrong-audience, unknown-key and foreign-issuer JWTs get 401', async () => {
  const good = await sign({ email: 'jane@example.com' });
  const [h, , s] = good.split('.');
  const forged = `${h}.${Buffer.from(JSON.stringify({ iss: ISSUER, aud: 'kubesim', exp: 9999999999, email: 'root@example.com' })).toString('base64url')}.${s}`;
  const now = Math.floor(Date.now() / 1000);
  const { privateKey: stranger } = await generateKeyPair('RS256');
  const cases: Record<string, string> = {
    forged,
    expired: await sign({ email: 'jane@example.com', iat: now - 7200, exp: now - 3600 }),
    audience: await sign({ email: 'jane@example.com', aud: 'someone-else' }),
    noExp: await new SignJWT({ iss: ISSUER, aud: 'kubesim', email: 'jane@example.com' }).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).sign(key),
    strangerKey: await sign({ email: 'jane@example.com' }, stranger),
    unknownKid: await sign({ email: 'jane@example.com' }, stranger, 'k9'),
    noUsername: await sign({ sub: 'x' }),
    otherIssuer: await sign({ email: 'jane@example.com', iss: 'https://other.example.com' }),
  };
  for (const [what, t] of Object.entries(cases)) {
    const r = await whoami(t);
    assert.equal(r.status, 401, `${what}: ${JSON.stringify(r.json)}`);
    assert.equal(r.json.reason, 'Unauthorized');
  }
});

test('a key added to the JWKS file is picked up', async () => {
  const kp = await generateKeyPair('RS256', { extractable: true });
  const jwks = JSON.parse(readFileSync(jwksPath, 'utf8'));
  jwks.keys.push({ ...(await exportJWK(kp.publicKey)), kid: 'k2', alg: 'RS256', use: 'sig' });
  writeFileSync(jwksPath, JSON.stringify(jwks));
  const r = await whoami(await sign({ email: 'new@example.com' }, kp.privateKey, 'k2'));
  assert.equal(r.status, 201, JSON.stringify(r.json));
  assert.equal(r.json.status.userInfo.username, 'new@example.com');
});

test('keys from a discovery document whose jwks_uri is a file, or an inline jwks', async () => {
  const { readJwks } = await import('../../src/apiserver/authn/jwt.ts');
  const d = mkdtempSync(join(tmpdir(), 'kubesim-jwks-'));
  try {
    const set = { keys: [{ kty: 'oct', k: 'AAAA', kid: 'x' }] };
    writeFileSync(join(d, 'keys.json'), JSON.stringify(set));
    writeFileSync(join(d, 'openid-configuration'), JSON.stringify({ issuer: ISSUER, jwks_uri: pathToFileURL(join(d, 'keys.json')).href }));
    assert.deepEqual(readJwks({ url: ISSUER, audiences: ['a'], discoveryURL: pathToFileURL(join(d, 'openid-configuration')).href }), set);
    assert.deepEqual(readJwks({ url: ISSUER, audiences: ['a'], jwks: join(d, 'keys.json') }), set);
    assert.deepEqual(readJwks({ url: ISSUER, audiences: ['a'], jwks: set as any }), set);
    assert.throws(() => readJwks({ url: ISSUER, audiences: ['a'], discoveryURL: 'https://issuer.example.com/.well-known/openid-configuration' }), /only file:\/\/ discovery URLs/);
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});
