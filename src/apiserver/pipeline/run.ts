// Runs the pipeline's stages. Each stage throws a StatusError to stop the request.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { StatusError } from '../../api/errors.ts';
import type { RequestInfo } from '../routing.ts';
import { anonymousAdmin, type AdmissionAttributes, type AdmissionPlugin, type AuthorizationDecision, type Pipeline, type Release, type UserInfo } from './index.ts';

/** A stage's answer: synchronous when every plugin answered synchronously (no await on the hot path). */
export type MaybePromise<T> = T | Promise<T>;

export function isPromise<T>(x: MaybePromise<T>): x is Promise<T> {
  return typeof (x as { then?: unknown } | undefined)?.then === 'function';
}

const noRelease: Release = () => undefined;

export function authenticate(p: Pipeline, req: IncomingMessage): MaybePromise<UserInfo> {
  if (p.authenticators.length === 0) return anonymousAdmin;
  return authenticateFrom(p, req, 0);
}

function authenticateFrom(p: Pipeline, req: IncomingMessage, from: number): MaybePromise<UserInfo> {
  for (let i = from; i < p.authenticators.length; i++) {
    const user = p.authenticators[i].authenticate(req);
    if (isPromise(user)) return user.then((u) => u ?? authenticateFrom(p, req, i + 1));
    if (user) return user;
  }
  throw new StatusError(401, 'Unauthorized', 'Unauthorized');
}

/** Runs every rate limiter; the result frees what they hold (call it once the request is finished; calling again is a no-op). */
export function limitRate(p: Pipeline, user: UserInfo, info: RequestInfo, req: IncomingMessage, res?: ServerResponse): MaybePromise<Release> {
  const limiters = p.rateLimiters;
  if (limiters.length === 0) return noRelease;
  if (limiters.length === 1) {
    // The usual case (APF or max-inflight alone): its own release, no bookkeeping.
    const r = limiters[0].admit({ user, info, req, res });
    if (isPromise(r)) return r.then((x) => x ?? noRelease);
    return r ?? noRelease;
  }
  const held: Release[] = [];
  const release = () => {
    for (const r of held.splice(0)) r();
  };
  const attrs = { user, info, req, res };
  const from = (i: number): MaybePromise<Release> => {
    for (; i < limiters.length; i++) {
      const r = limiters[i].admit(attrs);
      if (isPromise(r)) {
        const next = i + 1;
        return r.then((x) => {
          if (x) held.push(x);
          return from(next);
        });
      }
      if (r) held.push(r);
    }
    return release;
  };
  try {
    const out = from(0);
    if (isPromise(out)) {
      return out.catch((err) => {
        release();
        throw err;
      });
    }
    return out;
  } catch (err) {
    release();
    throw err;
  }
}

/** No authorizer configured = allow all; otherwise the first non-"noOpinion" decides, default deny. */
export function authorize(p: Pipeline, user: UserInfo, info: RequestInfo, req: IncomingMessage): MaybePromise<void> {
  if (p.authorizers.length === 0) return;
  return authorizeFrom(p, { user, info, req }, 0);
}

/** Authorizers from..end in order: the first allow ends it, a deny is the 403, no opinion goes on. */
function authorizeFrom(p: Pipeline, attrs: Attrs, from: number): MaybePromise<void> {
  for (let i = from; i < p.authorizers.length; i++) {
    const d = p.authorizers[i].authorize(attrs);
    if (d === 'allow') return;
    if (isPromise(d))
      return d.then((x) => {
        if (x === 'allow') return;
        if (x === 'deny') throw refusal(p, attrs, i);
        return authorizeFrom(p, attrs, i + 1);
      });
    if (d === 'deny') throw refusal(p, attrs, i);
  }
  throw refusal(p, attrs, p.authorizers.length - 1);
}

type Attrs = { user: UserInfo; info: RequestInfo; req: IncomingMessage };

