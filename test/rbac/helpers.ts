// A test token authenticator: `Bearer <token>` where the token is base64url JSON of the UserInfo,
// or one of the fixed tokens given. No token = 401.
import type { Authenticator, UserInfo } from '../../src/apiserver/index.ts';
import { StatusError } from '../../src/api/errors.ts';

export function tokenFor(user: UserInfo): string {
  return Buffer.from(JSON.stringify(user)).toString('base64url');
}

export function testAuthenticator(fixed: Record<string, UserInfo> = {}): Authenticator {
  return {
    name: 'test-token',
    authenticate(req) {
      const h = req.headers.authorization;
      if (!h?.startsWith('Bearer ')) return undefined;
      const t = h.slice(7);
      if (fixed[t]) return fixed[t];
      try {
        const u = JSON.parse(Buffer.from(t, 'base64url').toString()) as UserInfo;
        if (typeof u.username === 'string' && Array.isArray(u.groups)) return u;
      } catch {
        // not ours
      }
      throw new StatusError(401, 'Unauthorized', 'Unauthorized');
    },
  };
}

/** Authorization header of user (groups default system:authenticated). */
export function as(username: string, groups: string[] = []): Record<string, string> {
  return { Authorization: `Bearer ${tokenFor({ username, groups: [...groups, 'system:authenticated'] })}` };
}

export const ADMIN = as('kubernetes-admin', ['system:masters']);
