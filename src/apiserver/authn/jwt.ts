// External JWT authenticators from Kubernetes' structured AuthenticationConfiguration
// (apiserver.config.k8s.io/v1 and v1beta1, `--authentication-config`): per `jwt[]` entry a token
// from issuer.url, for one of issuer.audiences (audienceMatchPolicy MatchAny), passing
// claimValidationRules, mapped to a user by claimMappings (claim + prefix, or a CEL expression),
// then checked by userValidationRules.
//
// Keys: there is no network, so no OIDC discovery over HTTPS. kubesim reads the issuer's keys from
// `issuer.discoveryURL: file:///path` — a JWKS ({"keys": [...]}) or an OIDC discovery document whose
// `jwks_uri` is a file:// URL — or from the kubesim field `issuer.jwks` (a path, or an inline JWKS).
// The file is read again when a token names a key id it does not hold and the file has changed.
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet, type JWTPayload } from 'jose';
import { parse as parseYaml } from 'yaml';
import type { Authenticator, UserInfo } from '../pipeline/index.ts';
import { bearerToken, jwtPayload, Unauthorized } from './serviceaccount.ts';
import { compileJwtCel, type JwtCelProgram } from './jwt-cel.ts';

export const AUTHENTICATION_CONFIG_VERSIONS = ['apiserver.config.k8s.io/v1', 'apiserver.config.k8s.io/v1beta1', 'apiserver.config.k8s.io/v1alpha1'];

export interface ClaimOrExpression {
  claim?: string;
  prefix?: string;
  expression?: string;
}

export interface JWTAuthenticatorConfig {
  issuer: {
    url: string;
    discoveryURL?: string;
    /** kubesim: a JWKS file path or an inline JWKS. */
    jwks?: string | JSONWebKeySet;
    certificateAuthority?: string;
    audiences: string[];
    audienceMatchPolicy?: 'MatchAny' | '';
  };
  claimValidationRules?: { claim?: string; requiredValue?: string; expression?: string; message?: string }[];
  claimMappings: {
    username: ClaimOrExpression;
    groups?: ClaimOrExpression;
    uid?: { claim?: string; expression?: string };
    extra?: { key: string; valueExpression: string }[];
  };
  userValidationRules?: { expression: string; message?: string }[];
}

export interface AuthenticationConfiguration {
  apiVersion: string;
  kind: 'AuthenticationConfiguration';
  jwt?: JWTAuthenticatorConfig[];
}

/** A path to the YAML/JSON file, or the parsed configuration. */
export type AuthenticationConfigInput = string | AuthenticationConfiguration;

