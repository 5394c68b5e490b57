// @kubernetes/client-node's typed AdmissionregistrationV1Api reads, changes and writes back a
// webhook configuration (its caBundle round-trips as bytes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { kubeconfigYaml } from '../../src/apiserver/index.ts';
import { startServer } from './fixtures.ts';

test('@kubernetes/client-node: create, read, replace a ValidatingWebhookConfiguration', async () => {
  const { srv } = await startServer();
  try {
    const kc = new k8s.KubeConfig();
    kc.loadFromString(kubeconfigYaml(srv.url));
    const api = kc.makeApiClient(k8s.AdmissionregistrationV1Api);
    const ca = Buffer.from('-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n').toString('base64');
    await api.createValidatingWebhookConfiguration({
      body: {
        metadata: { name: 'typed' },
        webhooks: [{ name: 'typed.example.com', clientConfig: { url: 'https://127.0.0.1:9443/v', caBundle: ca }, rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'] }], sideEffects: 'None', admissionReviewVersions: ['v1'] }],
      },
    });
    const got = await api.readValidatingWebhookConfiguration({ name: 'typed' });
    assert.equal(got.webhooks?.[0].timeoutSeconds, 10);
    assert.equal(got.webhooks?.[0].clientConfig.caBundle, ca);
    got.webhooks![0].timeoutSeconds = 3;
    const put = await api.replaceValidatingWebhookConfiguration({ name: 'typed', body: got });
    assert.equal(put.webhooks?.[0].timeoutSeconds, 3);
    assert.equal(put.metadata?.generation, 2);
    const list = await api.listMutatingWebhookConfiguration();
    assert.deepEqual(list.items, []);
  } finally {
    await srv.close();
  }
});
