import { test } from 'node:test';
import assert from 'node:assert/strict';
import { registry } from '../../src/api/registry.ts';
import type { KubeObject } from '../../src/api/types.ts';

const now = new Date('2025-01-01T12:00:00Z');
const ago = (sec: number) => new Date(now.getTime() - sec * 1000).toISOString();
const rt = (group: string, plural: string, version = 'v1') => registry.byResource(group, version, plural)!;
const names = (group: string, plural: string, version = 'v1') => rt(group, plural, version).table.columns.map((c) => (c.priority ? `(${c.name})` : c.name));
const cells = (group: string, plural: string, o: any, version = 'v1') => rt(group, plural, version).table.cells(o as KubeObject, now);

test('column headers match kube-apiserver (NAME is prepended by toTable, except events)', () => {
  assert.deepEqual(names('', 'pods'), ['Ready', 'Status', 'Restarts', 'Age', '(IP)', '(Node)', '(Nominated Node)', '(Readiness Gates)']);
  assert.deepEqual(names('', 'nodes'), ['Status', 'Roles', 'Age', 'Version', '(Internal-IP)', '(External-IP)', '(OS-Image)', '(Kernel-Version)', '(Container-Runtime)']);
  assert.deepEqual(names('apps', 'deployments'), ['Ready', 'Up-to-date', 'Available', 'Age', '(Containers)', '(Images)', '(Selector)']);
  assert.deepEqual(names('apps', 'replicasets'), ['Desired', 'Current', 'Ready', 'Age', '(Containers)', '(Images)', '(Selector)']);
  assert.deepEqual(names('apps', 'daemonsets'), ['Desired', 'Current', 'Ready', 'Up-to-date', 'Available', 'Node Selector', 'Age', '(Containers)', '(Images)', '(Selector)']);
  assert.deepEqual(names('apps', 'statefulsets'), ['Ready', 'Age', '(Containers)', '(Images)']);
  assert.deepEqual(names('batch', 'jobs'), ['Status', 'Completions', 'Duration', 'Age', '(Containers)', '(Images)', '(Selector)']);
  assert.deepEqual(names('', 'services'), ['Type', 'Cluster-IP', 'External-IP', 'Port(s)', 'Age', '(Selector)']);
  assert.deepEqual(names('', 'endpoints'), ['Endpoints', 'Age']);
  assert.deepEqual(names('', 'namespaces'), ['Status', 'Age']);
  assert.deepEqual(names('', 'configmaps'), ['Data', 'Age']);
  assert.deepEqual(names('', 'secrets'), ['Type', 'Data', 'Age']);
  assert.deepEqual(names('', 'serviceaccounts'), ['Secrets', 'Age']);
  assert.deepEqual(names('coordination.k8s.io', 'leases'), ['Holder', 'Age']);
  assert.deepEqual(names('autoscaling', 'horizontalpodautoscalers', 'v2'), ['Reference', 'Targets', 'MinPods', 'MaxPods', 'Replicas', 'Age']);
  assert.deepEqual(names('', 'events'), ['Last Seen', 'Type', 'Reason', 'Object', '(Subobject)', '(Source)', 'Message', '(First Seen)', '(Count)', '(Name)']);
  assert.equal(rt('', 'events').table.nameColumn, false);
  assert.equal(rt('', 'pods').table.nameColumn, undefined);
});

const pod = (spec: any, status: any, meta: any = {}) => ({ metadata: { name: 'p', namespace: 'default', creationTimestamp: ago(65), ...meta }, spec, status });
const c1 = { containers: [{ name: 'a', image: 'x' }] };

