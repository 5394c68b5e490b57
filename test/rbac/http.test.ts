// RBAC through HTTP: a user bound to a Role allowing `get pods` in prod gets Kubernetes' 403
// everywhere else; non-resource paths; bootstrap roles; escalation and bind checks; invalid
// objects; SubjectAccessReview; SelfSubjectRulesReview; impersonation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, req, pod } from '../apiserver/helpers.ts';
import type { RunningApiServer } from '../../src/apiserver/index.ts';
import { ADMIN, as, testAuthenticator } from './helpers.ts';

const RBAC = '/apis/rbac.authorization.k8s.io/v1';
let srv: RunningApiServer;
const alice = as('alice', ['dev']);

before(async () => {
  srv = await startTestServer({ authorizationModes: ['RBAC'], pipeline: { authenticators: [testAuthenticator()] } });
  for (const ns of ['prod']) assert.equal((await req(srv.url, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }, ADMIN)).status, 201);
  const r1 = await req(srv.url, 'POST', `${RBAC}/namespaces/prod/roles`, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'pod-getter' }, rules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }] }, ADMIN);
  assert.equal(r1.status, 201, r1.text);
  const b1 = await req(
    srv.url,
    'POST',
    `${RBAC}/namespaces/prod/rolebindings`,
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'alice-gets-pods' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-getter' }, subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' }] },
    ADMIN,
  );
  assert.equal(b1.status, 201, b1.text);
  assert.equal((await req(srv.url, 'POST', '/api/v1/namespaces/prod/pods', pod('web'), ADMIN)).status, 201);
});
after(() => srv.close());

test('a Role allowing get pods in prod: allowed there, Kubernetes 403 messages everywhere else', async () => {
  const ok = await req(srv.url, 'GET', '/api/v1/namespaces/prod/pods/web', undefined, alice);
  assert.equal(ok.status, 200, ok.text);
  const cases: [string, string, string][] = [
    ['GET', '/api/v1/namespaces/prod/pods', 'pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "prod"'],
    ['GET', '/api/v1/namespaces/default/pods/web', 'pods "web" is forbidden: User "alice" cannot get resource "pods" in API group "" in the namespace "default"'],
    ['GET', '/api/v1/pods', 'pods is forbidden: User "alice" cannot list resource "pods" in API group "" at the cluster scope'],
    ['GET', '/api/v1/namespaces/prod/pods/web/log', 'pods "web" is forbidden: User "alice" cannot get resource "pods/log" in API group "" in the namespace "prod"'],
    ['DELETE', '/api/v1/namespaces/prod/pods/web', 'pods "web" is forbidden: User "alice" cannot delete resource "pods" in API group "" in the namespace "prod"'],
    ['GET', '/apis/apps/v1/namespaces/prod/deployments', 'deployments.apps is forbidden: User "alice" cannot list resource "deployments" in API group "apps" in the namespace "prod"'],
    ['GET', '/api/v1/nodes/n1', 'nodes "n1" is forbidden: User "alice" cannot get resource "nodes" in API group "" at the cluster scope'],
    ['GET', '/api/v1/namespaces/prod', 'namespaces "prod" is forbidden: User "alice" cannot get resource "namespaces" in API group "" in the namespace "prod"'],
    ['GET', '/metrics', 'forbidden: User "alice" cannot get path "/metrics"'],
  ];
  for (const [method, path, message] of cases) {
    const r = await req(srv.url, method, path, undefined, alice);
    assert.equal(r.status, 403, `${method} ${path}: ${r.text}`);
    assert.equal(r.body.message, message);
    assert.equal(r.body.reason, 'Forbidden');
  }
});

test('bootstrap: discovery and health for every authenticated user; cluster-admin for system:masters', async () => {
  for (const p of ['/healthz', '/livez', '/readyz', '/version', '/api', '/apis', '/api/v1']) assert.equal((await req(srv.url, 'GET', p, undefined, alice)).status, 200, p);
  assert.equal((await req(srv.url, 'GET', '/metrics', undefined, ADMIN)).status, 200);
  const roles = await req(srv.url, 'GET', `${RBAC}/clusterroles`, undefined, ADMIN);
  const names = roles.body.items.map((r: any) => r.metadata.name);
  for (const n of ['cluster-admin', 'admin', 'edit', 'view', 'system:discovery', 'system:basic-user', 'system:public-info-viewer', 'system:kube-scheduler', 'system:node', 'system:node-proxier', 'system:controller:deployment-controller', 'system:kubesim:node-pool'])
    assert.ok(names.includes(n), n);
  const ca = roles.body.items.find((r: any) => r.metadata.name === 'cluster-admin');
  assert.equal(ca.metadata.annotations['rbac.authorization.kubernetes.io/autoupdate'], 'true');
  const nsRoles = await req(srv.url, 'GET', `${RBAC}/namespaces/kube-system/rolebindings/system::leader-locking-kube-scheduler`, undefined, ADMIN);
  assert.equal(nsRoles.status, 200, nsRoles.text);
  assert.deepEqual(nsRoles.body.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'system::leader-locking-kube-scheduler' });
  assert.deepEqual(roles.body.items.find((r: any) => r.metadata.name === 'admin').aggregationRule, { clusterRoleSelectors: [{ matchLabels: { 'rbac.authorization.k8s.io/aggregate-to-admin': 'true' } }] });
});

