import { test } from 'node:test';
import assert from 'node:assert/strict';
import { registry } from '../../src/api/registry.ts';
import { formatFieldError } from '../../src/api/errors.ts';
import type { KubeObject } from '../../src/api/types.ts';
import type { ResourceType } from '../../src/api/resource.ts';
import { POD_UPDATE_FORBIDDEN, defaultImagePullPolicy } from '../../src/api/kinds/podspec.ts';
import { podQOSClass } from '../../src/api/core/qos.ts';
import { admitPodPriority } from '../../src/apiserver/pipeline/priority.ts';
import { SYSTEM_PRIORITY_CLASSES } from '../../src/api/kinds/priorityclass.ts';

/** The classes every API server starts with, as Priority admission sees them. */
const systemClasses = SYSTEM_PRIORITY_CLASSES.map((c) => ({ metadata: { name: c.name }, value: c.value, globalDefault: c.globalDefault, preemptionPolicy: 'PreemptLowerPriority' }));

const rt = (group: string, plural: string, version = 'v1') => registry.byResource(group, version, plural)!;
const pods = rt('', 'pods');
const deployments = rt('apps', 'deployments');
const jobs = rt('batch', 'jobs');
const services = rt('', 'services');

/** Mimics the API server's create path: defaults, (Priority admission for pods), prepareForCreate, validate. */
function create(t: ResourceType, o: any): { obj: KubeObject; errors: string[] } {
  const obj = structuredClone(o);
  obj.metadata.uid ??= 'uid-1';
  t.defaults(obj);
  if (t === pods) admitPodPriority(obj, systemClasses);
  t.strategy.prepareForCreate?.(obj);
  return { obj, errors: t.validate(obj).map(formatFieldError) };
}

function update(t: ResourceType, o: any, old: any): string[] {
  const obj = structuredClone(o);
  t.defaults(obj);
  t.strategy.prepareForUpdate?.(obj, old);
  return [...t.validate(obj, old), ...(t.strategy.validateUpdate?.(obj, old) ?? [])].map(formatFieldError);
}

const podOf = (spec: any, name = 'p') => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default' }, spec });

test('pod defaults as the API server applies them', () => {
  const { obj, errors } = create(pods, podOf({ containers: [{ name: 'c', image: 'nginx:1.25', ports: [{ containerPort: 80 }], resources: { limits: { cpu: '1', memory: '1Gi' } } }] }));
  assert.deepEqual(errors, []);
  const s = obj.spec;
  assert.equal(s.restartPolicy, 'Always');
  assert.equal(s.dnsPolicy, 'ClusterFirst');
  assert.equal(s.schedulerName, 'default-scheduler');
  assert.equal(s.terminationGracePeriodSeconds, 30);
  assert.deepEqual(s.securityContext, {});
  assert.equal(s.enableServiceLinks, true);
  assert.equal(s.priority, 0);
  assert.equal(s.serviceAccountName, 'default');
  const c = s.containers[0];
  assert.equal(c.imagePullPolicy, 'IfNotPresent');
  assert.equal(c.terminationMessagePath, '/dev/termination-log');
  assert.equal(c.terminationMessagePolicy, 'File');
  assert.equal(c.ports[0].protocol, 'TCP');
  assert.deepEqual(c.resources.requests, { cpu: '1', memory: '1Gi' }, 'requests default to limits');
  assert.deepEqual(
    s.tolerations.map((t: any) => `${t.key}:${t.effect}:${t.tolerationSeconds}`),
    ['node.kubernetes.io/not-ready:NoExecute:300', 'node.kubernetes.io/unreachable:NoExecute:300'],
  );
  assert.deepEqual(obj.status, { phase: 'Pending', qosClass: 'Guaranteed' });
});

test('image pull policy and QoS class', () => {
  const cases: [string, string][] = [
    ['nginx', 'Always'],
    ['nginx:latest', 'Always'],
    ['nginx:1.25', 'IfNotPresent'],
    ['localhost:5000/app', 'Always'],
    ['localhost:5000/app:v1', 'IfNotPresent'],
    ['nginx@sha256:abc', 'IfNotPresent'],
  ];
  for (const [img, want] of cases) assert.equal(defaultImagePullPolicy(img), want, img);
  assert.equal(podQOSClass({ containers: [{}] }), 'BestEffort');
  assert.equal(podQOSClass({ containers: [{ resources: { requests: { cpu: '100m' } } }] }), 'Burstable');
  assert.equal(podQOSClass({ containers: [{ resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } } }] }), 'Guaranteed');
});

