// The key material `kubesim up` hands the controller-manager from the data dir, as kubeadm points
// kube-controller-manager at /etc/kubernetes/pki: sa.key signs legacy token Secrets
// (--service-account-private-key-file), ca.crt is the root CA (--root-ca-file) and, with ca.key,
// signs approved CSRs (--cluster-signing-cert-file / --cluster-signing-key-file). A file that is not
// there (no CA before TLS is set up) leaves its controller idle.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ControllerManagerOptions } from '../controllers/index.ts';

const readIf = (p: string) => (existsSync(p) ? readFileSync(p, 'utf8') : undefined);

export function controllerKeysFromDataDir(dataDir: string, signingKey?: string | Buffer): Pick<ControllerManagerOptions, 'serviceAccountPrivateKey' | 'rootCA' | 'clusterSigningCert' | 'clusterSigningKey'> {
  const pki = join(dataDir, 'pki');
  const caCert = readIf(join(pki, 'ca.crt'));
  const caKey = readIf(join(pki, 'ca.key'));
  return {
    serviceAccountPrivateKey: signingKey ?? readIf(join(pki, 'sa.key')),
    rootCA: caCert,
    ...(caCert && caKey ? { clusterSigningCert: caCert, clusterSigningKey: caKey } : {}),
  };
}
