// fetch() through a kubeconfig: its server, CA and client certificate (mutual TLS) or token, for
// tests that talk raw HTTP to a `kubesim up` / `kubesim apiserver` process serving the secure default.
import http from 'node:http';
import https from 'node:https';
import { loadKubeconfig } from '../../src/client/kubeconfig.ts';

export type KubeFetch = (pathOrUrl: string, init?: { method?: string; headers?: Record<string, string>; body?: string | Buffer }) => Promise<Response>;

/** A fetch-alike answering a WHATWG Response; a path is taken relative to the kubeconfig's server. */
export function kubeconfigFetch(kubeconfigPath: string): KubeFetch & { server: string; close(): void } {
  const kc = loadKubeconfig(kubeconfigPath);
  return tlsFetch({ server: kc.server, ca: kc.ca, cert: kc.cert, key: kc.key, token: kc.token, insecureSkipTLSVerify: kc.insecureSkipTLSVerify });
}

export interface Credentials {
  server: string;
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  token?: string;
  insecureSkipTLSVerify?: boolean;
}

/** The fetch-alike over explicit credentials (any https URL on a server the CA signed, or a path on `server`). */
export function tlsFetch(kc: Credentials): KubeFetch & { server: string; close(): void } {
  const agent = new https.Agent({ keepAlive: true, ca: kc.ca, cert: kc.cert, key: kc.key, rejectUnauthorized: !kc.insecureSkipTLSVerify });
  const plain = new http.Agent({ keepAlive: true });
  const f = (pathOrUrl: string, init: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {}) =>
    new Promise<Response>((resolve, reject) => {
      const url = new URL(/^https?:/.test(pathOrUrl) ? pathOrUrl : kc.server + pathOrUrl);
      const headers: Record<string, string> = { ...(kc.token ? { Authorization: `Bearer ${kc.token}` } : {}), ...init.headers };
      const secure = url.protocol === 'https:';
      const r = (secure ? https : http).request(url, { method: init.method ?? 'GET', headers, agent: secure ? agent : plain }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const h = new Headers();
          for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) h.set(k, Array.isArray(v) ? v.join(', ') : v);
          const status = res.statusCode ?? 0;
          resolve(new Response(status === 204 || status === 304 ? null : Buffer.concat(chunks), { status, headers: h }));
        });
        res.on('error', reject);
      });
      r.on('error', reject);
      r.end(init.body);
    });
  return Object.assign(f, {
    server: kc.server,
    close: () => {
      agent.destroy();
      plain.destroy();
    },
  });
}
