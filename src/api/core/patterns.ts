// kubesim's pattern language for simulated quantities over time — usage annotations, workload load,
// custom and external metrics: `const(x)` or a bare quantity, `walk(mean[,spread[,seed]])`,
// `step(a,b,at)`, `diurnal(min,max[,peakHour])`, `sine(min,max,period)`, `ramp(a,b,duration)`,
// `square(low,high,period)` (docs/node-simulation.md). Pure functions of time; one implementation for
// the node pool and the API server's metrics APIs.
import { parseDurationMs } from '../duration.ts';
import { hash32 } from './hash.ts';

export type Pattern =
  | { kind: 'const'; v: number }
  | { kind: 'walk'; mean: number; spread: number; seed?: number }
  | { kind: 'step'; from: number; to: number; atMs: number }
  | { kind: 'diurnal'; min: number; max: number; peakMs: number }
  | { kind: 'sine'; min: number; max: number; periodMs: number }
  | { kind: 'ramp'; from: number; to: number; durationMs: number }
  | { kind: 'square'; low: number; high: number; periodMs: number };

/**
 * Parses `sine(100m,500m,60s)`, `ramp(a,b,10m)`, `square(a,b,30s)`, `step(a,b,2m)`,
 * `diurnal(min,max[,14h])` (by the time of day, UTC, peaking at the given hour), `walk(200m)`,
 * `walk(200m,0.3)`, `walk(200m,0.3,42)` (seeded), `const(x)` or a bare quantity.
 */
export function parsePattern(s: string, unit: (q: string) => number): Pattern | undefined {
  const m = /^\s*(\w+)\s*\(([^)]*)\)\s*$/.exec(s);
  if (!m) {
    const v = unit(s.trim());
    return v > 0 || s.trim() === '0' ? { kind: 'const', v } : undefined;
  }
  const args = m[2].split(',').map((a) => a.trim());
  switch (m[1]) {
    case 'const':
      return { kind: 'const', v: unit(args[0]) };
    case 'walk': {
      const seed = args[2] !== undefined && /^\d+$/.test(args[2]) ? parseInt(args[2], 10) : undefined;
      return { kind: 'walk', mean: unit(args[0]), spread: args[1] ? parseFloat(args[1]) : 0.2, ...(seed !== undefined ? { seed } : {}) };
    }
    case 'step':
      return { kind: 'step', from: unit(args[0]), to: unit(args[1]), atMs: parseDurationMs(args[2]) ?? 60_000 };
    case 'diurnal':
      return { kind: 'diurnal', min: unit(args[0]), max: unit(args[1]), peakMs: parseDurationMs(args[2]) ?? 14 * 3600_000 };
    case 'sine':
      return { kind: 'sine', min: unit(args[0]), max: unit(args[1]), periodMs: parseDurationMs(args[2]) ?? 60_000 };
    case 'ramp':
      return { kind: 'ramp', from: unit(args[0]), to: unit(args[1]), durationMs: parseDurationMs(args[2]) ?? 60_000 };
    case 'square':
      return { kind: 'square', low: unit(args[0]), high: unit(args[1]), periodMs: parseDurationMs(args[2]) ?? 60_000 };
  }
  return undefined;
}

/** The knots of noise(): it is linear between multiples of this many ms (so is a `walk`). */
export const NOISE_KNOT_MS = 5000;

/** Smooth deterministic noise in [-1, 1]: linear interpolation between hashed knots every NOISE_KNOT_MS. */
export function noise(seed: number, t: number): number {
  const knot = NOISE_KNOT_MS;
  const k = Math.floor(t / knot);
  const f = (t - k * knot) / knot;
  let a: number;
  let b: number;
  if (isSmall(seed) && isSmall(k + 1) && isSmall(k)) {
    const h = seedHash(seed);
    a = hashDigits(h, k) >>> 0;
    b = hashDigits(h, k + 1) >>> 0;
  } else {
    a = hash32(`${seed}:${k}`);
    b = hash32(`${seed}:${k + 1}`);
  }
  a = (a / 0xffffffff) * 2 - 1;
  b = (b / 0xffffffff) * 2 - 1;
  return a + (b - a) * f;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const COLON = 58;
const MINUS = 45;
const ZERO = 48;
/** Below this an integer's digits come out exactly by floor(n / 10) (and `${n}` spells it in digits). */
const SMALL = 1e15;
/** Scratch for an integer's decimal digits, least significant first. */
const digits = new Int32Array(16);

function isSmall(n: number): boolean {
  return Number.isInteger(n) && n < SMALL && n > -SMALL;
}

/** hash32(`${seed}:${k}`) without making the string: the same FNV-1a over the same characters. */
export function knotHash(seed: number, k: number): number {
  if (!isSmall(seed) || !isSmall(k)) return hash32(`${seed}:${k}`);
  return hashDigits(seedHash(seed), k) >>> 0;
}

/** FNV-1a state after `${seed}:`. */
function seedHash(seed: number): number {
  return Math.imul(hashDigits(FNV_OFFSET, seed) ^ COLON, FNV_PRIME);
}

/** FNV-1a steps over a small integer's decimal spelling (as `${n}` writes it: `-` sign, no leading zeros). */
function hashDigits(h: number, n: number): number {
  if (n < 0) {
    h = Math.imul(h ^ MINUS, FNV_PRIME);
    n = -n;
  }
  let len = 0;
  if (n <= 0x7fffffff) {
    // int32 division: several times faster than floating-point floor/remainder
    let m = n | 0;
    do {
      const q = (m / 10) | 0;
      digits[len++] = m - q * 10;
      m = q;
    } while (m > 0);
  } else {
    do {
      const q = Math.floor(n / 10);
      digits[len++] = n - q * 10;
      n = q;
    } while (n > 0);
  }
  while (len > 0) h = Math.imul(h ^ (ZERO + digits[--len]), FNV_PRIME);
  return h;
}

export function patternAt(p: Pattern, seed: number, sinceStartMs: number, t: number): number {
  switch (p.kind) {
    case 'const':
      return p.v;
    case 'walk':
      return p.mean * (1 + p.spread * noise(p.seed ?? seed, t));
    case 'step':
      return sinceStartMs < p.atMs ? p.from : p.to;
    case 'diurnal': {
      const day = 24 * 3600_000;
      const phase = (((t - p.peakMs) % day) + day) % day;
      return p.min + ((p.max - p.min) * (1 + Math.cos((2 * Math.PI * phase) / day))) / 2;
    }
    case 'sine':
      return p.min + ((p.max - p.min) * (1 + Math.sin((2 * Math.PI * sinceStartMs) / p.periodMs))) / 2;
    case 'ramp':
      return p.from + (p.to - p.from) * Math.min(1, Math.max(0, sinceStartMs / p.durationMs));
    case 'square':
      return Math.floor(sinceStartMs / (p.periodMs / 2)) % 2 === 0 ? p.low : p.high;
  }
}
