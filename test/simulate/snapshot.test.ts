// Snapshots: parsing (multi-document YAML, kubectl's v1 List, a typed PodList), the restore plan
// (what is skipped, owners first, nodes as pools), and a snapshot restored into `kubesim simulate`:
// the same object names, pods bound to the snapshot's nodes, no controller re-creating anything.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { stringify } from 'yaml';
import { nodePools, parseSnapshot, planRestore, cleanForCreate, toYaml } from '../../src/snapshot/index.ts';
import { simulate } from '../../src/simulate/index.ts';
import type { KubeObject } from '../../src/api/types.ts';

const template = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx', resources: { requests: { cpu: '500m', memory: '256Mi' } } }] } };
const node = (name: string, zone: string): KubeObject => ({ apiVersion: 'v1', kind: 'Node', metadata: { name, uid: `u-${name}`, labels: { 'kubernetes.io/hostname': name, 'topology.kubernetes.io/zone': zone, pool: 'big' } }, spec: { taints: [{ key: 'dedicated', value: 'shop', effect: 'NoSchedule' }] }, status: { capacity: { cpu: '2', memory: '8Gi', pods: '20' } } });
const pod = (name: string, nodeName: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'shop', uid: `u-${name}`, resourceVersion: '77', labels: { app: 'web', 'pod-template-hash': 'abc' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-abc', uid: 'u-rs', controller: true, blockOwnerDeletion: true }] },
  spec: { ...structuredClone(template.spec), nodeName, tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'shop', effect: 'NoSchedule' }] },
  status: { phase: 'Running', conditions: [{ type: 'PodScheduled', status: 'True' }, { type: 'Ready', status: 'True' }] },
});
const SNAPSHOT: KubeObject[] = [
  // dependents before owners, as a careless dump might list them
  pod('web-abc-x1', 'worker-a'),
  pod('web-abc-x2', 'worker-b'),
  { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web-abc', namespace: 'shop', uid: 'u-rs', labels: { app: 'web', 'pod-template-hash': 'abc' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'u-deploy', controller: true }] }, spec: { replicas: 2, selector: { matchLabels: { app: 'web', 'pod-template-hash': 'abc' } }, template: { metadata: { labels: { app: 'web', 'pod-template-hash': 'abc' } }, spec: { ...structuredClone(template.spec), tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'shop', effect: 'NoSchedule' }] } } } },
  { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop', uid: 'u-deploy', generation: 3 }, spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { ...structuredClone(template.spec), tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'shop', effect: 'NoSchedule' }] } } }, status: { replicas: 2 } },
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'shop', uid: 'u-svc' }, spec: { clusterIP: '172.20.9.9', clusterIPs: ['172.20.9.9'], selector: { app: 'web' }, ports: [{ port: 80 }] } },
  { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'web', namespace: 'shop' }, subsets: [] },
  { apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/service-account-token', metadata: { name: 'default-token-x', namespace: 'shop' } },
  { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kube-root-ca.crt', namespace: 'shop' }, data: { 'ca.crt': 'x' } },
  { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'shop' }, data: { mode: 'fast' } },
  { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'worker-a', namespace: 'kube-node-lease' }, spec: {} },
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', uid: 'u-ns' } },
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default', uid: 'u-default' } },
  node('worker-a', 'z1'),
  node('worker-b', 'z2'),
];

test('parseSnapshot reads multi-document YAML, a kubectl v1 List and a typed list', () => {
  const multi = parseSnapshot(toYaml(SNAPSHOT.slice(0, 3)));
  assert.deepEqual(multi.map((o) => o.metadata.name), ['web-abc-x1', 'web-abc-x2', 'web-abc']);
  const list = parseSnapshot(stringify({ apiVersion: 'v1', kind: 'List', items: SNAPSHOT.slice(10, 12), metadata: { resourceVersion: '' } }));
  assert.deepEqual(list.map((o) => `${o.kind}/${o.metadata.name}`), ['Namespace/shop', 'Namespace/default']);
  const typed = parseSnapshot(JSON.stringify({ apiVersion: 'v1', kind: 'PodList', items: [{ metadata: { name: 'p', namespace: 'x' }, spec: {} }] }));
  assert.deepEqual([typed[0].apiVersion, typed[0].kind], ['v1', 'Pod']);
  for (const bad of ['a: [', 'just: text', 'kind: Pod\nmetadata: {}']) assert.throws(() => parseSnapshot(bad), /document 1/);
});

