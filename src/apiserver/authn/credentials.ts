// What credentials a request carries: a bearer token (Authorization header) and/or a TLS client
// certificate. Pure readers over the request; the authenticators decide what they are worth.
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';

const printable = (c: number) => c > 32 && c < 127;

/**
 * The bearer token of `Authorization: Bearer <token>`, as Kubernetes' bearertoken authenticator
 * reads it; '' for a Bearer header with an empty token (a 401); undefined without one.
 */
export function bearerToken(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  if (!h) return undefined;
  // The usual form, `Bearer <token>` with printable ASCII at both ends of the token (nothing to trim):
  // the same answer without the regular expression.
  if (h.length > 7 && h.startsWith('Bearer ') && printable(h.charCodeAt(7)) && printable(h.charCodeAt(h.length - 1))) return h.slice(7);
  const m = /^\s*bearer(?:\s+(.*))?$/i.exec(h);
  if (!m) return undefined;
  return (m[1] ?? '').trim();
}

/** The TLS socket of a request on an HTTPS server, undefined on plain HTTP. */
export function tlsSocket(req: IncomingMessage): TLSSocket | undefined {
  const s = req.socket as TLSSocket;
  return s && (s as { encrypted?: boolean }).encrypted ? s : undefined;
}

/** Whether the client presented a certificate (verified or not). */
export function presentedCert(req: IncomingMessage): boolean {
  const s = tlsSocket(req);
  if (!s) return false;
  const c = s.getPeerCertificate();
  return !!c && Object.keys(c).length > 0;
}

/** Whether the request carries any credential at all (then it is never anonymous). */
export function hasCredentials(req: IncomingMessage): boolean {
  return req.headers.authorization !== undefined || presentedCert(req);
}
