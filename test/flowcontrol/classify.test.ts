// APF classification against Kubernetes' bootstrap configuration (table), share division, and
// shuffle sharding's hands.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classify, compileSchema, flowDistinguisher, matchesNonResourceRule, sortSchemas, type RequestDigest } from '../../src/apiserver/flowcontrol/classify.ts';
import { MANDATORY_FLOW_SCHEMAS, SUGGESTED_FLOW_SCHEMAS, MANDATORY_PRIORITY_LEVELS, SUGGESTED_PRIORITY_LEVELS } from '../../src/apiserver/flowcontrol/bootstrap.ts';
import { nominalLimits, sharesOf } from '../../src/apiserver/flowcontrol/limits.ts';
import { dealHand, flowHash } from '../../src/apiserver/flowcontrol/shuffle.ts';
import type { UserInfo } from '../../src/apiserver/index.ts';

const schemas = sortSchemas(
  [...MANDATORY_FLOW_SCHEMAS, ...SUGGESTED_FLOW_SCHEMAS].map((b, i) => compileSchema({ apiVersion: 'x', kind: 'FlowSchema', metadata: { name: b.name, uid: `uid-${i}` }, spec: b.spec })),
);

const u = (username: string, ...groups: string[]): UserInfo => ({ username, groups: [...groups, 'system:authenticated'] });
const res = (user: UserInfo, verb: string, resource: string, namespace?: string, apiGroup = '', subresource?: string): RequestDigest => ({ user, verb, resource: { apiGroup, resource, namespace, subresource } });

test('classification: the first matching schema by precedence, then name', () => {
  const cases: [string, RequestDigest, string, string][] = [
    ['admin (system:masters)', res(u('kubernetes-admin', 'system:masters'), 'list', 'pods', 'default'), 'exempt', ''],
    ['a kubelet updating its node status', res(u('system:node:n1', 'system:nodes'), 'update', 'nodes', undefined, '', 'status'), 'system-node-high', 'system:node:n1'],
    ['a kubelet renewing its lease', res(u('system:node:n1', 'system:nodes'), 'update', 'leases', 'kube-node-lease', 'coordination.k8s.io'), 'system-node-high', 'system:node:n1'],
    ['a kubelet reading a secret', res(u('system:node:n1', 'system:nodes'), 'get', 'secrets', 'prod'), 'system-nodes', 'system:node:n1'],
    ['the node pool heartbeat', res(u('system:kubesim:node-pool', 'system:kubesim:node-pools'), 'patch', 'nodes', undefined, '', 'status'), 'kubesim-node-pool-high', 'system:kubesim:node-pool'],
    ['the node pool writing pod status', res(u('system:kubesim:node-pool', 'system:kubesim:node-pools'), 'update', 'pods', 'default', '', 'status'), 'kubesim-node-pool', 'system:kubesim:node-pool'],
    ['scheduler leader election (lease)', res(u('system:kube-scheduler'), 'update', 'leases', 'kube-system', 'coordination.k8s.io'), 'system-leader-election', 'system:kube-scheduler'],
    ['scheduler binding a pod', res(u('system:kube-scheduler'), 'create', 'pods', 'default', '', 'binding'), 'kube-scheduler', 'default'],
    ['controller-manager writing endpoints', res(u('system:kube-controller-manager'), 'update', 'endpoints', 'default'), 'endpoint-controller', 'system:kube-controller-manager'],
    ['controller-manager listing deployments', res(u('system:kube-controller-manager'), 'list', 'deployments', undefined, 'apps'), 'kube-controller-manager', ''],
    ['a kube-system service account', res(u('system:serviceaccount:kube-system:coredns', 'system:serviceaccounts'), 'watch', 'services'), 'kube-system-service-accounts', ''],
    ['a kube-system SA leader election in another namespace', res(u('system:serviceaccount:kube-system:op', 'system:serviceaccounts'), 'get', 'configmaps', 'ops'), 'workload-leader-election', 'system:serviceaccount:kube-system:op'],
    ['an app service account', res(u('system:serviceaccount:prod:web', 'system:serviceaccounts'), 'get', 'configmaps', 'prod'), 'service-accounts', 'system:serviceaccount:prod:web'],
    ['a user', res(u('alice'), 'list', 'pods', 'prod'), 'global-default', 'alice'],
    ['anonymous', { user: { username: 'system:anonymous', groups: ['system:unauthenticated'] }, verb: 'get', path: '/version' }, 'global-default', 'system:anonymous'],
    ['a probe', { user: { username: 'system:anonymous', groups: ['system:unauthenticated'] }, verb: 'get', path: '/readyz' }, 'probes', ''],
  ];
  for (const [what, d, want, flow] of cases) {
    const got = classify(schemas, d);
    assert.equal(got?.name, want, what);
    assert.equal(flowDistinguisher(got!, d), flow, `${what}: distinguisher`);
  }
});