/** Pure: the problems of a configuration, worded as Kubernetes' validation words them. */
export function validateAuthenticationConfig(c: any): string[] {
  const errs: string[] = [];
  if (!c || typeof c !== 'object') return ['the authentication configuration must be an object'];
  if (c.kind !== 'AuthenticationConfiguration' || !AUTHENTICATION_CONFIG_VERSIONS.includes(c.apiVersion)) {
    errs.push(`expected kind AuthenticationConfiguration in one of ${AUTHENTICATION_CONFIG_VERSIONS.join(', ')}, got ${c.apiVersion}/${c.kind}`);
  }
  const seen = new Set<string>();
  (Array.isArray(c.jwt) ? c.jwt : []).forEach((j: any, i: number) => {
    const f = `jwt[${i}]`;
    const url = j?.issuer?.url;
    if (!url) errs.push(`${f}.issuer.url: Required value`);
    else {
      let u: URL | undefined;
      try {
        u = new URL(url);
      } catch {
        errs.push(`${f}.issuer.url: Invalid value: "${url}": must be a valid URL`);
      }
      if (u && u.protocol !== 'https:') errs.push(`${f}.issuer.url: Invalid value: "${url}": URL scheme must be https`);
      if (seen.has(url)) errs.push(`${f}.issuer.url: Duplicate value: "${url}"`);
      seen.add(url);
    }
    const auds = j?.issuer?.audiences;
    if (!Array.isArray(auds) || auds.length === 0) errs.push(`${f}.issuer.audiences: Required value: at least one jwt[].issuer.audiences is required`);
    const policy = j?.issuer?.audienceMatchPolicy ?? '';
    if (Array.isArray(auds) && auds.length > 1 && policy !== 'MatchAny') errs.push(`${f}.issuer.audienceMatchPolicy: Invalid value: "${policy}": audienceMatchPolicy must be MatchAny for multiple audiences`);
    if (policy !== '' && policy !== 'MatchAny') errs.push(`${f}.issuer.audienceMatchPolicy: Invalid value: "${policy}": audienceMatchPolicy must be empty or MatchAny for single audience`);
    if (!j?.issuer?.discoveryURL && !j?.issuer?.jwks) errs.push(`${f}.issuer.discoveryURL: Required value: kubesim reads the issuer's keys from a local file: set discoveryURL to file:///path (JWKS or discovery document) or jwks`);
    const un = j?.claimMappings?.username;
    if (!un || (!un.claim && !un.expression)) errs.push(`${f}.claimMappings.username: Required value: claim or expression is required`);
    else if (un.claim && un.expression) errs.push(`${f}.claimMappings.username: Invalid value: "": claim and expression cannot both be set`);
    else if (un.claim && un.prefix === undefined) errs.push(`${f}.claimMappings.username.prefix: Required value: prefix is required when claim is set. It can be set to an empty string to disable prefixing`);
    else if (un.expression && un.prefix) errs.push(`${f}.claimMappings.username.prefix: Invalid value: "${un.prefix}": may not be specified when expression is set`);
    const gr = j?.claimMappings?.groups;
    if (gr?.claim && gr.expression) errs.push(`${f}.claimMappings.groups: Invalid value: "": claim and expression cannot both be set`);
    else if (gr?.claim && gr.prefix === undefined) errs.push(`${f}.claimMappings.groups.prefix: Required value: prefix is required when claim is set. It can be set to an empty string to disable prefixing`);
    (j?.claimValidationRules ?? []).forEach((r: any, k: number) => {
      if (r?.claim && r.expression) errs.push(`${f}.claimValidationRules[${k}]: Invalid value: "": claim and expression cannot both be set`);
      else if (!r?.claim && !r?.expression) errs.push(`${f}.claimValidationRules[${k}]: Required value: claim or expression is required`);
    });
    for (const [where, expr, returns] of celExpressions(j)) {
      const e = compileJwtCel(expr, returns).error;
      if (e) errs.push(`${f}.${where}: Invalid value: "${expr}": ${e}`);
    }
  });
  return errs;
}

function celExpressions(j: any): [string, string, 'claims' | 'user'][] {
  const out: [string, string, 'claims' | 'user'][] = [];
  const m = j?.claimMappings ?? {};
  for (const k of ['username', 'groups', 'uid']) if (m[k]?.expression) out.push([`claimMappings.${k}.expression`, m[k].expression, 'claims']);
  (m.extra ?? []).forEach((e: any, i: number) => e?.valueExpression && out.push([`claimMappings.extra[${i}].valueExpression`, e.valueExpression, 'claims']));
  (j?.claimValidationRules ?? []).forEach((r: any, i: number) => r?.expression && out.push([`claimValidationRules[${i}].expression`, r.expression, 'claims']));
  (j?.userValidationRules ?? []).forEach((r: any, i: number) => r?.expression && out.push([`userValidationRules[${i}].expression`, r.expression, 'user']));
  return out;
}

/** Reads (a path) and validates; throws an Error listing the problems. */
export function loadAuthenticationConfig(input: AuthenticationConfigInput): AuthenticationConfiguration {
  const c = typeof input === 'string' ? parseYaml(readFileSync(input, 'utf8')) : input;
  const errs = validateAuthenticationConfig(c);
  if (errs.length) throw new Error(`invalid authentication configuration${typeof input === 'string' ? ` ${input}` : ''}: ${errs.join('; ')}`);
  return c as AuthenticationConfiguration;
}

