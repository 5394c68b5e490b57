// The cluster's PKI in the data dir (D/pki/), kept as kubeadm keeps it: generated on first start,
// reused on restart; the serving certificate re-issued when its SANs no longer cover the addresses
// asked for (or it is about to expire); client certificates for the kubeconfigs kubesim writes.
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { kubernetesServiceIP } from '../../api/kinds/helpers.ts';
import { certSans, certSubject, createCA, issueClientCert, issueServingCert, sansCover, splitSans, stillGood, type KeyPair } from './certs.ts';

export { issueClientCert, issueServingCert, createCA, certSans, certSubject, splitSans, sansCover, stillGood, type KeyPair, type Sans } from './certs.ts';

export interface Pki {
  caCert: string;
  caKey: string;
  servingCert: string;
  servingKey: string;
}

/** The names every serving certificate lists, beside the host's own and the advertise address. */
export function defaultSans(extra: (string | undefined)[] = []): string[] {
  return [
    '127.0.0.1',
    '::1',
    'localhost',
    hostname(),
    kubernetesServiceIP(),
    'kubernetes',
    'kubernetes.default',
    'kubernetes.default.svc',
    'kubernetes.default.svc.cluster.local',
    ...extra.filter((x): x is string => !!x && x !== '0.0.0.0' && x !== '::'),
  ];
}

/** Writes a file atomically; private key material with mode 0600. */
export function writeSecretFile(path: string, data: string, mode = 0o600): void {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, data, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, path);
}

function readPair(dir: string, base: string): KeyPair | undefined {
  const cert = join(dir, `${base}.crt`);
  const key = join(dir, `${base}.key`);
  if (!existsSync(cert) || !existsSync(key)) return undefined;
  return { cert: readFileSync(cert, 'utf8'), key: readFileSync(key, 'utf8') };
}

function writePair(dir: string, base: string, p: KeyPair): void {
  writeSecretFile(join(dir, `${base}.crt`), p.cert, 0o644);
  writeSecretFile(join(dir, `${base}.key`), p.key);
}

/** The CA (ca.crt/ca.key) in dir, created when absent. */
export async function ensureCA(dir: string): Promise<KeyPair> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const have = readPair(dir, 'ca');
  if (have) return have;
  const ca = await createCA();
  writePair(dir, 'ca', ca);
  return ca;
}

/**
 * The serving pair (apiserver.crt/.key) in dir, re-issued when it does not list every name in sans,
 * expires within 30 days or was not signed by ca.
 */
export async function ensureServingCert(dir: string, ca: KeyPair, sans: string[]): Promise<KeyPair> {
  const want = splitSans(sans);
  const have = readPair(dir, 'apiserver');
  if (have && stillGood(have.cert, ca.cert) && sansCover(certSans(have.cert), want)) return have;
  // Keep the names the old certificate had, so a restart on another address does not drop them.
  const had = have && stillGood(have.cert, ca.cert, 0) ? certSans(have.cert) : { dns: [], ips: [] };
  const serving = await issueServingCert(ca, splitSans([...want.dns, ...want.ips, ...had.dns, ...had.ips]));
  writePair(dir, 'apiserver', serving);
  return serving;
}

/** The CA and the serving pair in dir (see ensureCA, ensureServingCert), generated on first use and reused. */
export async function ensurePki(dir: string, o: { sans: string[] }): Promise<Pki> {
  const ca = await ensureCA(dir);
  const serving = await ensureServingCert(dir, ca, o.sans);
  return { caCert: ca.cert, caKey: ca.key, servingCert: serving.cert, servingKey: serving.key };
}

/** A client pair D/pki/<base>.crt/.key for cn and groups, reused while the CA signed it and the subject matches. */
export async function ensureClientCert(dir: string, ca: KeyPair, base: string, o: { cn: string; groups?: string[] }): Promise<KeyPair> {
  const have = readPair(dir, base);
  if (have && stillGood(have.cert, ca.cert)) {
    const s = certSubject(have.cert);
    if (s.cn === o.cn && s.groups.join(',') === (o.groups ?? []).join(',')) return have;
  }
  const p = await issueClientCert(ca, { cn: o.cn, groups: o.groups });
  writePair(dir, base, p);
  return p;
}

