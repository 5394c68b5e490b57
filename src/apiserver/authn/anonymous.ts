// --anonymous-auth: a request with no credentials at all is system:anonymous. One with credentials
// nobody recognized is not anonymous: it ends in 401.
import type { Authenticator, UserInfo } from '../pipeline/index.ts';
import { hasCredentials } from './credentials.ts';

export const ANONYMOUS: UserInfo = { username: 'system:anonymous', groups: ['system:unauthenticated'] };

export function anonymousAuthenticator(): Authenticator {
  return { name: 'anonymous', authenticate: (req) => (hasCredentials(req) ? undefined : ANONYMOUS) };
}
