// The ServiceAccount token authenticator (pkg/serviceaccount: the JWT token authenticator with the
// service-account validator): a bearer JWT from one of our issuers, signed by one of our keys, not
// expired, for one of the API audiences (legacy Secret tokens: any audience, no expiry), whose
// ServiceAccount — and bound pod, secret or node — still exists with the uid in the token.
// A bearer token that is no JWT, or a JWT of another issuer, is left to the other authenticators.
import type { IncomingMessage } from 'node:http';
import { timingSafeEqual, type KeyObject } from 'node:crypto';
import { decodeJwt, jwtVerify, type JWTPayload } from 'jose';
import { StatusError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/types.ts';
import {
  algorithmFor,
  LEGACY_ISSUER,
  serviceAccountGroups,
  serviceAccountUsername,
  type BoundClaims,
  type LegacyClaims,
  type Ref,
} from '../../api/serviceaccount/token.ts';
import type { Authenticator, UserInfo } from '../pipeline/index.ts';
import type { TokenIssuer } from '../serviceaccount/issuer.ts';

/** Reads an object: ('serviceaccounts' | 'pods' | 'secrets' | 'nodes', namespace, name). */
export type ObjectGetter = (plural: string, namespace: string | undefined, name: string) => Promise<KubeObject | undefined>;

export const EXTRA_POD_NAME = 'authentication.kubernetes.io/pod-name';
export const EXTRA_POD_UID = 'authentication.kubernetes.io/pod-uid';
export const EXTRA_NODE_NAME = 'authentication.kubernetes.io/node-name';
export const EXTRA_NODE_UID = 'authentication.kubernetes.io/node-uid';
export const EXTRA_CREDENTIAL_ID = 'authentication.kubernetes.io/credential-id';

/** A bound pod stays valid this long past its deletionTimestamp (Kubernetes' 60 s). */
const DELETED_POD_GRACE_SECONDS = 60;
/** go-jose's default leeway on exp/nbf/iat. */
const LEEWAY_SECONDS = 60;

/** The token of `Authorization: Bearer <token>`, else undefined. */
export function bearerToken(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  if (typeof h !== 'string') return undefined;
  const m = /^bearer\s+(\S+)\s*$/i.exec(h);
  return m?.[1];
}

/** The payload of a compact JWS that is a JWT (three base64url parts, JSON header and payload), else undefined. */
export function jwtPayload(token: string): JWTPayload | undefined {
  if (!/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token)) return undefined;
  try {
    return decodeJwt(token);
  } catch {
    return undefined;
  }
}

/** The 401 every rejected credential gets (the reason goes to the log, never to the client). */
export class Unauthorized extends StatusError {
  constructor(readonly why: string) {
    super(401, 'Unauthorized', 'Unauthorized');
  }
}

/**
 * Verifies the signature with the first key that fits (the one whose alg matches, each tried), then
 * the time and audience claims. Throws Unauthorized.
 */
export async function verifyJwt(token: string, keys: KeyObject[], o: { issuer: string; audiences?: string[]; requireExp: boolean; now?: number }): Promise<JWTPayload> {
  let lastSignatureError = 'no verification keys';
  for (const key of keys) {
    let alg: string;
    try {
      alg = algorithmFor(key);
    } catch {
      continue;
    }
    try {
      const { payload } = await jwtVerify(token, key, {
        issuer: o.issuer,
        algorithms: [alg],
        clockTolerance: LEEWAY_SECONDS,
        ...(o.audiences ? { audience: o.audiences } : {}),
        ...(o.requireExp ? { requiredClaims: ['exp'] } : {}),
        ...(o.now !== undefined ? { currentDate: new Date(o.now * 1000) } : {}),
      });
      return payload;
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' || code === 'ERR_JOSE_ALG_NOT_ALLOWED' || code === 'ERR_JWS_INVALID' || e instanceof TypeError) {
        lastSignatureError = (e as Error).message;
        continue;
      }
      throw new Unauthorized((e as Error).message);
    }
  }
  throw new Unauthorized(`invalid signature: ${lastSignatureError}`);
}

/** Pure: the user a validated bound token stands for (serviceaccount.UserInfo). */
export function boundUser(k: NonNullable<BoundClaims['kubernetes.io']>, saUid: string, jti?: string): UserInfo {
  const extra: Record<string, string[]> = {};
  if (k.pod) {
    extra[EXTRA_POD_NAME] = [k.pod.name];
    extra[EXTRA_POD_UID] = [k.pod.uid];
  }
  if (k.node) {
    extra[EXTRA_NODE_NAME] = [k.node.name];
    if (k.node.uid) extra[EXTRA_NODE_UID] = [k.node.uid];
  }
  if (jti) extra[EXTRA_CREDENTIAL_ID] = [`JTI=${jti}`];
  const user: UserInfo = {
    username: serviceAccountUsername(k.namespace, k.serviceaccount.name),
    uid: saUid,
    groups: [...serviceAccountGroups(k.namespace), 'system:authenticated'],
  };
  if (Object.keys(extra).length) user.extra = extra;
  return user;
}

