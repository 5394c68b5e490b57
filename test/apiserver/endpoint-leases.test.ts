// The lease endpoint reconciler's rules: which leases are live, and the Endpoints / EndpointSlices
// written from them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { endpointSlices, endpointSubsets, IDENTITY_LABEL, leaseName, leaseObject, liveEndpoints } from '../../src/apiserver/kinds/endpoint-leases.ts';

const now = Date.parse('2026-01-01T00:00:30Z');
const at = (port: number, renewedSecondsAgo: number, duration = 15, ip = '127.0.0.1') => leaseObject({ ip, port }, duration, now - renewedSecondsAgo * 1000);

test('leaseObject: a kube-apiserver identity Lease in kube-system, MicroTime renewTime', () => {
  const l = at(6443, 0);
  assert.equal(l.metadata.namespace, 'kube-system');
  assert.equal(l.metadata.name, leaseName({ ip: '127.0.0.1', port: 6443 }));
  assert.match(l.metadata.name!, /^apiserver-[0-9a-f]{16}$/);
  assert.equal(l.metadata.labels![IDENTITY_LABEL], 'kube-apiserver');
  assert.equal(l.spec!.holderIdentity, l.metadata.name);
  assert.equal(l.spec!.renewTime, '2026-01-01T00:00:30.000000Z');
  const renewed = leaseObject({ ip: '127.0.0.1', port: 6443 }, 15, now + 5000, l);
  assert.equal(renewed.metadata.uid, l.metadata.uid, 'renewal keeps identity');
  assert.equal(renewed.spec!.acquireTime, l.spec!.acquireTime);
});

test('liveEndpoints: leases renewed within their duration, of kube-apiserver identity', () => {
  const other = at(7000, 0);
  other.metadata.labels = {};
  const cases: [string, any[], string[]][] = [
    ['none', [], []],
    ['fresh', [at(6443, 1)], ['127.0.0.1:6443']],
    ['expired', [at(6443, 16)], []],
    ['just inside', [at(6443, 14.9)], ['127.0.0.1:6443']],
    ['short lease expired', [at(6443, 3, 2), at(6444, 1, 2)], ['127.0.0.1:6444']],
    ['not an API server lease', [other], []],
    ['sorted by port', [at(6445, 0), at(6443, 0)], ['127.0.0.1:6443', '127.0.0.1:6445']],
  ];
  for (const [what, leases, want] of cases) assert.deepEqual(liveEndpoints(leases, now).map((e) => `${e.ip}:${e.port}`), want, what);
});

test('endpoints: a subset per port; a slice per port, `kubernetes` for the lowest', () => {
  const eps = [
    { ip: '10.0.0.2', port: 6443 },
    { ip: '10.0.0.1', port: 6443 },
    { ip: '127.0.0.1', port: 7443 },
  ];
  assert.deepEqual(endpointSubsets(eps), [
    { addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }], ports: [{ name: 'https', port: 6443, protocol: 'TCP' }] },
    { addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'https', port: 7443, protocol: 'TCP' }] },
  ]);
  assert.deepEqual([...endpointSlices(eps)], [
    ['kubernetes', { ips: ['10.0.0.1', '10.0.0.2'], port: 6443 }],
    ['kubernetes-7443', { ips: ['127.0.0.1'], port: 7443 }],
  ]);
});
