// JSON values as CEL sees them, guided by the structural schema (Kubernetes' UnstructuredToVal):
// integers are CEL ints (BigInt), numbers doubles, strings with format date-time timestamps,
// byte strings bytes; objects are maps, arrays lists. Untyped values (preserve-unknown-fields)
// take the type their JSON has.
import { additionalOf, isObject, itemsOf, type JSONSchemaProps } from '../openapi-schema/types.ts';

/** A JSON value without a schema as CEL sees it: integers are ints (BigInt), undefined fields absent. */
export function untyped(v: unknown): unknown {
  if (typeof v === 'number') return Number.isInteger(v) ? BigInt(v) : v;
  if (Array.isArray(v)) return v.map(untyped);
  if (isObject(v)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v)) if (v[k] !== undefined) out[k] = untyped(v[k]);
    return out;
  }
  return v;
}

export function toCel(v: unknown, s: JSONSchemaProps | undefined): unknown {
  if (v === null || v === undefined) return null;
  if (!s) return untyped(v);
  if (typeof v === 'number') {
    if (s.type === 'number') return v;
    return Number.isInteger(v) ? BigInt(v) : v;
  }
  if (typeof v === 'string') {
    if (s.type === 'string' && s.format === 'date-time') {
      const t = Date.parse(v);
      if (!Number.isNaN(t)) return new Date(t);
    }
    if (s.type === 'string' && s.format === 'byte') {
      try {
        return new Uint8Array(Buffer.from(v, 'base64'));
      } catch {
        return v;
      }
    }
    return v;
  }
  if (Array.isArray(v)) {
    const items = itemsOf(s);
    return v.map((x) => toCel(x, items));
  }
  if (isObject(v)) {
    const out: Record<string, unknown> = {};
    const addl = additionalOf(s);
    for (const k of Object.keys(v)) {
      const sub = s.properties && Object.hasOwn(s.properties, k) ? s.properties[k] : addl;
      out[k] = sub ? toCel(v[k], sub) : untyped(v[k]);
    }
    return out;
  }
  return v;
}

/** A CEL result back as JSON: ints become numbers, maps objects. */
export function fromCel(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map(fromCel);
  if (v instanceof Map) return Object.fromEntries([...v.entries()].map(([k, x]) => [String(k), fromCel(x)]));
  if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fromCel(x)]));
  return v;
}
