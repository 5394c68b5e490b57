// Value transformers as Kubernetes stores them: each key of a provider writes
// `k8s:enc:<provider>:v1:<key name>:` + its ciphertext. aesgcm: 12-byte random nonce || ciphertext ||
// 16-byte tag, the storage key as additional authenticated data; aescbc: 16-byte random IV ||
// AES-CBC ciphertext with PKCS#7 padding; secretbox: 24-byte random nonce || NaCl secretbox
// (XSalsa20-Poly1305: 16-byte Poly1305 tag || ciphertext), no additional data, as Kubernetes'.
// identity writes the value as is.
import { createCipheriv, createDecipheriv, randomBytes, type CipherGCMTypes } from 'node:crypto';
import { xsalsa20poly1305 } from '@noble/ciphers/salsa';
import type { ProviderConfiguration, ResourceConfiguration } from './config.ts';
import { parseGroupResource, type GroupResource } from './config.ts';

export interface KeyTransformer {
  /** `k8s:enc:aesgcm:v1:key1:`; '' for identity. */
  prefix: string;
  /** payload = what follows the prefix. */
  encrypt(plain: Buffer, storageKey: string): Buffer;
  decrypt(payload: Buffer, storageKey: string): Buffer;
}

const AES_NAMES: Record<number, string> = { 16: '128', 24: '192', 32: '256' };

export function aesgcm(name: string, secret: Buffer): KeyTransformer {
  const algo = `aes-${AES_NAMES[secret.length]}-gcm` as CipherGCMTypes;
  return {
    prefix: `k8s:enc:aesgcm:v1:${name}:`,
    encrypt(plain, storageKey) {
      const nonce = randomBytes(12);
      const c = createCipheriv(algo, secret, nonce);
      c.setAAD(Buffer.from(storageKey));
      const body = Buffer.concat([c.update(plain), c.final()]);
      return Buffer.concat([nonce, body, c.getAuthTag()]);
    },
    decrypt(payload, storageKey) {
      if (payload.length < 12 + 16) throw new Error('the stored data was shorter than the required size');
      const d = createDecipheriv(algo, secret, payload.subarray(0, 12));
      d.setAAD(Buffer.from(storageKey));
      d.setAuthTag(payload.subarray(payload.length - 16));
      return Buffer.concat([d.update(payload.subarray(12, payload.length - 16)), d.final()]);
    },
  };
}

export function aescbc(name: string, secret: Buffer): KeyTransformer {
  const algo = `aes-${AES_NAMES[secret.length]}-cbc` as const;
  return {
    prefix: `k8s:enc:aescbc:v1:${name}:`,
    encrypt(plain) {
      const iv = randomBytes(16);
      const c = createCipheriv(algo, secret, iv);
      return Buffer.concat([iv, c.update(plain), c.final()]);
    },
    decrypt(payload) {
      if (payload.length < 32 || payload.length % 16 !== 0) throw new Error('the stored data is not a multiple of the block size');
      const d = createDecipheriv(algo, secret, payload.subarray(0, 16));
      return Buffer.concat([d.update(payload.subarray(16)), d.final()]);
    },
  };
}

const SECRETBOX_NONCE = 24;
const SECRETBOX_OVERHEAD = 16;

export function secretbox(name: string, secret: Buffer): KeyTransformer {
  const key = new Uint8Array(secret);
  return {
    prefix: `k8s:enc:secretbox:v1:${name}:`,
    encrypt(plain) {
      const nonce = randomBytes(SECRETBOX_NONCE);
      const sealed = xsalsa20poly1305(key, nonce).encrypt(plain);
      return Buffer.concat([nonce, sealed]);
    },
    decrypt(payload) {
      if (payload.length < SECRETBOX_NONCE + SECRETBOX_OVERHEAD) throw new Error('the stored data was shorter than the required size');
      const nonce = payload.subarray(0, SECRETBOX_NONCE);
      try {
        return Buffer.from(xsalsa20poly1305(key, nonce).decrypt(payload.subarray(SECRETBOX_NONCE)));
      } catch {
        // A wrong key or a changed byte: the Poly1305 tag does not match.
        throw new Error('the value was sealed with another key or was altered (Poly1305 authentication failed)');
      }
    },
  };
}

export const identity: KeyTransformer = { prefix: '', encrypt: (p) => p, decrypt: (p) => p };

/** A provider's transformers, its first key first (the one that encrypts). */
export function providerTransformers(p: ProviderConfiguration): KeyTransformer[] {
  if (p.identity) return [identity];
  if (p.aesgcm) return p.aesgcm.keys.map((k) => aesgcm(k.name, Buffer.from(k.secret, 'base64')));
  if (p.aescbc) return p.aescbc.keys.map((k) => aescbc(k.name, Buffer.from(k.secret, 'base64')));
  if (p.secretbox) return p.secretbox.keys.map((k) => secretbox(k.name, Buffer.from(k.secret, 'base64')));
  throw new Error('unsupported encryption provider');
}

/** The transformers of one resources[] entry: the first encrypts, any decrypts the value its prefix names. */
export interface ResourceTransformers {
  write: KeyTransformer;
  read: KeyTransformer[];
}

export function resourceTransformers(conf: ResourceConfiguration): ResourceTransformers {
  const all = conf.providers.flatMap(providerTransformers);
  return { write: all[0], read: all };
}

/** Storage keys are /registry/<group|core>/<resource>/...: the group and resource a key belongs to. */
export function keyGroupResource(key: string): GroupResource | undefined {
  const parts = key.split('/');
  if (parts.length < 4 || parts[1] !== 'registry') return undefined;
  return { group: parts[2] === 'core' ? '' : parts[2], resource: parts[3] };
}

/** How specifically a pattern names a group/resource: 3 exact, 2 every resource of the group, 1 `*.*`, 0 no match. */
function rank(pattern: GroupResource, gr: GroupResource): number {
  if (pattern.group === '*' && pattern.resource === '*') return 1;
  if (pattern.group !== gr.group) return 0;
  return pattern.resource === '*' ? 2 : pattern.resource === gr.resource ? 3 : 0;
}

/**
 * The resources[] entry for this group/resource, as Kubernetes picks it: an exact name before
 * `*.<group>` before `*.*`, the earlier entry on a tie; undefined = stored as is.
 */
export function transformersFor(confs: { patterns: GroupResource[]; t: ResourceTransformers }[], gr: GroupResource): ResourceTransformers | undefined {
  let best: ResourceTransformers | undefined;
  let bestRank = 0;
  for (const c of confs) {
    for (const p of c.patterns) {
      const r = rank(p, gr);
      if (r > bestRank) [best, bestRank] = [c.t, r];
    }
  }
  return best;
}

export function compileConfiguration(resources: ResourceConfiguration[]): { patterns: GroupResource[]; t: ResourceTransformers }[] {
  return resources.map((r) => ({ patterns: r.resources.map(parseGroupResource), t: resourceTransformers(r) }));
}
