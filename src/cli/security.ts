// The API server's TLS and authentication flags, shared by `kubesim up` and `kubesim apiserver`
// (kube-apiserver's flag names; `--host` kept as an alias of `--bind-address`).
import type { Command } from 'commander';
import type { SecurityFlags } from '../cluster/index.ts';
import { fail } from './component.ts';

export function addSecurityOptions(cmd: Command): Command {
  return cmd
    .option('--bind-address <ip>', 'address to listen on (default 127.0.0.1)')
    .option('--host <ip>', 'alias of --bind-address')
    .option('--insecure', 'serve plain HTTP where every request is system:admin (loopback addresses only)')
    .option('--token-auth-file <file>', 'static bearer tokens (CSV: token,user,uid,"group1,group2")')
    .option('--anonymous-auth [bool]', 'requests without credentials are system:anonymous instead of 401 (false by default while nothing is authorized)', 'false')
    .option('--client-ca-file <file>', 'also accept client certificates signed by this CA bundle (the cluster CA is always accepted)')
    .option('--tls-cert-file <file>', 'serving certificate (PEM) instead of the generated <cert-dir>/apiserver.crt')
    .option('--tls-private-key-file <file>', 'private key of --tls-cert-file')
    .option('--cert-dir <dir>', 'where the generated CA, serving and client certificates live (default <data-dir>/pki)');
}

export interface SecurityCliOpts {
  bindAddress?: string;
  host?: string;
  insecure?: boolean;
  tokenAuthFile?: string;
  anonymousAuth: string | boolean;
  clientCaFile?: string;
  tlsCertFile?: string;
  tlsPrivateKeyFile?: string;
  certDir?: string;
}

export function bindAddress(o: SecurityCliOpts): string {
  return o.bindAddress ?? o.host ?? '127.0.0.1';
}

export function securityFlags(o: SecurityCliOpts, advertiseAddress?: string): SecurityFlags {
  const anon = o.anonymousAuth === true || o.anonymousAuth === 'true' ? true : o.anonymousAuth === false || o.anonymousAuth === 'false' ? false : fail(`--anonymous-auth must be true or false (got "${o.anonymousAuth}")`);
  if (!!o.tlsCertFile !== !!o.tlsPrivateKeyFile) fail('--tls-cert-file and --tls-private-key-file must be given together');
  return {
    insecure: !!o.insecure,
    bindAddress: bindAddress(o),
    advertiseAddress,
    tokenAuthFile: o.tokenAuthFile,
    anonymousAuth: anon,
    clientCAFile: o.clientCaFile,
    tlsCertFile: o.tlsCertFile,
    tlsPrivateKeyFile: o.tlsPrivateKeyFile,
    certDir: o.certDir,
  };
}

/** Runs a server start; an Error thrown before it serves (e.g. --insecure off loopback) is a usage error. */
export async function startOrFail(start: () => Promise<void>): Promise<void> {
  try {
    await start();
  } catch (e) {
    const msg = (e as Error).message ?? String(e);
    if (/^--/.test(msg)) fail(msg);
    throw e;
  }
}
