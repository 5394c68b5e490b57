// Impersonation (k8s.io/apiserver filters/impersonation.go): after authentication, the
// Impersonate-User / -Group / -Uid / -Extra-<key> headers switch the request's user, each asked of
// the authorizers with the `impersonate` verb (users, groups, serviceaccounts, uids, userextras).
import type { IncomingMessage } from 'node:http';
import { StatusError } from '../../api/errors.ts';
import type { RequestInfo, Verb } from '../routing.ts';
import type { Pipeline, UserInfo } from './index.ts';
import { forbiddenFor, isAllowed } from './run.ts';

const SA_PREFIX = 'system:serviceaccount:';
const EXTRA_PREFIX = 'impersonate-extra-';

const headerList = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Extra keys are percent-encoded in the header name; a malformed escape is kept as sent. */
function unescapeKey(k: string): string {
  try {
    return decodeURIComponent(k);
  } catch {
    return k;
  }
}

/** Whether any Impersonate-* header came (read off rawHeaders: no headers object, no key list). */
export function hasImpersonation(req: IncomingMessage): boolean {
  const raw = req.rawHeaders;
  if (!raw) {
    for (const h of Object.keys(req.headers)) if (h.startsWith('impersonate-')) return true;
    return false;
  }
  for (let i = 0; i < raw.length; i += 2) {
    const h = raw[i];
    // 'i' or 'I' first, then the prefix in any case
    if (h.length >= 12 && (h.charCodeAt(0) | 32) === 105 && h.slice(0, 12).toLowerCase() === 'impersonate-') return true;
  }
  return false;
}

const ask = (resource: string, name: string, group = '', extra: Partial<RequestInfo> = {}): RequestInfo => ({ verb: 'impersonate' as Verb, group, version: '', resource, name, path: '', ...extra });

/** The impersonated user, or the authenticated one when no header asks otherwise. Throws 400/403. */
export async function impersonate(p: Pipeline, user: UserInfo, req: IncomingMessage): Promise<UserInfo> {
  if (!hasImpersonation(req)) return user;
  // Each header line is one value (node joins repeated custom headers with ", " in req.headers)
  const distinct = req.headersDistinct ?? {};
  const username = headerList(distinct['impersonate-user'] ?? req.headers['impersonate-user'])[0];
  const groups = headerList(distinct['impersonate-group'] ?? req.headers['impersonate-group']).filter(Boolean);
  const uid = headerList(distinct['impersonate-uid'] ?? req.headers['impersonate-uid'])[0];
  const extra: Record<string, string[]> = {};
  for (const [h, v] of Object.entries(req.headers)) {
    if (!h.startsWith(EXTRA_PREFIX)) continue;
    const key = unescapeKey(h.slice(EXTRA_PREFIX.length)).toLowerCase();
    extra[key] = headerList(distinct[h] ?? v);
  }
  if (!username) throw new StatusError(400, 'BadRequest', 'requested impersonation without impersonating a user');
  const checks: RequestInfo[] = [];
  let impliedGroups: string[] = [];
  if (username.startsWith(SA_PREFIX)) {
    const [ns, name] = username.slice(SA_PREFIX.length).split(':');
    checks.push(ask('serviceaccounts', name ?? '', '', { namespace: ns }));
    impliedGroups = ['system:serviceaccounts', `system:serviceaccounts:${ns}`];
  } else checks.push(ask('users', username));
  for (const g of groups) checks.push(ask('groups', g));
  if (uid) checks.push(ask('uids', uid, 'authentication.k8s.io'));
  for (const [k, vs] of Object.entries(extra)) for (const v of vs) checks.push(ask('userextras', v, 'authentication.k8s.io', { subresource: k }));
  for (const c of checks) if (!(await isAllowed(p, user, c, req))) throw forbiddenFor(user, c);
  const out: UserInfo = { username, groups: groups.length ? [...groups] : impliedGroups };
  if (username === 'system:anonymous') {
    if (!out.groups.includes('system:unauthenticated')) out.groups.push('system:unauthenticated');
  } else if (!out.groups.includes('system:authenticated')) out.groups.push('system:authenticated');
  if (uid) out.uid = uid;
  if (Object.keys(extra).length) out.extra = extra;
  return out;
}
