// Pure decisions about an object's metadata on create and update (rest.BeforeCreate / BeforeUpdate):
// names from generateName, uid, timestamps, generation, and which fields an update may change.
import { cryptoRandom, type Random } from '../../clock/index.ts';
import { badRequest, invalid, type FieldError } from '../../api/errors.ts';
import type { ResourceType } from '../../api/resource.ts';
import type { KubeObject } from '../../api/types.ts';
import { canonicalizeTimes, decodeError, unknownFields, strictDecodingError, unknownFieldWarnings } from '../../api/schema.ts';
import { formatTime } from '../../api/time.ts';
import { apiVersionOfRt } from './scope.ts';

// apimachinery's utilrand alphabet: no vowels (no words), no confusable characters.
const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

export function randomSuffix(n = 5, random: Random = cryptoRandom): string {
  let s = '';
  for (let i = 0; i < n; i++) s += ALPHANUMS[random.int(ALPHANUMS.length)];
  return s;
}

/** RFC 3339 with second precision, as metav1.Time serializes. */
export function timestamp(d: Date = new Date()): string {
  return formatTime(d);
}

/**
 * Decoding's view of times: every Time/MicroTime field of a written object in Kubernetes' spelling
 * (whatever RFC 3339 form the client sent); a malformed one is the decoder's 400.
 */
export function canonicalizeObjectTimes(obj: KubeObject, rt: ResourceType): void {
  const error = canonicalizeTimes(rt.schema, obj);
  if (error) throw decodeError(rt.kind, rt.version, error);
}

/**
 * Checks a body's apiVersion/kind against the resource of the path (fills them when absent), and its
 * namespace against the path's (fills it when absent). Throws 400 on a mismatch.
 */