test('pod STATUS, READY and RESTARTS as kubectl computes them', () => {
  const cases: [string, any, any, any, unknown[]][] = [
    ['pending', c1, { phase: 'Pending' }, {}, ['0/1', 'Pending', '0', '65s']],
    ['creating', c1, { phase: 'Pending', containerStatuses: [{ name: 'a', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } }] }, {}, ['0/1', 'ContainerCreating', '0', '65s']],
    ['running', c1, { phase: 'Running', podIP: '10.0.0.5', containerStatuses: [{ name: 'a', ready: true, restartCount: 0, state: { running: {} } }] }, {}, ['1/1', 'Running', '0', '65s']],
    [
      'crashloop',
      c1,
      { phase: 'Running', containerStatuses: [{ name: 'a', ready: false, restartCount: 5, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 1, finishedAt: ago(300) } } }] },
      {},
      ['0/1', 'CrashLoopBackOff', '5 (5m ago)', '65s'],
    ],
    ['completed', c1, { phase: 'Succeeded', containerStatuses: [{ name: 'a', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }] }, {}, ['0/1', 'Completed', '0', '65s']],
    ['exitcode', c1, { phase: 'Failed', containerStatuses: [{ name: 'a', state: { terminated: { exitCode: 2 } } }] }, {}, ['0/1', 'ExitCode:2', '0', '65s']],
    ['terminating', c1, { phase: 'Running', containerStatuses: [{ name: 'a', ready: true, state: { running: {} } }] }, { deletionTimestamp: ago(1) }, ['1/1', 'Terminating', '0', '65s']],
    ['evicted', c1, { phase: 'Failed', reason: 'Evicted' }, {}, ['0/1', 'Evicted', '0', '65s']],
    [
      'init',
      { initContainers: [{ name: 'i', image: 'x' }], containers: [{ name: 'a', image: 'x' }] },
      { phase: 'Pending', initContainerStatuses: [{ name: 'i', state: { running: {} } }] },
      {},
      ['0/1', 'Init:0/1', '0', '65s'],
    ],
    [
      'init-crash',
      { initContainers: [{ name: 'i', image: 'x' }], containers: [{ name: 'a', image: 'x' }] },
      { phase: 'Pending', initContainerStatuses: [{ name: 'i', state: { waiting: { reason: 'CrashLoopBackOff' } } }] },
      {},
      ['0/1', 'Init:CrashLoopBackOff', '0', '65s'],
    ],
    [
      'gated',
      c1,
      { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] },
      {},
      ['0/1', 'SchedulingGated', '0', '65s'],
    ],
  ];
  for (const [name, spec, status, meta, want] of cases) {
    assert.deepEqual(cells('', 'pods', pod(spec, status, meta)).slice(0, 4), want, name);
  }
  const wide = cells('', 'pods', pod({ ...c1, nodeName: 'n1', readinessGates: [{ conditionType: 'x/ready' }] }, { phase: 'Running', podIPs: [{ ip: '10.0.0.9' }], conditions: [{ type: 'x/ready', status: 'True' }] }));
  assert.deepEqual(wide.slice(4), ['10.0.0.9', 'n1', '<none>', '1/1']);
});

test('node STATUS and ROLES', () => {
  const node = (conds: any[], extra: any = {}, labels: any = {}) => ({
    metadata: { name: 'n', creationTimestamp: ago(3 * 86400 + 3600), labels },
    spec: extra,
    status: { conditions: conds, nodeInfo: { kubeletVersion: 'v1.32.0', osImage: 'Ubuntu', kernelVersion: '6.1', containerRuntimeVersion: 'kubesim://1.0' }, addresses: [{ type: 'InternalIP', address: '10.0.0.1' }] },
  });
  assert.deepEqual(cells('', 'nodes', node([{ type: 'Ready', status: 'True' }], {}, { 'node-role.kubernetes.io/control-plane': '' })), ['Ready', 'control-plane', '3d1h', 'v1.32.0', '10.0.0.1', '<none>', 'Ubuntu', '6.1', 'kubesim://1.0']);
  assert.equal(cells('', 'nodes', node([{ type: 'Ready', status: 'False' }]))[0], 'NotReady');
  assert.equal(cells('', 'nodes', node([{ type: 'Ready', status: 'Unknown' }], { unschedulable: true }))[0], 'NotReady,SchedulingDisabled');
  assert.equal(cells('', 'nodes', node([]))[0], 'Unknown');
  assert.equal(cells('', 'nodes', node([]))[1], '<none>');
});

