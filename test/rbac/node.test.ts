// The Node authorizer and NodeRestriction: system:node:n1 reads only what its pods reference,
// changes only its own Node and Lease and the pods bound to it, creates no pods, writes events.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, req } from '../apiserver/helpers.ts';
import type { RunningApiServer } from '../../src/apiserver/index.ts';
import { authorizeNode, podRefs } from '../../src/apiserver/rbac/node.ts';
import { nodeRestrictionProblem } from '../../src/apiserver/pipeline/node-restriction.ts';
import { ADMIN, as, testAuthenticator } from './helpers.ts';

let srv: RunningApiServer;
const n1 = as('system:node:n1', ['system:nodes']);

const podOn = (name: string, node: string, secret: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name },
  spec: { nodeName: node, volumes: [{ name: 'v', secret: { secretName: secret } }], containers: [{ name: 'c', image: 'nginx', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: `${name}-cm`, key: 'k' } } }] }] },
});

before(async () => {
  srv = await startTestServer({ authorizationModes: ['Node', 'RBAC'], pipeline: { authenticators: [testAuthenticator()] } });
  for (const n of ['n1', 'n2']) assert.equal((await req(srv.url, 'POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name: n } }, ADMIN)).status, 201);
  for (const s of ['s1', 's2']) assert.equal((await req(srv.url, 'POST', '/api/v1/namespaces/default/secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: s } }, ADMIN)).status, 201);
  assert.equal((await req(srv.url, 'POST', '/api/v1/namespaces/default/pods', podOn('p1', 'n1', 's1'), ADMIN)).status, 201);
  assert.equal((await req(srv.url, 'POST', '/api/v1/namespaces/default/pods', podOn('p2', 'n2', 's2'), ADMIN)).status, 201);
});
after(() => srv.close());

test('podRefs: what a pod references', () => {
  const r = podRefs({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns' }, spec: { ...podOn('p', 'n1', 's').spec, imagePullSecrets: [{ name: 'pull' }], serviceAccountName: 'sa' } });
  assert.deepEqual([...r.refs].sort(), ['configmaps/p-cm', 'secrets/pull', 'secrets/s', 'serviceaccounts/sa']);
  assert.equal(r.node, 'n1');
});

test('authorizeNode and nodeRestrictionProblem tables', () => {
  const graph = { related: (node: string, ns: string, res: string, name: string) => node === 'n1' && ns === 'default' && res === 'secrets' && name === 's1' };
  const at = (verb: string, group: string, resource: string, namespace?: string, name?: string) => ({ user: { username: 'system:node:n1', groups: ['system:nodes'] }, info: { verb: verb as any, group, version: 'v1', resource, namespace, name, path: '' }, req: undefined as any });
  const cases: [string, ReturnType<typeof at>, string][] = [
    ['own pod secret', at('get', '', 'secrets', 'default', 's1'), 'allow'],
    ['other secret', at('get', '', 'secrets', 'default', 's2'), 'noOpinion'],
    ['list secrets', at('list', '', 'secrets', 'default'), 'noOpinion'],
    ['own lease', at('update', 'coordination.k8s.io', 'leases', 'kube-node-lease', 'n1'), 'allow'],
    ['other lease', at('update', 'coordination.k8s.io', 'leases', 'kube-node-lease', 'n2'), 'noOpinion'],
    ['lease elsewhere', at('get', 'coordination.k8s.io', 'leases', 'default', 'n1'), 'noOpinion'],
    ['node rules: list pods', at('list', '', 'pods'), 'allow'],
    ['node rules: no deployments', at('list', 'apps', 'deployments'), 'noOpinion'],
  ];
  for (const [what, a, want] of cases) assert.equal(authorizeNode(graph, 'n1', a), want, what);
  const rt = (group: string, plural: string) => ({ group, plural }) as any;
  assert.equal(nodeRestrictionProblem('n1', { operation: 'UPDATE', rt: rt('', 'nodes'), name: 'n2' }), 'node "n1" is not allowed to modify node "n2"');
  assert.equal(nodeRestrictionProblem('n1', { operation: 'UPDATE', rt: rt('', 'nodes'), subresource: 'status', name: 'n1' }), undefined);
  assert.equal(nodeRestrictionProblem('n1', { operation: 'DELETE', rt: rt('', 'pods'), name: 'p', oldObject: { spec: { nodeName: 'n2' } } as any }), 'node "n1" can only delete pods with spec.nodeName set to itself');
});

test('through HTTP: own things allowed, others refused with Kubernetes messages', async () => {
  assert.equal((await req(srv.url, 'GET', '/api/v1/namespaces/default/secrets/s1', undefined, n1)).status, 200);
  const other = await req(srv.url, 'GET', '/api/v1/namespaces/default/secrets/s2', undefined, n1);
  assert.equal(other.status, 403);
  assert.equal(other.body.message, `secrets "s2" is forbidden: User "system:node:n1" cannot get resource "secrets" in API group "" in the namespace "default": no relationship found between node 'n1' and this object`);
  const list = await req(srv.url, 'GET', '/api/v1/namespaces/default/secrets', undefined, n1);
  assert.equal(list.status, 403);
  assert.equal(list.body.message, 'secrets is forbidden: User "system:node:n1" cannot list resource "secrets" in API group "" in the namespace "default": No Object name found');
  const otherLease = await req(srv.url, 'GET', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n2', undefined, n1);
  assert.equal(otherLease.body.message, 'leases.coordination.k8s.io "n2" is forbidden: User "system:node:n1" cannot get resource "leases" in API group "coordination.k8s.io" in the namespace "kube-node-lease": can only access node lease with the same name as the requesting node');

  const node = async (name: string) => (await req(srv.url, 'GET', `/api/v1/nodes/${name}`, undefined, n1)).body;
  const own = await node('n1');
  assert.equal((await req(srv.url, 'PUT', '/api/v1/nodes/n1/status', { ...own, status: { conditions: [{ type: 'Ready', status: 'True' }] } }, n1)).status, 200);
  const n2 = await node('n2');
  const wrong = await req(srv.url, 'PUT', '/api/v1/nodes/n2/status', { ...n2, status: { conditions: [] } }, n1);
  assert.equal(wrong.status, 403);
  assert.equal(wrong.body.message, 'nodes "n2" is forbidden: node "n1" is not allowed to modify node "n2"');

  const lease = (name: string) => ({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name }, spec: { holderIdentity: name } });
  assert.equal((await req(srv.url, 'POST', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases', lease('n1'), n1)).status, 201);
  const l2 = await req(srv.url, 'POST', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases', lease('n2'), n1);
  assert.equal(l2.status, 403);
  assert.equal(l2.body.message, 'leases.coordination.k8s.io "n2" is forbidden: can only access node lease with the same name as the requesting node');

  const pod = async (name: string) => (await req(srv.url, 'GET', `/api/v1/namespaces/default/pods/${name}`, undefined, n1)).body;
  assert.equal((await req(srv.url, 'PUT', '/api/v1/namespaces/default/pods/p1/status', { ...(await pod('p1')), status: { phase: 'Running' } }, n1)).status, 200);
  const ps = await req(srv.url, 'PUT', '/api/v1/namespaces/default/pods/p2/status', { ...(await pod('p2')), status: { phase: 'Running' } }, n1);
  assert.equal(ps.status, 403);
  assert.equal(ps.body.message, 'pods "p2" is forbidden: node "n1" can only update pod status for pods with spec.nodeName set to itself');
  assert.equal((await req(srv.url, 'DELETE', '/api/v1/namespaces/default/pods/p2', undefined, n1)).status, 403);
  const create = await req(srv.url, 'POST', '/api/v1/namespaces/default/pods', podOn('p3', 'n1', 's1'), n1);
  assert.equal(create.status, 403);
  assert.equal(create.body.message, 'pods "p3" is forbidden: pod does not have "kubernetes.io/config.mirror" annotation, node "n1" can only create mirror pods');
  const ev = { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e1' }, involvedObject: { kind: 'Node', name: 'n1' }, reason: 'Starting', message: 'm', type: 'Normal' };
  assert.equal((await req(srv.url, 'POST', '/api/v1/namespaces/default/events', ev, n1)).status, 201);
  const evict = (pod: string) => req(srv.url, 'POST', `/api/v1/namespaces/default/pods/${pod}/eviction`, { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: pod } }, n1);
  const e2 = await evict('p2');
  assert.equal(e2.status, 403);
  assert.equal(e2.body.message, 'pods "p2" is forbidden: node n1 can only evict pods with spec.nodeName set to itself');
  assert.equal(((await pod('p2')).status?.conditions ?? []).some((c: any) => c.type === 'DisruptionTarget'), false, 'nothing written');
  const e1 = await evict('p1');
  assert.equal(e1.status, 201, e1.text);
});
