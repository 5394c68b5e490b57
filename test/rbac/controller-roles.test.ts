// Every controller kube-controller-manager runs in kubesim (src/controllers CONTROLLERS) has its
// Kubernetes system:controller:* role, bound to the controller-manager's identity; a controller
// added without one fails here. serviceaccount-token runs, as in Kubernetes, on the
// controller-manager's own role (system:kube-controller-manager: secrets create/update/delete).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CONTROLLERS } from '../../src/controllers/index.ts';
import { CLUSTER_ROLES, CLUSTER_ROLE_BINDINGS, CONTROLLER_ROLES, CONTROLLER_MANAGER_USER, NODE_POOL_GROUP } from '../../src/apiserver/rbac/policy.ts';

// controller name (--controllers) → the ClusterRole Kubernetes gives it
const ROLE_OF: Record<string, string> = {
  replicaset: 'system:controller:replicaset-controller',
  replicationcontroller: 'system:controller:replication-controller',
  deployment: 'system:controller:deployment-controller',
  garbagecollector: 'system:controller:generic-garbage-collector',
  nodelifecycle: 'system:controller:node-controller',
  namespace: 'system:controller:namespace-controller',
  podgc: 'system:controller:pod-garbage-collector',
  endpoints: 'system:controller:endpoint-controller',
  job: 'system:controller:job-controller',
  cronjob: 'system:controller:cronjob-controller',
  'ttl-after-finished': 'system:controller:ttl-after-finished-controller',
  daemonset: 'system:controller:daemon-set-controller',
  horizontalpodautoscaling: 'system:controller:horizontal-pod-autoscaler',
  serviceaccount: 'system:controller:service-account-controller',
  disruption: 'system:controller:disruption-controller',
  resourcequota: 'system:controller:resourcequota-controller',
  endpointslice: 'system:controller:endpointslice-controller',
  'persistentvolume-binder': 'system:controller:persistent-volume-binder',
  statefulset: 'system:controller:statefulset-controller',
  'serviceaccount-token': 'system:kube-controller-manager',
  'root-ca-cert-publisher': 'system:controller:root-ca-cert-publisher',
  csrsigning: 'system:controller:certificate-controller',
  'clusterrole-aggregation': 'system:controller:clusterrole-aggregation-controller',
};

test('the role table names every controller kubesim runs, and no other', () => {
  assert.deepEqual(Object.keys(ROLE_OF).sort(), Object.keys(CONTROLLERS).sort());
});

for (const [controller, role] of Object.entries(ROLE_OF)) {
  test(`${controller}: ${role} exists and is bound to ${CONTROLLER_MANAGER_USER}`, () => {
    assert.ok([...CLUSTER_ROLES, ...CONTROLLER_ROLES].some((r) => r.name === role), `ClusterRole ${role}`);
    assert.ok(
      CLUSTER_ROLE_BINDINGS.some((b) => b.role === role && b.users?.includes(CONTROLLER_MANAGER_USER)),
      `a ClusterRoleBinding of ${role} to ${CONTROLLER_MANAGER_USER}`,
    );
  });
}

test('the node pool, each node\'s kube-proxy too, holds system:node-proxier', () => {
  assert.ok(CLUSTER_ROLE_BINDINGS.some((b) => b.role === 'system:node-proxier' && b.groups?.includes(NODE_POOL_GROUP)));
});
