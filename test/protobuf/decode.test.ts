// Protobuf request bodies captured from the real kubectl (test/protobuf/fixtures/*.bin, recorded
// with `kubectl create ...` against a capture server) decode to the JSON the JSON path carries.
// RBAC, ResourceQuota, PriorityClass and PodDisruptionBudget are ready for when those kinds are served.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeProtobuf, encodeProtobuf, decodeEnvelope } from '../../src/apiserver/protobuf/index.ts';
import { StatusError } from '../../src/api/errors.ts';

const fixture = (name: string) => readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'fixtures', name));

const expected: Record<string, unknown> = {
  'namespace.bin': { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'nsx' }, spec: {}, status: {} },
  'configmap.bin': { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm1' }, data: { a: '1', b: 'two' } },
  'secret.bin': { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's2' }, data: { pw: Buffer.from('secret').toString('base64'), x: Buffer.from([1, 2]).toString('base64') } },
  'serviceaccount.bin': { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'sa1' } },
  'service.bin': {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'svc1', labels: { app: 'svc1' } },
    spec: { ports: [{ name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080 }], selector: { app: 'svc1' }, type: 'ClusterIP' },
  },
  'deployment.bin': {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web2', labels: { app: 'web2' } },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'web2' } },
      template: { metadata: { labels: { app: 'web2' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.25', ports: [{ containerPort: 80 }], resources: {} }] } },
      strategy: {},
    },
  },
  'hpa-v1.bin': {
    apiVersion: 'autoscaling/v1',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'web' },
    spec: { scaleTargetRef: { kind: 'Deployment', name: 'web', apiVersion: 'apps/v1' }, minReplicas: 2, maxReplicas: 5, targetCPUUtilizationPercentage: 80 },
  },
  'selfsubjectaccessreview.bin': {
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SelfSubjectAccessReview',
    metadata: {},
    spec: { resourceAttributes: { namespace: 'default', verb: 'create', resource: 'pods' } },
  },
  'selfsubjectrulesreview.bin': { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectRulesReview', metadata: {}, spec: { namespace: 'kube-system' } },
  'selfsubjectreview.bin': { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview', metadata: {} },
  'role.bin': { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'r1' }, rules: [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] }] },
  'clusterrole.bin': { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'cr1' }, rules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'], resourceNames: ['x'] }] },
  'rolebinding.bin': {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: 'rb1' },
    subjects: [
      { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'alice' },
      { kind: 'ServiceAccount', name: 'sa1', namespace: 'default' },
    ],
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'r1' },
  },
  'clusterrolebinding.bin': {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: 'crb1' },
    subjects: [{ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'devs' }],
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cr1' },
  },
  'resourcequota.bin': { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q1' }, spec: { hard: { cpu: '2', pods: '10' } } },
  'priorityclass.bin': { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'pc1' }, value: 1000, description: 'hi', preemptionPolicy: 'PreemptLowerPriority' },
  'poddisruptionbudget.bin': { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'pdb1' }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'x' } } } },
  'job.bin': {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'j1' },
    spec: { template: { metadata: {}, spec: { containers: [{ name: 'j1', image: 'busybox', command: ['echo', 'hi'], resources: {} }], restartPolicy: 'Never' } } },
  },
  'cronjob.bin': {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'c1' },
    spec: {
      schedule: '*/1 * * * *',
      jobTemplate: { metadata: { name: 'c1' }, spec: { template: { metadata: {}, spec: { containers: [{ name: 'c1', image: 'busybox', command: ['echo', 'hi'], resources: {} }], restartPolicy: 'OnFailure' } } } },
    },
  },
};

for (const [file, want] of Object.entries(expected)) {
  test(`kubectl's ${file.replace('.bin', '')} body decodes to its JSON`, () => {
    assert.deepEqual(decodeProtobuf(fixture(file)), want);
  });
}

test('round trip: Time, IntOrString (string), Quantity, pointer zeros, embedded structs, autoscaling/v2', () => {
  const obj = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'd', creationTimestamp: '2024-05-01T10:00:00Z', annotations: { a: 'b' } },
    spec: {
      replicas: 0,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } },
      template: {
        spec: {
          containers: [
            {
              name: 'c',
              image: 'i',
              resources: { requests: { cpu: '100m', memory: '64Mi' } },
              env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'cm', key: 'k' } } }],
              readinessProbe: { httpGet: { path: '/', port: 'http' }, periodSeconds: 5 },
            },
          ],
          volumes: [{ name: 'v', emptyDir: {} }],
        },
      },
    },
  };
  assert.deepEqual(decodeProtobuf(encodeProtobuf(obj)), obj);
  const hpa = {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'h' },
    spec: { scaleTargetRef: { kind: 'Deployment', name: 'd', apiVersion: 'apps/v1' }, minReplicas: 1, maxReplicas: 4, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }] },
  };
  assert.deepEqual(decodeProtobuf(encodeProtobuf(hpa)), hpa);
});

function rejects(body: Buffer, code: number, pattern: RegExp) {
  assert.throws(
    () => decodeProtobuf(body),
    (e: unknown) => e instanceof StatusError && e.code === code && pattern.test(e.message),
  );
}

test('bad bodies: missing magic → 400, truncated message → 400, unknown kind → 415', () => {
  rejects(Buffer.from('{"kind":"Namespace"}'), 400, /expected prefix \[107 56 115 0\]/);
  const ns = fixture('namespace.bin');
  rejects(ns.subarray(0, ns.length - 10), 400, /unable to decode/);
  const env = decodeEnvelope(fixture('configmap.bin'));
  assert.equal(env.kind, 'ConfigMap');
  const widget = encodeProtobuf({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } });
  const patched = Buffer.from(widget.toString('latin1').replace('ConfigMap', 'WidgetMap'), 'latin1');
  rejects(patched, 415, /unknown format.*WidgetMap/);
});

test('round trip: a Job with podFailurePolicy, successPolicy and the per-index fields (batch/v1 field numbers 11-16)', () => {
  const job = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'ix' },
    spec: {
      completions: 3,
      completionMode: 'Indexed',
      backoffLimitPerIndex: 1,
      maxFailedIndexes: 1,
      podReplacementPolicy: 'Failed',
      podFailurePolicy: { rules: [{ action: 'FailJob', onExitCodes: { containerName: 'c', operator: 'In', values: [1, 42] } }, { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }] },
      successPolicy: { rules: [{ succeededIndexes: '0-1', succeededCount: 1 }] },
      template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'i' }] } },
    },
  };
  assert.deepEqual(decodeProtobuf(encodeProtobuf(job)), job);
});
