// kubeconfig loading: the file kubesim writes and standard kubeconfigs (current-context,
// clusters/users/contexts, server, token(-file), certificate-authority(-data),
// insecure-skip-tls-verify, client-certificate(-data)/client-key(-data), username/password).
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { homedir } from 'node:os';
import { parse } from 'yaml';

export interface ResolvedKubeconfig {
  server: string;
  token?: string;
  username?: string;
  password?: string;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  insecureSkipTLSVerify?: boolean;
  /** The context's default namespace ("default" when unset). */
  namespace: string;
  contextName: string;
}

interface Named<T> {
  name: string;
  [k: string]: unknown;
  cluster?: T;
  user?: T;
  context?: T;
}

/** The default kubeconfig path: $KUBECONFIG (first entry) or ~/.kube/config. */
export function defaultKubeconfigPath(): string {
  const env = process.env.KUBECONFIG;
  if (env) return env.split(':').filter(Boolean)[0];
  return join(homedir(), '.kube', 'config');
}

/** Reads a kubeconfig file and resolves one context (the current one by default). */
export function loadKubeconfig(path = defaultKubeconfigPath(), context?: string): ResolvedKubeconfig {
  const text = readFileSync(path, 'utf8');
  return resolveKubeconfig(parse(text) ?? {}, dirname(path), context);
}

/** Resolves a parsed kubeconfig document; relative file paths are taken relative to baseDir. */
export function resolveKubeconfig(doc: any, baseDir: string, contextName?: string): ResolvedKubeconfig {
  const name: string | undefined = contextName ?? doc['current-context'];
  if (!name) throw new Error('kubeconfig: no current-context set and no context given');
  const find = <T>(list: Named<T>[] | undefined, n: string, what: string, field: 'cluster' | 'user' | 'context'): T => {
    const e = (list ?? []).find((x) => x.name === n);
    if (!e) throw new Error(`kubeconfig: ${what} "${n}" not found`);
    return (e[field] ?? {}) as T;
  };
  const ctx = find<any>(doc.contexts, name, 'context', 'context');
  const cluster = find<any>(doc.clusters, ctx.cluster, 'cluster', 'cluster');
  const user = ctx.user ? find<any>(doc.users, ctx.user, 'user', 'user') : {};
  const file = (p: string) => readFileSync(isAbsolute(p) ? p : join(baseDir, p));
  const data = (inline: string | undefined, path: string | undefined): Buffer | undefined =>
    inline ? Buffer.from(inline, 'base64') : path ? file(path) : undefined;
  if (!cluster.server) throw new Error(`kubeconfig: cluster "${ctx.cluster}" has no server`);
  let token: string | undefined = user.token;
  if (!token && user.tokenFile) token = file(user.tokenFile).toString('utf8').trim();
  return {
    server: String(cluster.server).replace(/\/+$/, ''),
    token,
    username: user.username,
    password: user.password,
    ca: data(cluster['certificate-authority-data'], cluster['certificate-authority']),
    cert: data(user['client-certificate-data'], user['client-certificate']),
    key: data(user['client-key-data'], user['client-key']),
    insecureSkipTLSVerify: cluster['insecure-skip-tls-verify'] === true,
    namespace: ctx.namespace || 'default',
    contextName: name,
  };
}