test('pod validation errors carry Kubernetes field paths and messages', () => {
  const cases: [any, (string | RegExp)[]][] = [
    [{}, ['spec.containers: Required value']],
    [{ containers: [{ name: 'c' }] }, ['spec.containers[0].image: Required value']],
    [{ containers: [{ image: 'x' }] }, ['spec.containers[0].name: Required value']],
    [
      { containers: [{ name: 'c', image: 'x' }, { name: 'c', image: 'y' }] },
      ['spec.containers[1].name: Duplicate value: "c"'],
    ],
    [
      { initContainers: [{ name: 'c', image: 'x' }], containers: [{ name: 'c', image: 'y' }] },
      ['spec.initContainers[0].name: Duplicate value: "c"'],
    ],
    [{ restartPolicy: 'Sometimes', containers: [{ name: 'c', image: 'x' }] }, ['spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"']],
    [{ containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 0 }] }] }, ['spec.containers[0].ports[0].containerPort: Invalid value: 0: must be between 1 and 65535, inclusive']],
    [{ containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 70000 }] }] }, ['spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive']],
    [
      { containers: [{ name: 'c', image: 'x', resources: { requests: { cpu: '2' }, limits: { cpu: '1' } } }] },
      ['spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1'],
    ],
    [{ containers: [{ name: 'c', image: 'x', volumeMounts: [{ name: 'v', mountPath: '/d' }] }] }, ['spec.containers[0].volumeMounts[0].name: Not found: "v"']],
    [{ containers: [{ name: 'c', image: 'x', env: [{ value: 'x' }] }] }, ['spec.containers[0].env[0].name: Required value']],
    [{ containers: [{ name: 'C_1', image: 'x' }] }, [/^spec\.containers\[0\]\.name: Invalid value: "C_1": a lowercase RFC 1123 label/]],
  ];
  for (const [spec, want] of cases) {
    const { errors } = create(pods, podOf(spec));
    if (want[0] instanceof RegExp) assert.match(errors[0], want[0]);
    else assert.deepEqual(errors, want, JSON.stringify(spec));
  }
});

test('pod update: only images, activeDeadlineSeconds, added tolerations may change', () => {
  const { obj: old } = create(pods, podOf({ containers: [{ name: 'c', image: 'nginx:1' }] }));
  const withImage = structuredClone(old);
  withImage.spec.containers[0].image = 'nginx:2';
  assert.deepEqual(update(pods, withImage, old), []);
  const withTol = structuredClone(old);
  withTol.spec.tolerations.push({ key: 'k', operator: 'Exists', effect: 'NoSchedule' });
  assert.deepEqual(update(pods, withTol, old), []);
  const withDeadline = structuredClone(old);
  withDeadline.spec.activeDeadlineSeconds = 30;
  assert.deepEqual(update(pods, withDeadline, old), []);
  const withPort = structuredClone(old);
  withPort.spec.containers[0].ports = [{ containerPort: 80 }];
  assert.deepEqual(update(pods, withPort, old), [`spec: Forbidden: ${POD_UPDATE_FORBIDDEN}`]);
  const renamed = structuredClone(old);
  renamed.metadata.name = 'q';
  assert.ok(update(pods, renamed, old).length >= 0);
  // a main-resource update keeps the old status
  const st = structuredClone(old);
  st.status = { phase: 'Running' };
  const prepared = structuredClone(st);
  pods.strategy.prepareForUpdate!(prepared, old);
  assert.equal(prepared.status.phase, 'Pending');
  // a status update keeps the old spec
  const su = structuredClone(old);
  su.spec.containers[0].image = 'evil';
  su.status = { phase: 'Running' };
  pods.strategy.prepareForStatusUpdate!(su, old);
  assert.equal(su.spec.containers[0].image, 'nginx:1');
  assert.equal(su.status.phase, 'Running');
});

const deploy = (spec: any) => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' }, spec });
const template = (labels: any) => ({ metadata: { labels }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });

