// x-kubernetes-validations fieldPath and selectableFields jsonPath: a JSON path (`.spec.x`,
// `.m['key']`) resolved against a structural schema into a field path (`spec.x`, `m[key]`).
import { additionalOf, type JSONSchemaProps } from './types.ts';

/** A rule's fieldPath (`.spec.x`, `.items['key']`) must name a field the schema declares. */
export function fieldPathValid(s: JSONSchemaProps, fieldPath: string): boolean {
  return resolveFieldPath(s, fieldPath) !== undefined;
}

/** The field path (`spec.x`, `m[key]`) a rule's fieldPath normalizes to, or undefined when it names no field. */
export function resolveFieldPath(s: JSONSchemaProps, fieldPath: string): string | undefined {
  const re = /\.([A-Za-z_][A-Za-z0-9_-]*)|\['((?:[^'\\]|\\.)*)'\]/y;
  let cur: JSONSchemaProps | undefined = s;
  let out = '';
  let i = 0;
  while (i < fieldPath.length) {
    re.lastIndex = i;
    const m = re.exec(fieldPath);
    if (!m || !cur) return undefined;
    const name = m[1] ?? m[2].replace(/\\(.)/g, '$1');
    const next: JSONSchemaProps | undefined = cur.properties?.[name] ?? additionalOf(cur);
    if (!next) return undefined;
    out = m[1] !== undefined ? (out ? `${out}.${name}` : name) : `${out}[${name}]`;
    cur = next;
    i = re.lastIndex;
  }
  return out || undefined;
}
