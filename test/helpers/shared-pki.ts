// One PKI for several `kubesim apiserver` replicas (a shared --cert-dir, made before they start so
// they do not race to create it): any replica accepts the same admin certificate, and a load
// balancer in front of them serves one CA.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultSans, kubeconfigYaml, secureServing, IDENTITIES } from '../../src/apiserver/index.ts';
import { tlsFetch, type KubeFetch } from './kubeconfig-fetch.ts';

export interface SharedPki {
  certDir: string;
  /** `--cert-dir <dir>` for each replica. */
  args: string[];
  /** https.request options of the admin (ca, cert, key). */
  tls: { ca: string; cert: string; key: string };
  /** fetch() for any replica's https URL, as the admin (mutual TLS). */
  fetch: KubeFetch & { close(): void };
  /** Writes a kubeconfig for server as one of kubesim's identities (admin, scheduler, controller-manager, node-pool). */
  kubeconfig(server: string, identity?: string): string;
}

export async function sharedPki(dir: string): Promise<SharedPki> {
  const certDir = join(dir, 'pki');
  const s = await secureServing(dir, { sans: defaultSans(), certDir });
  const cert = (identity: string) => s.kubeconfigCerts[IDENTITIES[identity].file];
  return {
    certDir,
    args: ['--cert-dir', certDir],
    tls: { ca: s.tls.ca, ...cert('admin') },
    fetch: tlsFetch({ server: 'https://127.0.0.1', ca: s.tls.ca, ...cert('admin') }),
    kubeconfig(server, identity = 'admin') {
      const path = join(dir, `${identity}-${new URL(server).port}.kubeconfig`);
      writeFileSync(path, kubeconfigYaml(server, { ca: s.tls.ca, ...cert(identity) }), { mode: 0o600 });
      return path;
    },
  };
}
