// resource.Quantity: parse "100m", "64Mi", "1.5Gi", "2e3" exactly (BigInt nano-units) and format them
// canonically as Kubernetes does (1.5Gi → 1536Mi, 0.1 → 100m, 1000 → 1k).
import type { FieldError } from './errors.ts';
import { invalidValue } from './errors.ts';

export type QuantityFormat = 'BinarySI' | 'DecimalSI' | 'DecimalExponent';

export interface Quantity {
  /** The value in nano-units (value × 10^9), rounded up like Kubernetes (which keeps nano precision). */
  nano: bigint;
  format: QuantityFormat;
}

export const QUANTITY_REGEX_MESSAGE = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

const re = /^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/;
const BINARY: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const NANO = 10n ** 9n;

export class QuantityError extends Error {}

function ceilDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a > 0n === b > 0n ? q + 1n : q;
}

/** Parses a quantity (strings, or numbers as JSON gives them). Throws QuantityError with Kubernetes' message. */
export function parseQuantity(input: string | number): Quantity {
  const s = typeof input === 'number' ? String(input) : String(input ?? '').trim();
  const m = re.exec(s);
  if (!m || s === '') throw new QuantityError(QUANTITY_REGEX_MESSAGE);
  const [, numStr, suffix] = m;
  if ((numStr.match(/\./g) ?? []).length > 1 || !/[0-9]/.test(numStr)) throw new QuantityError(QUANTITY_REGEX_MESSAGE);
  let neg = false;
  let digits = numStr;
  if (digits[0] === '+' || digits[0] === '-') {
    neg = digits[0] === '-';
    digits = digits.slice(1);
  }
  const dot = digits.indexOf('.');
  const fracLen = dot < 0 ? 0 : digits.length - dot - 1;
  const mantissa = BigInt((dot < 0 ? digits : digits.replace('.', '')) || '0');
  let format: QuantityFormat;
  let base2 = 0;
  let exp10 = -fracLen;
  if (suffix in BINARY) {
    format = 'BinarySI';
    base2 = BINARY[suffix];
  } else if (suffix in DECIMAL) {
    format = 'DecimalSI';
    exp10 += DECIMAL[suffix];
  } else if (/^[eE][-+]?[0-9]+$/.test(suffix)) {
    format = 'DecimalExponent';
    exp10 += Number(suffix.slice(1));
  } else {
    throw new QuantityError(QUANTITY_REGEX_MESSAGE);
  }
  // nano = mantissa × 2^base2 × 10^(exp10 + 9), rounded up.
  let num = mantissa * (1n << BigInt(base2));
  const e = exp10 + 9;
  const nano = e >= 0 ? num * 10n ** BigInt(e) : ceilDiv(num, 10n ** BigInt(-e));
  num = nano;
  return { nano: neg ? -num : num, format };
}

/** True when the string is a valid quantity. */
export function isQuantity(v: unknown): boolean {
  if (typeof v !== 'string' && typeof v !== 'number') return false;
  try {
    parseQuantity(v);
    return true;
  } catch {
    return false;
  }
}

/** Value in milli-units, rounded up (MilliValue): "100m" → 100, "1" → 1000. */
export function milliValue(q: Quantity | string | number): number {
  if (typeof q === 'string') {
    const v = plainScaled(q, MILLI_SCALE);
    if (v !== undefined) return v;
  }
  const x = typeof q === 'object' ? q : parseQuantity(q);
  return Number(ceilDiv(x.nano, 10n ** 6n));
}

/** Value in units, rounded up (Value): "64Mi" → 67108864, "100m" → 1. */
export function value(q: Quantity | string | number): number {
  if (typeof q === 'string') {
    const v = plainScaled(q, UNIT_SCALE);
    if (v !== undefined) return v;
  }
  const x = typeof q === 'object' ? q : parseQuantity(q);
  return Number(ceilDiv(x.nano, NANO));
}

/**
 * The common quantities (a whole number of up to 15 digits and a plain suffix: "500m",
 * "246112926n", "512Mi", "8") scaled without BigInt: the same value, rounded up the same way, as
 * long as it is an exact double; undefined for every other quantity (the BigInt path answers). Per
 * suffix (PLAIN_SUFFIXES' order), a factor (> 0) or a divisor (< 0) to the wanted unit.
 */
const PLAIN_SUFFIXES = ['', 'n', 'u', 'm', 'k', 'M', 'G', 'T', 'Ki', 'Mi', 'Gi', 'Ti'];
const MILLI_SCALE = [1e3, -1e6, -1e3, 1, 1e6, 1e9, 1e12, 1e15, 1024e3, 2 ** 20 * 1e3, 2 ** 30 * 1e3, 2 ** 40 * 1e3];
const UNIT_SCALE = [1, -1e9, -1e6, -1e3, 1e3, 1e6, 1e9, 1e12, 2 ** 10, 2 ** 20, 2 ** 30, 2 ** 40];

/** The index in PLAIN_SUFFIXES of s from i on, or -1. */
function plainSuffix(s: string, i: number): number {
  const rest = s.length - i;
  if (rest === 0) return 0;
  if (rest > 2) return -1;
  const j = PLAIN_SUFFIXES.indexOf(rest === 1 ? s[i] : s.slice(i));
  return j;
}