/**
 * The 403 once authorizers 0..last did not allow (last denied, or everyone had no opinion): their
 * reasons, in order, as Kubernetes joins them. Asked only now, when they are needed.
 */
function refusal(p: Pipeline, attrs: Attrs, last: number): StatusError {
  const reasons: string[] = [];
  for (let i = 0; i <= last; i++) {
    const why = p.authorizers[i].reason?.(attrs);
    if (why) reasons.push(why);
  }
  return forbiddenFor(attrs.user, attrs.info, reasons.join('\n'));
}

/** The authorizers' answer as a boolean (no authorizer = allowed). */
export async function isAllowed(p: Pipeline, user: UserInfo, info: RequestInfo, req?: IncomingMessage): Promise<boolean> {
  if (p.authorizers.length === 0) return true;
  for (const a of p.authorizers) {
    const d = await a.authorize({ user, info, req: req as IncomingMessage });
    if (d !== 'noOpinion') return d === 'allow';
  }
  return false;
}

/**
 * Kubernetes' authorization denial (responsewriters.Forbidden + NewForbidden): the namespace of
 * `namespaces/NAME` is NAME; a non-resource path reads `forbidden: User "u" cannot get path "/x"`.
 */
export function forbiddenFor(user: UserInfo, info: RequestInfo, reason = ''): StatusError {
  const why = reason ? `: ${reason}` : '';
  if (info.nonResource) return new StatusError(403, 'Forbidden', `forbidden: User "${user.username}" cannot ${info.verb} path "${info.path}"${why}`, {});
  const res = info.subresource ? `${info.resource}/${info.subresource}` : info.resource;
  const qualified = info.group ? `${info.resource}.${info.group}` : info.resource;
  const what = info.name ? `${qualified} "${info.name}"` : qualified;
  const ns = info.namespace ?? (info.resource === 'namespaces' && info.name ? info.name : undefined);
  const where = ns ? ` in the namespace "${ns}"` : ' at the cluster scope';
  return new StatusError(
    403,
    'Forbidden',
    `${what} is forbidden: User "${user.username}" cannot ${info.verb} resource "${res}" in API group "${info.group}"${where}${why}`,
    { name: info.name, group: info.group || undefined, kind: info.resource },
  );
}

/**
 * Every plugin's admit, in order; once more (and only once) when one asked for reinvocation.
 * Synchronous while every plugin answers synchronously (most return at their first check: not
 * their resource or operation), so a write pays no promise per plugin.
 */
export function admitMutating(p: Pipeline, a: AdmissionAttributes): MaybePromise<void> {
  const first = admitFrom(p.admission, a, 0);
  if (isPromise(first)) return first.then(() => reinvoke(p, a));
  return reinvoke(p, a);
}

function reinvoke(p: Pipeline, a: AdmissionAttributes): MaybePromise<void> {
  if (!a.reinvocation.shouldReinvoke || a.reinvocation.isReinvoke) return;
  a.reinvocation.isReinvoke = true;
  return admitFrom(p.admission, a, 0);
}

function admitFrom(plugins: AdmissionPlugin[], a: AdmissionAttributes, from: number): MaybePromise<void> {
  for (let i = from; i < plugins.length; i++) {
    const p = plugins[i];
    if (!p.admit) continue;
    if (!p.typedMutation) a.untyped = true;
    const r = p.admit(a);
    if (isPromise(r)) return r.then(() => admitFrom(plugins, a, i + 1));
  }
}

/** Every plugin's validate, in order; synchronous while every plugin answers synchronously. */
export function admitValidating(p: Pipeline, a: AdmissionAttributes): MaybePromise<void> {
  return validateFrom(p.admission, a, 0);
}

function validateFrom(plugins: AdmissionPlugin[], a: AdmissionAttributes, from: number): MaybePromise<void> {
  for (let i = from; i < plugins.length; i++) {
    const r = plugins[i].validate?.(a);
    if (isPromise(r)) return r.then(() => validateFrom(plugins, a, i + 1));
  }
}
