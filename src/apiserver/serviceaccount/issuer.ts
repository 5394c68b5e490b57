// The service-account token issuer of one API server: its signing key (--service-account-signing-key-file,
// else D/pki/sa.key generated on first start and reused, else an ephemeral key made on first use), the
// public keys tokens are verified with (--service-account-key-file, default the signing key's), the
// issuer names (--service-account-issuer; the first signs, all are accepted) and the API audiences.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { generateKeyPair, type KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { JWTPayload } from 'jose';
import { DEFAULT_ISSUER, publicKeysFromPem, signingKeyFromPem, signToken, type SigningKey } from '../../api/serviceaccount/token.ts';

export interface TokenIssuerOptions {
  /** PEM private key (--service-account-signing-key-file). */
  signingKey?: string | Buffer;
  /** PEM public keys (or private keys, certificates) tokens are accepted from (--service-account-key-file). */
  keys?: (string | Buffer)[];
  /** --service-account-issuer (default https://kubernetes.default.svc.cluster.local); the first signs. */
  issuer?: string | string[];
  /** --api-audiences (default: the issuers). */
  apiAudiences?: string[];
  /** Where pki/sa.key and pki/sa.pub live when no signing key is given. */
  dataDir?: string;
}

export interface TokenIssuer {
  /** The issuer written into new tokens. */
  issuer: string;
  /** Every issuer whose tokens are accepted. */
  issuers: string[];
  /** The audiences the API server identifies as; a token must name one (and TokenRequest's default). */
  apiAudiences: string[];
  /** Whether a key was configured or kept in the data dir (not an ephemeral one). */
  durable: boolean;
  sign(claims: JWTPayload): Promise<string>;
  /** The keys a token's signature may verify against (the signing key's, when it exists yet). */
  verificationKeys(): KeyObject[];
}

const generate = promisify(generateKeyPair);

async function newRsaKeyPem(): Promise<{ key: string; pub: string }> {
  const { privateKey, publicKey } = await generate('rsa', { modulusLength: 2048 });
  return { key: privateKey.export({ type: 'pkcs1', format: 'pem' }) as string, pub: publicKey.export({ type: 'spki', format: 'pem' }) as string };
}

/** D/pki/sa.key (mode 0600) and sa.pub: read, or made once and kept. */
export async function dataDirSigningKey(dataDir: string): Promise<string> {
  const dir = join(dataDir, 'pki');
  const keyPath = join(dir, 'sa.key');
  if (existsSync(keyPath)) return readFileSync(keyPath, 'utf8');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const { key, pub } = await newRsaKeyPem();
  writeFileSync(keyPath, key, { mode: 0o600 });
  writeFileSync(join(dir, 'sa.pub'), pub, { mode: 0o644 });
  return key;
}

export async function createTokenIssuer(o: TokenIssuerOptions = {}): Promise<TokenIssuer> {
  const issuers = [o.issuer ?? DEFAULT_ISSUER].flat().filter(Boolean);
  if (issuers.length === 0) issuers.push(DEFAULT_ISSUER);
  const pem = o.signingKey ?? (o.dataDir ? await dataDirSigningKey(o.dataDir) : undefined);
  let key: SigningKey | undefined = pem ? signingKeyFromPem(pem) : undefined;
  let making: Promise<SigningKey> | undefined;
  const extra = (o.keys ?? []).flatMap((k) => publicKeysFromPem(k));
  const signingKey = async (): Promise<SigningKey> => {
    if (key) return key;
    making ??= newRsaKeyPem().then((p) => (key = signingKeyFromPem(p.key)));
    return making;
  };
  return {
    issuer: issuers[0],
    issuers,
    apiAudiences: o.apiAudiences?.length ? o.apiAudiences : issuers,
    durable: pem !== undefined,
    sign: async (claims) => signToken(await signingKey(), issuers[0], claims),
    // --service-account-key-file replaces the default (the signing key's public half).
    verificationKeys: () => (extra.length ? extra : key ? [key.publicKey] : []),
  };
}
