// NodeRestriction on a node's own Node: it may register only with kubelet labels in the
// kubernetes.io / k8s.io namespaces, never add, change or remove node-restriction.kubernetes.io
// labels or unknown kubernetes.io labels, and not change its taints; with Kubernetes' messages.
// The node pool's own registration labels stay allowed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, req } from '../apiserver/helpers.ts';
import type { RunningApiServer } from '../../src/apiserver/index.ts';
import { forbiddenNodeLabels, isKubeletLabel, modifiedLabels } from '../../src/api/core/index.ts';
import { nodeRestrictionProblem } from '../../src/apiserver/pipeline/node-restriction.ts';
import { buildNode } from '../../src/node/nodeobj.ts';
import { ADMIN, as, testAuthenticator } from './helpers.ts';

test('isKubeletLabel: Kubernetes\' kubelet label list and namespaces', () => {
  const cases: [string, boolean][] = [
    ['kubernetes.io/hostname', true],
    ['kubernetes.io/arch', true],
    ['kubernetes.io/os', true],
    ['beta.kubernetes.io/arch', true],
    ['beta.kubernetes.io/os', true],
    ['beta.kubernetes.io/instance-type', true],
    ['node.kubernetes.io/instance-type', true],
    ['topology.kubernetes.io/zone', true],
    ['topology.kubernetes.io/region', true],
    ['failure-domain.beta.kubernetes.io/zone', true],
    ['failure-domain.beta.kubernetes.io/region', true],
    ['kubelet.kubernetes.io/anything', true],
    ['foo.kubelet.kubernetes.io/anything', true],
    ['node.kubernetes.io/whatever', true],
    ['bar.node.kubernetes.io/whatever', true],
    ['beta.kubernetes.io/fluentd-ds-ready', false],
    ['node-role.kubernetes.io/worker', false],
    ['kubernetes.io/role', false],
    ['topology.kubernetes.io/rack', false],
    ['xnode.kubernetes.io/x', false],
    ['example.com/x', false],
  ];
  for (const [key, want] of cases) assert.equal(isKubeletLabel(key), want, key);
});

test('forbiddenNodeLabels and modifiedLabels', () => {
  const cases: [string[], string[]][] = [
    [['kubernetes.io/hostname', 'example.com/team', 'plain'], []],
    [['node-restriction.kubernetes.io/pci'], ['node-restriction.kubernetes.io/pci']],
    [['tier.node-restriction.kubernetes.io/x'], ['tier.node-restriction.kubernetes.io/x']],
    [['node-role.kubernetes.io/worker', 'k8s.io/thing', 'sub.k8s.io/thing', 'example.k8s.io.evil.com/x'], ['k8s.io/thing', 'node-role.kubernetes.io/worker', 'sub.k8s.io/thing']],
    [['node.kubernetes.io/exclude-from-external-load-balancers', 'kubelet.kubernetes.io/x'], []],
  ];
  for (const [keys, want] of cases) assert.deepEqual(forbiddenNodeLabels(keys), want, keys.join(','));
  assert.deepEqual(modifiedLabels({ a: '1', b: '2', c: '3' }, { a: '1', b: 'x', d: '4' }).sort(), ['b', 'c', 'd']);
  assert.deepEqual(modifiedLabels(undefined, {}), []);
});

test("the node pool's registration labels (all shapes) stay allowed", () => {
  const shape = { cpu: '4', memory: '8Gi', pods: 110, ephemeralStorage: '100Gi', labels: {}, taints: [], zones: ['eu-west-1a', 'eu-west-1b'], instanceType: 'kubesim.large', kubeletUrl: 'http://127.0.0.1:1', kubeletPort: 1 };
  for (const i of [0, 1]) {
    const node = buildNode(`kubesim-node-${i}`, i, shape, Date.UTC(2026, 0, 1));
    assert.deepEqual(forbiddenNodeLabels(Object.keys(node.metadata.labels!)), [], JSON.stringify(node.metadata.labels));
  }
});

