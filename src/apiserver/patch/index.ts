// Patch types: JSON patch (RFC 6902), JSON merge patch (RFC 7386), strategic merge patch, and
// server-side apply; errors as the Kubernetes API server answers them.
import type { KubeObject } from '../../api/types.ts';
import type { ResourceType } from '../../api/resource.ts';
import { StatusError, badRequest, invalid, required } from '../../api/errors.ts';
import { parseYamlText } from '../yamltext.ts';
import { cannotUnmarshal, isObject, parseJsonGo } from './json.ts';
import { JsonPatchApplyError, applyJsonPatch, decodeJsonPatch } from './jsonpatch.ts';
import { SmpError, jsonMergePatch, strategicMergePatch } from './strategic.ts';
import { serverSideApply, trackUpdate } from './apply.ts';
import { deepCopy } from '../../api/core/json.ts';

export { strategicMergePatch, jsonMergePatch, SmpError } from './strategic.ts';
export { applyJsonPatch } from './jsonpatch.ts';
export { serverSideApply, trackUpdate } from './apply.ts';
export { fieldSetOf, pathString } from './fields.ts';

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
  /** managedFields time (default: the wall clock). */
  now?: Date;
}

const GO_MAP = 'map[string]interface {}';

/**
 * 422 as apimachinery's NewGenericServerResponse(422, ..., isUnexpectedResponse=false) builds it: no
 * causes, so kubectl prints exactly `The request is invalid: the server rejected our request due to
 * an error in our request`. The library's reason is kept on the error (not on the wire) for logs.
 */
export class PatchRejectedError extends StatusError {
  constructor(readonly libraryMessage: string) {
    super(422, 'Invalid', 'the server rejected our request due to an error in our request', {});
  }
}
function rejected(cause: string): StatusError {
  return new PatchRejectedError(cause);
}

function parseOrBadRequest(body: string, message?: string): unknown {
  try {
    return parseJsonGo(body);
  } catch (e) {
    throw badRequest(message ?? (e as Error).message);
  }
}

function mustBeObject(v: unknown): Record<string, any> {
  if (!isObject(v)) throw badRequest(cannotUnmarshal(v, GO_MAP));
  return v;
}

/**
 * Returns the patched object (a new object; current is not mutated). current is undefined only for
 * apply of an absent object (apply creates). Throws StatusError (400/422/409) for bad patches.
 * body is the raw request body text. Non-apply patches with a fieldManager are recorded in
 * metadata.managedFields (operation Update); apply records operation Apply.
 */
/**
 * Whether applyPatch's result of this type shares nothing with the current object or anyone else:
 * strategic and JSON merge patches start from a deep copy of the current object and add values of
 * the patch they parsed themselves, so a caller may change the result without copying it first.
 */
export function patchResultIsOwn(type: PatchType): boolean {
  return type === 'strategic' || type === 'merge';
}

export function applyPatch(type: PatchType, current: KubeObject | undefined, body: string, rt: ResourceType, opts: PatchOptions = {}): KubeObject {
  if (type === 'apply') return applyApply(current, body, rt, opts);
  if (!current) throw new StatusError(404, 'NotFound', `${rt.group ? `${rt.plural}.${rt.group}` : rt.plural} not found`);
  let result: unknown;
  switch (type) {
    case 'json': {
      const parsed = parseOrBadRequest(body);
      let ops: Record<string, unknown>[];
      try {
        ops = decodeJsonPatch(parsed);
      } catch (e) {
        throw badRequest((e as Error).message);
      }
      try {
        result = applyJsonPatch(current, ops);
      } catch (e) {
        if (e instanceof JsonPatchApplyError) throw rejected(e.message);
        throw e;
      }
      break;
    }
    case 'merge': {
      const patch = parseOrBadRequest(body, 'Invalid JSON Patch');
      result = jsonMergePatch(deepCopy(current), mustBeObject(patch));
      break;
    }
    case 'strategic': {
      // The patched map is converted into the target's type (FromUnstructured), which ignores
      // apiVersion/kind: `{"kind":"Deployment","spec":{"replicas":2}}` patches a Scale too.
      const { apiVersion: _v, kind: _k, ...patch } = mustBeObject(parseOrBadRequest(body));
      try {
        result = strategicMergePatch(current, patch, rt.schema);
      } catch (e) {
        if (e instanceof SmpError) throw e.code === 400 ? badRequest(e.message) : rejected(e.message);
        throw e;
      }
      break;
    }
  }
  const obj = mustBeObject(result) as KubeObject;
  if (!isObject(obj.metadata)) obj.metadata = {};
  if (opts.fieldManager) trackUpdate(current, obj, rt, opts.fieldManager, opts.subresource, opts.now);
  return obj;
}

function applyApply(current: KubeObject | undefined, body: string, rt: ResourceType, opts: PatchOptions): KubeObject {
  if (!opts.fieldManager) {
    throw invalid('PatchOptions.meta.k8s.io', '', [{ ...required('fieldManager'), detail: 'Required value: is required for apply patch' }]);
  }
  let applied: unknown;
  try {
    applied = parseYamlText(body);
  } catch (e) {
    throw badRequest(`error decoding YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  const obj = mustBeObject(applied);
  if (obj.metadata !== undefined && !isObject(obj.metadata)) throw badRequest(`metadata: ${cannotUnmarshal(obj.metadata, 'v1.ObjectMeta')}`);
  return serverSideApply(current, obj, rt, { fieldManager: opts.fieldManager, force: opts.force, subresource: opts.subresource, now: opts.now });
}
