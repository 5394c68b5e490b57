// The CLI's secure default (`kubesim up`, `kubesim apiserver`): HTTPS with the data dir's PKI,
// x509 client certificates and static tokens; or `--insecure` plain HTTP where every request is
// system:admin, allowed on a loopback address only.
import { isIP } from 'node:net';
import { join } from 'node:path';
import { defaultSans, secureServing, type ApiServerOptions } from '../apiserver/index.ts';

export interface SecurityFlags {
  /** --insecure: plain HTTP, no authentication (every request system:admin). */
  insecure?: boolean;
  /** --bind-address (alias --host). */
  bindAddress?: string;
  advertiseAddress?: string;
  tokenAuthFile?: string;
  anonymousAuth?: boolean;
  clientCAFile?: string;
  tlsCertFile?: string;
  tlsPrivateKeyFile?: string;
  /** --cert-dir: where the generated PKI lives (default <data-dir>/pki). */
  certDir?: string;
}

/** Whether an address is loopback (127.0.0.0/8, ::1, localhost). Pure. */
export function isLoopback(address: string): boolean {
  const a = address.replace(/^\[|\]$/g, '').toLowerCase();
  if (a === 'localhost' || a === '::1' || a === '0:0:0:0:0:0:0:1') return true;
  if (isIP(a) === 4) return a.startsWith('127.');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  return !!mapped && mapped[1].startsWith('127.');
}

/** Why --insecure may not bind this address, or undefined when it may. Pure. */
export function insecureRefusal(bindAddress: string): string | undefined {
  if (isLoopback(bindAddress)) return undefined;
  return (
    `--insecure serves every request as system:admin over plain HTTP, without authentication, so it may only ` +
    `bind a loopback address (127.0.0.1, ::1); refusing --bind-address ${bindAddress}. ` +
    `Drop --insecure to serve HTTPS with client certificates (the kubeconfig in the data dir has them).`
  );
}

export interface Security {
  options: Partial<ApiServerOptions>;
  /** The dashboard's bearer token (secure mode). */
  dashboardToken?: string;
}

/** The API server options the flags ask for; throws an Error with the refusal for --insecure off loopback. */
export async function securityOptions(dataDir: string, f: SecurityFlags): Promise<Security> {
  const bind = f.bindAddress ?? '127.0.0.1';
  if (f.insecure) {
    const why = insecureRefusal(bind);
    if (why) throw new Error(why);
    return { options: {} };
  }
  const s = await secureServing(dataDir, {
    sans: defaultSans([bind, f.advertiseAddress]),
    tlsCertFile: f.tlsCertFile,
    tlsPrivateKeyFile: f.tlsPrivateKeyFile,
    clientCAFile: f.clientCAFile,
    certDir: f.certDir,
  });
  return {
    options: {
      tls: s.tls,
      clientCA: s.clientCA,
      tokenAuthFile: [s.tokenFile, ...(f.tokenAuthFile ? [f.tokenAuthFile] : [])],
      anonymousAuth: f.anonymousAuth ?? false,
      kubeconfigCerts: s.kubeconfigCerts,
    },
    dashboardToken: s.dashboardToken,
  };
}

/** The kubeconfig of a component kubesim up runs (secure mode), in the data dir. */
export function componentKubeconfig(dataDir: string, identity: 'scheduler' | 'controller-manager' | 'node-pool'): string {
  return join(dataDir, `${identity}.kubeconfig`);
}
