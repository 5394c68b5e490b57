// Runs the pipeline's stages. Each stage throws a StatusError to stop the request.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { StatusError } from '../../api/errors.ts';
import type { RequestInfo } from '../routing.ts';
import { anonymousAdmin, type AdmissionAttributes, type Pipeline, type Release, type UserInfo } from './index.ts';

export async function authenticate(p: Pipeline, req: IncomingMessage): Promise<UserInfo> {
  if (p.authenticators.length === 0) return anonymousAdmin;
  for (const a of p.authenticators) {
    const user = await a.authenticate(req);
    if (user) return user;
  }
  throw new StatusError(401, 'Unauthorized', 'Unauthorized');
}

/** Runs every rate limiter; the result frees what they hold (call it once the request is finished; calling again is a no-op). */
export async function limitRate(p: Pipeline, user: UserInfo, info: RequestInfo, req: IncomingMessage, res?: ServerResponse): Promise<Release> {
  const held: Release[] = [];
  const release = () => {
    for (const r of held.splice(0)) r();
  };
  try {
    for (const l of p.rateLimiters) {
      const r = await l.admit({ user, info, req, res });
      if (r) held.push(r);
    }
  } catch (err) {
    release();
    throw err;
  }
  return release;
}

/** No authorizer configured = allow all; otherwise the first non-"noOpinion" decides, default deny. */
export async function authorize(p: Pipeline, user: UserInfo, info: RequestInfo, req: IncomingMessage): Promise<void> {
  if (p.authorizers.length === 0) return;
  const reasons: string[] = [];
  for (const a of p.authorizers) {
    const d = await a.authorize({ user, info, req });
    if (d === 'allow') return;
    const why = a.reason?.({ user, info, req });
    if (why) reasons.push(why);
    if (d === 'deny') break;
  }
  throw forbiddenFor(user, info, reasons.join('\n'));
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

/** Every plugin's admit, in order; once more (and only once) when one asked for reinvocation. */
export async function admitMutating(p: Pipeline, a: AdmissionAttributes): Promise<void> {
  for (const plugin of p.admission) if (plugin.admit) await plugin.admit(a);
  if (!a.reinvocation.shouldReinvoke || a.reinvocation.isReinvoke) return;
  a.reinvocation.isReinvoke = true;
  for (const plugin of p.admission) if (plugin.admit) await plugin.admit(a);
}

export async function admitValidating(p: Pipeline, a: AdmissionAttributes): Promise<void> {
  for (const plugin of p.admission) if (plugin.validate) await plugin.validate(a);
}