test('workload rows', () => {
  const tpl = { spec: { containers: [{ name: 'web', image: 'nginx:1' }, { name: 'side', image: 'busybox' }] } };
  const d = { metadata: { name: 'web', creationTimestamp: ago(600) }, spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: tpl }, status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 } };
  assert.deepEqual(cells('apps', 'deployments', d), ['2/3', 3, 2, '10m', 'web,side', 'nginx:1,busybox', 'app=web']);
  assert.deepEqual(cells('apps', 'replicasets', { ...d, status: { replicas: 3, readyReplicas: 1 } }), [3, 3, 1, '10m', 'web,side', 'nginx:1,busybox', 'app=web']);
  assert.deepEqual(cells('apps', 'statefulsets', { ...d, status: {} }), ['0/3', '10m', 'web,side', 'nginx:1,busybox']);
  assert.deepEqual(cells('apps', 'daemonsets', { ...d, status: { desiredNumberScheduled: 2, currentNumberScheduled: 2, numberReady: 1, updatedNumberScheduled: 2, numberAvailable: 1 } }).slice(0, 7), [2, 2, 1, 2, 1, '<none>', '10m']);
  const j = (status: any, spec: any = { completions: 1, parallelism: 1 }) => ({ metadata: { name: 'pi', creationTimestamp: ago(120) }, spec: { ...spec, selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u' } }, template: tpl }, status });
  assert.deepEqual(cells('batch', 'jobs', j({ startTime: ago(100), completionTime: ago(40), succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] })).slice(0, 4), ['Complete', '1/1', '60s', '2m']);
  assert.deepEqual(cells('batch', 'jobs', j({ startTime: ago(30), active: 1 })).slice(0, 4), ['Running', '0/1', '30s', '2m']);
  assert.deepEqual(cells('batch', 'jobs', j({}, { parallelism: 3 })).slice(0, 3), ['Running', '0/1 of 3', '']);
  assert.deepEqual(cells('batch', 'jobs', j({ failed: 7, conditions: [{ type: 'Failed', status: 'True' }] })).slice(0, 1), ['Failed']);
});

test('service, endpoints, config and misc rows', () => {
  const svc = (spec: any, status: any = {}) => ({ metadata: { name: 's', creationTimestamp: ago(5) }, spec, status });
  assert.deepEqual(cells('', 'services', svc({ type: 'ClusterIP', clusterIP: '10.96.0.1', clusterIPs: ['10.96.0.1'], ports: [{ port: 443, protocol: 'TCP' }], selector: { app: 'x' } })), ['ClusterIP', '10.96.0.1', '<none>', '443/TCP', '5s', 'app=x']);
  assert.deepEqual(cells('', 'services', svc({ type: 'NodePort', clusterIPs: ['10.96.0.2'], ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }] })).slice(0, 4), ['NodePort', '10.96.0.2', '<none>', '80:30080/TCP,53/UDP']);
  assert.deepEqual(cells('', 'services', svc({ type: 'LoadBalancer', clusterIPs: ['10.96.0.3'], ports: [] })).slice(0, 4), ['LoadBalancer', '10.96.0.3', '<pending>', '<none>']);
  assert.deepEqual(cells('', 'services', svc({ type: 'LoadBalancer', clusterIPs: ['10.96.0.3'], ports: [] }, { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } }))[2], '1.2.3.4');
  assert.deepEqual(cells('', 'services', svc({ type: 'ExternalName', externalName: 'example.com' })).slice(0, 3), ['ExternalName', '<none>', 'example.com']);
  const ep = (subsets: any) => ({ metadata: { name: 'e', creationTimestamp: ago(5) }, subsets });
  assert.deepEqual(cells('', 'endpoints', ep(undefined)), ['<none>', '5s']);
  assert.deepEqual(cells('', 'endpoints', ep([{ addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }], ports: [{ port: 80 }] }]))[0], '10.0.0.1:80,10.0.0.2:80');
  assert.deepEqual(
    cells('', 'endpoints', ep([{ addresses: [1, 2, 3, 4, 5].map((i) => ({ ip: `10.0.0.${i}` })), ports: [{ port: 80 }] }]))[0],
    '10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 2 more...',
  );
  assert.deepEqual(cells('', 'namespaces', { metadata: { name: 'default', creationTimestamp: ago(10) }, status: { phase: 'Active' } }), ['Active', '10s']);
  assert.deepEqual(cells('', 'configmaps', { metadata: { name: 'c', creationTimestamp: ago(10) }, data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } }), [3, '10s']);
  assert.deepEqual(cells('', 'secrets', { metadata: { name: 's', creationTimestamp: ago(10) }, type: 'Opaque', data: { a: 'MQ==' } }), ['Opaque', 1, '10s']);
  assert.deepEqual(cells('', 'serviceaccounts', { metadata: { name: 'default', creationTimestamp: ago(10) } }), [0, '10s']);
  assert.deepEqual(cells('coordination.k8s.io', 'leases', { metadata: { name: 'l', creationTimestamp: ago(10) }, spec: { holderIdentity: 'node-1' } }), ['node-1', '10s']);
  assert.deepEqual(cells('', 'pods', { metadata: { name: 'x' }, spec: {}, status: {} })[3], '<unknown>');
});