test('classification skips schemas whose priority level is missing (dangling)', () => {
  const d = res(u('alice'), 'get', 'pods', 'a');
  assert.equal(classify(schemas, d, (l) => l !== 'global-default')?.name, 'catch-all');
});

test('rules: namespaces, clusterScope, subresources, non-resource globs, service account subjects', () => {
  const rule = { subjects: [{ kind: 'ServiceAccount', serviceAccount: { namespace: 'ns1', name: 'robot' } }], resourceRules: [{ verbs: ['get'], apiGroups: ['apps'], resources: ['deployments/scale'], namespaces: ['ns1'] }] };
  const s = sortSchemas([compileSchema({ apiVersion: 'x', kind: 'FlowSchema', metadata: { name: 'r', uid: 'u' }, spec: { matchingPrecedence: 10, priorityLevelConfiguration: { name: 'l' }, rules: [rule] } })]);
  const robot = u('system:serviceaccount:ns1:robot', 'system:serviceaccounts');
  assert.equal(classify(s, res(robot, 'get', 'deployments', 'ns1', 'apps', 'scale'))?.name, 'r');
  assert.equal(classify(s, res(robot, 'get', 'deployments', 'ns1', 'apps')), undefined, 'resource without the subresource');
  assert.equal(classify(s, res(robot, 'get', 'deployments', 'ns2', 'apps', 'scale')), undefined, 'other namespace');
  assert.equal(classify(s, res(robot, 'get', 'deployments', undefined, 'apps', 'scale')), undefined, 'cluster scope not allowed');
  assert.equal(classify(s, res(robot, 'list', 'deployments', 'ns1', 'apps', 'scale')), undefined, 'other verb');
  assert.equal(classify(s, res(u('system:serviceaccount:ns1:robot2'), 'get', 'deployments', 'ns1', 'apps', 'scale')), undefined, 'other SA');
  assert.ok(matchesNonResourceRule({ verbs: ['get'], nonResourceURLs: ['/healthz/*'] }, 'get', '/healthz/etcd'));
  // Kubernetes' APF (unlike RBAC) lets a URL without '*' cover what is below it
  assert.ok(matchesNonResourceRule({ verbs: ['get'], nonResourceURLs: ['/healthz'] }, 'get', '/healthz/etcd'));
  assert.ok(!matchesNonResourceRule({ verbs: ['get'], nonResourceURLs: ['/healthz'] }, 'get', '/healthzz'));
  assert.ok(matchesNonResourceRule({ verbs: ['*'], nonResourceURLs: ['*'] }, 'post', '/anything'));
});

test('share division: ceil(serverCL * NCS / sum) over the bootstrap levels', () => {
  const levels = [...MANDATORY_PRIORITY_LEVELS, ...SUGGESTED_PRIORITY_LEVELS].map((b) => ({ name: b.name, shares: sharesOf({ apiVersion: 'x', kind: 'x', metadata: {}, spec: b.spec }) }));
  const got = Object.fromEntries(nominalLimits(600, levels));
  // sum of shares = 5 + 30 + 40 + 10 + 40 + 100 + 20 = 245 (exempt: 0)
  assert.deepEqual(got, { exempt: 0, 'catch-all': 13, system: 74, 'node-high': 98, 'leader-election': 25, 'workload-high': 98, 'workload-low': 245, 'global-default': 49 });
  assert.deepEqual(Object.fromEntries(nominalLimits(4, [{ name: 'a', shares: 1 }, { name: 'b', shares: 3 }, { name: 'c', shares: 0 }])), { a: 1, b: 3, c: 0 });
  assert.deepEqual(Object.fromEntries(nominalLimits(10, [{ name: 'a', shares: 1 }, { name: 'b', shares: 2 }])), { a: 4, b: 7 });
});

test('shuffle sharding: a flow always gets the same hand of distinct queues', () => {
  const h = flowHash('global-default', 'alice');
  assert.equal(h, flowHash('global-default', 'alice'));
  assert.notEqual(h, flowHash('global-default', 'bob'));
  assert.deepEqual(dealHand(h, 128, 6), dealHand(h, 128, 6));
  // a hand is a set of distinct cards within the deck, whatever the hash
  for (let i = 0; i < 500; i++) {
    const hand = dealHand(flowHash('s', `user-${i}`), 16, 4);
    assert.equal(new Set(hand).size, 4, `hand ${hand}`);
    assert.ok(hand.every((c) => c >= 0 && c < 16));
  }
  // every card of the deck turns up over many flows
  const seen = new Set<number>();
  for (let i = 0; i < 200; i++) for (const c of dealHand(flowHash('s', `f${i}`), 8, 2)) seen.add(c);
  assert.equal(seen.size, 8);
  // the digits of the hash in mixed radix: 5 = 1*4 + 1 → remainders [1 (mod 4), 1 (mod 3)] → cards 1, 2
  assert.deepEqual(dealHand(5n, 4, 2), [1, 2]);
  assert.throws(() => dealHand(1n, 2, 3));
});
