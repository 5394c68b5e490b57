// Validation ratcheting (CRDValidationRatcheting, on by default since Kubernetes 1.30): on an update,
// each schema node of the new object is correlated with the old object's value at the same place
// (object fields and map keys by name, items of x-kubernetes-list-type=map lists by their keys; set
// and atomic list items do not correlate), and errors of a node equal to its correlated old value
// (or, for a node that does not correlate, of the nearest correlated ancestor) do not fail the write.
import { isObject, itemsOf, propertyOf, type JSONSchemaProps } from './types.ts';

/** The old value correlated with a node; undefined = the node does not correlate. */
export type Correlated = { old: unknown } | undefined;

/** reflect.DeepEqual over JSON values (key order does not matter). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === (b as unknown[]).length && a.every((x, i) => deepEqual(x, (b as unknown[])[i]));
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b as object, k) && deepEqual((a as any)[k], (b as any)[k]));
}

/** Whether a node's value is unchanged from its correlated old value (an uncorrelated node never is). */
export const unchanged = (v: unknown, c: Correlated): boolean => c !== undefined && deepEqual(v ?? null, c.old ?? null);

/**
 * The old value of field `k` of an object node: present in both, with a schema for it. apiVersion and
 * kind of the resource root never correlate (both sides are in the request version).
 */
export function correlateField(s: JSONSchemaProps, c: Correlated, k: string, root = false): Correlated {
  if (!c || !isObject(c.old) || !Object.hasOwn(c.old, k)) return undefined;
  if (root && (k === 'apiVersion' || k === 'kind')) return undefined;
  return propertyOf(s, k) ? { old: c.old[k] } : undefined;
}

/** The identity of a map-list item: its key fields (a missing key counts as its default). */
export function mapListKey(s: JSONSchemaProps, x: unknown): string | undefined {
  if (!isObject(x)) return undefined;
  const items = itemsOf(s);
  return JSON.stringify((s['x-kubernetes-list-map-keys'] ?? []).map((k) => x[k] ?? items?.properties?.[k]?.default ?? null));
}

/** For a list node: the correlated old item of a new item (x-kubernetes-list-type=map only). */
export function correlateItems(s: JSONSchemaProps, c: Correlated): (x: unknown) => Correlated {
  if (!c || s['x-kubernetes-list-type'] !== 'map' || !Array.isArray(c.old) || !itemsOf(s)) return () => undefined;
  const byKey = new Map<string, unknown>();
  for (const o of c.old) {
    const k = mapListKey(s, o);
    if (k !== undefined && !byKey.has(k)) byKey.set(k, o);
  }
  return (x) => {
    const k = mapListKey(s, x);
    return k !== undefined && byKey.has(k) ? { old: byKey.get(k) } : undefined;
  };
}
