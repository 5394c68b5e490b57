// Services for real programs: a program reaches a Service by name (svc, svc.ns.svc.cluster.local)
// and its ClusterIP; connections spread over the ready endpoints; a NodePort answers on the host.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, getPod, kubeletLog, nodePod, PODS, runtimeCluster } from './helpers.ts';
import { readyEndpoints, serviceNames } from '../../src/node/process/services.ts';

const SERVICES = { group: '', version: 'v1', plural: 'services', namespaced: true };
const ENDPOINTS = { group: '', version: 'v1', plural: 'endpoints', namespaced: true };

test('ready endpoints of a service port, and service DNS names', () => {
  const eps: any = {
    metadata: { name: 'web', namespace: 'ns' },
    subsets: [
      { addresses: [{ ip: '10.128.0.2' }, { ip: '10.128.0.3' }], notReadyAddresses: [{ ip: '10.128.0.4' }], ports: [{ name: 'http', port: 8080 }, { name: 'metrics', port: 9090 }] },
      { addresses: [{ ip: '10.128.0.5' }], ports: [{ name: 'http', port: 8081 }] },
    ],
  };
  assert.deepEqual(readyEndpoints(eps, 'http'), [['10.128.0.2', 8080], ['10.128.0.3', 8080], ['10.128.0.5', 8081]]);
  assert.deepEqual(readyEndpoints(eps, 'metrics'), [['10.128.0.2', 9090], ['10.128.0.3', 9090]]);
  assert.deepEqual(readyEndpoints(eps, 'none'), []);
  assert.deepEqual(readyEndpoints(undefined, ''), []);
  assert.deepEqual(serviceNames({ metadata: { name: 'web', namespace: 'ns' } } as any), ['web.ns', 'web.ns.svc', 'web.ns.svc.cluster.local']);
});

test('a program calls a Service by name: answered by both replicas; the NodePort answers on the host', async () => {
  const c = await runtimeCluster();
  try {
    const server = 'require("http").createServer((q, s) => s.end(process.env.HOSTNAME)).listen(8080, () => console.log("listening"))';
    for (const name of ['web-a', 'web-b']) {
      const p = nodePod(name, server);
      p.metadata.labels = { app: 'web' };
      await c.client.resource(PODS).create(p);
    }
    const ips: string[] = [];
    for (const name of ['web-a', 'web-b']) {
      await eventually(async () => ((await kubeletLog(c.pool, name)) === "listening\n" ? true : undefined), `${name} listening`);
      ips.push((await getPod(c.client, name)).status.podIP);
    }
    const svc = await c.client.resource(SERVICES).create({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'default' },
      spec: { type: 'NodePort', selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
    });
    // No endpoints controller in this test: the Endpoints object it would write.
    await c.client.resource(ENDPOINTS).create({
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'web', namespace: 'default' },
      subsets: [{ addresses: ips.map((ip) => ({ ip })), ports: [{ name: 'http', port: 8080 }] }],
    });
    // Balancing is per connection, as kube-proxy's: the caller opens one per request (agent: false).
    const caller = `
      const http = require('http');
      const get = (u) => new Promise((ok, ko) => http.get(u, { agent: false }, (r) => { let b = ''; r.on('data', (d) => (b += d)); r.on('end', () => ok(b)); }).on('error', ko));
      (async () => {
        const seen = new Set();
        for (let i = 0; i < 30; i++) seen.add(await get(i % 2 ? 'http://web/' : 'http://web.default.svc.cluster.local/'));
        seen.add(await get('http://${svc.spec.clusterIP}:80/'));
        console.log([...seen].sort().join(','));
      })().catch((e) => { console.error(e.message); process.exit(2); });`;
    await c.client.resource(PODS).create(nodePod('caller', caller, { restartPolicy: 'Never' }));
    const p = await eventually(async () => {
      const p = await getPod(c.client, 'caller');
      return p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed' ? p : undefined;
    }, 'caller done', 15_000);
    const log = await kubeletLog(c.pool, 'caller');
    assert.equal(p.status.phase, 'Succeeded', log);
    assert.equal(log, 'web-a,web-b\n');
    const nodePort = svc.spec.ports[0].nodePort;
    const r = await eventually(async () => fetch(`http://127.0.0.1:${nodePort}/`).then((r) => r.text()).catch(() => undefined), 'node port answers');
    assert.match(r, /^web-[ab]$/);
  } finally {
    await c.close();
  }
});