/** The local file an issuer's keys (or its discovery document) are read from; undefined for an inline JWKS. */
function jwksFile(issuer: JWTAuthenticatorConfig['issuer']): string | undefined {
  if (issuer.jwks && typeof issuer.jwks === 'object') return undefined;
  if (typeof issuer.jwks === 'string') return issuer.jwks.startsWith('file://') ? fileURLToPath(issuer.jwks) : issuer.jwks;
  if (issuer.discoveryURL?.startsWith('file://')) return fileURLToPath(issuer.discoveryURL);
  throw new Error(`issuer ${issuer.url}: only file:// discovery URLs are supported (kubesim has no network access to discover keys)`);
}

/** The JWKS of an issuer: the inline set, a JWKS file, or the file a discovery document's jwks_uri names. */
export function readJwks(issuer: JWTAuthenticatorConfig['issuer']): JSONWebKeySet {
  if (issuer.jwks && typeof issuer.jwks === 'object') return issuer.jwks;
  const src = jwksFile(issuer)!;
  const doc = JSON.parse(readFileSync(src, 'utf8'));
  if (Array.isArray(doc.keys)) return doc as JSONWebKeySet;
  if (typeof doc.jwks_uri === 'string' && doc.jwks_uri.startsWith('file://')) return JSON.parse(readFileSync(fileURLToPath(doc.jwks_uri), 'utf8')) as JSONWebKeySet;
  throw new Error(`issuer ${issuer.url}: ${src} holds neither a JWKS nor a discovery document with a file:// jwks_uri`);
}

const asStrings = (v: unknown): string[] | undefined => (typeof v === 'string' ? [v] : Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined);

/** Pure: the user the (verified) claims map to, or the reason they are refused. */
export function mapClaims(j: JWTAuthenticatorConfig, claims: JWTPayload, cel: (expr: string, vars: Record<string, unknown>, returns: 'claims' | 'user') => unknown = evalCel): UserInfo {
  for (const r of j.claimValidationRules ?? []) {
    if (r.claim !== undefined) {
      if (claims[r.claim] !== (r.requiredValue ?? '')) throw new Unauthorized(`oidc: required claim ${r.claim} value does not match. Got = ${JSON.stringify(claims[r.claim])}, want = ${r.requiredValue}`);
    } else if (r.expression && cel(r.expression, { claims }, 'claims') !== true) {
      throw new Unauthorized(`oidc: error evaluating claim validation expression: ${r.message ?? `expression '${r.expression}' resulted in false`}`);
    }
  }
  const m = j.claimMappings;
  let username: unknown;
  if (m.username.expression) username = cel(m.username.expression, { claims }, 'claims');
  else {
    const claim = m.username.claim!;
    username = claims[claim];
    if (claim === 'email' && claims.email_verified !== undefined && claims.email_verified !== true) throw new Unauthorized('oidc: email not verified');
    if (typeof username === 'string') username = `${m.username.prefix ?? ''}${username}`;
  }
  if (typeof username !== 'string' || username === '') throw new Unauthorized(`oidc: parse username claims: claim not present or not a string`);
  let groups: string[] = [];
  if (m.groups?.expression) {
    const g = asStrings(cel(m.groups.expression, { claims }, 'claims'));
    if (!g) throw new Unauthorized('oidc: groups expression must return a string or a list of strings');
    groups = g;
  } else if (m.groups?.claim && claims[m.groups.claim] !== undefined) {
    const g = asStrings(claims[m.groups.claim]);
    if (!g) throw new Unauthorized(`oidc: parse groups claim "${m.groups.claim}": not a string or a list of strings`);
    groups = g.map((x) => `${m.groups!.prefix ?? ''}${x}`);
  }
  const user: UserInfo = { username, groups: [...groups, 'system:authenticated'] };
  const uid = m.uid?.expression ? cel(m.uid.expression, { claims }, 'claims') : m.uid?.claim ? claims[m.uid.claim] : undefined;
  if (uid !== undefined) {
    if (typeof uid !== 'string') throw new Unauthorized('oidc: uid must be a string');
    user.uid = uid;
  }
  for (const e of m.extra ?? []) {
    const v = asStrings(cel(e.valueExpression, { claims }, 'claims'));
    if (!v) throw new Unauthorized(`oidc: extra[${e.key}] must be a string or a list of strings`);
    if (v.length) (user.extra ??= {})[e.key] = v;
  }
  for (const r of j.userValidationRules ?? []) {
    const u = { username: user.username, uid: user.uid ?? '', groups: groups, extra: user.extra ?? {} };
    if (cel(r.expression, { user: u }, 'user') !== true) throw new Unauthorized(`oidc: error evaluating user info validation rule: ${r.message ?? `expression '${r.expression}' resulted in false`}`);
  }
  return user;
}

