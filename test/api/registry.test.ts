import { test } from 'node:test';
import assert from 'node:assert/strict';
import { registry } from '../../src/api/registry.ts';
import { applyScale, scaleOf, validateBinding, validateScale, SUBRESOURCE_VERBS } from '../../src/api/subresources.ts';
import { formatFieldError } from '../../src/api/errors.ts';

test('every kind is registered with discovery data as kube-apiserver lists it', () => {
  const want: [string, string, string, string, string, string[], string[], boolean, string[]][] = [
    // group, version, plural, kind, singular, shortNames, categories, namespaced, subresources
    ['', 'v1', 'namespaces', 'Namespace', 'namespace', ['ns'], [], false, ['status']],
    ['', 'v1', 'nodes', 'Node', 'node', ['no'], [], false, ['status']],
    ['', 'v1', 'pods', 'Pod', 'pod', ['po'], ['all'], true, ['status', 'binding', 'log', 'eviction']],
    ['', 'v1', 'services', 'Service', 'service', ['svc'], ['all'], true, ['status']],
    ['', 'v1', 'endpoints', 'Endpoints', 'endpoints', ['ep'], [], true, []],
    ['', 'v1', 'configmaps', 'ConfigMap', 'configmap', ['cm'], [], true, []],
    ['', 'v1', 'secrets', 'Secret', 'secret', [], [], true, []],
    ['', 'v1', 'serviceaccounts', 'ServiceAccount', 'serviceaccount', ['sa'], [], true, []],
    ['', 'v1', 'events', 'Event', 'event', ['ev'], [], true, []],
    ['', 'v1', 'replicationcontrollers', 'ReplicationController', 'replicationcontroller', ['rc'], ['all'], true, ['status', 'scale']],
    ['events.k8s.io', 'v1', 'events', 'Event', 'event', ['ev'], [], true, []],
    ['coordination.k8s.io', 'v1', 'leases', 'Lease', 'lease', [], [], true, []],
    ['apps', 'v1', 'deployments', 'Deployment', 'deployment', ['deploy'], ['all'], true, ['status', 'scale']],
    ['apps', 'v1', 'replicasets', 'ReplicaSet', 'replicaset', ['rs'], ['all'], true, ['status', 'scale']],
    ['apps', 'v1', 'daemonsets', 'DaemonSet', 'daemonset', ['ds'], ['all'], true, ['status']],
    ['apps', 'v1', 'statefulsets', 'StatefulSet', 'statefulset', ['sts'], ['all'], true, ['status', 'scale']],
    ['batch', 'v1', 'jobs', 'Job', 'job', [], ['all'], true, ['status']],
    ['autoscaling', 'v2', 'horizontalpodautoscalers', 'HorizontalPodAutoscaler', 'horizontalpodautoscaler', ['hpa'], ['all'], true, ['status']],
    ['autoscaling', 'v1', 'horizontalpodautoscalers', 'HorizontalPodAutoscaler', 'horizontalpodautoscaler', ['hpa'], ['all'], true, ['status']],
    ['apiextensions.k8s.io', 'v1', 'customresourcedefinitions', 'CustomResourceDefinition', 'customresourcedefinition', ['crd', 'crds'], ['api-extensions'], false, ['status']],
  ];
  assert.equal(registry.all().length, want.length);
  for (const [g, v, plural, kind, singular, shortNames, categories, namespaced, subs] of want) {
    const t = registry.byResource(g, v, plural);
    assert.ok(t, `${g}/${v}/${plural}`);
    assert.equal(registry.byKind(g, v, kind), t);
    assert.equal(t.kind, kind);
    assert.equal(t.listKind, `${kind}List`);
    assert.equal(t.singular, singular);
    assert.deepEqual(t.shortNames, shortNames, plural);
    assert.deepEqual(t.categories, categories, plural);
    assert.equal(t.namespaced, namespaced, plural);
    assert.deepEqual(Object.keys(t.subresources), subs, plural);
    assert.ok(t.verbs.includes('watch') && t.verbs.includes('create'));
  }
  assert.deepEqual(registry.byResource('', 'v1', 'namespaces')!.verbs, ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch']);
  assert.deepEqual(registry.byResource('', 'v1', 'pods')!.verbs, ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']);
  assert.deepEqual(SUBRESOURCE_VERBS.binding, ['create']);
});

test('generation counts spec changes only for workloads, pods, hpa and CRDs', () => {
  const bumps = registry.all().filter((t) => t.strategy.specFields.length > 0).map((t) => `${t.plural}.${t.version}`);
  assert.deepEqual(bumps.sort(), ['customresourcedefinitions.v1', 'daemonsets.v1', 'deployments.v1', 'horizontalpodautoscalers.v1', 'horizontalpodautoscalers.v2', 'jobs.v1', 'pods.v1', 'replicasets.v1', 'replicationcontrollers.v1', 'statefulsets.v1']);
});

test('scale subresource reads and writes replicas; bad scale and binding bodies are invalid', () => {
  const d = registry.byResource('apps', 'v1', 'deployments')!;
  const obj: any = { metadata: { name: 'web', namespace: 'default', uid: 'u', resourceVersion: '7' }, spec: { replicas: 3, selector: { matchLabels: { app: 'web' } } }, status: { replicas: 2 } };
  assert.deepEqual(scaleOf(d, obj), {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: 'web', namespace: 'default', uid: 'u', resourceVersion: '7' },
    spec: { replicas: 3 },
    status: { replicas: 2, selector: 'app=web' },
  });
  const scaled = applyScale(d, obj, { metadata: {}, spec: { replicas: 5 } });
  assert.equal(scaled.spec.replicas, 5);
  assert.equal(obj.spec.replicas, 3, 'input not mutated');
  assert.deepEqual(validateScale({ metadata: {}, spec: { replicas: -1 } }).map(formatFieldError), ['spec.replicas: Invalid value: -1: must be greater than or equal to 0']);
  assert.throws(() => scaleOf(registry.byResource('', 'v1', 'pods')!, obj));
  assert.deepEqual(validateBinding({ metadata: { name: 'p' }, target: {} }).map(formatFieldError), ['target.name: Required value']);
  assert.deepEqual(validateBinding({ metadata: { name: 'p' }, target: { kind: 'Node', name: 'n1' } }), []);
});
