// RBAC with the real kubectl: create role/rolebinding (protobuf bodies), get clusterroles /
// rolebindings columns, auth can-i (yes/no, --as, -n, --list), --as/--as-group, auth reconcile.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster, hasKubectl, rows, type Cluster } from './harness.ts';
import { testAuthenticator } from '../rbac/helpers.ts';

let c: Cluster;
// kubectl sends bearer tokens over TLS only: the server gets a throwaway self-signed certificate.
const skip = !hasKubectl || spawnSync('openssl', ['version']).status !== 0;

function selfSigned(): { key: Buffer; cert: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-cert-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'k'), '-out', join(dir, 'c'), '-days', '1', '-subj', '/CN=kubesim', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    return { key: readFileSync(join(dir, 'k')), cert: readFileSync(join(dir, 'c')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const alice = ['--token', 'alice-token'];

before(async () => {
  if (skip) return;
  const authenticator = testAuthenticator({
    'admin-token': { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] },
    'alice-token': { username: 'alice', groups: ['dev', 'system:authenticated'] },
  });
  const tls = selfSigned();
  c = await startCluster({ authorizationModes: ['Node', 'RBAC'], pipeline: { authenticators: [authenticator] }, tls }, { token: 'admin-token', ca: tls.cert });
  await c.ok(['create', 'namespace', 'prod']);
});
after(async () => {
  await c?.close();
});

test('create role and rolebinding; get shows Kubernetes columns', { skip }, async () => {
  assert.match(await c.ok(['create', 'role', 'pod-reader', '--verb=get', '--resource=pods', '-n', 'prod']), /role\.rbac\.authorization\.k8s\.io\/pod-reader created/);
  assert.match(await c.ok(['create', 'rolebinding', 'alice-read', '--role=pod-reader', '--user=alice', '-n', 'prod']), /rolebinding\.rbac\.authorization\.k8s\.io\/alice-read created/);
  const rb = rows(await c.ok(['get', 'rolebinding', '-n', 'prod']));
  assert.deepEqual(rb[0], ['NAME', 'ROLE', 'AGE']);
  assert.deepEqual(rb[1].slice(0, 2), ['alice-read', 'Role/pod-reader']);
  const wide = rows(await c.ok(['get', 'rolebinding', '-n', 'prod', '-o', 'wide']));
  assert.deepEqual(wide[0], ['NAME', 'ROLE', 'AGE', 'USERS', 'GROUPS', 'SERVICEACCOUNTS']);
  assert.equal(wide[1][3], 'alice');
  const cr = rows(await c.ok(['get', 'clusterroles']));
  assert.deepEqual(cr[0], ['NAME', 'CREATED AT']);
  const admin = cr.find((r) => r[0] === 'cluster-admin');
  assert.ok(admin && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(admin[1]), JSON.stringify(admin));
  assert.match(await c.ok(['get', 'role', '-n', 'prod']), /^NAME\s+CREATED AT\npod-reader\s+\d{4}-/);
  const described = await c.ok(['describe', 'role', 'pod-reader', '-n', 'prod']);
  assert.match(described, /PolicyRule:\n\s+Resources\s+Non-Resource URLs\s+Resource Names\s+Verbs\n[\s-]+\n\s+pods\s+\[\]\s+\[\]\s+\[get\]/);
  assert.match(await c.ok(['create', 'clusterrole', 'node-reader', '--verb=get,list', '--resource=nodes']), /clusterrole\.rbac\.authorization\.k8s\.io\/node-reader created/);
  assert.match(await c.ok(['create', 'clusterrole', 'logs-reader', '--verb=get', '--non-resource-url=/logs/*']), /clusterrole\.rbac\.authorization\.k8s\.io\/logs-reader created/);
  assert.match(await c.ok(['create', 'clusterrolebinding', 'builder-view', '--clusterrole=view', '--serviceaccount=prod:builder']), /clusterrolebinding\.rbac\.authorization\.k8s\.io\/builder-view created/);
  const crb = rows(await c.ok(['get', 'clusterrolebinding', 'builder-view', '-o', 'wide']));
  assert.deepEqual([crb[1][0], crb[1][1], crb[1][crb[1].length - 1]], ['builder-view', 'ClusterRole/view', 'prod/builder']);
  assert.equal((await c.kubectl(['auth', 'can-i', 'list', 'pods', '-n', 'default', '--as', 'system:serviceaccount:prod:builder'])).stdout.trim(), 'no', 'view is empty until the aggregation controller fills it');
});

test('auth can-i answers yes/no as RBAC allows, with --as and -n', { skip }, async () => {
  const can = async (args: string[]) => {
    const r = await c.kubectl(['auth', 'can-i', ...args]);
    return `${r.stdout.trim()}:${r.code}`;
  };
  assert.equal(await can(['get', 'pods', '-n', 'prod', '--as', 'alice']), 'yes:0');
  assert.equal(await can(['list', 'pods', '-n', 'prod', '--as', 'alice']), 'no:1');
  assert.equal(await can(['get', 'pods', '-n', 'default', '--as', 'alice']), 'no:1');
  assert.equal(await can(['get', 'pods', '-n', 'prod', ...alice]), 'yes:0');
  assert.equal(await can(['delete', 'pods', '-n', 'prod', ...alice]), 'no:1');
  assert.equal(await can(['get', '/metrics', ...alice]), 'no:1');
  assert.equal(await can(['get', '/healthz', ...alice]), 'yes:0');
  assert.equal(await can(['*', '*']), 'yes:0');
});

test('auth can-i --list shows the rules RBAC grants in the namespace', { skip }, async () => {
  const out = await c.ok(['auth', 'can-i', '--list', '-n', 'prod', ...alice]);
  const table = rows(out);
  assert.deepEqual(table[0], ['Resources', 'Non-Resource URLs', 'Resource Names', 'Verbs']);
  assert.ok(table.some((r) => r[0] === 'pods' && r[r.length - 1] === '[get]'), out);
  assert.ok(table.some((r) => r[0] === 'selfsubjectaccessreviews.authorization.k8s.io'), out);
  assert.ok(out.includes('[/healthz]'), out);
  const elsewhere = await c.ok(['auth', 'can-i', '--list', '-n', 'default', ...alice]);
  assert.ok(!rows(elsewhere).some((r) => r[0] === 'pods'), elsewhere);
});

test('denials are worded as Kubernetes words them; --as/--as-group impersonate', { skip }, async () => {
  const r = await c.kubectl(['get', 'pods', '-n', 'prod', ...alice]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /Error from server \(Forbidden\): pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "prod"/);
  const asAlice = await c.kubectl(['get', 'pods', '-n', 'default', '--as', 'alice', '--as-group', 'g']);
  assert.match(asAlice.stderr, /pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "default"/);
  const noImpersonate = await c.kubectl(['get', 'pods', '-n', 'prod', '--as', 'bob', ...alice]);
  assert.match(noImpersonate.stderr, /users "bob" is forbidden: User "alice" cannot impersonate resource "users" in API group "" at the cluster scope/);
  assert.match(await c.ok(['auth', 'whoami', '--as', 'alice', '--as-group', 'g', '--as-group', 'h', '-o', 'jsonpath={.status.userInfo.groups}']), /"g","h","system:authenticated"/);
});

test('an escalating role from alice is refused; auth reconcile writes roles', { skip }, async () => {
  const manifest = [
    'apiVersion: rbac.authorization.k8s.io/v1',
    'kind: Role',
    'metadata: {name: cm-editor, namespace: prod}',
    'rules:',
    '- {apiGroups: [""], resources: [configmaps], verbs: [get, list, update]}',
    '---',
    'apiVersion: rbac.authorization.k8s.io/v1',
    'kind: RoleBinding',
    'metadata: {name: cm-editors, namespace: prod}',
    'roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: cm-editor}',
    'subjects:',
    '- {apiGroup: rbac.authorization.k8s.io, kind: Group, name: dev}',
    '',
  ].join('\n');
  const f = c.write('rbac.yaml', manifest);
  const out = await c.ok(['auth', 'reconcile', '-f', f]);
  assert.match(out, /role\.rbac\.authorization\.k8s\.io\/cm-editor reconciled/);
  assert.match(out, /rolebinding\.rbac\.authorization\.k8s\.io\/cm-editors reconciled/);
  const again = await c.ok(['auth', 'reconcile', '-f', f]);
  assert.match(again, /cm-editor reconciled/);
  assert.equal((await c.kubectl(['auth', 'can-i', 'update', 'configmaps', '-n', 'prod', ...alice])).stdout.trim(), 'yes');

  const esc = await c.kubectl(['create', 'role', 'secrets', '--verb=get', '--resource=secrets', '-n', 'prod', ...alice]);
  assert.equal(esc.code, 1);
  assert.match(esc.stderr, /is forbidden: User "alice" cannot create resource "roles" in API group "rbac.authorization.k8s.io" in the namespace "prod"/);

  // allowed to write roles and bindings, alice still cannot grant what she does not hold
  await c.ok(['create', 'role', 'rbac-writer', '--verb=create', '--resource=roles,rolebindings', '-n', 'prod']);
  await c.ok(['create', 'rolebinding', 'alice-rbac', '--role=rbac-writer', '--user=alice', '-n', 'prod']);
  const role = await c.kubectl(['create', 'role', 'secrets', '--verb=get', '--resource=secrets', '-n', 'prod', ...alice]);
  assert.equal(role.code, 1);
  assert.match(role.stderr, /roles\.rbac\.authorization\.k8s\.io "secrets" is forbidden: user "alice" \(groups=\["dev" "system:authenticated"\]\) is attempting to grant RBAC permissions not currently held:\n\{APIGroups:\[""\], Resources:\["secrets"\], Verbs:\["get"\]\}/);
  const bind = await c.kubectl(['create', 'rolebinding', 'me-admin', '--clusterrole=cluster-admin', '--user=alice', '-n', 'prod', ...alice]);
  assert.equal(bind.code, 1);
  assert.match(bind.stderr, /rolebindings\.rbac\.authorization\.k8s\.io "me-admin" is forbidden: user "alice" .* is attempting to grant RBAC permissions not currently held/);
  assert.match(await c.ok(['create', 'role', 'cm-reader', '--verb=get', '--resource=configmaps', '-n', 'prod', ...alice]), /role\.rbac\.authorization\.k8s\.io\/cm-reader created/);
});
