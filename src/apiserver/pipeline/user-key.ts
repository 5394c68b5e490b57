// One string per user as authorization and classification see it (name and groups), for the caches
// of decisions keyed by user: kept per UserInfo object, so an authenticator that hands out the same
// object for the same credential (token file, x509 per connection) costs one WeakMap lookup.
import type { UserInfo } from './index.ts';

const keys = new WeakMap<UserInfo, string>();

export function userKey(u: UserInfo): string {
  let k = keys.get(u);
  if (k === undefined) {
    k = `${u.username}\u0001${u.groups.join('\u0001')}`;
    keys.set(u, k);
  }
  return k;
}
