// The resource quota and EndpointSlice controllers' decisions as pure functions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/types.ts';
import { calculateUsage, planQuotaStatus, type GroupResource } from '../../src/controllers/resourcequota/plan.ts';
import { planEndpointSlices, podToEndpoint, sliceLabels } from '../../src/controllers/endpointslice/plan.ts';

const pod = (name: string, extra: any = {}, status: any = { phase: 'Running' }): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'ns', uid: `uid-${name}`, labels: { app: 'web' }, ...(extra.metadata ?? {}) },
  spec: { containers: [{ name: 'c', image: 'x', resources: extra.resources ?? {}, ports: [{ name: 'http', containerPort: 8080 }] }], ...(extra.spec ?? {}) },
  status,
});
const quota = (hard: Record<string, string>, extra: any = {}): KubeObject => ({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace: 'ns' }, spec: { hard, ...extra.spec }, ...(extra.status ? { status: extra.status } : {}) });
const objects = (by: Record<string, KubeObject[]>) => (gr: GroupResource) => by[`${gr.group}/${gr.resource}`];

test('usage counts objects and compute, skipping terminal pods for everything but count/pods', () => {
  const pods = [
    pod('a', { resources: { requests: { cpu: '250m', memory: '64Mi' }, limits: { cpu: '500m' } } }),
    pod('b', { resources: { requests: { cpu: '250m' } } }),
    pod('done', { resources: { requests: { cpu: '1' } } }, { phase: 'Succeeded' }),
  ];
  const q = quota({ pods: '10', 'count/pods': '10', 'requests.cpu': '2', 'limits.cpu': '2', 'requests.memory': '1Gi', configmaps: '5' });
  const used = planQuotaStatus(q, objects({ '/pods': pods, '/configmaps': [{} as KubeObject] })).status!.used;
  assert.deepEqual(used, { configmaps: '1', 'count/pods': '3', 'limits.cpu': '500m', pods: '2', 'requests.cpu': '500m', 'requests.memory': '64Mi' });
});

test('scopes select the pods a quota counts; an uncountable resource keeps its old usage', () => {
  const pods = [pod('be'), pod('burst', { resources: { requests: { cpu: '100m' } } }), pod('batch', { spec: { activeDeadlineSeconds: 60 } })];
  assert.deepEqual(calculateUsage(quota({ pods: '5' }, { spec: { scopes: ['BestEffort'] } }), objects({ '/pods': pods })).pods.nano, 2n * 10n ** 9n);
  assert.deepEqual(calculateUsage(quota({ pods: '5' }, { spec: { scopes: ['Terminating'] } }), objects({ '/pods': pods })).pods.nano, 1n * 10n ** 9n);
  const q = quota({ pods: '5', secrets: '3' }, { status: { hard: { pods: '5', secrets: '3' }, used: { pods: '9', secrets: '2' } } });
  assert.deepEqual(planQuotaStatus(q, objects({ '/pods': [] })).status, { hard: { pods: '5', secrets: '3' }, used: { pods: '0', secrets: '2' } });
});

test('the status is written only when hard or usage changed', () => {
  const q = quota({ pods: '5' }, { status: { hard: { pods: '5' }, used: { pods: '1' } } });
  assert.equal(planQuotaStatus(q, objects({ '/pods': [pod('a')] })).status, undefined);
  assert.deepEqual(planQuotaStatus(q, objects({ '/pods': [pod('a'), pod('b')] })).status, { hard: { pods: '5' }, used: { pods: '2' } });
  const raised = quota({ pods: '6' }, { status: { hard: { pods: '5' }, used: { pods: '1' } } });
  assert.deepEqual(planQuotaStatus(raised, objects({ '/pods': [pod('a')] })).status, { hard: { pods: '6' }, used: { pods: '1' } });
  assert.deepEqual(planQuotaStatus(quota({ pods: '5' }), objects({ '/pods': [] })).status, { hard: { pods: '5' }, used: { pods: '0' } });
});

const service = (extra: any = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web', namespace: 'ns', uid: 'svc-uid', labels: { tier: 'front' } },
  spec: { selector: { app: 'web' }, clusterIP: '10.96.0.5', ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }], ...extra },
});
const ready = (ip: string, more: any = {}) => ({ phase: 'Running', podIP: ip, conditions: [{ type: 'Ready', status: 'True' }], ...more });

