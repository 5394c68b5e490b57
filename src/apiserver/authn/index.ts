// Authentication as the API server's options configure it: the x509 client-certificate
// authenticator (clientCA), static token files (tokenAuthFile), then whatever plugins add (JWTs),
// and anonymous last (anonymousAuth). None configured = no authenticator (every request the admin).
import type { Authenticator } from '../pipeline/index.ts';
import { anonymousAuthenticator } from './anonymous.ts';
import { tokenFileAuthenticator } from './tokenfile.ts';
import { x509Authenticator } from './x509.ts';

export { ANONYMOUS, anonymousAuthenticator } from './anonymous.ts';
export { tokenFileAuthenticator, parseTokenFile, csvRecord } from './tokenfile.ts';
export { x509Authenticator, userFromCert } from './x509.ts';
export { bearerToken, hasCredentials } from './credentials.ts';

export interface AuthnOptions {
  clientCA?: string | Buffer;
  tokenAuthFile?: string | string[];
  anonymousAuth?: boolean;
}

export function authnConfigured(o: AuthnOptions): boolean {
  return o.clientCA !== undefined || o.tokenAuthFile !== undefined || o.anonymousAuth !== undefined;
}

/** The chain: x509, token files, the plugins' authenticators (`more`), anonymous. */
export function authenticatorChain(o: AuthnOptions, more: Authenticator[] = []): Authenticator[] {
  if (!authnConfigured(o)) return [...more];
  const files = o.tokenAuthFile === undefined ? [] : Array.isArray(o.tokenAuthFile) ? o.tokenAuthFile : [o.tokenAuthFile];
  return [
    ...(o.clientCA !== undefined ? [x509Authenticator()] : []),
    ...files.map(tokenFileAuthenticator),
    ...more,
    ...(o.anonymousAuth ? [anonymousAuthenticator()] : []),
  ];
}

/** Paths anyone may read without credentials (Kubernetes' system:public-info-viewer), and the dashboard's static files. */
export function isPublicPath(path: string): boolean {
  return path === '/healthz' || path === '/livez' || path === '/readyz' || path === '/version' || path === '/version/' || path === '/dashboard' || path.startsWith('/dashboard/');
}

/** The TLS server options that ask for client certificates verified against clientCA (none without one). */
export function clientCertRequest(clientCA: string | Buffer | undefined): { requestCert?: boolean; rejectUnauthorized?: boolean; ca?: string | Buffer } {
  // Asked, not required: a request may authenticate with a token instead; an unverified
  // certificate is then no credential (socket.authorized false).
  return clientCA === undefined ? {} : { requestCert: true, rejectUnauthorized: false, ca: clientCA };
}
