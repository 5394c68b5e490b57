// Read-only answers (RequestOptions.readonly): the caller promises not to change what it is
// answered, so the lean in-process exchange (lean.ts) hands it the server's own deep-frozen
// values instead of a copy of them. Only the parts the server made for this answer alone (a
// list's wrapper, its metadata, its items array) are copied, then frozen like the rest.
import { jsonCopy } from '../api/core/jsoncopy.ts';

const MAX_DEPTH = 256;

/** Something the walk leaves to jsonCopy (not plain JSON data, too deep): the whole value is copied then. */
const NOT_PLAIN = Symbol('not plain');
/** A member JSON.stringify leaves out of an object (null in an array). */
const SKIP = Symbol('skip');

/**
 * What JSON.parse of v's JSON text would give, deep-frozen: v's frozen objects and arrays shared as
 * they are, the rest copied as jsonCopy copies (same members, same order) and frozen. Only for a
 * value whose frozen parts are deep-frozen JSON data as JSON.parse makes it — the store's objects
 * (src/storage/common.ts), which the API server answers with as a JsonAnswer (src/apiserver/respond.ts).
 * Nothing the caller gets can change afterwards, and nothing the server keeps is handed out unfrozen.
 */
export function frozenAnswer(v: unknown): unknown {
  try {
    const out = share(v, 0);
    return out === SKIP ? undefined : out;
  } catch (e) {
    if (e !== NOT_PLAIN) throw e;
  }
  return deepFreeze(jsonCopy(v).value);
}

function share(v: unknown, depth: number): unknown {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return v;
    case 'number':
      return Number.isFinite(v) ? (v === 0 ? 0 : v) : null;
    case 'object':
      break;
    case 'bigint':
      throw NOT_PLAIN;
    default:
      return SKIP; // undefined, function, symbol
  }
  if (v === null) return null;
  if (Object.isFrozen(v)) return v;
  if (depth >= MAX_DEPTH || typeof (v as { toJSON?: unknown }).toJSON === 'function') throw NOT_PLAIN;
  if (Array.isArray(v)) {
    if (Object.getPrototypeOf(v) !== Array.prototype) throw NOT_PLAIN;
    const n = v.length;
    const out = new Array(n);
    for (let i = 0; i < n; i++) {
      const m = share(v[i], depth + 1);
      out[i] = m === SKIP ? null : m;
    }
    return Object.freeze(out);
  }
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) throw NOT_PLAIN;
  const o = v as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k in o) {
    const m = share(o[k], depth + 1);
    if (m === SKIP) continue;
    // JSON.parse makes a "__proto__" member an own property, not the prototype
    if (k === '__proto__') Object.defineProperty(out, k, { value: m, writable: true, enumerable: true, configurable: true });
    else out[k] = m;
  }
  return Object.freeze(out);
}

/** Freezes a fresh copy (jsonCopy's: nothing in it frozen or shared yet) all the way down. */
function deepFreeze(v: unknown): unknown {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) for (let i = 0; i < v.length; i++) deepFreeze(v[i]);
  else for (const k in v as Record<string, unknown>) deepFreeze((v as Record<string, unknown>)[k]);
  return Object.freeze(v);
}
