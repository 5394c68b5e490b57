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

const hex8 = (x: number): string => x.toString(16).padStart(8, '0');

/** A seeded Random (mulberry32) with a UUID built from its draws. */
export function seededRandom(seed: number): Random {
  const u32 = mulberry32(seed);
  const r: Random = {
    next: () => u32() / 2 ** 32,
    int: (n) => Math.floor(r.next() * n),
    uuid: () => {
      // 128 bits from four draws in order, the version nibble set to 4, the variant's to 8-b.
      const a = hex8(u32());
      const b = hex8(u32());
      const c = u32();
      const d = hex8(u32());
      const variant = (((c >>> 28) & 0x3) | 0x8).toString(16);
      const cs = hex8(c);
      return `${a}-${b.slice(0, 4)}-4${b.slice(5)}-${variant}${cs.slice(1, 4)}-${cs.slice(4)}${d}`;
    },
  };
  return r;
}
