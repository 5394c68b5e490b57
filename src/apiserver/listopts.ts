// Query options: booleans and integers read as Kubernetes' parameter codec reads them, list/watch
// resourceVersion semantics, limit/continue tokens. Pure functions.
import { StatusError, badRequest, expired } from '../api/errors.ts';
import type { CacheListOptions } from '../storage/interface.ts';

/**
 * A boolean query parameter (runtime.Convert_Slice_string_To_bool): absent → undefined; "0" or
 * "false" in any case → false; any other value, even "" or "yes", → true. Never an error.
 */
export function boolParam(q: URLSearchParams | undefined, name: string): boolean | undefined {
  const v = q?.get(name);
  if (v === null || v === undefined) return undefined;
  return !(v === '0' || v.toLowerCase() === 'false');
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** strconv.ParseInt(v, 10, 64): the value, or the error text Go gives. */
export function parseInt64(v: string): number | { error: string } {
  if (!/^[+-]?\d+$/.test(v)) return { error: `strconv.ParseInt: parsing ${JSON.stringify(v)}: invalid syntax` };
  const n = BigInt(v);
  if (n < INT64_MIN || n > INT64_MAX) return { error: `strconv.ParseInt: parsing ${JSON.stringify(v)}: value out of range` };
  return Number(n);
}

/** An integer query parameter (absent → undefined); a malformed one is 400 with strconv's message. */
export function intParam(q: URLSearchParams | undefined, name: string): number | undefined {
  const v = q?.get(name);
  if (v === null || v === undefined) return undefined;
  const n = parseInt64(v);
  if (typeof n !== 'number') throw badRequest(n.error);
  return n;
}

/**
 * A copy of q with the named booleans spelled "true"/"false" and the named integers checked (400
 * on a malformed one), for handing options on to a component that reads them literally.
 */
export function canonicalQuery(q: URLSearchParams | undefined, bools: string[], ints: string[]): URLSearchParams {
  const out = new URLSearchParams(q ?? '');
  for (const name of bools) {
    const b = boolParam(q, name);
    if (b !== undefined) out.set(name, String(b));
  }
  for (const name of ints) intParam(q, name);
  return out;
}

/** Kubernetes' continue token: base64 of {"v":"meta.k8s.io/v1","rv":N,"start":"<key suffix>\u0000"}. */
export function encodeContinue(revision: number, lastKey: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: revision, start: lastKey + '\u0000' })).toString('base64');
}

export function decodeContinue(token: string): { revision: number; afterKey: string } {
  let parsed: any;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
  } catch {
    throw badRequest('continue key is not valid: illegal base64 data or JSON');
  }
  if (!parsed || parsed.v !== 'meta.k8s.io/v1' || typeof parsed.rv !== 'number' || typeof parsed.start !== 'string') {
    throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
  const start: string = parsed.start;
  return { revision: parsed.rv, afterKey: start.endsWith('\u0000') ? start.slice(0, -1) : start };
}

export const CONTINUE_EXPIRED_MESSAGE =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';

export function continueExpired(): StatusError {
  return expired(CONTINUE_EXPIRED_MESSAGE);
}

export function tooOldResourceVersion(requested: number, oldest: number): StatusError {
  return expired(`too old resource version: ${requested} (${oldest})`);
}

function invalidListOption(field: string, detail: string): StatusError {
  return new StatusError(422, 'Invalid', `ListOptions.meta.k8s.io "" is invalid: ${field}: ${detail}`, {
    group: 'meta.k8s.io',
    kind: 'ListOptions',
    causes: [{ reason: 'FieldValueForbidden', message: detail, field }],
  });
}

export function parseResourceVersion(value: string | null | undefined, what = 'resourceVersion'): number | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  if (!/^\d+$/.test(value)) throw badRequest(`invalid ${what}: ${JSON.stringify(value)}`);
  return Number(value);
}

/** How a LIST read is to be served. `consistent` = at least the store's current revision. */
export interface ListPlan {
  opts: CacheListOptions;
  consistent: boolean;
  /** The revision of a continue token, for encoding the next token. */
  continueRevision?: number;
}

/**
 * resourceVersion / resourceVersionMatch / limit / continue → cache list options, per
 * https://kubernetes.io/docs/reference/using-api/api-concepts/#semantics-for-get-and-list
 */
export function planList(q: URLSearchParams | undefined): ListPlan {
  const rvRaw = q?.get('resourceVersion') ?? undefined;
  const match = q?.get('resourceVersionMatch') || undefined;
  const cont = q?.get('continue') || undefined;
  // a negative limit is no limit, as for Kubernetes' storage
  const limit = Math.max(0, intParam(q, 'limit') ?? 0);
  const opts: CacheListOptions = {};
  if (limit > 0) opts.limit = limit;
  if (match !== undefined && match !== 'Exact' && match !== 'NotOlderThan') {
    throw invalidListOption('resourceVersionMatch', `Unsupported value: "${match}": supported values: "Exact", "NotOlderThan"`);
  }
  if (match && (rvRaw === undefined || rvRaw === '')) {
    throw invalidListOption('resourceVersionMatch', 'Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided');
  }
  if (cont) {
    if (rvRaw && rvRaw !== '0') throw badRequest('specifying resource version is not allowed when using continue');
    if (match) throw invalidListOption('resourceVersionMatch', 'Forbidden: resourceVersionMatch is forbidden when continue is provided');
    const { revision, afterKey } = decodeContinue(cont);
    opts.exactRevision = revision;
    opts.afterKey = afterKey;
    return { opts, consistent: false, continueRevision: revision };
  }
  const rv = parseResourceVersion(rvRaw);
  if (rv === undefined) return { opts, consistent: true };
  // resourceVersion=0 ("any") is served whole from the cache, as Kubernetes' watch cache does: no
  // continue token that could expire under an informer's initial list.
  if (rv === 0 && match === undefined) delete opts.limit;
  // paginated lists with an RV and no match are Exact (the legacy semantics the docs table keeps)
  if (match === 'Exact' || (match === undefined && limit > 0 && rv > 0)) {
    if (rv === 0) throw invalidListOption('resourceVersionMatch', 'Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"');
    opts.exactRevision = rv;
  } else if (rv > 0) {
    opts.minRevision = rv;
  }
  return { opts, consistent: false };
}