const programs = new Map<string, JwtCelProgram>();
function evalCel(expr: string, vars: Record<string, unknown>, returns: 'claims' | 'user'): unknown {
  let p = programs.get(`${returns}\u0000${expr}`);
  if (!p) {
    const c = compileJwtCel(expr, returns);
    if (!c.program) throw new Unauthorized(c.error ?? 'compilation failed');
    p = c.program;
    programs.set(`${returns}\u0000${expr}`, p);
  }
  try {
    return p(vars);
  } catch (e) {
    throw new Unauthorized(`oidc: expression '${expr}' resulted in error: ${(e as Error).message}`);
  }
}

export function jwtAuthenticator(j: JWTAuthenticatorConfig, o: { now?: () => number; onReject?: (reason: string) => void } = {}): Authenticator {
  const file = jwksFile(j.issuer);
  const version = () => (file ? `${statSync(file).mtimeMs}:${statSync(file).size}` : '');
  let loaded = version();
  let keys = createLocalJWKSet(readJwks(j.issuer));
  const verify = async (token: string) => {
    const opts = { issuer: j.issuer.url, audience: j.issuer.audiences, requiredClaims: ['exp'], ...(o.now ? { currentDate: new Date(o.now() * 1000) } : {}) };
    try {
      return (await jwtVerify(token, keys, opts)).payload;
    } catch (e) {
      // A key added to the file since it was read: read it again.
      if ((e as { code?: string }).code !== 'ERR_JWKS_NO_MATCHING_KEY' || !file || version() === loaded) throw e;
      loaded = version();
      keys = createLocalJWKSet(readJwks(j.issuer));
      return (await jwtVerify(token, keys, opts)).payload;
    }
  };
  return {
    name: `JWT(${j.issuer.url})`,
    async authenticate(req) {
      const token = bearerToken(req);
      if (!token) return undefined;
      const unverified = jwtPayload(token);
      if (!unverified || unverified.iss !== j.issuer.url) return undefined;
      try {
        let claims: JWTPayload;
        try {
          claims = await verify(token);
        } catch (e) {
          throw new Unauthorized(`oidc: verify token: ${(e as Error).message}`);
        }
        return mapClaims(j, claims);
      } catch (e) {
        if (e instanceof Unauthorized) o.onReject?.(e.why);
        throw e;
      }
    },
  };
}

/** The authenticators of a configuration, one per jwt[] entry. */
export async function jwtAuthenticatorsFromConfig(input: AuthenticationConfigInput, o: { logger?: Logger; now?: () => number } = {}): Promise<Authenticator[]> {
  const c = loadAuthenticationConfig(input);
  return (c.jwt ?? []).map((j) => jwtAuthenticator(j, { now: o.now, onReject: (reason) => o.logger?.debug({ issuer: j.issuer.url, reason }, 'JWT rejected') }));
}
