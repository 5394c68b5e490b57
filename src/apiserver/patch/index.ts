// Patch types: JSON patch (RFC 6902), JSON merge patch (RFC 7386), strategic merge patch, and
// server-side apply. STUB: replaced by the full implementation (see issue 3).
import type { KubeObject } from '../../api/types.ts';
import type { ResourceType } from '../../api/resource.ts';
import { StatusError } from '../../api/errors.ts';

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

/** Maps a request Content-Type to a patch type; undefined → the caller answers 415. */
export function patchTypeOf(contentType: string): PatchType | undefined {
  const ct = contentType.split(';')[0].trim().toLowerCase();
  switch (ct) {
    case 'application/json-patch+json':
      return 'json';
    case 'application/merge-patch+json':
      return 'merge';
    case 'application/strategic-merge-patch+json':
      return 'strategic';
    case 'application/apply-patch+yaml':
    case 'application/apply-patch+cbor':
      return 'apply';
    default:
      return undefined;
  }
}

export interface PatchOptions {
  /** ?fieldManager= (required for apply). */
  fieldManager?: string;
  /** ?force=true for apply conflicts. */
  force?: boolean;
  /** Subresource being patched ("status", "scale") or undefined for the main resource. */
  subresource?: string;
}

/**
 * Returns the patched object (a new object; current is not mutated). current is undefined only for
 * apply of an absent object (apply creates). Throws StatusError (400/422/409) for bad patches.
 * body is the raw request body text.
 */
export function applyPatch(
  type: PatchType,
  current: KubeObject | undefined,
  body: string,
  rt: ResourceType,
  opts: PatchOptions = {},
): KubeObject {
  void rt;
  void opts;
  if (!current) throw new StatusError(404, 'NotFound', 'not found');
  if (type !== 'merge') throw new StatusError(415, 'UnsupportedMediaType', `patch type ${type} not implemented yet`);
  return mergePatch(structuredClone(current), JSON.parse(body));
}

function mergePatch(target: any, patch: any): any {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  if (target === null || typeof target !== 'object' || Array.isArray(target)) target = {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete target[k];
    else target[k] = mergePatch(target[k], v);
  }
  return target;
}