export interface ServiceAccountAuthenticatorOptions {
  tokens: TokenIssuer;
  get: ObjectGetter;
  /** Seconds since the epoch (tests). */
  now?: () => number;
  /** Called with the reason a token was refused (logged at debug). */
  onReject?: (reason: string) => void;
}

export function serviceAccountAuthenticator(o: ServiceAccountAuthenticatorOptions): Authenticator {
  const now = o.now ?? (() => Math.floor(Date.now() / 1000));
  return {
    name: 'ServiceAccountToken',
    async authenticate(req) {
      const token = bearerToken(req);
      if (!token) return undefined;
      const unverified = jwtPayload(token);
      if (!unverified || typeof unverified.iss !== 'string') return undefined;
      const legacy = unverified.iss === LEGACY_ISSUER;
      if (!legacy && !o.tokens.issuers.includes(unverified.iss)) return undefined;
      try {
        const t = now();
        const payload = await verifyJwt(token, o.tokens.verificationKeys(), {
          issuer: unverified.iss,
          audiences: legacy ? undefined : o.tokens.apiAudiences,
          requireExp: !legacy,
          now: t,
        });
        return legacy ? await validateLegacy(o.get, payload as LegacyClaims, token) : await validateBound(o.get, payload as BoundClaims, t);
      } catch (e) {
        if (e instanceof Unauthorized) o.onReject?.(e.why);
        throw e;
      }
    },
  };
}

async function checkRef(get: ObjectGetter, plural: string, namespace: string | undefined, ref: Ref, what: string): Promise<KubeObject> {
  const obj = await get(plural, namespace, ref.name);
  const where = namespace ? `${namespace}/${ref.name}` : ref.name;
  if (!obj) throw new Unauthorized(`${what} ${where} has been deleted`);
  if (obj.metadata.uid !== ref.uid) throw new Unauthorized(`${what} UID (${obj.metadata.uid}) does not match claim (${ref.uid})`);
  return obj;
}

/** The service-account validator for bound tokens: each referenced object still there, same uid. */
async function validateBound(get: ObjectGetter, claims: BoundClaims, now: number): Promise<UserInfo> {
  const k = claims['kubernetes.io'];
  if (!k || typeof k.namespace !== 'string' || !k.namespace || typeof k.serviceaccount?.name !== 'string') throw new Unauthorized('service account token claims are incomplete');
  const ns = k.namespace;
  const sa = await checkRef(get, 'serviceaccounts', ns, k.serviceaccount, 'service account');
  if (k.pod) {
    const pod = await checkRef(get, 'pods', ns, k.pod, 'pod');
    const del = pod.metadata.deletionTimestamp;
    if (del && Date.parse(del) / 1000 < now - DELETED_POD_GRACE_SECONDS) throw new Unauthorized(`pod ${ns}/${k.pod.name} is being deleted`);
  }
  if (k.secret) {
    const secret = await checkRef(get, 'secrets', ns, k.secret, 'secret');
    if (secret.metadata.deletionTimestamp) throw new Unauthorized(`secret ${ns}/${k.secret.name} is being deleted`);
  }
  // A token bound to a node is checked against it; the node of a pod-bound token is informational.
  if (k.node && !k.pod) await checkRef(get, 'nodes', undefined, k.node, 'node');
  return boundUser(k, sa.metadata.uid!, typeof claims.jti === 'string' ? claims.jti : undefined);
}

const sameBytes = (a: Buffer, b: Buffer) => a.length === b.length && timingSafeEqual(a, b);

/** The legacy validator: the Secret still holds this very token, and its ServiceAccount the uid. */
async function validateLegacy(get: ObjectGetter, c: LegacyClaims, token: string): Promise<UserInfo> {
  const ns = c['kubernetes.io/serviceaccount/namespace'];
  const saName = c['kubernetes.io/serviceaccount/service-account.name'];
  const saUid = c['kubernetes.io/serviceaccount/service-account.uid'];
  const secretName = c['kubernetes.io/serviceaccount/secret.name'];
  if (!ns || !saName || !saUid || !secretName) throw new Unauthorized('legacy service account token claims are incomplete');
  const secret = await get('secrets', ns, secretName);
  if (!secret) throw new Unauthorized(`secret ${ns}/${secretName} has been deleted`);
  if (secret.metadata.deletionTimestamp) throw new Unauthorized(`secret ${ns}/${secretName} is being deleted`);
  const held = (secret as { data?: Record<string, string> }).data?.token;
  if (!held || !sameBytes(Buffer.from(held, 'base64'), Buffer.from(token))) throw new Unauthorized(`token does not match server's copy in secret ${ns}/${secretName}`);
  await checkRef(get, 'serviceaccounts', ns, { name: saName, uid: saUid }, 'service account');
  return { username: serviceAccountUsername(ns, saName), uid: saUid, groups: [...serviceAccountGroups(ns), 'system:authenticated'] };
}
