// List/watch query options: resourceVersion semantics, limit/continue tokens. Pure functions.
import { StatusError, badRequest, expired } from '../api/errors.ts';
import type { CacheListOptions } from '../storage/interface.ts';

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
  const limitRaw = q?.get('limit');
  const limit = limitRaw ? Number(limitRaw) : 0;
  if (limitRaw && (!Number.isInteger(limit) || limit < 0)) throw badRequest(`invalid limit: ${JSON.stringify(limitRaw)}`);
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
