// Walking a kind's schema alongside an object: what strategic merge patch and server-side apply
// need to know about a field (its sub-schema, list merge key, patch strategy).
import type { Schema } from '../../api/resource.ts';

/** The schema of property `key` of an object schema (map values for additionalProperties). */
export function childSchema(s: Schema | undefined, key: string): Schema | undefined {
  if (!s) return undefined;
  if (s.properties && key in s.properties) return s.properties[key];
  if (s.additionalProperties && typeof s.additionalProperties === 'object') return s.additionalProperties;
  return undefined;
}

/** The keys identifying list items: patch merge key, or list-map keys. */
export function mergeKeyOf(s: Schema | undefined): string | undefined {
  if (!s) return undefined;
  return s['x-kubernetes-patch-merge-key'] ?? s['x-kubernetes-list-map-keys']?.[0];
}

export function strategyOf(s: Schema | undefined): string[] {
  return (s?.['x-kubernetes-patch-strategy'] ?? '').split(',').map((x) => x.trim()).filter(Boolean);
}

/** A list merged element-wise by strategic merge patch (as opposed to replaced whole). */
export function isMergeList(s: Schema | undefined): boolean {
  return strategyOf(s).includes('merge');
}

/**
 * Server-side apply's view of a list: granular (merged by key or by value) when it is a map or
 * set list, or merged under strategic merge patch; otherwise atomic.
 */
export function isKeyedList(s: Schema | undefined): boolean {
  const t = s?.['x-kubernetes-list-type'];
  if (t === 'atomic') return false;
  return t === 'map' || t === 'set' || isMergeList(s);
}