function plainScaled(s: string, scale: number[]): number | undefined {
  let d = 0;
  let i = 0;
  for (; i < s.length && i < 16; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) break;
    d = d * 10 + c;
  }
  if (i === 0 || i > 15) return undefined;
  const k = plainSuffix(s, i);
  if (k < 0) return undefined;
  const f = scale[k];
  if (f > 0) {
    const v = d * f;
    return v <= Number.MAX_SAFE_INTEGER ? v : undefined;
  }
  const div = -f;
  let q = Math.floor(d / div);
  let r = d - q * div;
  if (r < 0) (q -= 1), (r += div);
  else if (r >= div) (q += 1), (r -= div);
  return r > 0 ? q + 1 : q;
}

/** Value as a float (for arithmetic such as utilization). */
/**
 * Millicores (or milli-units), rounded up as resource.Quantity.MilliValue() does; 0 for a missing or
 * malformed quantity (validation at the API server already rejected those). For components that
 * count what the API stored.
 */
export function milliValueOrZero(q: string | number | undefined | null): number {
  if (q === undefined || q === null) return 0;
  try {
    return milliValue(q);
  } catch {
    return 0;
  }
}

/** Integer value (bytes, counts), rounded up as resource.Quantity.Value() does; 0 when missing or malformed. */
export function valueOrZero(q: string | number | undefined | null): number {
  if (q === undefined || q === null) return 0;
  try {
    return value(q);
  } catch {
    return 0;
  }
}

export function toNumber(q: Quantity | string | number): number {
  const x = typeof q === 'object' ? q : parseQuantity(q);
  return Number(x.nano) / 1e9;
}

export function compareQuantities(a: Quantity | string | number, b: Quantity | string | number): number {
  const x = typeof a === 'object' ? a : parseQuantity(a);
  const y = typeof b === 'object' ? b : parseQuantity(b);
  return x.nano < y.nano ? -1 : x.nano > y.nano ? 1 : 0;
}

/** Canonical string form (Quantity.String()). */
export function formatQuantity(q: Quantity): string {
  if (q.nano === 0n) return '0';
  const neg = q.nano < 0n;
  const abs = neg ? -q.nano : q.nano;
  const sign = neg ? '-' : '';
  if (q.format === 'BinarySI' && abs % NANO === 0n) {
    const units = abs / NANO;
    // Binary suffixes only for values of at least 1Ki that divide evenly; otherwise plain decimal.
    const suffixes = ['Ei', 'Pi', 'Ti', 'Gi', 'Mi', 'Ki'];
    for (const s of suffixes) {
      const div = 1n << BigInt(BINARY[s]);
      if (units >= div && units % div === 0n) return `${sign}${units / div}${s}`;
    }
    return `${sign}${units}`;
  }
  // Decimal: mantissa × 10^exp with exp a multiple of 3 and the mantissa integral.
  let mant = abs;
  let exp = -9;
  while (mant % 10n === 0n && mant !== 0n) {
    mant /= 10n;
    exp++;
  }
  while (((exp % 3) + 3) % 3 !== 0) {
    mant *= 10n;
    exp--;
  }
  if (q.format === 'DecimalExponent') return exp === 0 ? `${sign}${mant}` : `${sign}${mant}e${exp}`;
  const suffix = Object.entries(DECIMAL).find(([, e]) => e === exp);
  if (suffix) return `${sign}${mant}${suffix[0]}`;
  // Beyond E: fall back to exponent notation.
  return `${sign}${mant}e${exp}`;
}

/** Parse + canonical format in one step ("1.5Gi" → "1536Mi"). */
export function canonicalQuantity(v: string | number): string {
  return formatQuantity(parseQuantity(v));
}

/** Builds a quantity from milli-units in DecimalSI (for computed usage, e.g. 250 → "250m"). */
export function quantityFromMilli(milli: number): string {
  return formatQuantity({ nano: BigInt(Math.round(milli)) * 10n ** 6n, format: 'DecimalSI' });
}

/** Builds a BinarySI quantity from bytes (e.g. 67108864 → "64Mi"). */
export function quantityFromBytes(bytes: number): string {
  return formatQuantity({ nano: BigInt(Math.round(bytes)) * NANO, format: 'BinarySI' });
}

/** Field errors for a map of resource name → quantity (resources.requests, capacity...). */
export function validateQuantityMap(m: unknown, field: string, nonNegative = true): FieldError[] {
  if (m === undefined || m === null) return [];
  if (typeof m !== 'object' || Array.isArray(m)) return [invalidValue(field, m, 'must be a map of resource name to quantity')];
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(m as Record<string, unknown>)) {
    const f = `${field}[${k}]`;
    try {
      const q = parseQuantity(v as string);
      if (nonNegative && q.nano < 0n) errs.push(invalidValue(f, String(v), 'must be greater than or equal to 0'));
    } catch (e) {
      errs.push(invalidValue(f, v, (e as Error).message));
    }
  }
  return errs;
}