test('deployment defaults and validation', () => {
  const { obj, errors } = create(deployments, deploy({ selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web' }) }));
  assert.deepEqual(errors, []);
  assert.equal(obj.spec.replicas, 1);
  assert.deepEqual(obj.spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
  assert.equal(obj.spec.revisionHistoryLimit, 10);
  assert.equal(obj.spec.progressDeadlineSeconds, 600);
  assert.equal(obj.spec.template.spec.restartPolicy, 'Always');
  assert.equal(obj.spec.template.spec.serviceAccountName, undefined, 'admission defaults are for pods only');
  assert.deepEqual(obj.status, {});
  assert.deepEqual(deployments.strategy.specFields, ['spec']);

  const cases: [any, string[]][] = [
    [{ template: template({ app: 'web' }) }, ['spec.selector: Required value']],
    [
      { selector: { matchLabels: { app: 'web' } }, template: template({ app: 'other', tier: 'x' }) },
      ['spec.template.metadata.labels: Invalid value: map[string]string{"app":"other", "tier":"x"}: `selector` does not match template `labels`'],
    ],
    [{ replicas: -1, selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web' }) }, ['spec.replicas: Invalid value: -1: must be greater than or equal to 0']],
    [
      { selector: { matchLabels: { app: 'web' } }, template: { ...template({ app: 'web' }), spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'x' }] } } },
      ['spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"'],
    ],
    [
      { selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web' }), strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 0 } } },
      ['spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0'],
    ],
  ];
  for (const [spec, want] of cases) assert.deepEqual(create(deployments, deploy(spec)).errors, want, JSON.stringify(spec));
});

test('deployment selector is immutable; status is kept on main update', () => {
  const { obj: old } = create(deployments, deploy({ selector: { matchLabels: { app: 'web' } }, template: template({ app: 'web' }) }));
  old.status = { replicas: 3 };
  const changed = structuredClone(old);
  changed.spec.selector = { matchLabels: { app: 'web2' } };
  changed.spec.template.metadata.labels = { app: 'web2' };
  assert.deepEqual(update(deployments, changed, old), [
    'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web2"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
  ]);
  const scaled = structuredClone(old);
  scaled.spec.replicas = 5;
  scaled.status = {};
  assert.deepEqual(update(deployments, scaled, old), []);
  deployments.strategy.prepareForUpdate!(scaled, old);
  assert.deepEqual(scaled.status, { replicas: 3 });
});

test('job: defaults, generated controller-uid selector, template immutable', () => {
  const j = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'pi', namespace: 'default', uid: 'abc' }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'pi', image: 'perl' }] } } } };
  const { obj, errors } = create(jobs, j);
  assert.deepEqual(errors, []);
  assert.equal(obj.spec.completions, 1);
  assert.equal(obj.spec.parallelism, 1);
  assert.equal(obj.spec.backoffLimit, 6);
  assert.equal(obj.spec.completionMode, 'NonIndexed');
  assert.deepEqual(obj.spec.selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': 'abc' } });
  assert.deepEqual(obj.spec.template.metadata.labels, { 'job-name': 'pi', 'batch.kubernetes.io/job-name': 'pi', 'controller-uid': 'abc', 'batch.kubernetes.io/controller-uid': 'abc' });
  const always = structuredClone(j);
  (always.spec.template.spec as any).restartPolicy = 'Always';
  assert.deepEqual(create(jobs, always).errors, ['spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"']);
  const changed = structuredClone(obj);
  changed.spec.template.spec.containers[0].image = 'perl:2';
  assert.deepEqual(update(jobs, changed, obj), ['spec.template: Invalid value: core.PodTemplateSpec{...}: field is immutable']);
});

