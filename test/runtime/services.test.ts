// Services for real programs: a program reaches a Service by name (svc, svc.ns.svc.cluster.local)
// and its ClusterIP; connections spread over the ready endpoints; a NodePort answers on the host.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, getPod, kubeletLog, nodePod, PODS, runtimeCluster } from './helpers.ts';
import { readyEndpoints, serviceNames } from '../../src/node/process/services.ts';
import { sliceEndpoints } from '../../src/api/core/podnetwork.ts';

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

test("a Service port's endpoints from its EndpointSlices, as kube-proxy picks them", () => {
  const slice = (ports: any[], endpoints: any[]): any => ({ metadata: { name: 's' }, ports, endpoints });
  const http = [{ name: 'http', port: 8080, protocol: 'TCP' }];
  const ep = (ip: string, conditions: any = { ready: true }) => ({ addresses: [ip], conditions });
  const cases: [string, any[], string, string, [string, number][]][] = [
    ['ready endpoints of the named port', [slice([...http, { name: 'dns', port: 53, protocol: 'UDP' }], [ep('10.128.0.2'), ep('10.128.0.3', { ready: false, serving: false, terminating: false })])], 'http', 'TCP', [['10.128.0.2', 8080]]],
    ['the protocol counts', [slice([{ name: 'dns', port: 53, protocol: 'UDP' }], [ep('10.128.0.2')])], 'dns', 'TCP', []],
    ['UDP port', [slice([{ name: 'dns', port: 53, protocol: 'UDP' }], [ep('10.128.0.2')])], 'dns', 'UDP', [['10.128.0.2', 53]]],
    ['unset ready counts as ready', [slice(http, [ep('10.128.0.2', {})])], 'http', 'TCP', [['10.128.0.2', 8080]]],
    ['each address once over slices', [slice(http, [ep('10.128.0.2')]), slice(http, [ep('10.128.0.2'), ep('10.128.1.2')])], 'http', 'TCP', [['10.128.0.2', 8080], ['10.128.1.2', 8080]]],
    ['none ready: serving and terminating ones', [slice(http, [ep('10.128.0.2', { ready: false, serving: true, terminating: true }), ep('10.128.0.3', { ready: false, serving: false, terminating: true })])], 'http', 'TCP', [['10.128.0.2', 8080]]],
    ['a ready one hides the terminating ones', [slice(http, [ep('10.128.0.2', { ready: false, serving: true, terminating: true }), ep('10.128.0.4')])], 'http', 'TCP', [['10.128.0.4', 8080]]],
    ['unnamed port', [slice([{ port: 80 }], [ep('10.128.0.2')])], '', 'TCP', [['10.128.0.2', 80]]],
    ['no slices', [], 'http', 'TCP', []],
  ];
  for (const [what, slices, port, protocol, want] of cases) assert.deepEqual(sliceEndpoints(slices, port, protocol), want, what);
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
