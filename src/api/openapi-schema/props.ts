// The fields of JSONSchemaProps: a CRD's openAPIV3Schema is typed in Kubernetes, so a key it does
// not know (`tpye: string`) is an unknown field, reported per fieldValidation and dropped.
import { isObject, type JSONSchemaProps } from './types.ts';

const KEYS = new Set([
  'id', '$schema', '$ref', 'description', 'type', 'format', 'title', 'default', 'maximum', 'exclusiveMaximum', 'minimum', 'exclusiveMinimum',
  'maxLength', 'minLength', 'pattern', 'maxItems', 'minItems', 'uniqueItems', 'multipleOf', 'enum', 'maxProperties', 'minProperties', 'required',
  'items', 'allOf', 'oneOf', 'anyOf', 'not', 'properties', 'additionalProperties', 'patternProperties', 'dependencies', 'additionalItems',
  'definitions', 'externalDocs', 'example', 'nullable', 'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-embedded-resource',
  'x-kubernetes-int-or-string', 'x-kubernetes-list-map-keys', 'x-kubernetes-list-type', 'x-kubernetes-map-type', 'x-kubernetes-validations',
]);
const RULE_KEYS = new Set(['rule', 'message', 'messageExpression', 'reason', 'fieldPath', 'optionalOldSelf']);

/** Drops the keys JSONSchemaProps does not have (in place) and returns their paths (`...openAPIV3Schema.properties.spec.tpye`). */
export function pruneSchemaKeys(s: unknown, path: string): string[] {
  const out: string[] = [];
  const walk = (x: unknown, p: string) => {
    if (!isObject(x)) return;
    for (const k of Object.keys(x)) {
      if (!KEYS.has(k)) {
        out.push(`${p}.${k}`);
        delete x[k];
      }
    }
    const n = x as JSONSchemaProps;
    for (const [k, v] of Object.entries(n.properties ?? {})) walk(v, `${p}.properties.${k}`);
    for (const [k, v] of Object.entries(n.patternProperties ?? {})) walk(v, `${p}.patternProperties.${k}`);
    for (const [k, v] of Object.entries(n.definitions ?? {})) walk(v, `${p}.definitions.${k}`);
    if (Array.isArray(n.items)) n.items.forEach((v, i) => walk(v, `${p}.items[${i}]`));
    else walk(n.items, `${p}.items`);
    if (isObject(n.additionalProperties)) walk(n.additionalProperties, `${p}.additionalProperties`);
    if (isObject(n.additionalItems)) walk(n.additionalItems, `${p}.additionalItems`);
    walk(n.not, `${p}.not`);
    for (const name of ['allOf', 'anyOf', 'oneOf'] as const) (n[name] ?? []).forEach((v, i) => walk(v, `${p}.${name}[${i}]`));
    (n['x-kubernetes-validations'] ?? []).forEach((r, i) => {
      if (!isObject(r)) return;
      for (const k of Object.keys(r)) {
        if (!RULE_KEYS.has(k)) {
          out.push(`${p}.x-kubernetes-validations[${i}].${k}`);
          delete (r as Record<string, unknown>)[k];
        }
      }
    });
  };
  walk(s, path);
  return out;
}
