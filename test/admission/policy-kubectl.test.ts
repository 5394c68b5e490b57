// ValidatingAdmissionPolicy with the real kubectl: `kubectl apply` a policy and its binding, then a
// `kubectl create` the policy refuses prints Kubernetes' message; `kubectl get` lists both.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hasKubectl, rows, startCluster } from '../kubectl/harness.ts';

const POLICY = `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: demo-policy.example.com
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
    - apiGroups: ["apps"]
      apiVersions: ["v1"]
      operations: ["CREATE", "UPDATE"]
      resources: ["deployments"]
  validations:
  - expression: "object.spec.replicas <= 5"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: demo-binding-test.example.com
spec:
  policyName: demo-policy.example.com
  validationActions: [Deny]
`;

test('kubectl: apply a ValidatingAdmissionPolicy and binding; a denied create shows the policy message', { skip: !hasKubectl }, async () => {
  const c = await startCluster();
  try {
    const applied = await c.ok(['apply', '-f', c.write('policy.yaml', POLICY)]);
    assert.match(applied, /validatingadmissionpolicy.admissionregistration.k8s.io\/demo-policy.example.com created/);
    assert.match(applied, /validatingadmissionpolicybinding.admissionregistration.k8s.io\/demo-binding-test.example.com created/);
    const denied = await c.kubectl(['create', 'deployment', 'big', '--image=nginx', '--replicas=6']);
    assert.notEqual(denied.code, 0);
    assert.equal(
      denied.stderr.trim(),
      `error: failed to create deployment: deployments.apps "big" is forbidden: ValidatingAdmissionPolicy 'demo-policy.example.com' with binding 'demo-binding-test.example.com' denied request: failed expression: object.spec.replicas <= 5`,
    );
    assert.equal(await c.get('/apis/apps/v1/namespaces/default/deployments/big'), undefined);
    await c.ok(['create', 'deployment', 'small', '--image=nginx', '--replicas=2']);
    // (a rule for "deployments" does not cover deployments/scale, as in Kubernetes: patch the deployment)
    const patched = await c.kubectl(['patch', 'deployment', 'small', '-p', '{"spec":{"replicas":7}}']);
    assert.notEqual(patched.code, 0);
    assert.match(patched.stderr, /ValidatingAdmissionPolicy 'demo-policy.example.com' with binding 'demo-binding-test.example.com' denied request: failed expression: object.spec.replicas <= 5/);
    const manifest = c.write('big.yaml', 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: applied\nspec:\n  replicas: 8\n  selector:\n    matchLabels: {app: a}\n  template:\n    metadata:\n      labels: {app: a}\n    spec:\n      containers: [{name: c, image: nginx}]\n');
    const viaApply = await c.kubectl(['apply', '-f', manifest]);
    assert.notEqual(viaApply.code, 0);
    assert.match(viaApply.stderr, /The deployments "applied" is invalid: : ValidatingAdmissionPolicy 'demo-policy.example.com' with binding 'demo-binding-test.example.com' denied request: failed expression: object.spec.replicas <= 5/);
    const vap = rows(await c.ok(['get', 'validatingadmissionpolicies']));
    assert.deepEqual(vap[0], ['NAME', 'VALIDATIONS', 'PARAMKIND', 'AGE']);
    assert.deepEqual(vap[1].slice(0, 3), ['demo-policy.example.com', '1', '<unset>']);
    const vapb = rows(await c.ok(['get', 'validatingadmissionpolicybindings']));
    assert.deepEqual(vapb[1].slice(0, 3), ['demo-binding-test.example.com', 'demo-policy.example.com', '<unset>']);
  } finally {
    await c.close();
  }
});
