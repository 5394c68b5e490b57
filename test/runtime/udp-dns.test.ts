// UDP and DNS resolve for real programs: a UDP echo program answers datagrams sent to its pod IP, to
// its Service's ClusterIP (the service proxy relays the flow and the answer to the ready endpoint of
// its EndpointSlice) and to the Service's name, plain and connected sockets, and from the host to its
// NodePort; dns.resolve4 / dns.resolve / dns.promises.resolve4 answer cluster names from the table
// dns.lookup uses (module functions and Resolver instances).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, getPod, kubeletLog, nodePod, PODS, runtimeCluster } from './helpers.ts';
import { loopbackAlias } from '../../src/api/core/podnetwork.ts';
import { createSocket } from 'node:dgram';

const SERVICES = { group: '', version: 'v1', plural: 'services', namespaced: true };
const ENDPOINTSLICES = { group: 'discovery.k8s.io', version: 'v1', plural: 'endpointslices', namespaced: true };

const ECHO = `
const s = require('dgram').createSocket('udp4');
s.on('message', (m, r) => s.send(process.env.HOSTNAME + ':' + m, r.port, r.address));
s.bind(5353, () => console.log('bound ' + s.address().address));`;

test('UDP to a pod IP, a ClusterIP and a Service name; dns.resolve4/resolve answer cluster names', async () => {
  const c = await runtimeCluster();
  try {
    const p = nodePod('udp-echo', ECHO);
    p.metadata.labels = { app: 'udp' };
    await c.client.resource(PODS).create(p);
    const podIP = await eventually(async () => {
      const pod = await getPod(c.client, 'udp-echo');
      return (await kubeletLog(c.pool, 'udp-echo')).startsWith('bound') ? pod.status?.podIP : undefined;
    }, 'echo bound');
    // bound on its pod's alias, not the node's addresses
    assert.equal(await kubeletLog(c.pool, 'udp-echo'), `bound ${loopbackAlias(podIP)}\n`);
    const svc = await c.client.resource(SERVICES).create({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'dnsish', namespace: 'default' },
      spec: { type: 'NodePort', selector: { app: 'udp' }, ports: [{ name: 'dns', port: 53, targetPort: 5353, protocol: 'UDP' }] },
    });
    // No controllers in this test: the EndpointSlice the EndpointSlice controller would write (the
    // service proxy reads slices; its not-ready endpoint gets nothing).
    await c.client.resource(ENDPOINTSLICES).create({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: 'dnsish-abcde', namespace: 'default', labels: { 'kubernetes.io/service-name': 'dnsish' } },
      addressType: 'IPv4',
      endpoints: [
        { addresses: [podIP], conditions: { ready: true, serving: true, terminating: false } },
        { addresses: ['10.128.0.250'], conditions: { ready: false, serving: false, terminating: false } },
      ],
      ports: [{ name: 'dns', port: 5353, protocol: 'UDP' }],
    });
    const ip = svc.spec.clusterIP;
    const caller = `
      const dgram = require('dgram'), dns = require('dns');
      const ask = (port, host, text) => new Promise((ok, ko) => {
        const s = dgram.createSocket('udp4');
        const t = setTimeout(() => { s.close(); ko(new Error('no answer from ' + host + ':' + port)); }, 3000);
        s.on('message', (m, r) => { clearTimeout(t); s.close(); ok(String(m)); });
        s.send(text, port, host);
      });
      const connected = (port, host) => new Promise((ok, ko) => {
        const s = dgram.createSocket('udp4');
        const t = setTimeout(() => { s.close(); ko(new Error('no answer on a connected socket')); }, 3000);
        s.on('message', (m) => { clearTimeout(t); s.close(); ok(String(m)); });
        s.connect(port, host, () => s.send('connected'));
      });
      const cb = (f, ...a) => new Promise((ok, ko) => f(...a, (e, r) => (e ? ko(e) : ok(r))));
      (async () => {
        const out = [];
        out.push(await ask(5353, '${podIP}', 'pod'));
        out.push(await ask(53, '${ip}', 'clusterip'));
        out.push(await ask(53, 'dnsish', 'name'));
        out.push(await connected(53, 'dnsish.default.svc.cluster.local'));
        out.push((await cb(dns.resolve4, 'dnsish')).join());
        out.push((await cb(dns.resolve, 'dnsish.default.svc', 'A')).join());
        out.push((await dns.promises.resolve4('dnsish.default')).join());
        out.push(JSON.stringify(await dns.promises.resolve4('dnsish', { ttl: true })));
        out.push((await new dns.promises.Resolver().resolve('dnsish')).join());
        console.log(out.join('\\n'));
      })().catch((e) => { console.error(e.message); process.exit(2); });`;
    await c.client.resource(PODS).create(nodePod('udp-caller', caller, { restartPolicy: 'Never' }));
    const done = await eventually(async () => {
      const pod = await getPod(c.client, 'udp-caller');
      return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed' ? pod : undefined;
    }, 'caller done', 30_000);
    const log = await kubeletLog(c.pool, 'udp-caller');
    assert.equal(done.status.phase, 'Succeeded', log);
    const a = loopbackAlias(ip);
    assert.deepEqual(log.trim().split('\n'), ['udp-echo:pod', 'udp-echo:clusterip', 'udp-echo:name', 'udp-echo:connected', a, a, a, JSON.stringify([{ address: a, ttl: 5 }]), a]);
    // the NodePort, from the host
    const s = createSocket('udp4');
    try {
      const answer = new Promise<string>((ok) => s.on('message', (m) => ok(String(m))));
      s.send('host', svc.spec.ports[0].nodePort, '127.0.0.1');
      assert.equal(await answer, 'udp-echo:host');
    } finally {
      s.close();
    }
  } finally {
    await c.close();
  }
});
