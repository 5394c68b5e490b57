// The official @kubernetes/client-node reads, changes and writes back issue 11's kinds through its
// typed APIs: PolicyV1Api (PodDisruptionBudget), SchedulingV1Api (PriorityClass), NetworkingV1Api
// (Ingress), CertificatesV1Api (CertificateSigningRequest approval).
// The client writes creationTimestamp back in another RFC 3339 spelling ("...:15.000Z"); the server
// keeps the stored one (BeforeUpdate), so the replaces go through.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { clientNodeServer, type ClientNodeServer } from '../helpers/client-node.ts';

let server: ClientNodeServer;
let kc: k8s.KubeConfig;
before(async () => {
  server = await clientNodeServer();
  kc = server.kc;
});
after(() => server.close());

test('PodDisruptionBudget: create, read, change, replace', async () => {
  const policy = kc.makeApiClient(k8s.PolicyV1Api);
  await policy.createNamespacedPodDisruptionBudget({ namespace: 'default', body: { metadata: { name: 'web' }, spec: { selector: { matchLabels: { app: 'web' } }, minAvailable: '50%' } } });
  const got = await policy.readNamespacedPodDisruptionBudget({ namespace: 'default', name: 'web' });
  assert.equal(got.spec?.minAvailable, '50%');
  assert.equal(got.status?.disruptionsAllowed, 0);
  got.spec!.minAvailable = 2;
  const replaced = await policy.replaceNamespacedPodDisruptionBudget({ namespace: 'default', name: 'web', body: got });
  assert.equal(replaced.spec?.minAvailable, 2);
  assert.equal(replaced.metadata?.generation, 2);
});

test('PriorityClass: the system classes read as typed objects; a new one is written back', async () => {
  const sched = kc.makeApiClient(k8s.SchedulingV1Api);
  const list = await sched.listPriorityClass();
  assert.deepEqual(list.items.map((p) => p.metadata?.name).sort(), ['system-cluster-critical', 'system-node-critical']);
  await sched.createPriorityClass({ body: { metadata: { name: 'batch' }, value: 100, description: 'batch jobs' } });
  const pc = await sched.readPriorityClass({ name: 'batch' });
  assert.equal(pc.preemptionPolicy, 'PreemptLowerPriority');
  pc.description = 'low-priority batch jobs';
  assert.equal((await sched.replacePriorityClass({ name: 'batch', body: pc })).description, 'low-priority batch jobs');
});

test('Ingress through its typed client', async () => {
  const net = kc.makeApiClient(k8s.NetworkingV1Api);
  await net.createNamespacedIngress({ namespace: 'default', body: { metadata: { name: 'web' }, spec: { rules: [{ host: 'a.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }] } } });
  const ing = await net.readNamespacedIngress({ namespace: 'default', name: 'web' });
  ing.spec!.rules![0].host = 'b.example.com';
  assert.equal((await net.replaceNamespacedIngress({ namespace: 'default', name: 'web', body: ing })).spec?.rules?.[0].host, 'b.example.com');
});

test('CertificateSigningRequest approval through its typed client', async () => {
  const certs = kc.makeApiClient(k8s.CertificatesV1Api);
  const request = Buffer.from(`-----BEGIN CERTIFICATE REQUEST-----\n${Buffer.from([0x30, 0x03, 0x02, 0x01, 0x00]).toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`).toString('base64');
  await certs.createCertificateSigningRequest({ body: { metadata: { name: 'alice' }, spec: { request, signerName: 'example.com/signer', usages: ['client auth'] } } });
  const csr = await certs.readCertificateSigningRequest({ name: 'alice' });
  csr.status = { conditions: [{ type: 'Approved', status: 'True', reason: 'Test', message: 'approved by the test' }] };
  const approved = await certs.replaceCertificateSigningRequestApproval({ name: 'alice', body: csr });
  assert.equal(approved.status?.conditions?.[0].type, 'Approved');
  assert.ok(approved.status?.conditions?.[0].lastUpdateTime instanceof Date);
});