test('a binding written is in effect for the next request, and gone once deleted', async () => {
  const bob = as('bob');
  assert.equal((await req(srv.url, 'GET', '/api/v1/namespaces/prod/pods', undefined, bob)).status, 403);
  const b = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'bob-view' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:aggregate-to-view' }, subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'bob' }] };
  assert.equal((await req(srv.url, 'POST', `${RBAC}/clusterrolebindings`, b, ADMIN)).status, 201);
  assert.equal((await req(srv.url, 'GET', '/api/v1/namespaces/prod/pods', undefined, bob)).status, 200);
  assert.equal((await req(srv.url, 'DELETE', `${RBAC}/clusterrolebindings/bob-view`, undefined, ADMIN)).status, 200);
  assert.equal((await req(srv.url, 'GET', '/api/v1/namespaces/prod/pods', undefined, bob)).status, 403);
});

test('cached decisions: a change to a Role takes effect for the next request; users differing only in groups are decided apart', async () => {
  const dave = as('dave');
  const daveOps = as('dave', ['ops']);
  const role = (verbs: string[]) => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'ops-pods' }, rules: [{ verbs, apiGroups: [''], resources: ['pods'] }] });
  assert.equal((await req(srv.url, 'POST', `${RBAC}/namespaces/prod/roles`, role(['get']), ADMIN)).status, 201);
  const b = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'ops-pods' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'ops-pods' }, subjects: [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'ops' }] };
  assert.equal((await req(srv.url, 'POST', `${RBAC}/namespaces/prod/rolebindings`, b, ADMIN)).status, 201);
  const cases: [string, Record<string, string>, string, number][] = [
    ['get, group ops', daveOps, 'pods/web', 200],
    ['get, same name without the group', dave, 'pods/web', 403],
    ['list, not in the rules yet', daveOps, 'pods', 403],
  ];
  for (const [what, who, path, code] of cases) {
    for (let i = 0; i < 2; i++) assert.equal((await req(srv.url, 'GET', `/api/v1/namespaces/prod/${path}`, undefined, who)).status, code, `${what} (asked ${i + 1}×)`);
  }
  const cur = await req(srv.url, 'GET', `${RBAC}/namespaces/prod/roles/ops-pods`, undefined, ADMIN);
  const updated = { ...(cur.body as object), rules: [{ verbs: ['list'], apiGroups: [''], resources: ['pods'] }] };
  assert.equal((await req(srv.url, 'PUT', `${RBAC}/namespaces/prod/roles/ops-pods`, updated, ADMIN)).status, 200);
  assert.equal((await req(srv.url, 'GET', '/api/v1/namespaces/prod/pods', undefined, daveOps)).status, 200, 'list allowed once the rule says so');
  assert.equal((await req(srv.url, 'GET', '/api/v1/namespaces/prod/pods/web', undefined, daveOps)).status, 403, 'get refused once the rule no longer says so');
});

