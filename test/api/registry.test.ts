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
    ['', 'v1', 'serviceaccounts', 'ServiceAccount', 'serviceaccount', ['sa'], [], true, ['token']],
    ['', 'v1', 'events', 'Event', 'event', ['ev'], [], true, []],
    ['', 'v1', 'replicationcontrollers', 'ReplicationController', 'replicationcontroller', ['rc'], ['all'], true, ['status', 'scale']],
    ['', 'v1', 'resourcequotas', 'ResourceQuota', 'resourcequota', ['quota'], [], true, ['status']],
    ['', 'v1', 'limitranges', 'LimitRange', 'limitrange', ['limits'], [], true, []],
    ['discovery.k8s.io', 'v1', 'endpointslices', 'EndpointSlice', 'endpointslice', [], [], true, []],
    ['events.k8s.io', 'v1', 'events', 'Event', 'event', ['ev'], [], true, []],
    ['coordination.k8s.io', 'v1', 'leases', 'Lease', 'lease', [], [], true, []],
    ['apps', 'v1', 'deployments', 'Deployment', 'deployment', ['deploy'], ['all'], true, ['status', 'scale']],
    ['apps', 'v1', 'replicasets', 'ReplicaSet', 'replicaset', ['rs'], ['all'], true, ['status', 'scale']],
    ['apps', 'v1', 'daemonsets', 'DaemonSet', 'daemonset', ['ds'], ['all'], true, ['status']],
    ['apps', 'v1', 'statefulsets', 'StatefulSet', 'statefulset', ['sts'], ['all'], true, ['status', 'scale']],
    ['batch', 'v1', 'jobs', 'Job', 'job', [], ['all'], true, ['status']],
    ['batch', 'v1', 'cronjobs', 'CronJob', 'cronjob', ['cj'], ['all'], true, ['status']],
    ['autoscaling', 'v2', 'horizontalpodautoscalers', 'HorizontalPodAutoscaler', 'horizontalpodautoscaler', ['hpa'], ['all'], true, ['status']],
    ['autoscaling', 'v1', 'horizontalpodautoscalers', 'HorizontalPodAutoscaler', 'horizontalpodautoscaler', ['hpa'], ['all'], true, ['status']],
    ['', 'v1', 'podtemplates', 'PodTemplate', 'podtemplate', [], [], true, []],
    ['apps', 'v1', 'controllerrevisions', 'ControllerRevision', 'controllerrevision', [], [], true, []],
    ['policy', 'v1', 'poddisruptionbudgets', 'PodDisruptionBudget', 'poddisruptionbudget', ['pdb'], [], true, ['status']],
    ['scheduling.k8s.io', 'v1', 'priorityclasses', 'PriorityClass', 'priorityclass', ['pc'], [], false, []],
    ['networking.k8s.io', 'v1', 'ingresses', 'Ingress', 'ingress', ['ing'], [], true, ['status']],
    ['networking.k8s.io', 'v1', 'ingressclasses', 'IngressClass', 'ingressclass', [], [], false, []],
    ['networking.k8s.io', 'v1', 'networkpolicies', 'NetworkPolicy', 'networkpolicy', ['netpol'], [], true, []],
    ['node.k8s.io', 'v1', 'runtimeclasses', 'RuntimeClass', 'runtimeclass', [], [], false, []],
    ['certificates.k8s.io', 'v1', 'certificatesigningrequests', 'CertificateSigningRequest', 'certificatesigningrequest', ['csr'], [], false, ['status', 'approval']],
    ['', 'v1', 'persistentvolumes', 'PersistentVolume', 'persistentvolume', ['pv'], [], false, ['status']],
    ['', 'v1', 'persistentvolumeclaims', 'PersistentVolumeClaim', 'persistentvolumeclaim', ['pvc'], [], true, ['status']],
    ['storage.k8s.io', 'v1', 'storageclasses', 'StorageClass', 'storageclass', ['sc'], [], false, []],
    ['storage.k8s.io', 'v1', 'csidrivers', 'CSIDriver', 'csidriver', [], [], false, []],
    ['storage.k8s.io', 'v1', 'csinodes', 'CSINode', 'csinode', [], [], false, []],
    ['storage.k8s.io', 'v1', 'volumeattachments', 'VolumeAttachment', 'volumeattachment', [], [], false, ['status']],
    ['admissionregistration.k8s.io', 'v1', 'mutatingwebhookconfigurations', 'MutatingWebhookConfiguration', 'mutatingwebhookconfiguration', [], ['api-extensions'], false, []],
    ['admissionregistration.k8s.io', 'v1', 'validatingwebhookconfigurations', 'ValidatingWebhookConfiguration', 'validatingwebhookconfiguration', [], ['api-extensions'], false, []],
    ['admissionregistration.k8s.io', 'v1', 'validatingadmissionpolicies', 'ValidatingAdmissionPolicy', 'validatingadmissionpolicy', [], ['api-extensions'], false, ['status']],
    ['admissionregistration.k8s.io', 'v1', 'validatingadmissionpolicybindings', 'ValidatingAdmissionPolicyBinding', 'validatingadmissionpolicybinding', [], ['api-extensions'], false, []],
    ['apiregistration.k8s.io', 'v1', 'apiservices', 'APIService', 'apiservice', [], ['api-extensions'], false, ['status']],
    ['apiextensions.k8s.io', 'v1', 'customresourcedefinitions', 'CustomResourceDefinition', 'customresourcedefinition', ['crd', 'crds'], ['api-extensions'], false, ['status']],
    ['flowcontrol.apiserver.k8s.io', 'v1', 'flowschemas', 'FlowSchema', 'flowschema', [], [], false, ['status']],
    ['flowcontrol.apiserver.k8s.io', 'v1', 'prioritylevelconfigurations', 'PriorityLevelConfiguration', 'prioritylevelconfiguration', [], [], false, ['status']],
    ['rbac.authorization.k8s.io', 'v1', 'clusterrolebindings', 'ClusterRoleBinding', 'clusterrolebinding', [], [], false, []],
    ['rbac.authorization.k8s.io', 'v1', 'clusterroles', 'ClusterRole', 'clusterrole', [], [], false, []],
    ['rbac.authorization.k8s.io', 'v1', 'rolebindings', 'RoleBinding', 'rolebinding', [], [], true, []],
    ['rbac.authorization.k8s.io', 'v1', 'roles', 'Role', 'role', [], [], true, []],
  ];
  // metrics.k8s.io (read only: get, list) besides
  const metrics = [
    ['nodes', 'NodeMetrics', false],
    ['pods', 'PodMetrics', true],
  ] as const;
  for (const [plural, kind, namespaced] of metrics) {
    const t = registry.byResource('metrics.k8s.io', 'v1beta1', plural)!;
    assert.deepEqual([t.kind, t.namespaced, t.verbs], [kind, namespaced, ['get', 'list']]);
  }
  // the metrics adapters' groups (custom.metrics.k8s.io, external.metrics.k8s.io; their paths are data)
  const adapters = [
    ['custom.metrics.k8s.io', 'v1beta2', 'metricvaluelists', 'MetricValueList'],
    ['external.metrics.k8s.io', 'v1beta1', 'externalmetricvaluelists', 'ExternalMetricValueList'],
  ] as const;
  for (const [g, v, plural, kind] of adapters) assert.deepEqual([registry.byResource(g, v, plural)?.kind, registry.byResource(g, v, plural)?.verbs], [kind, ['get']]);
  assert.equal(registry.all().length, want.length + metrics.length + adapters.length);
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

test('generation counts spec changes only for workloads, pods, hpa, CRDs and admission configuration', () => {
  const bumps = registry.all().filter((t) => t.strategy.specFields.length > 0).map((t) => `${t.plural}.${t.version}`);
  // Issue 11's kinds whose strategies bump it too: Ingress, IngressClass, NetworkPolicy, PDB, PodTemplate.
  const issue11 = ['ingressclasses.v1', 'ingresses.v1', 'networkpolicies.v1', 'poddisruptionbudgets.v1', 'podtemplates.v1'];
  const admission = ['mutatingwebhookconfigurations.v1', 'validatingadmissionpolicies.v1', 'validatingadmissionpolicybindings.v1', 'validatingwebhookconfigurations.v1'];
  assert.deepEqual(bumps.filter((b) => !admission.includes(b)).sort(), [...issue11, 'customresourcedefinitions.v1', 'daemonsets.v1', 'deployments.v1', 'horizontalpodautoscalers.v1', 'horizontalpodautoscalers.v2', 'jobs.v1', 'cronjobs.v1', 'pods.v1', 'replicasets.v1', 'replicationcontrollers.v1', 'statefulsets.v1'].sort());
  assert.deepEqual(bumps.filter((b) => admission.includes(b)).sort(), admission);
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
