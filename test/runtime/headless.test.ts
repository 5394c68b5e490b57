// Headless Services' DNS records: `web-0.web.ns.svc.cluster.local` (and `web-0.web` from the pod's
// namespace) name the pod whose hostname/subdomain the Endpoints carry; the Service's name one of
// its ready pods.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { headlessRecords, slicesAsEndpoints } from '../../src/node/process/services.ts';
import { eventually, getPod, kubeletLog, nodePod, PODS, runtimeCluster } from './helpers.ts';

const SERVICES = { group: '', version: 'v1', plural: 'services', namespaced: true };
const ENDPOINTS = { group: '', version: 'v1', plural: 'endpoints', namespaced: true };

test('headlessRecords: pod records for addresses with a hostname, the Service name for a ready one', () => {
  const svc: any = { metadata: { name: 'web', namespace: 'ns' }, spec: { clusterIP: 'None' } };
  const eps: any = { subsets: [{ addresses: [{ ip: '10.128.0.5', hostname: 'web-1' }, { ip: '10.128.0.4', hostname: 'web-0' }, { ip: '10.128.0.6' }], notReadyAddresses: [{ ip: '10.128.0.7', hostname: 'web-2' }] }] };
  const t = new Map(headlessRecords(svc, eps));
  assert.equal(t.get('web-0.web.ns.svc.cluster.local'), '10.128.0.4');
  assert.equal(t.get('web-1.web.ns.svc'), '10.128.0.5');
  assert.equal(t.get('web-0.web.ns'), '10.128.0.4');
  assert.equal(t.has('web-2.web.ns.svc.cluster.local'), false, 'not ready: no record');
  assert.equal(t.get('web.ns.svc.cluster.local'), '10.128.0.4');
  assert.deepEqual(headlessRecords(svc, undefined), []);
  // the same from EndpointSlices (ready unset counts as ready; each address once over slices)
  const slices: any[] = [
    { endpoints: [{ addresses: ['10.128.0.5'], hostname: 'web-1', conditions: { ready: true } }, { addresses: ['10.128.0.4'], hostname: 'web-0', conditions: {} }] },
    { endpoints: [{ addresses: ['10.128.0.7'], hostname: 'web-2', conditions: { ready: false } }, { addresses: ['10.128.0.4'], hostname: 'web-0', conditions: { ready: true } }] },
  ];
  assert.deepEqual(new Map(headlessRecords(svc, slicesAsEndpoints(slices))), new Map([...t].filter(([, ip]) => ip !== '10.128.0.6')));
  assert.deepEqual(headlessRecords(svc, slicesAsEndpoints([])), []);
});

test('a program reaches web-0.hl.default.svc.cluster.local and web-0.hl', async () => {
  const c = await runtimeCluster();
  try {
    const server = 'require("http").createServer((q, s) => s.end("hello from " + process.env.HOSTNAME)).listen(8080, () => console.log("listening"))';
    const p = nodePod('hl-server', server, { hostname: 'web-0', subdomain: 'hl' });
    await c.client.resource(PODS).create(p);
    await eventually(async () => ((await kubeletLog(c.pool, 'hl-server')) === 'listening\n' ? true : undefined), 'listening', 30_000);
    const ip = (await getPod(c.client, 'hl-server')).status.podIP;
    await c.client.resource(SERVICES).create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'hl', namespace: 'default' }, spec: { clusterIP: 'None', selector: { app: 'hl' }, ports: [{ name: 'http', port: 8080 }] } });
    // No endpoints controller here: the Endpoints it writes for a pod with hostname/subdomain.
    await c.client.resource(ENDPOINTS).create({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'hl', namespace: 'default' }, subsets: [{ addresses: [{ ip, hostname: 'web-0' }], ports: [{ name: 'http', port: 8080 }] }] });
    const caller = `
      const http = require('http');
      const get = (u) => new Promise((ok, ko) => http.get(u, { agent: false }, (r) => { let b = ''; r.on('data', (d) => (b += d)); r.on('end', () => ok(b)); }).on('error', ko));
      (async () => {
        console.log(await get('http://web-0.hl.default.svc.cluster.local:8080/'));
        console.log(await get('http://web-0.hl:8080/'));
        console.log(await get('http://hl:8080/'));
      })().catch((e) => { console.error(e.message); process.exit(2); });`;
    await c.client.resource(PODS).create(nodePod('hl-caller', caller, { restartPolicy: 'Never' }));
    const done = await eventually(async () => {
      const p = await getPod(c.client, 'hl-caller');
      return p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed' ? p : undefined;
    }, 'caller done', 30_000);
    const log = await kubeletLog(c.pool, 'hl-caller');
    assert.equal(done.status.phase, 'Succeeded', log);
    assert.equal(log, 'hello from web-0\nhello from web-0\nhello from web-0\n');
  } finally {
    await c.close();
  }
});
