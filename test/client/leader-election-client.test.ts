// A component's leader election has a client of its own (client-go's components build a separate
// clientset for it): with every socket of the component's client held by slow requests, a Lease
// renewal still goes out at once, with its own user agent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, type ResourceRef } from '../../src/client/index.ts';

const CM: ResourceRef = { group: '', version: 'v1', plural: 'configmaps', namespaced: true, kind: 'ConfigMap' };
const LEASES: ResourceRef = { group: 'coordination.k8s.io', version: 'v1', plural: 'leases', namespaced: true, kind: 'Lease' };

test('forLeaderElection: renewals do not wait for the sockets of the component client', async () => {
  const held: http.ServerResponse[] = [];
  const agents: string[] = [];
  const server = http.createServer((req, res) => {
    if (req.url!.includes('/configmaps')) {
      held.push(res); // a slow request: answered at the end
      return;
    }
    agents.push(String(req.headers['user-agent']));
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'kube-scheduler', namespace: 'kube-system' } }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new Client({ server: url, qps: Infinity, maxSockets: 1, userAgent: 'kubesim-scheduler' });
  const le = client.forLeaderElection();
  try {
    const slow = client.resource(CM).inNamespace('default').get('a');
    const queued = client.resource(LEASES).inNamespace('kube-system').get('kube-scheduler');
    const renewal = await le.resource(LEASES).inNamespace('kube-system').get('kube-scheduler');
    assert.equal(renewal.metadata.name, 'kube-scheduler');
    assert.deepEqual(agents, ['kubesim-scheduler/leader-election'], 'only the leader-election request got through');
    held.forEach((r) => r.end('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"}}'));
    await slow;
    await queued;
    assert.deepEqual(agents, ['kubesim-scheduler/leader-election', 'kubesim-scheduler']);
  } finally {
    held.forEach((r) => r.writableEnded || r.end());
    client.close();
    le.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});
