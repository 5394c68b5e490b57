// Watch events are serialized once per event, type and served version and shared by every watcher
// (Kubernetes' cachingObject): watchers of one version get the same bytes, watchers of a converted
// version (autoscaling/v1 HPAs stored as v2) get their version's object, SSE watchers share frames.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startTestServer, req, watch } from './helpers.ts';
import { eventually } from '../helpers/eventually.ts';

function hpa(name: string) {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name },
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 5, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 60 } } }] },
  };
}

function sseRaw(base: string, path: string): Promise<{ raw: () => string; close(): void }> {
  return new Promise((resolve, reject) => {
    let raw = '';
    const r = http.get(base + path, { headers: { Accept: 'text/event-stream' } }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (c: string) => (raw += c));
      resolve({ raw: () => raw, close: () => r.destroy() });
    });
    r.on('error', reject);
  });
}

test('watch fan-out: each served version gets its own shared serialization; SSE frames shared', async () => {
  const api = await startTestServer({ port: 0 });
  try {
    const v2 = '/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers?watch=true';
    const v1 = '/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers?watch=true';
    const [a, b, c, d] = await Promise.all([watch(api.url, v2), watch(api.url, v2), watch(api.url, v1), watch(api.url, v1)]);
    const [s1, s2] = await Promise.all([sseRaw(api.url, v2), sseRaw(api.url, v2)]);
    const created = await req(api.url, 'POST', '/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers', hpa('web'));
    assert.equal(created.status, 201);
    const [ea, eb, ec, ed] = await Promise.all([a.waitFor(1), b.waitFor(1), c.waitFor(1), d.waitFor(1)]);
    assert.deepEqual(ea, eb);
    assert.deepEqual(ec, ed);
    assert.equal(ea[0].object.apiVersion, 'autoscaling/v2');
    assert.equal(ec[0].object.apiVersion, 'autoscaling/v1');
    assert.equal(ec[0].object.spec.targetCPUUtilizationPercentage, 60);
    assert.equal(ea[0].object.spec.metrics[0].resource.target.averageUtilization, 60);
    const rv = ea[0].object.metadata.resourceVersion;
    await eventually(() => s1.raw().includes('event: ADDED') && s2.raw().includes('event: ADDED'), 'both SSE watchers got ADDED');
    assert.equal(s1.raw(), s2.raw());
    assert.match(s1.raw(), new RegExp(`^id: ${rv}\\ndata: \\{"type":"ADDED","object":\\{.*"apiVersion":"autoscaling/v2"`));
    for (const w of [a, b, c, d, s1, s2]) w.close();
  } finally {
    await api.close();
  }
});