test('planRestore: nodes apart, what the target makes itself skipped, owners before dependents', () => {
  const plan = planRestore(SNAPSHOT);
  assert.deepEqual(plan.nodes.map((n) => n.metadata.name), ['worker-a', 'worker-b']);
  assert.deepEqual(plan.skipped.map((s) => s.object), ['Endpoints shop/web', 'Secret shop/default-token-x', 'ConfigMap shop/kube-root-ca.crt', 'Lease kube-node-lease/worker-a']);
  assert.deepEqual(plan.objects.map((o) => `${o.kind}/${o.metadata.name}`), ['Namespace/shop', 'Namespace/default', 'ConfigMap/settings', 'Service/web', 'Deployment/web', 'ReplicaSet/web-abc', 'Pod/web-abc-x1', 'Pod/web-abc-x2']);
  const svc = cleanForCreate(SNAPSHOT[4]);
  assert.equal(svc.spec.clusterIP, undefined);
  const p = cleanForCreate(SNAPSHOT[0]);
  assert.equal(p.metadata.uid, undefined);
  assert.equal(p.metadata.resourceVersion, undefined);
  assert.equal(p.status, undefined);
  assert.equal(p.spec.nodeName, 'worker-a');
  const pools = nodePools(plan.nodes);
  assert.equal(pools.length, 2, 'the zone label differs: two pools');
  assert.deepEqual(pools[0], { names: ['worker-a'], cpu: '2', memory: '8Gi', pods: 20, ephemeralStorage: undefined, labels: { pool: 'big', 'topology.kubernetes.io/zone': 'z1' }, taints: [{ key: 'dedicated', value: 'shop', effect: 'NoSchedule' }] });
  assert.equal(nodePools([node('a', 'z'), node('b', 'z')]).length, 1, 'same shape: one pool');
});

test('a snapshot restored into simulate keeps its names, bindings and owners; controllers adopt, nothing is recreated', async () => {
  const scenario = { name: 'from-snapshot', duration: 600_000, measure: 300_000, nodeGroups: [], scheduler: { policy: 'spread' as const }, actions: [], generators: [], faults: [], assertions: [] };
  const { report } = await simulate(scenario, { snapshot: parseSnapshot(toYaml(SNAPSHOT)) });
  assert.deepEqual(report.snapshot?.errors, []);
  assert.equal(report.snapshot?.nodes, 2);
  assert.equal(report.snapshot?.skipped, 4);
  assert.ok(report.snapshot!.existing >= 1, 'the default namespace was there');
  const rows = report.intervals;
  assert.deepEqual(rows.map((r) => [r.nodes, r.nodesReady, r.podsTotal, r.podsRunning, r.podsPending]), [[2, 2, 2, 2, 0], [2, 2, 2, 2, 0]]);
  const digest = createHash('sha256').update(['shop/web-abc-x1=worker-a', 'shop/web-abc-x2=worker-b'].join('\n')).digest('hex').slice(0, 12);
  assert.equal(rows[1].placementDigest, digest, 'the same pods on the same nodes');
  assert.equal(rows[1].cpuRequestedMilliPerNode.mean, 500);
});

test('a CRD and its custom objects restore in one pass (the kinds are looked up again after the CRD)', async () => {
  const crd = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.com', uid: 'crd1' },
    spec: { group: 'example.com', scope: 'Namespaced', names: { plural: 'widgets', singular: 'widget', kind: 'Widget' }, versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }] },
  };
  const widget = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w1', namespace: 'default', uid: 'w1' }, spec: { size: 3 } };
  const scenario = { name: 'crd', duration: 60_000, measure: 60_000, nodeGroups: [], scheduler: { policy: 'spread' as const }, actions: [], generators: [], faults: [], assertions: [] };
  const { report } = await simulate(scenario, { snapshot: [widget, crd] as KubeObject[] });
  assert.deepEqual(report.snapshot?.errors, []);
  assert.equal(report.snapshot?.created, 2);
});
