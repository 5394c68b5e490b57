// The decisions of the CSR signing controller (pkg/controller/certificates/signer): which approved
// CertificateSigningRequests it signs (the signers kube-controller-manager runs), the per-signer
// checks of the request, and signCSR — an X.509 certificate from the cluster CA (node-forge) for
// the request's RSA, ECDSA or Ed25519 key (request.ts) with its subject and SANs, key usage and
// extended key usage from spec.usages, valid from 5 minutes ago for the requested duration (at
// least 10 minutes, at most --cluster-signing-duration and the CA's own expiry).
import { randomBytes } from 'node:crypto';
import forge from 'node-forge';
import type { KubeObject } from '../../api/types.ts';
import { certificateForKey, parseCertificateRequest, type CertificateRequest } from './request.ts';

export const KUBE_APISERVER_CLIENT = 'kubernetes.io/kube-apiserver-client';
export const KUBE_APISERVER_CLIENT_KUBELET = 'kubernetes.io/kube-apiserver-client-kubelet';
export const KUBELET_SERVING = 'kubernetes.io/kubelet-serving';
export const LEGACY_UNKNOWN = 'kubernetes.io/legacy-unknown';
/** The signers this controller runs (as kube-controller-manager's csrsigning does). */
export const SIGNERS = [KUBE_APISERVER_CLIENT, KUBE_APISERVER_CLIENT_KUBELET, KUBELET_SERVING, LEGACY_UNKNOWN];
export const DEFAULT_SIGNING_DURATION_SECONDS = 365 * 24 * 3600;
const BACKDATE_SECONDS = 5 * 60;
const MIN_DURATION_SECONDS = 10 * 60;

/** Kubernetes' keyUsageDict and extKeyUsageDict as node-forge names them (OIDs for those it has no name for). */
const KEY_USAGE: Record<string, string> = {
  signing: 'digitalSignature',
  'digital signature': 'digitalSignature',
  'content commitment': 'nonRepudiation',
  'key encipherment': 'keyEncipherment',
  'key agreement': 'keyAgreement',
  'data encipherment': 'dataEncipherment',
  'cert sign': 'keyCertSign',
  'crl sign': 'cRLSign',
  'encipher only': 'encipherOnly',
  'decipher only': 'decipherOnly',
};
const EXT_KEY_USAGE: Record<string, string> = {
  any: '2.5.29.37.0',
  'server auth': 'serverAuth',
  'client auth': 'clientAuth',
  'code signing': 'codeSigning',
  'email protection': 'emailProtection',
  's/mime': 'emailProtection',
  'ipsec end system': '1.3.6.1.5.5.7.3.5',
  'ipsec tunnel': '1.3.6.1.5.5.7.3.6',
  'ipsec user': '1.3.6.1.5.5.7.3.7',
  timestamping: 'timeStamping',
  'ocsp signing': '1.3.6.1.5.5.7.3.9',
  'microsoft sgc': '1.3.6.1.4.1.311.10.3.3',
  'netscape sgc': '2.16.840.1.113730.4.1',
};

export interface ParsedRequest {
  request: CertificateRequest;
  commonName: string;
  organizations: string[];
  sans: { dns: string[]; ips: string[]; emails: string[]; uris: string[] };
}

/** Parses a PEM CERTIFICATE REQUEST (RSA, ECDSA or Ed25519 key) and checks its signature. Throws Error. */
export function parseCSR(pem: string): ParsedRequest {
  let request: CertificateRequest;
  try {
    request = parseCertificateRequest(pem);
  } catch (e) {
    const why = (e as Error).message;
    throw new Error(why === 'the certificate request signature is invalid' ? why : `unable to parse the certificate request: ${why}`);
  }
  const attrs = request.subject;
  const alt = request.extensions.find((e) => e.name === 'subjectAltName')?.altNames ?? [];
  return {
    request,
    commonName: String(attrs.find((a) => a.shortName === 'CN')?.value ?? ''),
    organizations: attrs.filter((a) => a.shortName === 'O').map((a) => String(a.value)),
    sans: {
      dns: alt.filter((a: any) => a.type === 2).map((a: any) => a.value),
      emails: alt.filter((a: any) => a.type === 1).map((a: any) => a.value),
      uris: alt.filter((a: any) => a.type === 6).map((a: any) => a.value),
      ips: alt.filter((a: any) => a.type === 7).map((a: any) => a.ip),
    },
  };
}

const hasSans = (r: ParsedRequest) => r.sans.dns.length + r.sans.ips.length + r.sans.emails.length + r.sans.uris.length > 0;

