// The token and key flags, under kube-apiserver's and kube-controller-manager's names: the
// ServiceAccount signing key and issuer, the JWT AuthenticationConfiguration, the root CA and the
// CSR signing CA. Files are read here; the components get PEM.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { ApiServerOptions, ControllerManagerOptions } from '../cluster/index.ts';
import { durationSeconds, fail } from './component.ts';

const collect = (v: string, all: string[]) => [...all, v];

function read(flag: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    fail(`--${flag}: ${(e as Error).message}`);
  }
}

export interface ApiServerTokenFlags {
  serviceAccountSigningKeyFile?: string;
  serviceAccountKeyFile: string[];
  serviceAccountIssuer: string[];
  authenticationConfig?: string;
}

export function addApiServerTokenOptions(cmd: Command): Command {
  return cmd
    .option('--service-account-signing-key-file <path>', 'PEM private key that signs ServiceAccount tokens (default: <data-dir>/pki/sa.key, made on first start)')
    .option('--service-account-key-file <path>', 'PEM public (or private) keys ServiceAccount tokens are verified with, repeatable (default: the signing key)', collect, [])
    .option('--service-account-issuer <url>', 'issuer of ServiceAccount tokens, repeatable: the first signs, all are accepted (default https://kubernetes.default.svc.cluster.local)', collect, [])
    .option('--authentication-config <path>', 'AuthenticationConfiguration (apiserver.config.k8s.io/v1) file with jwt[] issuers; keys from issuer.discoveryURL file:// (a JWKS)');
}

export type TokenOptions = Pick<ApiServerOptions, 'serviceAccountSigningKey' | 'serviceAccountKeys' | 'serviceAccountIssuer' | 'authenticationConfig'>;

export function apiServerTokenOptions(o: ApiServerTokenFlags): TokenOptions {
  return {
    serviceAccountSigningKey: o.serviceAccountSigningKeyFile ? read('service-account-signing-key-file', o.serviceAccountSigningKeyFile) : undefined,
    serviceAccountKeys: o.serviceAccountKeyFile.length ? o.serviceAccountKeyFile.map((p) => read('service-account-key-file', p)) : undefined,
    serviceAccountIssuer: o.serviceAccountIssuer.length ? o.serviceAccountIssuer : undefined,
    authenticationConfig: o.authenticationConfig,
  };
}

export interface ControllerKeyFlags {
  serviceAccountPrivateKeyFile?: string;
  rootCaFile?: string;
  clusterSigningCertFile?: string;
  clusterSigningKeyFile?: string;
  clusterSigningDuration: string;
}

export function addControllerKeyOptions(cmd: Command): Command {
  return cmd
    .option('--service-account-private-key-file <path>', 'PEM private key that signs legacy ServiceAccount token Secrets (none = the serviceaccount-token controller idles)')
    .option('--root-ca-file <path>', 'the cluster CA, published as kube-root-ca.crt in every namespace and as ca.crt of token Secrets')
    .option('--cluster-signing-cert-file <path>', 'PEM CA certificate that signs approved CertificateSigningRequests')
    .option('--cluster-signing-key-file <path>', 'PEM private key of --cluster-signing-cert-file')
    .option('--cluster-signing-duration <duration>', 'the longest certificate csrsigning issues', '8760h0m0s');
}

export type ControllerKeyOptions = Pick<ControllerManagerOptions, 'serviceAccountPrivateKey' | 'rootCA' | 'clusterSigningCert' | 'clusterSigningKey' | 'clusterSigningDurationSeconds'>;

export function controllerKeyOptions(o: ControllerKeyFlags): ControllerKeyOptions {
  if (!!o.clusterSigningCertFile !== !!o.clusterSigningKeyFile) fail('--cluster-signing-cert-file and --cluster-signing-key-file go together');
  return {
    serviceAccountPrivateKey: o.serviceAccountPrivateKeyFile ? read('service-account-private-key-file', o.serviceAccountPrivateKeyFile) : undefined,
    rootCA: o.rootCaFile ? read('root-ca-file', o.rootCaFile) : undefined,
    clusterSigningCert: o.clusterSigningCertFile ? read('cluster-signing-cert-file', o.clusterSigningCertFile) : undefined,
    clusterSigningKey: o.clusterSigningKeyFile ? read('cluster-signing-key-file', o.clusterSigningKeyFile) : undefined,
    clusterSigningDurationSeconds: durationSeconds('cluster-signing-duration', o.clusterSigningDuration),
  };
}