test('an endpoint carries ready/serving/terminating from readiness and deletion', () => {
  const zone = () => 'z1';
  const cases: [string, KubeObject, any][] = [
    ['ready', pod('a', { spec: { nodeName: 'n1' } }, ready('10.0.0.1')), { ready: true, serving: true, terminating: false }],
    ['not ready', pod('a', {}, { ...ready('10.0.0.1'), conditions: [{ type: 'Ready', status: 'False' }] }), { ready: false, serving: false, terminating: false }],
    ['terminating', pod('a', { metadata: { deletionTimestamp: '2030-01-01T00:00:00Z' } }, ready('10.0.0.1')), { ready: false, serving: true, terminating: true }],
  ];
  for (const [name, p, conditions] of cases) assert.deepEqual(podToEndpoint(p, service(), 'IPv4', zone).conditions, conditions, name);
  assert.deepEqual(podToEndpoint(pod('a', { spec: { nodeName: 'n1' } }, ready('10.0.0.1')), service(), 'IPv4', zone), {
    addresses: ['10.0.0.1'],
    conditions: { ready: true, serving: true, terminating: false },
    targetRef: { kind: 'Pod', namespace: 'ns', name: 'a', uid: 'uid-a' },
    nodeName: 'n1',
    zone: 'z1',
  });
  assert.equal(podToEndpoint(pod('a', {}, { phase: 'Pending' }), service(), 'IPv4', zone), undefined);
  assert.equal(podToEndpoint(pod('a', {}, ready('10.0.0.1')), service({ publishNotReadyAddresses: true }), 'IPv4', zone).conditions.ready, true);
});

test('slices: new ones by generateName with labels, owner and ports by name (named targetPorts resolved)', () => {
  const plan = planEndpointSlices({ service: service(), pods: [pod('a', {}, ready('10.0.0.1')), pod('b', {}, { phase: 'Pending' })], slices: [] });
  assert.equal(plan.create.length, 1);
  const s = plan.create[0];
  assert.equal(s.metadata.generateName, 'web-');
  assert.deepEqual(s.metadata.labels, { tier: 'front', 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' });
  assert.deepEqual(s.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: 'svc-uid', controller: true, blockOwnerDeletion: true }]);
  assert.deepEqual(s.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
  assert.equal(s.addressType, 'IPv4');
  assert.deepEqual((s.endpoints as any[]).map((e) => e.addresses[0]), ['10.0.0.1']);
  assert.equal(sliceLabels(service({ clusterIP: 'None' }))['service.kubernetes.io/headless'], '');
});

test('slices: at most maxEndpointsPerSlice each; existing slices updated in place and filled first', () => {
  const pods = Array.from({ length: 250 }, (_, i) => pod(`p${String(i).padStart(3, '0')}`, {}, ready(`10.0.${Math.floor(i / 250)}.${i % 250}`)));
  const first = planEndpointSlices({ service: service(), pods, slices: [] });
  assert.deepEqual(first.create.map((s) => (s.endpoints as any[]).length), [100, 100, 50]);
  const stored = first.create.map((s, i) => ({ ...s, metadata: { ...s.metadata, name: `web-${i}`, resourceVersion: String(i + 1) } }));
  assert.deepEqual(planEndpointSlices({ service: service(), pods, slices: stored }), { create: [], update: [], delete: [] }, 'nothing to do when current');
  // One pod goes not ready: only its slice changes.
  const flipped = pods.map((p) => (p.metadata.name === 'p150' ? { ...p, status: { ...p.status, conditions: [{ type: 'Ready', status: 'False' }] } } : p));
  const plan = planEndpointSlices({ service: service(), pods: flipped, slices: stored });
  assert.deepEqual(plan.update.map((s) => s.metadata.name), ['web-1']);
  assert.equal((plan.update[0].endpoints as any[]).find((e) => e.targetRef.name === 'p150').conditions.ready, false);
  // A new pod goes into the slice with room rather than a new slice.
  const more = planEndpointSlices({ service: service(), pods: [...pods, pod('zz', {}, ready('10.1.0.1'))], slices: stored });
  assert.deepEqual([more.create.length, more.update.map((s) => s.metadata.name)], [0, ['web-2']]);
  // Pods gone: empty slices deleted.
  const fewer = planEndpointSlices({ service: service(), pods: pods.slice(0, 100), slices: stored });
  assert.deepEqual(fewer.delete.map((s) => s.metadata.name).sort(), ['web-1', 'web-2']);
});

test('slices: a Service without endpoints keeps one placeholder; a port change replaces slices', () => {
  const none = planEndpointSlices({ service: service(), pods: [], slices: [] });
  assert.equal(none.create.length, 1);
  assert.deepEqual([none.create[0].endpoints, none.create[0].ports], [[], undefined]);
  const placeholder = { ...none.create[0], metadata: { ...none.create[0].metadata, name: 'web-ph' } };
  assert.deepEqual(planEndpointSlices({ service: service(), pods: [], slices: [placeholder] }), { create: [], update: [], delete: [] });
  const withPod = planEndpointSlices({ service: service(), pods: [pod('a', {}, ready('10.0.0.1'))], slices: [placeholder] });
  assert.deepEqual([withPod.create.length, withPod.delete.map((s) => s.metadata.name)], [1, ['web-ph']]);
  const stored = { ...withPod.create[0], metadata: { ...withPod.create[0].metadata, name: 'web-a' } };
  const renumbered = planEndpointSlices({ service: service({ ports: [{ name: 'http', port: 80, targetPort: 9090, protocol: 'TCP' }] }), pods: [pod('a', {}, ready('10.0.0.1'))], slices: [stored] });
  assert.deepEqual(renumbered.delete.map((s) => s.metadata.name), ['web-a']);
  assert.deepEqual(renumbered.create[0].ports, [{ name: 'http', port: 9090, protocol: 'TCP' }]);
});
