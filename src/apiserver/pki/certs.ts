// X.509 with node-forge: a self-signed cluster CA, certificates it signs (serving with SANs, client
// with CN = user and O = groups), and the pure checks ensurePki decides with (SANs covered, expiry).
import { generateKeyPair, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { isIP } from 'node:net';
import forge from 'node-forge';

const { pki } = forge;

export interface KeyPair {
  /** PEM certificate. */
  cert: string;
  /** PEM private key (PKCS#8). */
  key: string;
}

export interface Sans {
  dns: string[];
  ips: string[];
}

const rsaPair = promisify(generateKeyPair);

/** RSA 2048 from Node's crypto (native, off the event loop: several run in parallel), as a forge key pair. */
async function newKeys(): Promise<{ privateKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.rsa.PublicKey; pem: string }> {
  const { privateKey } = await rsaPair('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const fk = pki.privateKeyFromPem(pem) as forge.pki.rsa.PrivateKey;
  return { privateKey: fk, publicKey: pki.setRsaPublicKey(fk.n, fk.e), pem };
}

function serial(): string {
  const b = randomBytes(16);
  b[0] &= 0x7f; // positive
  return b.toString('hex');
}

function validity(cert: forge.pki.Certificate, days: number): void {
  const now = Date.now();
  cert.validity.notBefore = new Date(now - 5 * 60_000); // clock skew
  cert.validity.notAfter = new Date(now + days * 86_400_000);
}

/** A self-signed CA (CN kubernetes, as kubeadm names it), 10 years. */
export async function createCA(cn = 'kubernetes', days = 3650): Promise<KeyPair> {
  const keys = await newKeys();
  const cert = pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serial();
  validity(cert, days);
  const subject = [{ name: 'commonName', value: cn }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return { cert: pki.certificateToPem(cert), key: keys.pem };
}

interface LeafSpec {
  cn: string;
  organizations?: string[];
  days: number;
  usage: 'server' | 'client';
  sans?: Sans;
}

async function issue(ca: KeyPair, spec: LeafSpec): Promise<KeyPair> {
  const keys = await newKeys();
  const caCert = pki.certificateFromPem(ca.cert);
  const caKey = pki.privateKeyFromPem(ca.key);
  const cert = pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = serial();
  validity(cert, spec.days);
  cert.setSubject([
    ...(spec.organizations ?? []).map((value) => ({ name: 'organizationName', value })),
    { name: 'commonName', value: spec.cn },
  ]);
  cert.setIssuer(caCert.subject.attributes);
  const extensions: any[] = [
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: spec.usage === 'server', clientAuth: spec.usage === 'client' },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ];
  if (spec.sans) {
    const altNames = [...spec.sans.dns.map((value) => ({ type: 2, value })), ...spec.sans.ips.map((ip) => ({ type: 7, ip }))];
    extensions.push({ name: 'subjectAltName', altNames });
  }
  cert.setExtensions(extensions);
  cert.sign(caKey, forge.md.sha256.create());
  return { cert: pki.certificateToPem(cert), key: keys.pem };
}

/** The API server's serving certificate (1 year, as kubeadm's). */
export function issueServingCert(ca: KeyPair, sans: Sans, days = 365): Promise<KeyPair> {
  return issue(ca, { cn: 'kube-apiserver', days, usage: 'server', sans });
}

/** A client certificate: CN = user name, O = groups (Kubernetes' x509 authenticator reads them so). */
export function issueClientCert(ca: KeyPair, o: { cn: string; groups?: string[]; days?: number }): Promise<KeyPair> {
  return issue(ca, { cn: o.cn, organizations: o.groups, days: o.days ?? 365, usage: 'client' });
}

/** Splits names into DNS names and IP addresses (IPv6 in canonical form); duplicates dropped. */
export function splitSans(names: string[]): Sans {
  const dns = new Set<string>();
  const ips = new Set<string>();
  for (const n of names) {
    if (!n) continue;
    const bare = n.replace(/^\[|\]$/g, '');
    if (isIP(bare)) ips.add(canonicalIp(bare));
    else dns.add(bare.toLowerCase());
  }
  return { dns: [...dns], ips: [...ips] };
}

function canonicalIp(ip: string): string {
  if (isIP(ip) !== 6) return ip;
  return new URL(`http://[${ip}]/`).hostname.replace(/^\[|\]$/g, '');
}

/** The SANs a PEM certificate lists. */
export function certSans(pem: string): Sans {
  const cert = pki.certificateFromPem(pem);
  const ext = cert.getExtension('subjectAltName') as { altNames?: { type: number; value?: string; ip?: string }[] } | undefined;
  const dns: string[] = [];
  const ips: string[] = [];
  for (const a of ext?.altNames ?? []) {
    if (a.type === 2 && a.value) dns.push(a.value.toLowerCase());
    if (a.type === 7 && a.ip) ips.push(canonicalIp(a.ip));
  }
  return { dns, ips };
}

/** Whether `have` lists every name in `want`. Pure. */
export function sansCover(have: Sans, want: Sans): boolean {
  return want.dns.every((d) => have.dns.includes(d)) && want.ips.every((i) => have.ips.includes(i));
}

/** Whether a PEM certificate is valid for at least `marginDays` more days and was signed by ca. */
export function stillGood(pem: string, caPem: string, marginDays = 30): boolean {
  try {
    const cert = pki.certificateFromPem(pem);
    if (cert.validity.notAfter.getTime() < Date.now() + marginDays * 86_400_000) return false;
    return pki.certificateFromPem(caPem).verify(cert);
  } catch {
    return false;
  }
}

/** CN and O of a PEM certificate's subject. */
export function certSubject(pem: string): { cn: string; groups: string[] } {
  const cert = pki.certificateFromPem(pem);
  const cn = String(cert.subject.getField('CN')?.value ?? '');
  const groups = cert.subject.attributes.filter((a) => a.name === 'organizationName').map((a) => String(a.value));
  return { cn, groups };
}
