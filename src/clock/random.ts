// The one source of chance a run draws from: uids, generated name suffixes, jitter. Crypto-random by
// default; seededRandom(seed) under `kubesim simulate` so the same seed gives the same run.
import { randomInt, randomUUID } from 'node:crypto';

export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** A version-4 UUID. */
  uuid(): string;
}

export const cryptoRandom: Random = {
  next: () => randomInt(2 ** 48) / 2 ** 48,
  int: (n) => randomInt(n),
  uuid: () => randomUUID(),
};

/** mulberry32: deterministic unsigned 32-bit draws from a seed (small, fast, not for secrets). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** A seeded Random (mulberry32) with a UUID built from its draws. */
export function seededRandom(seed: number): Random {
  const u32 = mulberry32(seed);
  const r: Random = {
    next: () => u32() / 2 ** 32,
    int: (n) => Math.floor(r.next() * n),
    uuid: () => {
      const hex = Array.from({ length: 4 }, () => u32().toString(16).padStart(8, '0')).join('');
      const v = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${v}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
    },
  };
  return r;
}