export function checkBodyIdentity(obj: KubeObject, rt: ResourceType, pathNamespace: string | undefined, accepted?: { apiVersion: string; kind: string }[]): void {
  const want = accepted ?? [{ apiVersion: apiVersionOfRt(rt), kind: rt.kind }];
  if (obj.apiVersion === undefined && obj.kind === undefined) {
    obj.apiVersion = want[0].apiVersion;
    obj.kind = want[0].kind;
  } else if (!want.some((w) => (obj.apiVersion ?? w.apiVersion) === w.apiVersion && (obj.kind ?? w.kind) === w.kind)) {
    const problems: string[] = [];
    if (obj.apiVersion !== undefined && !want.some((w) => w.apiVersion === obj.apiVersion)) {
      problems.push(`the API version in the data (${obj.apiVersion}) does not match the expected API version (${want[0].apiVersion})`);
    }
    if (obj.kind !== undefined && !want.some((w) => w.kind === obj.kind)) {
      problems.push(`the kind in the data (${obj.kind}) does not match the expected kind (${want[0].kind})`);
    }
    throw badRequest(problems.length ? problems.join('; ') : `the object (${obj.apiVersion}, ${obj.kind}) does not match ${want[0].apiVersion}, ${want[0].kind}`);
  } else {
    obj.apiVersion ??= want[0].apiVersion;
    obj.kind ??= want[0].kind;
  }
  if (rt.namespaced && pathNamespace !== undefined) {
    const ns = obj.metadata.namespace;
    if (ns === undefined || ns === '') obj.metadata.namespace = pathNamespace;
    else if (ns !== pathNamespace) throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  if (!rt.namespaced && obj.metadata.namespace === '') delete obj.metadata.namespace;
}

/**
 * fieldValidation: Strict → 400 naming every unknown field; Warn (the default) → warnings for the
 * Warning header; Ignore → nothing.
 */
export function checkUnknownFields(obj: KubeObject, rt: ResourceType, q: URLSearchParams | undefined): string[] {
  const mode = q?.get('fieldValidation') || 'Warn';
  if (mode === 'Ignore') {
    rt.pruneUnknownFields?.(obj);
    return [];
  }
  if (mode !== 'Strict' && mode !== 'Warn') throw badRequest(`fieldValidation parameter unsupported: ${mode}; valid options are: Ignore, Warn, Strict`);
  const unknown = rt.pruneUnknownFields ? rt.pruneUnknownFields(obj) : unknownFields(rt.schema, obj);
  if (unknown.length === 0) return [];
  if (mode === 'Strict') throw strictDecodingError(rt.kind, rt.version, unknown);
  return unknownFieldWarnings(unknown);
}

/**
 * BeforeCreate's metadata: name from generateName, uid, creationTimestamp, and generation 1 for kinds
 * that track spec changes (like Kubernetes, a ConfigMap carries no generation).
 */
export function initCreateMeta(obj: KubeObject, rt: ResourceType, now = new Date(), random: Random = cryptoRandom): void {
  const m = obj.metadata;
  if (!m.name && m.generateName) m.name = m.generateName + randomSuffix(5, random);
  m.uid = random.uuid();
  m.creationTimestamp = timestamp(now);
  if (rt.strategy.specFields.length > 0 || rt.strategy.specChanged) m.generation = 1;
  else delete m.generation;
  delete m.resourceVersion;
  delete m.deletionTimestamp;
  delete m.deletionGracePeriodSeconds;
}

/** The carried members a body may send as null (meaning absent). */
const NULLABLE_CARRIED = ['uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'selfLink', 'generation'] as const;

/**
 * rest.BeforeUpdate's metadata: generation, creationTimestamp, selfLink and (when not sent) uid come
 * from the stored object; a deletionTimestamp and grace period once set are kept. What is left to
 * reject (another uid, name or namespace, setting a deletionTimestamp) is validateObjectMetaUpdate's.
 */
export function carryUpdateMeta(obj: KubeObject, old: KubeObject): void {
  const m = obj.metadata;
  const o = old.metadata;
  for (const k of NULLABLE_CARRIED) if ((m[k] as unknown) === null) delete m[k];
  if (!m.uid && o.uid) m.uid = o.uid;
  if (o.creationTimestamp) m.creationTimestamp = o.creationTimestamp;
  if (o.deletionTimestamp) m.deletionTimestamp = o.deletionTimestamp;
  if (o.deletionGracePeriodSeconds !== undefined && m.deletionGracePeriodSeconds === undefined) m.deletionGracePeriodSeconds = o.deletionGracePeriodSeconds;
  if (o.selfLink) m.selfLink = o.selfLink;
  else delete m.selfLink;
  if (o.generation !== undefined) m.generation = o.generation;
  else delete m.generation;
  if (m.namespace === undefined && o.namespace !== undefined) m.namespace = o.namespace;
  if (m.name === undefined) m.name = o.name;
}

/** generation + 1 when a spec field changed (strategy.specFields); never for status or metadata. */
export function bumpGeneration(obj: KubeObject, old: KubeObject, rt: ResourceType): void {
  if (rt.strategy.specChanged) {
    if (rt.strategy.specChanged(obj, old)) obj.metadata.generation = (old.metadata.generation ?? 1) + 1;
    return;
  }
  const fields = rt.strategy.specFields;
  for (const f of fields) {
    // the stored object's own (frozen) value carried over by the strategy is unchanged
    if (obj[f] === old[f]) continue;
    // equal as JSON values, member order aside (Semantic.DeepEqual of the spec), without two texts a write
    if (!sameJson(obj[f], old[f])) {
      obj.metadata.generation = (old.metadata.generation ?? 1) + 1;
      return;
    }
  }
}

/** Whether an update changes nothing but resourceVersion (Kubernetes then writes nothing). */
export function sameObject(a: KubeObject, b: KubeObject): boolean {
  return sameJson(a, b, 'metadata');
}

/**
 * Whether two JSON values are equal as JSON: undefined members count as absent, object members in
 * any order, arrays in order. `skipMeta` names a member compared without its resourceVersion.
 * Stops at the first difference (no serialization of either side).
 */
function sameJson(a: unknown, b: unknown, skipMeta?: string): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    return typeof a === 'number' && typeof b === 'number' && !Number.isFinite(a) && !Number.isFinite(b); // both encode as null
  }
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    if (a.length !== bb.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i] === undefined ? null : a[i], bb[i] === undefined ? null : bb[i])) return false;
    return true;
  }
  return sameMembers(a as Record<string, unknown>, b as Record<string, unknown>, undefined, skipMeta);
}

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * sameJson of two objects' members: `skip` left out of the comparison (no copy without it),
 * `skipMeta` compared without its resourceVersion.
 */
function sameMembers(ao: Record<string, unknown>, bo: Record<string, unknown>, skip?: string, skipMeta?: string): boolean {
  let n = 0;
  for (const k in ao) {
    if (k === skip) continue;
    const v = ao[k];
    if (v === undefined || typeof v === 'function') continue;
    n++;
    const w = bo[k];
    if (k === skipMeta && isMap(v) && isMap(w)) {
      if (!sameMembers(v, w, 'resourceVersion')) return false;
    } else if (!sameJson(v, w)) return false;
  }
  for (const k in bo) {
    if (k === skip) continue;
    const w = bo[k];
    if (w !== undefined && typeof w !== 'function') n--;
  }
  return n === 0;
}

/** Validation of a whole object (create: old undefined) → 422 Invalid naming each field. */
export function validateObject(obj: KubeObject, rt: ResourceType, old: KubeObject | undefined, extra: FieldError[] = [], warn?: (text: string) => void): void {
  const errs = [...extra, ...rt.validate(obj, old, warn)];
  if (old && rt.strategy.validateUpdate) errs.push(...rt.strategy.validateUpdate(obj, old));
  if (errs.length) throw invalid(rt.kind, obj.metadata.name ?? '', errs, rt.group);
}
