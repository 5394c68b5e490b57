// Kubernetes' static token file (--token-auth-file): CSV lines `token,user,uid,"group1,group2"`,
// read once at start. An unknown token is not this authenticator's: the next one may know it.
import { readFileSync } from 'node:fs';
import type { Authenticator, UserInfo } from '../pipeline/index.ts';
import { bearerToken } from './credentials.ts';

/** Splits one CSV record (RFC 4180 quoting, as Go's encoding/csv reads it). Pure. */
export function csvRecord(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"' && cur === '') quoted = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

/** Parses a token file's text into token → user; throws Kubernetes' message for a short record. Pure. */
export function parseTokenFile(text: string, path = 'token file'): Map<string, UserInfo> {
  const users = new Map<string, UserInfo>();
  for (const raw of text.split(/\r?\n/)) {
    if (raw.trim() === '') continue;
    const rec = csvRecord(raw);
    if (rec.length < 3) throw new Error(`token file '${path}' must have at least 3 columns (token, user name, user uid), found ${rec.length}`);
    const [token, username, uid, groups] = rec.map((f) => f.trim());
    if (!token) continue; // Kubernetes skips (and warns about) an empty token
    users.set(token, { username, uid, groups: groups ? groups.split(',').map((g) => g.trim()).filter(Boolean) : [] });
  }
  return users;
}

export function tokenFileAuthenticator(path: string): Authenticator {
  let users: Map<string, UserInfo>;
  try {
    users = parseTokenFile(readFileSync(path, 'utf8'), path);
  } catch (e) {
    throw new Error(`--token-auth-file: ${(e as NodeJS.ErrnoException).code ? `cannot read ${path}: ${(e as NodeJS.ErrnoException).code}` : (e as Error).message}`);
  }
  // One user object per token, built once: the decision caches downstream key on it.
  const authenticated = new Map<string, UserInfo>();
  for (const [token, u] of users) authenticated.set(token, { ...u, groups: [...u.groups, 'system:authenticated'] });
  return {
    name: 'token-file',
    authenticate(req) {
      const token = bearerToken(req);
      if (!token) return undefined;
      return authenticated.get(token);
    },
  };
}