test('service: defaults, required ports, clusterIP immutable', () => {
  const svc = (spec: any) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec });
  const { obj, errors } = create(services, svc({ selector: { app: 'web' }, ports: [{ port: 80 }] }));
  assert.deepEqual(errors, []);
  assert.equal(obj.spec.type, 'ClusterIP');
  assert.equal(obj.spec.sessionAffinity, 'None');
  assert.deepEqual(obj.spec.ports, [{ port: 80, protocol: 'TCP', targetPort: 80 }]);
  assert.equal(obj.spec.internalTrafficPolicy, 'Cluster');
  assert.deepEqual(create(services, svc({ selector: { app: 'web' } })).errors, ['spec.ports: Required value']);
  assert.deepEqual(create(services, svc({ clusterIP: 'None' })).errors, []);
  assert.deepEqual(create(services, svc({ type: 'Magic', ports: [{ port: 80 }] })).errors, ['spec.type: Unsupported value: "Magic": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"']);
  assert.deepEqual(create(services, svc({ ports: [{ port: 80 }, { port: 81 }] })).errors, ['spec.ports[0].name: Required value', 'spec.ports[1].name: Required value']);
  assert.match(create(services, { ...svc({ ports: [{ port: 80 }] }), metadata: { name: '1web', namespace: 'default' } }).errors[0], /a DNS-1035 label/);
  const old = structuredClone(obj);
  old.spec.clusterIP = '10.96.0.10';
  old.spec.clusterIPs = ['10.96.0.10'];
  const changed = structuredClone(old);
  changed.spec.clusterIP = '10.96.0.11';
  changed.spec.clusterIPs = ['10.96.0.11'];
  assert.ok(update(services, changed, old).includes('spec.clusterIP: Invalid value: "10.96.0.11": field is immutable'));
});

test('namespace: Active with the kubernetes finalizer and the name label', () => {
  const ns = rt('', 'namespaces');
  const { obj, errors } = create(ns, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } });
  assert.deepEqual(errors, []);
  assert.deepEqual(obj.status, { phase: 'Active' });
  assert.deepEqual(obj.spec.finalizers, ['kubernetes']);
  assert.equal(obj.metadata.labels!['kubernetes.io/metadata.name'], 'team-a');
  assert.match(create(ns, { metadata: { name: 'a.b' } }).errors[0], /^metadata\.name: Invalid value: "a\.b": a lowercase RFC 1123 label/);
});

test('secret: type Opaque, stringData merged into base64 data, immutable type', () => {
  const secrets = rt('', 'secrets');
  const { obj, errors } = create(secrets, { metadata: { name: 's', namespace: 'default' }, stringData: { password: 'hunter2' } });
  assert.deepEqual(errors, []);
  assert.equal(obj.type, 'Opaque');
  assert.deepEqual(obj.data, { password: Buffer.from('hunter2').toString('base64') });
  assert.equal(obj.stringData, undefined);
  assert.deepEqual(create(secrets, { metadata: { name: 's', namespace: 'default' }, type: 'kubernetes.io/tls', data: {} }).errors, ['data[tls.crt]: Required value', 'data[tls.key]: Required value']);
  const cm = rt('', 'configmaps');
  assert.match(create(cm, { metadata: { name: 'c', namespace: 'default' }, data: { 'bad key': 'x' } }).errors[0], /^data\[bad key\]: Invalid value: "bad key": a valid config key must consist/);
});

test('hpa defaults and validation', () => {
  const hpas = rt('autoscaling', 'horizontalpodautoscalers', 'v2');
  const h = (spec: any) => ({ metadata: { name: 'h', namespace: 'default' }, spec });
  const { obj, errors } = create(hpas, h({ scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, maxReplicas: 5 }));
  assert.deepEqual(errors, []);
  assert.equal(obj.spec.minReplicas, 1);
  assert.deepEqual(obj.spec.metrics, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }]);
  assert.deepEqual(create(hpas, h({ scaleTargetRef: { kind: 'Deployment' }, minReplicas: 3, maxReplicas: 2 })).errors, [
    'spec.scaleTargetRef.name: Required value',
    'spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`',
  ]);
});

test('lease and events validate their own fields', () => {
  const leases = rt('coordination.k8s.io', 'leases');
  assert.deepEqual(create(leases, { metadata: { name: 'l', namespace: 'kube-system' }, spec: { holderIdentity: 'a', leaseDurationSeconds: 0 } }).errors, ['spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0']);
  const ev = rt('events.k8s.io', 'events');
  assert.deepEqual(create(ev, { metadata: { name: 'e', namespace: 'default' }, type: 'Normal' }).errors, [
    'eventTime: Required value',
    'reportingController: Required value',
    'reportingInstance: Required value',
    'action: Required value',
    'reason: Required value',
  ]);
});

