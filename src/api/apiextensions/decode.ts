// The storage decoder of custom resources (apiextensions-apiserver's schemaCoercingDecoder and
// unstructuredDefaulter): an object read from storage is pruned and defaulted by the schema of the
// version it is stored in, so a field dropped from the schema is gone and a default added to it is
// there on GET, LIST and WATCH, without a write. Kubernetes' docs: defaulting happens "when
// reading from etcd using the storage version defaults".
import { applyDefaults, prune, pruneNulls, type JSONSchemaProps } from '../openapi-schema/index.ts';
import type { KubeObject } from '../types.ts';
import type { Crd } from './types.ts';
import { deepCopy } from '../core/json.ts';

/**
 * The decoder of a CRD's stored objects; undefined when decoding changes nothing: a CRD whose spec
 * never changed (generation 1) with one stored version wrote every object under today's schema.
 */
export function storageDecoder(crd: Crd): ((obj: KubeObject) => KubeObject) | undefined {
  const changed = (crd.metadata.generation ?? 1) > 1 || (crd.status?.storedVersions?.length ?? 1) > 1;
  if (!changed) return undefined;
  const schemas = new Map<string, JSONSchemaProps>();
  for (const v of crd.spec.versions) {
    const s = v.schema?.openAPIV3Schema as JSONSchemaProps | undefined;
    if (s) schemas.set(`${crd.spec.group}/${v.name}`, s);
  }
  if (schemas.size === 0) return undefined;
  return (obj) => {
    const s = schemas.get(obj.apiVersion ?? '');
    if (!s) return obj;
    const copy = deepCopy(obj);
    // apiVersion, kind and metadata at the root are not the schema's to prune
    prune(copy as Record<string, unknown>, s);
    pruneNulls(copy, s);
    applyDefaults(copy, s);
    return copy;
  };
}