test('hpa TARGETS', () => {
  const h = (metrics: any, current: any = undefined, minReplicas: any = 1) => ({
    metadata: { name: 'h', creationTimestamp: ago(10) },
    spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, minReplicas, maxReplicas: 5, metrics },
    status: { currentReplicas: 2, currentMetrics: current },
  });
  const cpu = { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } };
  assert.deepEqual(cells('autoscaling', 'horizontalpodautoscalers', h([cpu]), 'v2'), ['Deployment/web', 'cpu: <unknown>/50%', '1', 5, 2, '10s']);
  assert.equal(cells('autoscaling', 'horizontalpodautoscalers', h([cpu], [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 23, averageValue: '115m' } } }]), 'v2')[1], 'cpu: 23%/50%');
  assert.equal(cells('autoscaling', 'horizontalpodautoscalers', h([cpu, cpu, cpu]), 'v2')[1], 'cpu: <unknown>/50%, cpu: <unknown>/50% + 1 more...');
  assert.equal(cells('autoscaling', 'horizontalpodautoscalers', h([], undefined, undefined), 'v2')[1], '<none>');
  assert.equal(cells('autoscaling', 'horizontalpodautoscalers', h([], undefined, null), 'v2')[2], '<unset>');
});

test('event rows for core/v1 and events.k8s.io/v1', () => {
  const core = {
    metadata: { name: 'p.1', namespace: 'default' },
    involvedObject: { kind: 'Pod', name: 'p', namespace: 'default', fieldPath: 'spec.containers{a}' },
    reason: 'Pulled',
    message: ' Successfully pulled image ',
    type: 'Normal',
    source: { component: 'kubelet', host: 'node-1' },
    firstTimestamp: ago(120),
    lastTimestamp: ago(30),
    count: 3,
  };
  assert.deepEqual(cells('', 'events', core), ['30s', 'Normal', 'Pulled', 'pod/p', 'spec.containers{a}', 'kubelet, node-1', 'Successfully pulled image', '2m', 3, 'p.1']);
  const v1 = {
    metadata: { name: 'p.2', namespace: 'default' },
    eventTime: ago(10),
    reportingController: 'default-scheduler',
    reportingInstance: 'sched-1',
    action: 'Binding',
    reason: 'Scheduled',
    regarding: { kind: 'Pod', name: 'p', namespace: 'default' },
    note: 'Successfully assigned default/p to node-1',
    type: 'Normal',
  };
  assert.deepEqual(cells('events.k8s.io', 'events', v1), ['10s', 'Normal', 'Scheduled', 'pod/p', '', 'default-scheduler, sched-1', 'Successfully assigned default/p to node-1', '10s', 1, 'p.2']);
});
