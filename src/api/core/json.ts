// JSON values compared, printed independently of key order, and copied.

/** Deep equality of JSON values, ignoring object key order (undefined-valued keys count as absent). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let nx = 0;
  for (const k in x) {
    if (x[k] === undefined) continue;
    nx++;
    if (!jsonEqual(x[k], y[k])) return false;
  }
  let ny = 0;
  for (const k in y) if (y[k] !== undefined) ny++;
  return nx === ny;
}

/**
 * Canonical JSON: object keys sorted and undefined-valued keys left out, so the same value always
 * prints the same (the pod-template-hash is computed over it; keep the output stable).
 */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const keys = Object.keys(v as object).filter((k) => (v as any)[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((v as any)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/**
 * JSON.stringify of a string, without the native call for the plain names API objects mostly carry
 * (pod, container and node names, namespaces, RFC 3339 times): nothing in them needs escaping.
 */
export function jsonString(s: string): string {
  return PLAIN.test(s) ? `"${s}"` : JSON.stringify(s);
}
const PLAIN = /^[\w.\-/:]*$/;

/**
 * A deep copy of a JSON value (an API object or a part of one), as Kubernetes' generated DeepCopy:
 * plain objects and arrays copied member by member, undefined-valued members kept, frozen input
 * copied unfrozen. About 9x cheaper than structuredClone, which node 20 runs through a MessagePort;
 * anything that is not a plain object or array (a Date, a Map) still goes through structuredClone.
 */
export function deepCopy<T>(v: T): T {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    const out = new Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = deepCopy(v[i]);
    return out as T;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return structuredClone(v);
  const out: Record<string, unknown> = {};
  for (const k in v) {
    const member = deepCopy((v as Record<string, unknown>)[k]);
    // a "__proto__" member (JSON.parse makes it an own property) stays a member, not the prototype
    if (k === '__proto__') Object.defineProperty(out, k, { value: member, writable: true, enumerable: true, configurable: true });
    else out[k] = member;
  }
  return out as T;
}
