// The request stages before the handler, in Kubernetes' order: authentication, impersonation, rate
// limiting (APF), authorization. Synchronous end to end when every plugin answers synchronously (the
// token file, x509, a free APF seat, RBAC's cache): no await, no promise, no extra turn of the event
// loop per request; a plugin that answers with a promise makes the rest of the chain wait for it.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestInfo } from '../routing.ts';
import type { Pipeline, Release, UserInfo } from './index.ts';
import { hasImpersonation, impersonate } from './impersonation.ts';
import { authenticate, authorize, isPromise, limitRate, type MaybePromise } from './run.ts';

/** What the stages tell the audit of a request (RequestAudit). */
export interface SecurityAudit {
  identify(user: UserInfo): void;
  authorized(decision: 'allow'): void;
}

/** The user the request runs as; throws (or rejects with) the stage's StatusError (401, 403, 429). */
export function secureRequest(p: Pipeline, req: IncomingMessage, res: ServerResponse, info: RequestInfo, audit: SecurityAudit | undefined, authorizeIt = true): MaybePromise<UserInfo> {
  const authenticated = authenticate(p, req);
  if (isPromise(authenticated)) return authenticated.then((u) => afterAuthentication(p, req, res, info, audit, authorizeIt, u));
  return afterAuthentication(p, req, res, info, audit, authorizeIt, authenticated);
}

function afterAuthentication(p: Pipeline, req: IncomingMessage, res: ServerResponse, info: RequestInfo, audit: SecurityAudit | undefined, authorizeIt: boolean, authenticated: UserInfo): MaybePromise<UserInfo> {
  // The audit event names the authenticated user; impersonatedUser comes from the Impersonate-* headers.
  audit?.identify(authenticated);
  if (!hasImpersonation(req)) return limitAndAuthorize(p, req, res, info, audit, authorizeIt, authenticated);
  return impersonate(p, authenticated, req).then((u) => limitAndAuthorize(p, req, res, info, audit, authorizeIt, u));
}

function limitAndAuthorize(p: Pipeline, req: IncomingMessage, res: ServerResponse, info: RequestInfo, audit: SecurityAudit | undefined, authorizeIt: boolean, user: UserInfo): MaybePromise<UserInfo> {
  const release = limitRate(p, user, info, req, res);
  if (isPromise(release)) return release.then((r) => authorizeHeld(p, req, res, info, audit, authorizeIt, user, r));
  return authorizeHeld(p, req, res, info, audit, authorizeIt, user, release);
}

function authorizeHeld(p: Pipeline, req: IncomingMessage, res: ServerResponse, info: RequestInfo, audit: SecurityAudit | undefined, authorizeIt: boolean, user: UserInfo, release: Release): MaybePromise<UserInfo> {
  holdUntilAnswered(res, release);
  if (!authorizeIt) return user;
  const allowed = authorize(p, user, info, req);
  if (isPromise(allowed)) {
    return allowed.then(() => {
      audit?.authorized('allow');
      return user;
    });
  }
  audit?.authorized('allow');
  return user;
}

/**
 * A public path (/healthz, /livez, /readyz, /version, the dashboard's files) is served to everyone,
 * yet limited like every request, as Kubernetes' filters limit it (APF's `probes` schema exempts the
 * health checks; the answer carries the APF headers). The user is whoever the credentials name, or
 * `anonymous` when they name nobody (an unknown credential is no 401 here); nothing is authorized.
 */
export function limitPublicRequest(p: Pipeline, req: IncomingMessage, res: ServerResponse, info: RequestInfo, anonymous: UserInfo): MaybePromise<void> {
  if (p.rateLimiters.length === 0) return;
  let user: MaybePromise<UserInfo>;
  try {
    user = authenticate(p, req);
  } catch {
    user = anonymous;
  }
  if (isPromise(user)) return user.catch(() => anonymous).then((u) => limitHeld(p, req, res, info, u));
  return limitHeld(p, req, res, info, user);
}

function limitHeld(p: Pipeline, req: IncomingMessage, res: ServerResponse, info: RequestInfo, user: UserInfo): MaybePromise<void> {
  const release = limitRate(p, user, info, req, res);
  if (isPromise(release)) return release.then((r) => holdUntilAnswered(res, r));
  holdUntilAnswered(res, release);
}

/**
 * A limiter's seat is given back once the handler is done with the response, as Kubernetes frees it
 * when its handler returns: 'prefinish' comes from res.end() itself (over TLS 'finish' and 'close'
 * wait for the encrypted write to complete, a turn of the event loop later, and 50 requests read in
 * one turn would hold 50 seats); 'close' when the connection goes away first. release is idempotent,
 * so plain listeners do (no once() wrappers).
 */
function holdUntilAnswered(res: ServerResponse, release: Release): void {
  if (res.writableEnded || res.closed) release();
  else {
    res.on('prefinish', release);
    res.on('close', release);
  }
}
