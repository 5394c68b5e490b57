// Shared fixtures for the admission tests: webhook configuration builders and an API server with a
// backend the test can also write to directly (stored objects that validation would refuse today).
import { MemoryStore } from '../../src/storage/index.ts';
import type { RunningApiServer } from '../../src/apiserver/index.ts';
import { startTestServer } from '../apiserver/helpers.ts';

export const AR = '/apis/admissionregistration.k8s.io/v1';
export const MWC = `${AR}/mutatingwebhookconfigurations`;
export const VWC = `${AR}/validatingwebhookconfigurations`;
export const CM = '/api/v1/namespaces/default/configmaps';

export interface Server {
  srv: RunningApiServer;
  backend: MemoryStore;
}

export async function startServer(): Promise<Server> {
  const backend = new MemoryStore();
  const srv = await startTestServer({ store: backend });
  return { srv, backend };
}

export const configMapRule = (operations = ['CREATE'], extra: Record<string, unknown> = {}) => ({ operations, apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'], ...extra });

/** One webhook entry reaching `url` (trusting caBundle), for ConfigMap creates unless rules are given. */
export function hook(name: string, url: string, caBundle: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name, clientConfig: { url, caBundle }, rules: [configMapRule()], sideEffects: 'None', admissionReviewVersions: ['v1'], ...extra };
}

export function configuration(kind: 'MutatingWebhookConfiguration' | 'ValidatingWebhookConfiguration', name: string, webhooks: unknown[]) {
  return { apiVersion: 'admissionregistration.k8s.io/v1', kind, metadata: { name }, webhooks };
}
