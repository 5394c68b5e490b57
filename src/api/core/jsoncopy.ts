// A JSON value copied as a JSON round trip would copy it, without the text: how the in-process
// transport hands request and answer bodies over (src/client/lean.ts) while neither side shares an
// object with the other.

/** A JSON-faithful copy and an upper bound of the UTF-8 length of its JSON text. */
export interface JsonCopy {
  value: unknown;
  maxBytes: number;
}

/** Bounds of the JSON text, per piece: a string of n UTF-16 units prints at most 6n + 2 bytes (\uXXXX escapes). */
const NUMBER_BYTES = 25; // -1.2345678901234567e-308
const MAX_DEPTH = 256;

/** Something JSON.stringify treats otherwise than member by member (toJSON, a class, a BigInt), or too deep: the real round trip does it. */
const NOT_PLAIN = Symbol('not plain');

let bytes = 0;

/**
 * The value JSON.parse(JSON.stringify(v)) gives, made by copying: members that are undefined,
 * functions or symbols left out (null in arrays), non-finite numbers as null, -0 as 0, a
 * "__proto__" member kept a member; frozen input copied unfrozen. Anything not plain JSON data (an
 * object with toJSON such as a Date, a class instance, a boxed primitive, a BigInt, nesting deeper
 * than 256, a cycle) is copied by the real round trip, which also throws as it would (a cycle, a
 * BigInt). Undefined when JSON.stringify gives undefined (v undefined, a function). About 3x
 * cheaper than the round trip for API objects, and the copy shares the strings.
 */
export function jsonCopy(v: unknown): JsonCopy {
  bytes = 0;
  try {
    const value = copy(v, 0);
    return { value: value === SKIP ? undefined : value, maxBytes: bytes };
  } catch (e) {
    if (e !== NOT_PLAIN) throw e;
  }
  const text = JSON.stringify(v) as string | undefined;
  return text === undefined ? { value: undefined, maxBytes: 0 } : { value: JSON.parse(text), maxBytes: Buffer.byteLength(text) };
}

/** A member JSON.stringify leaves out of an object (null in an array). */
const SKIP = Symbol('skip');

function copy(v: unknown, depth: number): unknown {
  switch (typeof v) {
    case 'string':
      bytes += 6 * v.length + 2;
      return v;
    case 'number':
      bytes += NUMBER_BYTES;
      return Number.isFinite(v) ? (v === 0 ? 0 : v) : null;
    case 'boolean':
      bytes += 5;
      return v;
    case 'object':
      break;
    case 'bigint':
      throw NOT_PLAIN;
    default:
      return SKIP; // undefined, function, symbol
  }
  if (v === null) {
    bytes += 4;
    return null;
  }
  if (sharing && Object.isFrozen(v)) return v;
  if (depth >= MAX_DEPTH) throw NOT_PLAIN;
  if (typeof (v as { toJSON?: unknown }).toJSON === 'function') throw NOT_PLAIN;
  if (Array.isArray(v)) {
    if (Object.getPrototypeOf(v) !== Array.prototype) throw NOT_PLAIN;
    const n = v.length;
    const out = new Array(n);
    bytes += 2 + n;
    for (let i = 0; i < n; i++) {
      const m = copy(v[i], depth + 1);
      if (m === SKIP) {
        bytes += 4;
        out[i] = null;
      } else out[i] = m;
    }
    return sharing ? Object.freeze(out) : out;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) throw NOT_PLAIN;
  const o = v as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  bytes += 2;
  for (const k in o) {
    const m = copy(o[k], depth + 1);
    if (m === SKIP) continue;
    bytes += 6 * k.length + 4;
    // JSON.parse makes a "__proto__" member an own property, not the prototype
    if (k === '__proto__') Object.defineProperty(out, k, { value: m, writable: true, enumerable: true, configurable: true });
    else out[k] = m;
  }
  return sharing ? Object.freeze(out) : out;
}

/** copy's other mode (jsonCopyFrozen): frozen objects and arrays taken as they are, the copies frozen. */
let sharing = false;

/**
 * What JSON.parse(JSON.stringify(v)) gives, deep-frozen: v's frozen objects and arrays shared as
 * they are, the rest copied as jsonCopy copies (same members, same order) and frozen. Only for a
 * value whose frozen parts are deep-frozen JSON data as JSON.parse makes it (the store's objects):
 * what a read-only in-process answer is (src/client/lean.ts, endJsonValue). Anything not plain JSON data
 * takes the real round trip, frozen.
 */
export function jsonCopyFrozen(v: unknown): unknown {
  bytes = 0;
  sharing = true;
  try {
    const value = copy(v, 0);
    return value === SKIP ? undefined : value;
  } catch (e) {
    if (e !== NOT_PLAIN) throw e;
  } finally {
    sharing = false;
  }
  return deepFreeze(jsonCopy(v).value);
}

/** Freezes a fresh copy (nothing in it frozen or shared yet) all the way down. */
function deepFreeze(v: unknown): unknown {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) for (let i = 0; i < v.length; i++) deepFreeze(v[i]);
  else for (const k in v as Record<string, unknown>) deepFreeze((v as Record<string, unknown>)[k]);
  return Object.freeze(v);
}