test('service address allocation: cluster IPs, node ports, carry-over on update', async () => {
  const { allocateClusterIP, allocateNodePort, assignServiceAddresses, addressesInUse, kubernetesServiceIP } = await import('../../src/api/kinds/service.ts');
  assert.equal(kubernetesServiceIP(), '10.96.0.1');
  assert.equal(allocateClusterIP([], '10.0.0.0/29', () => 0), '10.0.0.2');
  assert.equal(allocateClusterIP(['10.0.0.2', '10.0.0.3'], '10.0.0.0/29', () => 0), '10.0.0.4');
  assert.equal(allocateClusterIP(['10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5', '10.0.0.6'], '10.0.0.0/29'), undefined);
  assert.equal(allocateNodePort([30000], [30000, 30001], () => 0), 30001);
  assert.equal(allocateNodePort([30000, 30001], [30000, 30001]), undefined);

  const svc: any = { metadata: { name: 's', namespace: 'default' }, spec: { type: 'NodePort', ports: [{ port: 80, protocol: 'TCP' }] } };
  const inUse = addressesInUse([{ metadata: {}, spec: { clusterIP: '10.96.0.5', clusterIPs: ['10.96.0.5'], ports: [{ port: 1, nodePort: 30005 }] } }]);
  assert.deepEqual(assignServiceAddresses(svc, inUse), []);
  assert.match(svc.spec.clusterIP, /^10\.(9[6-9]|10[0-9]|11[01])\./);
  assert.deepEqual(svc.spec.clusterIPs, [svc.spec.clusterIP]);
  assert.ok(svc.spec.ports[0].nodePort >= 30000 && svc.spec.ports[0].nodePort <= 32767 && svc.spec.ports[0].nodePort !== 30005);
  const taken: any = { metadata: { name: 't', namespace: 'default' }, spec: { type: 'ClusterIP', clusterIP: '10.96.0.5', ports: [{ port: 80 }] } };
  assert.deepEqual(assignServiceAddresses(taken, inUse).map(formatFieldError), ['spec.clusterIPs: Invalid value: ["10.96.0.5"]: failed to allocate IP 10.96.0.5: provided IP is already allocated']);
  const headless: any = { metadata: {}, spec: { clusterIP: 'None' } };
  assert.deepEqual(assignServiceAddresses(headless, inUse), []);
  assert.deepEqual(headless.spec.clusterIPs, ['None']);

  // kubectl replace of a manifest without clusterIP/nodePort keeps the allocated ones
  const replaced: any = { metadata: { name: 's', namespace: 'default' }, spec: { type: 'NodePort', ports: [{ port: 80, protocol: 'TCP' }] } };
  assert.deepEqual(update(services, replaced, svc), []);
});

test('autoscaling/v1 HPA bodies are converted to the v2 storage version', async () => {
  const { hpaV2ToV1 } = await import('../../src/api/kinds/hpa.ts');
  const v1 = rt('autoscaling', 'horizontalpodautoscalers', 'v1');
  assert.equal(v1.conversion?.storageVersion, 'v2');
  const body = { apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: { name: 'web', namespace: 'default' }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, maxReplicas: 5, targetCPUUtilizationPercentage: 50 } };
  const { obj, errors } = create(v1, body);
  assert.deepEqual(errors, []);
  assert.equal(obj.apiVersion, 'autoscaling/v2');
  assert.deepEqual(obj.spec, { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 5, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }] });
  const back = hpaV2ToV1({ ...obj, status: { currentReplicas: 2, currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 30 } } }] } });
  assert.deepEqual(back.spec, { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 5, targetCPUUtilizationPercentage: 50 });
  assert.deepEqual(back.status, { currentReplicas: 2, currentCPUUtilizationPercentage: 30 });
  assert.deepEqual(create(v1, { ...body, spec: { ...body.spec, maxReplicas: 0 } }).errors, ['spec.maxReplicas: Invalid value: 0: must be greater than 0']);
});

test('workload pod templates may not set activeDeadlineSeconds', () => {
  const spec = { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { activeDeadlineSeconds: 10, containers: [{ name: 'c', image: 'x' }] } } };
  assert.deepEqual(create(deployments, deploy(spec)).errors, ['spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in ReplicaSet is not Supported']);
});

test('priority admission resolves the system priority classes', () => {
  assert.equal(create(pods, podOf({ priorityClassName: 'system-node-critical', containers: [{ name: 'c', image: 'x' }] })).obj.spec.priority, 2000001000);
  assert.equal(create(pods, podOf({ priorityClassName: 'system-cluster-critical', containers: [{ name: 'c', image: 'x' }] })).obj.spec.priority, 2000000000);
  assert.equal(create(pods, podOf({ containers: [{ name: 'c', image: 'x' }] })).obj.spec.priority, 0);
});
