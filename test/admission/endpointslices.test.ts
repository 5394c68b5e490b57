// A webhook Service resolves through its EndpointSlices when the server serves that kind and the
// Service has some (ready endpoints only), else through its Endpoints.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from '../../src/api/registry.ts';
import { defineKind } from '../../src/api/meta.ts';
import { MemoryStore } from '../../src/storage/index.ts';
import { startApiServer } from '../../src/apiserver/index.ts';
import { req, configMap, testRegistry } from '../apiserver/helpers.ts';
import { makePki } from './certs.ts';
import { startWebhookServer } from './webhook-server.ts';
import { CM, VWC, configuration, hook } from './fixtures.ts';

const freeform = { type: 'object' as const, 'x-kubernetes-preserve-unknown-fields': true as const };
const endpointSlice = defineKind({
  group: 'discovery.k8s.io',
  version: 'v1',
  kind: 'EndpointSlice',
  plural: 'endpointslices',
  namespaced: true,
  description: 'test stand-in',
  fields: { addressType: { type: 'string' }, endpoints: { type: 'array', items: freeform }, ports: { type: 'array', items: freeform } },
});

test('clientConfig.service through EndpointSlices (not-ready endpoints skipped)', async () => {
  const pki = makePki(['sliced.default.svc']);
  const wh = await startWebhookServer(pki);
  const registry = new Registry([...testRegistry().all(), endpointSlice]);
  const srv = await startApiServer({ registry, store: new MemoryStore() });
  try {
    const url = srv.url;
    wh.handle('/s', () => ({ allowed: false, status: { message: 'via slice' } }));
    await req(url, 'POST', '/api/v1/namespaces/default/services', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'sliced' }, spec: { ports: [{ name: 'https', port: 443 }] } });
    const slice = {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'sliced-abc', labels: { 'kubernetes.io/service-name': 'sliced' } },
      addressType: 'IPv4',
      endpoints: [{ addresses: ['127.0.0.2'], conditions: { ready: false } }, { addresses: ['127.0.0.1'], conditions: { ready: true } }],
      ports: [{ name: 'https', port: wh.port }],
    };
    assert.equal((await req(url, 'POST', '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices', slice)).status, 201);
    const h = { ...hook('slice.example.com', '', pki.caBundle), clientConfig: { service: { namespace: 'default', name: 'sliced', path: '/s' }, caBundle: pki.caBundle } };
    assert.equal((await req(url, 'POST', VWC, configuration('ValidatingWebhookConfiguration', 'sliced', [h]))).status, 201);
    for (let i = 0; i < 5; i++) {
      const r = await req(url, 'POST', CM, configMap(`c${i}`));
      assert.equal(r.body.message, 'admission webhook "slice.example.com" denied the request: via slice');
    }
  } finally {
    await srv.close();
    await wh.close();
  }
});