/** The identities kubesim writes a kubeconfig for (file name in the data dir → certificate subject). */
export const IDENTITIES: Record<string, { file: string; cn: string; groups: string[] }> = {
  admin: { file: 'kubeconfig', cn: 'kubernetes-admin', groups: ['system:masters'] },
  scheduler: { file: 'scheduler.kubeconfig', cn: 'system:kube-scheduler', groups: [] },
  'controller-manager': { file: 'controller-manager.kubeconfig', cn: 'system:kube-controller-manager', groups: [] },
  'node-pool': { file: 'node-pool.kubeconfig', cn: 'system:kubesim:node-pool', groups: ['system:kubesim:node-pools'] },
};

export interface SecureServingFiles {
  /** --tls-cert-file / --tls-private-key-file: serve with these instead of the generated pair. */
  tlsCertFile?: string;
  tlsPrivateKeyFile?: string;
  /** --client-ca-file: client certificates signed by this bundle are accepted (beside the cluster CA's). */
  clientCAFile?: string;
  /** The directory of the PKI (default D/pki). */
  certDir?: string;
}

export interface SecureServing {
  tls: { key: string; cert: string; ca: string };
  clientCA: string;
  /** kubeconfig file name (relative to the data dir) → the client pair it holds. */
  kubeconfigCerts: Record<string, KeyPair>;
  /** D/pki/tokens.csv: the dashboard's admin token (a static token file). */
  tokenFile: string;
  dashboardToken: string;
}

export const DASHBOARD_USER = 'system:kubesim:dashboard';

/** The dashboard's token file (token,user,uid,"groups"), created once with a random token. */
export function ensureDashboardToken(dir: string): { file: string; token: string } {
  const file = join(dir, 'tokens.csv');
  if (existsSync(file)) {
    const line = readFileSync(file, 'utf8').split('\n').find((l) => l.includes(`,${DASHBOARD_USER},`));
    if (line) return { file, token: line.split(',')[0] };
  }
  const token = randomBytes(24).toString('base64url');
  writeSecretFile(file, `${token},${DASHBOARD_USER},${DASHBOARD_USER},"system:masters"\n`);
  return { file, token };
}

/** A file a flag names; an unreadable one is an Error naming the flag. */
function readFlagFile(flag: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`--${flag}: cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** Everything the secure CLI default needs: the PKI in D/pki, client pairs per identity, the dashboard token. */
export async function secureServing(dataDir: string, o: SecureServingFiles & { sans: string[] }): Promise<SecureServing> {
  const dir = o.certDir ?? join(dataDir, 'pki');
  const ca = await ensureCA(dir);
  // The serving and client pairs' keys are made in parallel (the first start's cost).
  const [serving, ...pairs] = await Promise.all([ensureServingCert(dir, ca, o.sans), ...Object.entries(IDENTITIES).map(([base, id]) => ensureClientCert(dir, ca, base, id))]);
  const pki = { caCert: ca.cert, servingCert: serving.cert, servingKey: serving.key };
  let tls = { key: pki.servingKey, cert: pki.servingCert, ca: pki.caCert };
  if (o.tlsCertFile || o.tlsPrivateKeyFile) {
    if (!o.tlsCertFile || !o.tlsPrivateKeyFile) throw new Error('--tls-cert-file and --tls-private-key-file go together');
    const cert = readFlagFile('tls-cert-file', o.tlsCertFile);
    // The kubeconfig trusts the cluster CA and the given certificate's own chain.
    tls = { key: readFlagFile('tls-private-key-file', o.tlsPrivateKeyFile), cert, ca: `${pki.caCert.trim()}\n${cert.trim()}\n` };
  }
  const clientCA = o.clientCAFile ? `${readFlagFile('client-ca-file', o.clientCAFile).trim()}\n${pki.caCert.trim()}\n` : pki.caCert;
  const kubeconfigCerts: Record<string, KeyPair> = Object.fromEntries(Object.values(IDENTITIES).map((id, i) => [id.file, pairs[i]]));
  const dashboard = ensureDashboardToken(dir);
  return { tls, clientCA, kubeconfigCerts, tokenFile: dashboard.file, dashboardToken: dashboard.token };
}

/** The service-account signing pair D/pki/sa.key (PKCS#8) and sa.pub (SPKI), created once, as kubeadm keeps them. */
export function ensureServiceAccountKeys(dir: string): { privateKey: string; publicKey: string } {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const keyFile = join(dir, 'sa.key');
  const pubFile = join(dir, 'sa.pub');
  if (existsSync(keyFile) && existsSync(pubFile)) return { privateKey: readFileSync(keyFile, 'utf8'), publicKey: readFileSync(pubFile, 'utf8') };
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pair = { privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
  writeSecretFile(keyFile, pair.privateKey);
  writeSecretFile(pubFile, pair.publicKey, 0o644);
  return pair;
}