test('escalation: a role with rules the user lacks is refused unless escalate; a binding needs the rules or bind', async () => {
  const carol = as('carol');
  const grant = (name: string, rules: any[]) =>
    req(srv.url, 'POST', `${RBAC}/namespaces/prod/roles`, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name }, rules }, ADMIN);
  // carol may write roles and rolebindings in prod and holds get/list on pods
  assert.equal((await grant('role-writer', [{ verbs: ['get', 'list', 'create', 'update', 'patch', 'delete'], apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles', 'rolebindings'] }, { verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] }])).status, 201);
  const bind = (name: string, role: string, user: string, kind = 'Role', who = ADMIN) =>
    req(
      srv.url,
      'POST',
      `${RBAC}/namespaces/prod/rolebindings`,
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind, name: role }, subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: user }] },
      who,
    );
  assert.equal((await bind('carol-writer', 'role-writer', 'carol')).status, 201);

  const role = (name: string, rules: any[]) => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name }, rules });
  const okRole = await req(srv.url, 'POST', `${RBAC}/namespaces/prod/roles`, role('readers', [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }]), carol);
  assert.equal(okRole.status, 201, okRole.text);
  const esc = await req(srv.url, 'POST', `${RBAC}/namespaces/prod/roles`, role('deleters', [{ verbs: ['get', 'delete'], apiGroups: [''], resources: ['pods', 'secrets'] }]), carol);
  assert.equal(esc.status, 403, esc.text);
  assert.equal(
    esc.body.message,
    'roles.rbac.authorization.k8s.io "deleters" is forbidden: user "carol" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n' +
      '{APIGroups:[""], Resources:["pods"], Verbs:["delete"]}\n{APIGroups:[""], Resources:["secrets"], Verbs:["get" "delete"]}',
  );
  assert.equal((await req(srv.url, 'GET', `${RBAC}/namespaces/prod/roles/deleters`, undefined, ADMIN)).status, 404, 'nothing written');

  // binding a role carol holds is fine; binding cluster-admin is not
  assert.equal((await bind('dave-readers', 'readers', 'dave', 'Role', carol)).status, 201);
  const big = await bind('dave-admin', 'cluster-admin', 'dave', 'ClusterRole', carol);
  assert.equal(big.status, 403);
  assert.match(big.body.message, /^rolebindings\.rbac\.authorization\.k8s\.io "dave-admin" is forbidden: user "carol" \(groups=\["system:authenticated"\]\) is attempting to grant RBAC permissions not currently held:\n\{APIGroups:\["\*"\], Resources:\["\*"\], Verbs:\["\*"\]\}/);
  // with `bind` on that cluster role, and `escalate` on roles, both go through
  assert.equal((await grant('binder', [{ verbs: ['bind'], apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], resourceNames: ['cluster-admin'] }, { verbs: ['escalate'], apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles'] }])).status, 201);
  assert.equal((await bind('carol-binder', 'binder', 'carol')).status, 201);
  assert.equal((await bind('dave-admin', 'cluster-admin', 'dave', 'ClusterRole', carol)).status, 201);
  assert.equal((await req(srv.url, 'POST', `${RBAC}/namespaces/prod/roles`, role('deleters', [{ verbs: ['delete'], apiGroups: [''], resources: ['secrets'] }]), carol)).status, 201);

  // without escalate, an aggregationRule needs full authority
  assert.equal((await req(srv.url, 'POST', `${RBAC}/clusterrolebindings`, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'carol-cr' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cr-escalator' }, subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'carol' }] }, ADMIN)).status, 201);
  assert.equal((await req(srv.url, 'POST', `${RBAC}/clusterroles`, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'cr-escalator' }, rules: [{ verbs: ['create'], apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'] }] }, ADMIN)).status, 201);
  const agg = await req(srv.url, 'POST', `${RBAC}/clusterroles`, { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'grab' }, aggregationRule: { clusterRoleSelectors: [{ matchLabels: { x: 'y' } }] } }, carol);
  assert.equal(agg.status, 403, agg.text);
  assert.equal(agg.body.message, 'clusterroles.rbac.authorization.k8s.io "grab" is forbidden: must have cluster-admin privileges to use the aggregationRule');
});

test('invalid rbac objects: 422 naming the field, nothing written', async () => {
  const cases: [string, any, string][] = [
    ['namespaces/prod/roles', { kind: 'Role', metadata: { name: 'r1' }, rules: [{ apiGroups: [''], resources: ['pods'] }] }, 'rules[0].verbs: Required value: verbs must contain at least one value'],
    ['namespaces/prod/roles', { kind: 'Role', metadata: { name: 'r2' }, rules: [{ verbs: ['get'], nonResourceURLs: ['/metrics'] }] }, 'rules[0].nonResourceURLs: Invalid value: ["/metrics"]: namespaced rules cannot apply to non-resource URLs'],
    ['clusterroles', { kind: 'ClusterRole', metadata: { name: 'r3' }, rules: [{ verbs: ['get'], resources: ['pods'] }] }, 'rules[0].apiGroups: Required value: resource rules must supply at least one api group'],
    ['clusterroles', { kind: 'ClusterRole', metadata: { name: 'a/b' }, rules: [] }, `metadata.name: Invalid value: "a/b": may not contain '/'`],
    ['namespaces/prod/rolebindings', { kind: 'RoleBinding', metadata: { name: 'b1' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Secret', name: 'x' }, subjects: [] }, 'roleRef.kind: Unsupported value: "Secret": supported values: "Role", "ClusterRole"'],
    ['clusterrolebindings', { kind: 'ClusterRoleBinding', metadata: { name: 'b2' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' }, subjects: [{ kind: 'ServiceAccount', name: 'default' }] }, 'subjects[0].namespace: Required value'],
    ['clusterrolebindings', { kind: 'ClusterRoleBinding', metadata: { name: 'b3' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' }, subjects: [{ kind: 'User', name: 'u' }] }, 'subjects[0].apiGroup: Unsupported value: "": supported values: "rbac.authorization.k8s.io"'],
  ];
  for (const [path, body, cause] of cases) {
    const r = await req(srv.url, 'POST', `${RBAC}/${path}`, { apiVersion: 'rbac.authorization.k8s.io/v1', ...body }, ADMIN);
    assert.equal(r.status, 422, `${path} ${r.text}`);
    assert.ok(r.body.message.includes(cause), `${r.body.message} should include ${cause}`);
    const got = await req(srv.url, 'GET', `${RBAC}/${path}/${encodeURIComponent(body.metadata.name)}`, undefined, ADMIN);
    assert.notEqual(got.status, 200, 'nothing written');
  }
  // roleRef is immutable
  const b = await req(srv.url, 'GET', `${RBAC}/namespaces/prod/rolebindings/alice-gets-pods`, undefined, ADMIN);
  const changed = { ...b.body, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' } };
  const u = await req(srv.url, 'PUT', `${RBAC}/namespaces/prod/rolebindings/alice-gets-pods`, changed, ADMIN);
  assert.equal(u.status, 422);
  assert.match(u.body.message, /roleRef: Invalid value: .*: cannot change roleRef/);
});

test('SubjectAccessReview, LocalSubjectAccessReview, SelfSubjectAccessReview (non-resource too), SelfSubjectRulesReview', async () => {
  const sar = (spec: any, path = '/apis/authorization.k8s.io/v1/subjectaccessreviews', who = ADMIN) =>
    req(srv.url, 'POST', path, { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec }, who);
  assert.equal((await sar({ user: 'alice', resourceAttributes: { verb: 'get', resource: 'pods', namespace: 'prod' } })).body.status.allowed, true);
  assert.equal((await sar({ user: 'alice', resourceAttributes: { verb: 'list', resource: 'pods', namespace: 'prod' } })).body.status.allowed, false);
  assert.equal((await sar({ user: 'x', groups: ['system:masters'], nonResourceAttributes: { verb: 'get', path: '/metrics' } })).body.status.allowed, true);
  const bad = await sar({ resourceAttributes: { verb: 'get', resource: 'pods' } });
  assert.equal(bad.status, 422);
  assert.match(bad.body.message, /spec.user: Invalid value: "": at least one of user or group must be specified/);
  // alice may not create SubjectAccessReviews
  assert.equal((await sar({ user: 'alice', resourceAttributes: { verb: 'get', resource: 'pods' } }, undefined, alice)).status, 403);
  const local = await sar({ user: 'alice', resourceAttributes: { verb: 'get', resource: 'pods', namespace: 'prod' } }, '/apis/authorization.k8s.io/v1/namespaces/prod/localsubjectaccessreviews');
  assert.equal(local.status, 201, local.text);
  assert.equal(local.body.kind, 'LocalSubjectAccessReview');
  assert.equal(local.body.status.allowed, true);

  const ssar = (spec: any) => req(srv.url, 'POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec }, alice);
  assert.equal((await ssar({ resourceAttributes: { verb: 'get', resource: 'pods', namespace: 'prod' } })).body.status.allowed, true);
  assert.equal((await ssar({ resourceAttributes: { verb: 'get', resource: 'pods', namespace: 'default' } })).body.status.allowed, false);
  assert.equal((await ssar({ nonResourceAttributes: { verb: 'get', path: '/healthz' } })).body.status.allowed, true);
  assert.equal((await ssar({ nonResourceAttributes: { verb: 'get', path: '/metrics' } })).body.status.allowed, false);

  const rules = await req(srv.url, 'POST', '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews', { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectRulesReview', spec: { namespace: 'prod' } }, alice);
  assert.equal(rules.status, 201);
  assert.ok(rules.body.status.resourceRules.some((r: any) => r.verbs.includes('get') && r.resources.includes('pods')));
  assert.ok(rules.body.status.resourceRules.some((r: any) => r.resources.includes('selfsubjectaccessreviews')));
  assert.ok(rules.body.status.nonResourceRules.some((r: any) => r.nonResourceURLs.includes('/healthz')));
  const elsewhere = await req(srv.url, 'POST', '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews', { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectRulesReview', spec: { namespace: 'default' } }, alice);
  assert.ok(!elsewhere.body.status.resourceRules.some((r: any) => r.resources.includes('pods')));
});

test('impersonation: authorized by the impersonate verb, Kubernetes messages when denied', async () => {
  const imp = (who: Record<string, string>, user: string, groups?: string) => ({ ...who, 'Impersonate-User': user, ...(groups ? { 'Impersonate-Group': groups } : {}) });
  // the admin acts as alice: alice's rights apply
  assert.equal((await req(srv.url, 'GET', '/api/v1/namespaces/prod/pods/web', undefined, imp(ADMIN, 'alice'))).status, 200);
  const asAlice = await req(srv.url, 'GET', '/api/v1/namespaces/prod/pods', undefined, imp(ADMIN, 'alice'));
  assert.equal(asAlice.status, 403);
  assert.equal(asAlice.body.message, 'pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "prod"');
  const who = await req(srv.url, 'POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }, imp(ADMIN, 'alice', 'g1'));
  assert.deepEqual(who.body.status.userInfo, { username: 'alice', groups: ['g1', 'system:authenticated'] });
  // alice may not impersonate
  const denied = await req(srv.url, 'GET', '/api/v1/namespaces/prod/pods/web', undefined, imp(alice, 'bob'));
  assert.equal(denied.status, 403);
  assert.equal(denied.body.message, 'users "bob" is forbidden: User "alice" cannot impersonate resource "users" in API group "" at the cluster scope');
  const sa = await req(srv.url, 'GET', '/api/v1/namespaces/prod/pods/web', undefined, imp(alice, 'system:serviceaccount:prod:builder'));
  assert.equal(sa.body.message, 'serviceaccounts "builder" is forbidden: User "alice" cannot impersonate resource "serviceaccounts" in API group "" in the namespace "prod"');
  const noUser = await req(srv.url, 'GET', '/api/v1/namespaces/prod/pods/web', undefined, { ...ADMIN, 'Impersonate-Group': 'g' });
  assert.equal(noUser.status, 400);
});

test('anonymous requests (an anonymous authenticator): health and version public, the rest forbidden', async () => {
  const anonymous = { name: 'anonymous', authenticate: () => ({ username: 'system:anonymous', groups: ['system:unauthenticated'] }) };
  const s2 = await startTestServer({ authorizationModes: ['Node', 'RBAC'], pipeline: { authenticators: [testAuthenticator(), anonymous] } });
  try {
    for (const p of ['/healthz', '/livez', '/readyz', '/version']) assert.equal((await req(s2.url, 'GET', p)).status, 200, p);
    const m = await req(s2.url, 'GET', '/metrics');
    assert.equal(m.status, 403);
    assert.equal(m.body.message, 'forbidden: User "system:anonymous" cannot get path "/metrics"');
    assert.equal((await req(s2.url, 'GET', '/apis')).status, 403, 'discovery is for authenticated users');
    const pods = await req(s2.url, 'GET', '/api/v1/pods');
    assert.equal(pods.body.message, 'pods is forbidden: User "system:anonymous" cannot list resource "pods" in API group "" at the cluster scope');
  } finally {
    await s2.close();
  }
});

test('escalation: an update touching only ownerReferences/finalizers (the garbage collector) needs no rights over the rules', async () => {
  const gc = as('gc');
  const cr = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'role-patcher' }, rules: [{ verbs: ['get', 'update', 'patch'], apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles'] }] };
  assert.equal((await req(srv.url, 'POST', `${RBAC}/clusterroles`, cr, ADMIN)).status, 201);
  const crb = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'gc-patcher' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'role-patcher' }, subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'gc' }] };
  assert.equal((await req(srv.url, 'POST', `${RBAC}/clusterrolebindings`, crb, ADMIN)).status, 201);
  const merge = { 'Content-Type': 'application/merge-patch+json', ...gc };
  const fin = await req(srv.url, 'PATCH', `${RBAC}/namespaces/prod/roles/pod-getter`, { metadata: { finalizers: ['example.com/keep'] } }, merge);
  assert.equal(fin.status, 200, fin.text);
  const label = await req(srv.url, 'PATCH', `${RBAC}/namespaces/prod/roles/pod-getter`, { metadata: { labels: { a: 'b' } } }, merge);
  assert.equal(label.status, 403, 'any other change needs the rules');
  assert.match(label.body.message, /is attempting to grant RBAC permissions not currently held:\n\{APIGroups:\[""\], Resources:\["pods"\], Verbs:\["get"\]\}/);
  assert.equal((await req(srv.url, 'PATCH', `${RBAC}/namespaces/prod/roles/pod-getter`, { metadata: { finalizers: null } }, merge)).status, 200);
});
