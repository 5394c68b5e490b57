// RBAC's pure rules: rule matching (verbs, groups, resources with subresources and "*/scale",
// resourceNames, nonResourceURLs with a trailing *), subjects, escalation covers() and its message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PolicyRule } from '../../src/api/kinds/rbac.ts';
import { ruleAllows, subjectMatches, type AuthzAttributes } from '../../src/apiserver/rbac/rules.ts';
import { covers, escalationMessage } from '../../src/apiserver/rbac/covers.ts';

const user = { username: 'alice', groups: ['dev', 'system:authenticated'] };
const res = (verb: string, apiGroup: string, resource: string, subresource = '', name = ''): AuthzAttributes => ({
  user,
  verb,
  resourceRequest: true,
  path: '',
  apiGroup,
  resource,
  subresource,
  namespace: 'prod',
  name,
});
const path = (verb: string, p: string): AuthzAttributes => ({ ...res(verb, '', ''), resourceRequest: false, path: p });

test('ruleAllows: verbs, groups, resources, subresources, names, non-resource URLs', () => {
  const cases: [string, PolicyRule, AuthzAttributes, boolean][] = [
    ['exact', { verbs: ['get'], apiGroups: [''], resources: ['pods'] }, res('get', '', 'pods'), true],
    ['other verb', { verbs: ['get'], apiGroups: [''], resources: ['pods'] }, res('list', '', 'pods'), false],
    ['verb *', { verbs: ['*'], apiGroups: [''], resources: ['pods'] }, res('delete', '', 'pods'), true],
    ['other group', { verbs: ['get'], apiGroups: [''], resources: ['deployments'] }, res('get', 'apps', 'deployments'), false],
    ['group *', { verbs: ['get'], apiGroups: ['*'], resources: ['deployments'] }, res('get', 'apps', 'deployments'), true],
    ['resource does not cover its subresource', { verbs: ['get'], apiGroups: [''], resources: ['pods'] }, res('get', '', 'pods', 'log'), false],
    ['pods/log', { verbs: ['get'], apiGroups: [''], resources: ['pods/log'] }, res('get', '', 'pods', 'log'), true],
    ['pods/log is not pods', { verbs: ['get'], apiGroups: [''], resources: ['pods/log'] }, res('get', '', 'pods'), false],
    ['*/scale', { verbs: ['update'], apiGroups: ['*'], resources: ['*/scale'] }, res('update', 'apps', 'deployments', 'scale'), true],
    ['*/scale is not the resource', { verbs: ['update'], apiGroups: ['*'], resources: ['*/scale'] }, res('update', 'apps', 'deployments'), false],
    ['resource * covers subresources', { verbs: ['get'], apiGroups: ['*'], resources: ['*'] }, res('get', '', 'pods', 'status'), true],
    ['resourceNames match', { verbs: ['get'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['a'] }, res('get', '', 'configmaps', '', 'a'), true],
    ['resourceNames other', { verbs: ['get'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['a'] }, res('get', '', 'configmaps', '', 'b'), false],
    ['resourceNames never a list', { verbs: ['list'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['a'] }, res('list', '', 'configmaps'), false],
    ['url exact', { verbs: ['get'], nonResourceURLs: ['/metrics'] }, path('get', '/metrics'), true],
    ['url other', { verbs: ['get'], nonResourceURLs: ['/metrics'] }, path('get', '/metrics/x'), false],
    ['url trailing *', { verbs: ['get'], nonResourceURLs: ['/apis/*'] }, path('get', '/apis/apps/v1'), true],
    ['url *', { verbs: ['*'], nonResourceURLs: ['*'] }, path('post', '/anything'), true],
    ['url rule is not a resource rule', { verbs: ['get'], nonResourceURLs: ['*'] }, res('get', '', 'pods'), false],
    ['resource rule is not a url rule', { verbs: ['get'], apiGroups: ['*'], resources: ['*'] }, path('get', '/metrics'), false],
  ];
  for (const [what, rule, attrs, want] of cases) assert.equal(ruleAllows(attrs, rule), want, what);
});

test('subjectMatches: users, groups, service accounts (binding namespace as default)', () => {
  const sa = { username: 'system:serviceaccount:prod:builder', groups: ['system:serviceaccounts', 'system:serviceaccounts:prod'] };
  const cases: [string, typeof user, any, string, boolean][] = [
    ['user', user, { kind: 'User', name: 'alice' }, '', true],
    ['other user', user, { kind: 'User', name: 'bob' }, '', false],
    ['group', user, { kind: 'Group', name: 'dev' }, '', true],
    ['sa with namespace', sa, { kind: 'ServiceAccount', name: 'builder', namespace: 'prod' }, '', true],
    ['sa in binding namespace', sa, { kind: 'ServiceAccount', name: 'builder' }, 'prod', true],
    ['sa elsewhere', sa, { kind: 'ServiceAccount', name: 'builder', namespace: 'dev' }, 'prod', false],
    ['sa without any namespace', sa, { kind: 'ServiceAccount', name: 'builder' }, '', false],
    ['sa group', sa, { kind: 'Group', name: 'system:serviceaccounts:prod' }, '', true],
  ];
  for (const [what, u, s, ns, want] of cases) assert.equal(subjectMatches(u, s, ns), want, what);
});

test('covers: owner rules against requested rules', () => {
  const owner: PolicyRule[] = [
    { verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] },
    { verbs: ['*'], apiGroups: ['apps'], resources: ['deployments', '*/scale'] },
    { verbs: ['get'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['a', 'b'] },
    { verbs: ['get'], nonResourceURLs: ['/apis/*'] },
  ];
  const cases: [string, PolicyRule, boolean][] = [
    ['subset of verbs', { verbs: ['get'], apiGroups: [''], resources: ['pods'] }, true],
    ['more verbs', { verbs: ['get', 'delete'], apiGroups: [''], resources: ['pods'] }, false],
    ['verb *', { verbs: ['*'], apiGroups: [''], resources: ['pods'] }, false],
    ['owner verb *', { verbs: ['delete', 'patch'], apiGroups: ['apps'], resources: ['deployments'] }, true],
    ['owner */scale', { verbs: ['update'], apiGroups: ['apps'], resources: ['replicasets/scale'] }, true],
    ['not the subresource', { verbs: ['get'], apiGroups: [''], resources: ['pods/log'] }, false],
    ['named within owner names', { verbs: ['get'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['a'] }, true],
    ['unnamed against named owner', { verbs: ['get'], apiGroups: [''], resources: ['configmaps'] }, false],
    ['named outside', { verbs: ['get'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['c'] }, false],
    ['url prefix', { verbs: ['get'], nonResourceURLs: ['/apis/apps'] }, true],
    ['url outside', { verbs: ['get'], nonResourceURLs: ['/metrics'] }, false],
  ];
  for (const [what, r, want] of cases) assert.equal(covers(owner, [r]).covered, want, what);
  const { missing } = covers(owner, [{ verbs: ['get', 'delete', 'create'], apiGroups: [''], resources: ['pods', 'secrets'] }]);
  assert.equal(
    escalationMessage('alice', ['dev', 'system:authenticated'], missing),
    'user "alice" (groups=["dev" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n' +
      '{APIGroups:[""], Resources:["pods"], Verbs:["delete" "create"]}\n' +
      '{APIGroups:[""], Resources:["secrets"], Verbs:["get" "delete" "create"]}',
  );
});

test('bootstrap reconcile: adds what is missing, never removes, honours autoupdate "false"', async () => {
  const { reconcileRole, reconcileBinding, clusterRoleObject, clusterRoleBindingObject, AUTOUPDATE } = await import('../../src/apiserver/rbac/bootstrap.ts');
  const want = clusterRoleObject({ name: 'r', rules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }, { verbs: ['list'], apiGroups: [''], resources: ['pods'] }] });
  const extra = { verbs: ['delete'], apiGroups: [''], resources: ['secrets'] };
  const existing = { ...want, rules: [extra, { verbs: ['get'], apiGroups: [''], resources: ['pods'] }] };
  assert.deepEqual(reconcileRole(existing, want)?.rules, [extra, { verbs: ['get'], apiGroups: [''], resources: ['pods'] }, { verbs: ['list'], apiGroups: [''], resources: ['pods'] }]);
  assert.equal(reconcileRole(want, want), undefined, 'up to date');
  assert.equal(reconcileRole({ ...existing, metadata: { ...existing.metadata, annotations: { [AUTOUPDATE]: 'false' } } }, want), undefined);
  const agg = clusterRoleObject({ name: 'view', rules: [], aggregateFrom: 'x' });
  assert.equal(reconcileRole({ ...agg, rules: [extra] }, agg), undefined, 'aggregated rules are the controller\'s');
  const b = clusterRoleBindingObject({ name: 'b', role: 'r', users: ['u'], groups: ['g'] });
  const other = { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'someone' };
  assert.deepEqual(reconcileBinding({ ...b, subjects: [other] }, b)?.subjects, [other, ...(b.subjects as any[])]);
  assert.equal(reconcileBinding(b, b), undefined);
});

test('--authorization-mode parsing', async () => {
  const { parseAuthorizationModes } = await import('../../src/apiserver/rbac/index.ts');
  assert.deepEqual(parseAuthorizationModes('Node,RBAC'), ['Node', 'RBAC']);
  assert.deepEqual(parseAuthorizationModes('AlwaysAllow'), ['AlwaysAllow']);
  assert.throws(() => parseAuthorizationModes('Node,ABAC'), /authorization-mode "ABAC" is not a valid mode/);
  assert.throws(() => parseAuthorizationModes('RBAC,RBAC'), /has mode specified more than once/);
});
