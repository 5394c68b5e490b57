// Kubernetes' x509 authenticator: a client certificate the TLS layer verified against --client-ca-file
// (socket.authorized) and issued for client auth names the user (CN) and groups (O). A presented
// certificate that did not verify is no credential (the chain ends in 401).
import type { IncomingMessage } from 'node:http';
import type { PeerCertificate } from 'node:tls';
import type { Authenticator, UserInfo } from '../pipeline/index.ts';
import { tlsSocket } from './credentials.ts';

const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

/** The user a verified peer certificate names, or undefined (no CN, not for client auth). Pure. */
export function userFromCert(cert: Pick<PeerCertificate, 'subject'> & { ext_key_usage?: string[] }): UserInfo | undefined {
  const cn = cert.subject?.CN;
  const name = Array.isArray(cn) ? cn[0] : cn;
  if (!name) return undefined;
  if (cert.ext_key_usage && !cert.ext_key_usage.includes(CLIENT_AUTH)) return undefined;
  const o = cert.subject?.O;
  const groups = o === undefined ? [] : Array.isArray(o) ? o : [o];
  return { username: name, groups: [...groups, 'system:authenticated'] };
}

// One TLS connection = one certificate: decided once per socket.
const bySocket = new WeakMap<object, UserInfo | null>();

export function x509Authenticator(): Authenticator {
  return {
    name: 'x509',
    authenticate(req: IncomingMessage) {
      const s = tlsSocket(req);
      if (!s) return undefined;
      let user = bySocket.get(s);
      if (user === undefined) {
        user = s.authorized ? (userFromCert(s.getPeerCertificate()) ?? null) : null;
        bySocket.set(s, user);
      }
      return user ?? undefined;
    },
  };
}
