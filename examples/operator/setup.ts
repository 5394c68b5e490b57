// What an operator author sets up locally: a CA and a serving certificate (openssl CLI), the CRD,
// a Service without selector plus manual Endpoints pointing at 127.0.0.1 where the webhooks run,
// and the webhook configurations that reach that Service with the CA as caBundle.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sleep, type Client } from './deps.ts';
import { websiteCrd, GROUP } from './website.ts';

export const SERVICE = { namespace: 'default', name: 'website-webhook' };

export interface Certs {
  caPem: string;
  cert: string;
  key: string;
}

/** A CA and a certificate for the webhook Service's DNS name and 127.0.0.1, written to (and read back from) dir. */
export function makeCerts(dir: string): Certs {
  mkdirSync(dir, { recursive: true });
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const dns = `${SERVICE.name}.${SERVICE.namespace}.svc`;
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '365', '-subj', '/CN=website-operator-ca');
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'tls.key', '-out', 'tls.csr', '-subj', `/CN=${dns}`);
  writeFileSync(join(dir, 'ext.cnf'), `subjectAltName=DNS:${dns},IP:127.0.0.1\nextendedKeyUsage=serverAuth\n`);
  openssl('x509', '-req', '-in', 'tls.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'tls.crt', '-days', '365', '-extfile', 'ext.cnf');
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');
  return { caPem: read('ca.crt'), cert: read('tls.crt'), key: read('tls.key') };
}

/** The Service (no selector) and Endpoints that send the webhook traffic to 127.0.0.1:port. */
export function serviceObjects(port: number) {
  const metadata = { name: SERVICE.name, namespace: SERVICE.namespace };
  return {
    service: { apiVersion: 'v1', kind: 'Service', metadata, spec: { ports: [{ name: 'https', port: 443, targetPort: port }] } },
    endpoints: { apiVersion: 'v1', kind: 'Endpoints', metadata, subsets: [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'https', port }] }] },
  };
}

/** The mutating and validating webhook configurations for Websites. */
export function webhookConfigurations(caPem: string) {
  const hook = (name: string, path: string) => ({
    name: `${name}.websites.${GROUP}`,
    clientConfig: { service: { ...SERVICE, path, port: 443 }, caBundle: Buffer.from(caPem).toString('base64') },
    rules: [{ apiGroups: [GROUP], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['websites'], scope: 'Namespaced' }],
    admissionReviewVersions: ['v1'],
    sideEffects: 'None',
    failurePolicy: 'Fail',
    timeoutSeconds: 5,
  });
  return {
    mutating: { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingWebhookConfiguration', metadata: { name: 'website-operator' }, webhooks: [hook('default', '/mutate')] },
    validating: { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', metadata: { name: 'website-operator' }, webhooks: [hook('validate', '/validate')] },
  };
}

/** Server-side applies everything, then waits until the Website resource is served. */
export async function install(client: Client, caPem: string, webhookPort: number): Promise<void> {
  const apply = (path: string, obj: any) =>
    client.request({ method: 'PATCH', path, query: { fieldManager: 'website-operator', force: 'true' }, body: obj, contentType: 'application/apply-patch+yaml' });
  await apply(`/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${websiteCrd.metadata.name}`, websiteCrd);
  const { service, endpoints } = serviceObjects(webhookPort);
  await apply(`/api/v1/namespaces/${SERVICE.namespace}/services/${SERVICE.name}`, service);
  await apply(`/api/v1/namespaces/${SERVICE.namespace}/endpoints/${SERVICE.name}`, endpoints);
  const { mutating, validating } = webhookConfigurations(caPem);
  await apply('/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/website-operator', mutating);
  await apply('/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/website-operator', validating);
  // the CRD is served once it is Established; a fresh CRD takes a moment
  for (let deadline = Date.now() + 10_000; ; await sleep(50)) {
    try {
      await client.request({ method: 'GET', path: `/apis/${GROUP}/v1/websites` });
      return;
    } catch (e) {
      if (Date.now() > deadline) throw e;
    }
  }
}
