// ValidatingAdmissionPolicy's `authorizer` CEL library through HTTP with RBAC on: each check asks
// the API server's real authorizer for the request's user (or a service account), so a Role
// binding decides what the policy allows, without the policy copying RBAC rules.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, req, configMap } from '../apiserver/helpers.ts';
import type { RunningApiServer } from '../../src/apiserver/index.ts';
import { ADMIN, as, testAuthenticator } from '../rbac/helpers.ts';
import { AR, CM } from './fixtures.ts';
import { eventually } from '../helpers/eventually.ts';

const RBAC = '/apis/rbac.authorization.k8s.io/v1';
let srv: RunningApiServer;
const alice = as('alice');
const bob = as('bob');

async function post(path: string, body: unknown): Promise<void> {
  const r = await req(srv.url, 'POST', path, body, ADMIN);
  assert.equal(r.status, 201, r.text);
}

const role = (name: string, rules: unknown[]) => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name }, rules });
const bindTo = (name: string, roleName: string, subject: Record<string, string>) => ({
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'RoleBinding',
  metadata: { name },
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: roleName },
  subjects: [subject],
});

before(async () => {
  srv = await startTestServer({ authorizationModes: ['RBAC'], pipeline: { authenticators: [testAuthenticator()] } });
  const NS = `${RBAC}/namespaces/default`;
  await post(`${NS}/roles`, role('configmap-writer', [{ verbs: ['create', 'update', 'get'], apiGroups: [''], resources: ['configmaps'] }]));
  await post(`${NS}/roles`, role('secret-reader', [{ verbs: ['get'], apiGroups: [''], resources: ['secrets'] }]));
  await post(`${NS}/roles`, role('labeler', [{ verbs: ['label'], apiGroups: [''], resources: ['configmaps'] }]));
  for (const u of ['alice', 'bob']) await post(`${NS}/rolebindings`, bindTo(`${u}-writes`, 'configmap-writer', { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: u }));
  await post(`${NS}/rolebindings`, bindTo('bob-reads-secrets', 'secret-reader', { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'bob' }));
  await post(`${NS}/rolebindings`, bindTo('builder-labels', 'labeler', { kind: 'ServiceAccount', name: 'builder', namespace: 'default' }));
  await post(`${AR}/validatingadmissionpolicies`, {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicy',
    metadata: { name: 'secret-refs' },
    spec: {
      matchConstraints: { resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['configmaps'] }] },
      validations: [
        {
          expression: "!has(object.data) || !has(object.data.secretRef) || authorizer.group('').resource('secrets').namespace(request.namespace).name(object.data.secretRef).check('get').allowed()",
          messageExpression: "'user ' + request.userInfo.username + ' may not read secret ' + object.data.secretRef",
          reason: 'Forbidden',
        },
        { expression: "!has(object.metadata.labels) || authorizer.requestResource.check('label').allowed() || authorizer.serviceAccount('default', 'builder').requestResource.check('label').allowed() == false", message: 'labels need the label verb' },
      ],
    },
  });
  await post(`${AR}/validatingadmissionpolicybindings`, { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding', metadata: { name: 'secret-refs-binding' }, spec: { policyName: 'secret-refs', validationActions: ['Deny'] } });
});
after(() => srv.close());

test('authorizer checks follow RBAC: the user who may read the secret passes, the other gets the policy\'s 403', async () => {
  // the policy informer sees the new policy shortly after it is written (dry-run probes write nothing)
  await eventually(async () => (await req(srv.url, 'POST', `${CM}?dryRun=All`, configMap('probe', { secretRef: 'db' }), alice)).status === 403, 'policy active', 10_000);
  const cases: [string, string, Record<string, string>, Record<string, string>, number, string?][] = [
    ['bob may get secrets', 'c-bob', bob, { secretRef: 'db' }, 201],
    ['alice may not', 'c-alice', alice, { secretRef: 'db' }, 403, "configmaps \"c-alice\" is forbidden: ValidatingAdmissionPolicy 'secret-refs' with binding 'secret-refs-binding' denied request: user alice may not read secret db"],
    ['no reference, no check', 'c-alice-other', alice, { other: 'x' }, 201],
  ];
  for (const [name, cm, who, data, code, message] of cases) {
    const r = await req(srv.url, 'POST', CM, configMap(cm, data), who);
    assert.equal(r.status, code, `${name}: ${r.text}`);
    if (message) {
      assert.equal(r.body.reason, 'Forbidden', name);
      assert.equal(r.body.message, message, name);
    }
  }
  assert.equal((await req(srv.url, 'GET', `${CM}/c-alice`, undefined, ADMIN)).status, 404, 'nothing written');
});

test('requestResource and serviceAccount(...) ask about the request\'s resource, for the request user or the service account', async () => {
  await eventually(async () => (await req(srv.url, 'POST', `${CM}?dryRun=All`, configMap('probe', { secretRef: 'db' }), alice)).status === 403, 'policy active', 10_000);
  // alice lacks the label verb on configmaps and the builder service account has it: both clauses false
  const r = await req(srv.url, 'POST', CM, configMap('labeled', {}, { labels: { a: 'b' } }), alice);
  assert.equal(r.status, 422, r.text);
  assert.match(r.body.message, /denied request: labels need the label verb$/);
});
