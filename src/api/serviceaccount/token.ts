// ServiceAccount tokens as Kubernetes writes them (pkg/serviceaccount): the claims of a bound token
// (TokenRequest) and of a legacy Secret token, the key ID derived from the public key, and signing
// with jose. Shared by the API server (TokenRequest, the authenticator) and the token controller.
import { createHash, createPrivateKey, createPublicKey, randomUUID, X509Certificate, type KeyObject } from 'node:crypto';
import { SignJWT, type JWTPayload } from 'jose';

export const DEFAULT_ISSUER = 'https://kubernetes.default.svc.cluster.local';
/** The issuer of legacy (Secret) tokens; always accepted. */
export const LEGACY_ISSUER = 'kubernetes/serviceaccount';
export const SERVICE_ACCOUNT_PREFIX = 'system:serviceaccount:';
export const SERVICE_ACCOUNT_TOKEN_TYPE = 'kubernetes.io/service-account-token';
export const SERVICE_ACCOUNT_NAME_ANNOTATION = 'kubernetes.io/service-account.name';
export const SERVICE_ACCOUNT_UID_ANNOTATION = 'kubernetes.io/service-account.uid';

export interface Ref {
  name: string;
  uid: string;
}

/** The private `kubernetes.io` claim of a bound token. */
export interface KubernetesClaim {
  namespace: string;
  serviceaccount: Ref;
  pod?: Ref;
  secret?: Ref;
  node?: Ref;
  warnafter?: number;
}

export interface BoundClaims extends JWTPayload {
  'kubernetes.io'?: KubernetesClaim;
}

/** The claims of a legacy Secret token (LegacyClaims). */
export interface LegacyClaims extends JWTPayload {
  'kubernetes.io/serviceaccount/namespace'?: string;
  'kubernetes.io/serviceaccount/secret.name'?: string;
  'kubernetes.io/serviceaccount/service-account.name'?: string;
  'kubernetes.io/serviceaccount/service-account.uid'?: string;
}

/** system:serviceaccount:NS:NAME */
export function serviceAccountUsername(namespace: string, name: string): string {
  return `${SERVICE_ACCOUNT_PREFIX}${namespace}:${name}`;
}

/** [namespace, name] of system:serviceaccount:NS:NAME, else undefined. */
export function splitServiceAccountUsername(username: string): [string, string] | undefined {
  if (!username.startsWith(SERVICE_ACCOUNT_PREFIX)) return undefined;
  const parts = username.slice(SERVICE_ACCOUNT_PREFIX.length).split(':');
  return parts.length === 2 && parts[0] && parts[1] ? [parts[0], parts[1]] : undefined;
}

/** system:serviceaccounts, system:serviceaccounts:NS */
export function serviceAccountGroups(namespace: string): string[] {
  return ['system:serviceaccounts', `system:serviceaccounts:${namespace}`];
}

export interface ClaimsInput {
  serviceAccount: { namespace: string; name: string; uid: string };
  audiences: string[];
  expirationSeconds: number;
  /** Seconds since the epoch (default now). */
  now?: number;
  pod?: Ref;
  secret?: Ref;
  node?: Ref;
  /** The jti (default a random UUID). */
  id?: string;
}

/** Pure Claims(): sub, aud, iat, nbf, exp, jti and the `kubernetes.io` claim (iss is the signer's). */
export function boundClaims(c: ClaimsInput): BoundClaims {
  const now = c.now ?? Math.floor(Date.now() / 1000);
  const sa = c.serviceAccount;
  const k: KubernetesClaim = { namespace: sa.namespace, serviceaccount: { name: sa.name, uid: sa.uid } };
  if (c.node) k.node = c.node.uid ? { name: c.node.name, uid: c.node.uid } : ({ name: c.node.name } as Ref);
  if (c.pod) k.pod = { name: c.pod.name, uid: c.pod.uid };
  if (c.secret) k.secret = { name: c.secret.name, uid: c.secret.uid };
  return {
    aud: c.audiences,
    exp: now + c.expirationSeconds,
    iat: now,
    jti: c.id ?? randomUUID(),
    'kubernetes.io': k,
    nbf: now,
    sub: serviceAccountUsername(sa.namespace, sa.name),
  };
}

/** Pure LegacyClaims(): a token with no expiry, bound to the Secret holding it. */
export function legacyClaims(sa: { namespace: string; name: string; uid: string }, secretName: string): LegacyClaims {
  return {
    'kubernetes.io/serviceaccount/namespace': sa.namespace,
    'kubernetes.io/serviceaccount/secret.name': secretName,
    'kubernetes.io/serviceaccount/service-account.name': sa.name,
    'kubernetes.io/serviceaccount/service-account.uid': sa.uid,
    sub: serviceAccountUsername(sa.namespace, sa.name),
  };
}

/** keyIDFromPublicKey: base64url (no padding) of the SHA-256 of the PKIX DER of the public key. */
export function keyId(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('base64url');
}

/** The JWS algorithm Kubernetes uses for a key: RS256 for RSA, ES256/384/512 for the EC curves. */
export function algorithmFor(key: KeyObject): string {
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === 'prime256v1') return 'ES256';
    if (curve === 'secp384r1') return 'ES384';
    if (curve === 'secp521r1') return 'ES512';
  }
  throw new Error(`unsupported service account key type ${key.asymmetricKeyType ?? '?'}: use an RSA or ECDSA (P-256/384/521) key`);
}

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  kid: string;
  alg: string;
}

/** A signing key from a PEM private key (PKCS#1, PKCS#8 or SEC1). */
export function signingKeyFromPem(pem: string | Buffer): SigningKey {
  const privateKey = createPrivateKey(pem);
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, kid: keyId(publicKey), alg: algorithmFor(privateKey) };
}

/** Every public key in a PEM bundle (public keys, private keys, certificates), as --service-account-key-file reads them. */
export function publicKeysFromPem(pem: string | Buffer): KeyObject[] {
  const blocks = String(pem).match(/-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g) ?? [];
  const out: KeyObject[] = [];
  for (const b of blocks) {
    if (/BEGIN CERTIFICATE/.test(b)) out.push(new X509Certificate(b).publicKey);
    else if (/PUBLIC KEY/.test(b)) out.push(createPublicKey(b));
    else if (/PRIVATE KEY/.test(b)) out.push(createPublicKey(createPrivateKey(b)));
  }
  if (out.length === 0) throw new Error('no public keys found in the service account key data');
  return out;
}

/** Signs claims as issuer with the key (header alg + kid, as Kubernetes' signer writes it). */
export async function signToken(key: SigningKey, issuer: string, claims: JWTPayload): Promise<string> {
  return new SignJWT({ ...claims, iss: issuer }).setProtectedHeader({ alg: key.alg, kid: key.kid }).sign(key.privateKey);
}