/** Pure: why the signer refuses the request (its SignerValidationFailure message), else undefined. */
export function signerRefusal(signerName: string, r: ParsedRequest, usages: string[]): string | undefined {
  const only = (allowed: string[], needed: string[]) => usages.every((u) => allowed.includes(u)) && needed.every((u) => usages.includes(u));
  switch (signerName) {
    case KUBE_APISERVER_CLIENT:
      return only(['digital signature', 'key encipherment', 'client auth'], ['client auth']) ? undefined : 'invalid usage for client certificate';
    case KUBE_APISERVER_CLIENT_KUBELET:
      if (r.organizations.length !== 1 || r.organizations[0] !== 'system:nodes') return 'subject organization is not system:nodes';
      if (!r.commonName.startsWith('system:node:')) return 'subject common name does not begin with system:node:';
      if (hasSans(r)) return 'DNS, email, IP or URI subjectAltNames are not allowed';
      return only(['digital signature', 'key encipherment', 'client auth'], ['client auth']) ? undefined : 'usages did not match [digital signature key encipherment client auth]';
    case KUBELET_SERVING:
      if (r.organizations.length !== 1 || r.organizations[0] !== 'system:nodes') return 'subject organization is not system:nodes';
      if (!r.commonName.startsWith('system:node:')) return 'subject common name does not begin with system:node:';
      if (r.sans.dns.length + r.sans.ips.length === 0) return 'DNS or IP subjectAltName is required';
      if (r.sans.emails.length + r.sans.uris.length) return 'email and URI subjectAltNames are not allowed';
      return only(['digital signature', 'key encipherment', 'server auth'], ['server auth']) ? undefined : 'usages did not match [digital signature key encipherment server auth]';
    case LEGACY_UNKNOWN:
      return undefined;
    default:
      return `unrecognized signerName: "${signerName}"`;
  }
}

/** Pure: the certificate's lifetime (Kubernetes' duration()): the request's, between 10 minutes and the signer's maximum. */
export function certDurationSeconds(maxSeconds: number, requested?: number | null): number {
  if (requested == null) return maxSeconds;
  if (requested > maxSeconds) return maxSeconds;
  return Math.max(requested, MIN_DURATION_SECONDS);
}

export interface SigningCA {
  cert: string | Buffer;
  key: string | Buffer;
}

export interface SignOptions {
  usages: string[];
  expirationSeconds?: number | null;
  /** --cluster-signing-duration (default 1 year). */
  maxDurationSeconds?: number;
  /** ms since the epoch (default now). */
  now?: number;
}

/** Signs a PEM certificate request with the CA: the PEM certificate. Throws Error. */
export function signCSR(csrPem: string, ca: SigningCA, o: SignOptions): string {
  const r = parseCSR(csrPem);
  const caCert = forge.pki.certificateFromPem(String(ca.cert));
  const caKey = forge.pki.privateKeyFromPem(String(ca.key));
  const now = o.now ?? Date.now();
  const notBefore = new Date(Math.floor(now / 1000) * 1000 - BACKDATE_SECONDS * 1000);
  if (notBefore >= caCert.validity.notAfter) throw new Error('the signer has expired');
  const lifetime = certDurationSeconds(o.maxDurationSeconds ?? DEFAULT_SIGNING_DURATION_SECONDS, o.expirationSeconds);
  const notAfter = new Date(Math.min(Math.floor(now / 1000) * 1000 + lifetime * 1000, caCert.validity.notAfter.getTime()));
  const cert = forge.pki.createCertificate();
  const serial = randomBytes(16);
  serial[0] &= 0x7f; // a positive INTEGER
  cert.serialNumber = serial.toString('hex');
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = notAfter;
  cert.setSubject(r.request.subject);
  cert.setIssuer(caCert.subject.attributes);
  const keyUsage: Record<string, unknown> = { name: 'keyUsage', critical: true };
  const extKeyUsage: Record<string, unknown> = { name: 'extKeyUsage' };
  for (const u of o.usages) {
    if (KEY_USAGE[u]) keyUsage[KEY_USAGE[u]] = true;
    else if (EXT_KEY_USAGE[u]) extKeyUsage[EXT_KEY_USAGE[u]] = true;
  }
  const exts: any[] = [{ name: 'basicConstraints', cA: false, critical: true }];
  if (Object.keys(keyUsage).length > 2) exts.push(keyUsage);
  if (Object.keys(extKeyUsage).length > 1) exts.push(extKeyUsage);
  exts.push({ name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() });
  const alt = [
    ...r.sans.dns.map((value) => ({ type: 2, value })),
    ...r.sans.emails.map((value) => ({ type: 1, value })),
    ...r.sans.uris.map((value) => ({ type: 6, value })),
    ...r.sans.ips.map((ip) => ({ type: 7, ip })),
  ];
  if (alt.length) exts.push({ name: 'subjectAltName', altNames: alt });
  cert.setExtensions(exts);
  return certificateForKey(cert, r.request.spki, caKey);
}

/** The CSR's conditions say it is approved and has not failed, and no certificate is issued yet. */
export function awaitsSigning(csr: KubeObject): boolean {
  const conds: any[] = csr.status?.conditions ?? [];
  const has = (t: string) => conds.some((c) => c?.type === t && (c.status ?? 'True') === 'True');
  return has('Approved') && !has('Denied') && !has('Failed') && !csr.status?.certificate;
}