test('nodeRestrictionProblem on the own Node: a table', () => {
  const rt = { group: '', plural: 'nodes' } as any;
  const n = (labels: Record<string, string>, taints?: unknown[]) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', labels }, spec: taints ? { taints } : {} }) as any;
  const base = { 'kubernetes.io/hostname': 'n1', 'node-restriction.kubernetes.io/pci': 'true', 'node-role.kubernetes.io/worker': '' };
  const taint = { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' };
  const cases: [string, any, string | undefined][] = [
    ['create with kubelet labels', { operation: 'CREATE', object: n({ 'kubernetes.io/hostname': 'n1', 'topology.kubernetes.io/zone': 'a', 'example.com/x': 'y' }) }, undefined],
    ['create with restricted labels', { operation: 'CREATE', object: n({ 'node-role.kubernetes.io/worker': '', 'node-restriction.kubernetes.io/pci': 'true', 'kubernetes.io/hostname': 'n1' }) },
      'node "n1" is not allowed to set the following labels: node-restriction.kubernetes.io/pci, node-role.kubernetes.io/worker'],
    ['create with taints is fine', { operation: 'CREATE', object: n({}, [taint]) }, undefined],
    ['update keeping restricted labels', { operation: 'UPDATE', object: n({ ...base, 'example.com/x': 'new' }), oldObject: n(base) }, undefined],
    ['update adding a restriction label', { operation: 'UPDATE', object: n({ ...base, 'node-restriction.kubernetes.io/gpu': 'true' }), oldObject: n(base) },
      'is not allowed to modify labels: node-restriction.kubernetes.io/gpu'],
    ['update changing one', { operation: 'UPDATE', object: n({ ...base, 'node-restriction.kubernetes.io/pci': 'false' }), oldObject: n(base) },
      'is not allowed to modify labels: node-restriction.kubernetes.io/pci'],
    ['update removing two', { operation: 'UPDATE', object: n({ 'kubernetes.io/hostname': 'n1' }), oldObject: n(base) },
      'is not allowed to modify labels: node-restriction.kubernetes.io/pci, node-role.kubernetes.io/worker'],
    ['update changing a kubelet label', { operation: 'UPDATE', object: n({ ...base, 'kubernetes.io/hostname': 'other' }), oldObject: n(base) }, undefined],
    ['status update with the same taints', { operation: 'UPDATE', subresource: 'status', object: n(base, [taint]), oldObject: n(base, [taint]) }, undefined],
    ['nil and empty taints are the same', { operation: 'UPDATE', object: n(base, []), oldObject: n(base) }, undefined],
    ['update removing a taint', { operation: 'UPDATE', object: n(base), oldObject: n(base, [taint]) }, 'node "n1" is not allowed to modify taints'],
    ['update adding a taint', { operation: 'UPDATE', object: n(base, [taint]), oldObject: n(base) }, 'node "n1" is not allowed to modify taints'],
    ['delete', { operation: 'DELETE', name: 'n1', oldObject: n(base) }, undefined],
  ];
  for (const [what, a, want] of cases) assert.equal(nodeRestrictionProblem('n1', { rt, name: 'n1', ...a }), want, what);
});

let srv: RunningApiServer;
before(async () => {
  srv = await startTestServer({ authorizationModes: ['Node', 'RBAC'], pipeline: { authenticators: [testAuthenticator()] } });
});
after(() => srv.close());

test('through HTTP: a node registers and relabels itself within the rules; the refusals are 403 with nothing written', async () => {
  const n3 = as('system:node:n3', ['system:nodes']);
  const node = (labels: Record<string, string>) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'n3', labels } });
  const refused = await req(srv.url, 'POST', '/api/v1/nodes', node({ 'kubernetes.io/hostname': 'n3', 'node-role.kubernetes.io/worker': '' }), n3);
  assert.equal(refused.status, 403);
  assert.equal(refused.body.reason, 'Forbidden');
  assert.equal(refused.body.message, 'nodes "n3" is forbidden: node "n3" is not allowed to set the following labels: node-role.kubernetes.io/worker');
  assert.equal((await req(srv.url, 'GET', '/api/v1/nodes/n3', undefined, ADMIN)).status, 404, 'nothing written');
  assert.equal((await req(srv.url, 'POST', '/api/v1/nodes', node({ 'kubernetes.io/hostname': 'n3', 'kubernetes.io/os': 'linux', 'team.example.com/owner': 'a' }), n3)).status, 201);
  // the administrator may set any label; the node keeps it but may not change it
  const merge = { 'Content-Type': 'application/merge-patch+json' };
  const adminLabel = await req(srv.url, 'PATCH', '/api/v1/nodes/n3', { metadata: { labels: { 'node-restriction.kubernetes.io/pci': 'true' } }, spec: { taints: [{ key: 'dedicated', value: 'pci', effect: 'NoSchedule' }] } }, { ...ADMIN, ...merge });
  assert.equal(adminLabel.status, 200, adminLabel.text);
  assert.equal((await req(srv.url, 'PATCH', '/api/v1/nodes/n3', { metadata: { labels: { 'team.example.com/owner': 'b' } } }, { ...n3, ...merge })).status, 200);
  const relabel = await req(srv.url, 'PATCH', '/api/v1/nodes/n3', { metadata: { labels: { 'node-restriction.kubernetes.io/pci': null } } }, { ...n3, ...merge });
  assert.equal(relabel.status, 403);
  assert.equal(relabel.body.message, 'nodes "n3" is forbidden: is not allowed to modify labels: node-restriction.kubernetes.io/pci');
  const untaint = await req(srv.url, 'PATCH', '/api/v1/nodes/n3', { spec: { taints: null } }, { ...n3, ...merge });
  assert.equal(untaint.status, 403);
  assert.equal(untaint.body.message, 'nodes "n3" is forbidden: node "n3" is not allowed to modify taints');
  const now = (await req(srv.url, 'GET', '/api/v1/nodes/n3', undefined, ADMIN)).body;
  assert.equal(now.metadata.labels['node-restriction.kubernetes.io/pci'], 'true');
  assert.equal(now.metadata.labels['team.example.com/owner'], 'b');
  assert.equal(now.spec.taints.length, 1);
  // its status goes through as before
  assert.equal((await req(srv.url, 'PUT', '/api/v1/nodes/n3/status', { ...now, status: { conditions: [{ type: 'Ready', status: 'True' }] } }, n3)).status, 200);
});
