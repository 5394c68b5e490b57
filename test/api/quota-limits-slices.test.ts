// ResourceQuota, LimitRange and EndpointSlice: the kinds' validation, defaults and columns, and the
// quota rules in api/core (ResourceList arithmetic, evaluators, scopes, pod constraints).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/types.ts';
import { addLists, formatResourceList, lessThanOrEqual, parseResourceList, prettyPrintList } from '../../src/api/core/resourcelist.ts';
import { evaluatorFor, podConstraints, podMatchesScope, quotaMatches, trackedResources } from '../../src/api/core/quota.ts';
import { podLimitsList, podRequestsList } from '../../src/api/core/podresources.ts';
import { resourceQuota, quotaColumns } from '../../src/api/kinds/resourcequota.ts';
import { limitRange } from '../../src/api/kinds/limitrange.ts';
import { endpointSlice, formatSliceEndpoints, formatSlicePorts } from '../../src/api/kinds/endpointslice.ts';

const pod = (containers: any[], extra: any = {}): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns' }, spec: { containers, ...extra }, status: {} });
const c = (name: string, requests?: Record<string, string>, limits?: Record<string, string>) => ({ name, image: 'x', resources: { ...(requests ? { requests } : {}), ...(limits ? { limits } : {}) } });

test('ResourceList sums keep the format of their quantities', () => {
  const cases: [Record<string, string>, Record<string, string>, Record<string, string>][] = [
    [{ cpu: '500m' }, { cpu: '500m' }, { cpu: '1' }],
    [{ memory: '64Mi' }, { memory: '64Mi' }, { memory: '128Mi' }],
    [{ memory: '100M' }, { memory: '100M' }, { memory: '200M' }],
    [{ pods: '1' }, { services: '2' }, { pods: '1', services: '2' }],
    [{ cpu: '0' }, { cpu: '250m' }, { cpu: '250m' }],
  ];
  for (const [a, b, want] of cases) assert.deepEqual(formatResourceList(addLists(parseResourceList(a), parseResourceList(b))), want);
  assert.deepEqual(lessThanOrEqual(parseResourceList({ pods: '3', cpu: '1' }), parseResourceList({ pods: '2', cpu: '2' })), { ok: false, exceeded: ['pods'] });
  assert.equal(prettyPrintList(parseResourceList({ 'requests.cpu': '500m', pods: '1' })), 'pods=1,requests.cpu=500m');
});

test('pod requests and limits aggregate containers, init containers (max) and overhead', () => {
  const p = pod([c('a', { cpu: '100m', memory: '64Mi' }, { cpu: '200m' }), c('b', { cpu: '100m' })], {
    initContainers: [c('i', { cpu: '500m' })],
    overhead: { cpu: '10m', memory: '1Mi' },
  });
  assert.deepEqual(formatResourceList(podRequestsList(p)), { cpu: '510m', memory: '65Mi' });
  assert.deepEqual(formatResourceList(podLimitsList(p)), { cpu: '210m' });
});

test('the pod evaluator: usage, terminal pods, scopes and constraints', () => {
  const e = evaluatorFor('', 'pods');
  const p = pod([c('a', { cpu: '100m', memory: '64Mi' }, { cpu: '200m', memory: '64Mi' })]);
  assert.deepEqual(formatResourceList(e.usage(p)), {
    'count/pods': '1',
    cpu: '100m',
    'limits.cpu': '200m',
    'limits.memory': '64Mi',
    memory: '64Mi',
    pods: '1',
    'requests.cpu': '100m',
    'requests.memory': '64Mi',
  });
  assert.deepEqual(formatResourceList(e.usage({ ...p, status: { phase: 'Succeeded' } })), { 'count/pods': '1' });
  assert.ok(e.handles('CREATE') && !e.handles('UPDATE'));
  const scopes: [string, KubeObject, boolean][] = [
    ['BestEffort', pod([c('a')]), true],
    ['BestEffort', p, false],
    ['NotBestEffort', p, true],
    ['Terminating', pod([c('a')], { activeDeadlineSeconds: 10 }), true],
    ['NotTerminating', pod([c('a')], { activeDeadlineSeconds: 10 }), false],
  ];
  for (const [s, o, want] of scopes) assert.equal(podMatchesScope({ scopeName: s, operator: 'Exists' }, o), want, s);
  assert.equal(podMatchesScope({ scopeName: 'PriorityClass', operator: 'In', values: ['high'] }, pod([c('a')], { priorityClassName: 'high' })), true);
  assert.equal(podMatchesScope({ scopeName: 'PriorityClass', operator: 'NotIn', values: ['high'] }, pod([c('a')], { priorityClassName: 'high' })), false);
  assert.equal(
    podConstraints(['limits.cpu', 'requests.memory', 'pods'], pod([c('b', { cpu: '1' }), c('a', { memory: '1Gi' }, { cpu: '1' })])),
    'must specify limits.cpu for: b; requests.memory for: b',
  );
  assert.equal(podConstraints(['pods'], pod([c('a')])), undefined);
});

test('services, claims and object counts', () => {
  const svc = (type: string, ports = 2): KubeObject => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { type, ports: Array.from({ length: ports }, (_, i) => ({ port: 80 + i })) } });
  assert.deepEqual(formatResourceList(evaluatorFor('', 'services').usage(svc('NodePort'))), { 'count/services': '1', services: '1', 'services.loadbalancers': '0', 'services.nodeports': '2' });
  assert.equal(formatResourceList(evaluatorFor('', 'services').usage(svc('LoadBalancer')))['services.loadbalancers'], '1');
  const pvc: KubeObject = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'c' }, spec: { storageClassName: 'fast', resources: { requests: { storage: '1Gi' } } } };
  assert.deepEqual(formatResourceList(evaluatorFor('', 'persistentvolumeclaims').usage(pvc)), {
    'count/persistentvolumeclaims': '1',
    'fast.storageclass.storage.k8s.io/persistentvolumeclaims': '1',
    'fast.storageclass.storage.k8s.io/requests.storage': '1Gi',
    persistentvolumeclaims: '1',
    'requests.storage': '1Gi',
  });
  assert.deepEqual(formatResourceList(evaluatorFor('', 'configmaps').usage({} as KubeObject)), { configmaps: '1', 'count/configmaps': '1' });
  assert.deepEqual(formatResourceList(evaluatorFor('apps', 'deployments').usage({} as KubeObject)), { 'count/deployments.apps': '1' });
  assert.deepEqual(trackedResources(['pods', 'requests.cpu', 'count/deployments.apps', 'secrets', 'services.nodeports']), [
    { group: '', resource: 'pods' },
    { group: 'apps', resource: 'deployments' },
    { group: '', resource: 'secrets' },
    { group: '', resource: 'services' },
  ]);
  // A scoped quota tracks only pods; a quota not yet counted (no status.hard) applies to nothing.
  const q = (spec: any, hard = spec.hard): KubeObject => ({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q' }, spec, status: { hard } });
  assert.equal(quotaMatches(q({ hard: { configmaps: '1' }, scopes: ['BestEffort'] }), evaluatorFor('', 'configmaps'), {} as KubeObject), false);
  assert.equal(quotaMatches(q({ hard: { configmaps: '1' } }), evaluatorFor('', 'configmaps'), {} as KubeObject), true);
  assert.equal(quotaMatches({ ...q({ hard: { configmaps: '1' } }), status: {} }, evaluatorFor('', 'configmaps'), {} as KubeObject), false);
});

const quota = (spec: any, status?: any): KubeObject => ({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'q', namespace: 'ns' }, spec, ...(status ? { status } : {}) });

test('ResourceQuota validation names the field with Kubernetes messages', () => {
  const cases: [string, any, string[]][] = [
    ['valid', { hard: { pods: '2', 'requests.cpu': '1', 'count/deployments.apps': '3', 'requests.nvidia.com/gpu': '1' } }, []],
    ['negative', { hard: { pods: '-1' } }, ['spec.hard[pods]: Invalid value: "-1": must be greater than or equal to 0']],
    ['not an integer', { hard: { pods: '1500m' } }, ['spec.hard[pods]: Invalid value: "1500m": must be an integer']],
    ['not a quantity', { hard: { cpu: 'lots' } }, ["spec.hard[cpu]: Invalid value: \"lots\": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"]],
    ['unknown name', { hard: { foo: '1' } }, ['spec.hard[foo]: Invalid value: "foo": must be a standard resource type or fully qualified', 'spec.hard[foo]: Invalid value: "foo": must be a standard resource for quota']],
    ['storage is not a quota name', { hard: { storage: '1Gi' } }, ['spec.hard[storage]: Invalid value: "storage": must be a standard resource for quota']],
    ['unsupported scope', { hard: { pods: '1' }, scopes: ['Sometimes'] }, ['spec.scopes: Invalid value: ["Sometimes"]: unsupported scope']],
    ['scope on a non-pod resource', { hard: { configmaps: '1' }, scopes: ['BestEffort'] }, ['spec.scopes: Invalid value: ["BestEffort"]: unsupported scope applied to resource']],
    ['conflicting', { hard: { pods: '1' }, scopes: ['Terminating', 'NotTerminating'] }, ['spec.scopes: Invalid value: ["Terminating","NotTerminating"]: conflicting scopes']],
    [
      'selector operator',
      { hard: { pods: '1' }, scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In' }] } },
      ["spec.scopeSelector.matchExpressions.values: Required value: must be at least one value when `operator` is 'In' or 'NotIn' for scope selector"],
    ],
  ];
  for (const [name, spec, want] of cases) {
    const got = resourceQuota.validate(quota(spec)).map((e) => `${e.field}: ${e.detail}`);
    assert.deepEqual(got, want, name);
  }
  const old = quota({ hard: { pods: '1' }, scopes: ['BestEffort'] });
  assert.deepEqual(
    resourceQuota.strategy.validateUpdate!(quota({ hard: { pods: '1' }, scopes: ['NotBestEffort'] }), old).map((e) => `${e.field}: ${e.detail}`),
    ['spec.scopes: Invalid value: ["NotBestEffort"]: field is immutable'],
  );
});

test('ResourceQuota REQUEST / LIMIT columns as kubectl prints them', () => {
  const q = quota({}, { hard: { pods: '2', 'limits.cpu': '2', 'requests.cpu': '1', 'limits.memory': '1Gi' }, used: { pods: '1', 'requests.cpu': '500m' } });
  assert.deepEqual(quotaColumns(q), ['pods: 1/2, requests.cpu: 500m/1', 'limits.cpu: 0/2, limits.memory: 0/1Gi']);
  assert.deepEqual(
    resourceQuota.table.columns.map((x) => x.name),
    ['Age', 'Request', 'Limit'],
  );
  assert.deepEqual(quotaColumns(quota({})), ['', '']);
});

const lr = (limits: any[]): KubeObject => ({ apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'l', namespace: 'ns' }, spec: { limits } });

test('LimitRange defaults: default from max, defaultRequest from default, then min', () => {
  const o = lr([{ type: 'Container', max: { cpu: '1' }, min: { memory: '64Mi' } }, { type: 'Pod', max: { cpu: '2' } }]);
  limitRange.defaults(o);
  assert.deepEqual(o.spec.limits[0], { type: 'Container', max: { cpu: '1' }, min: { memory: '64Mi' }, default: { cpu: '1' }, defaultRequest: { cpu: '1', memory: '64Mi' } });
  assert.deepEqual(o.spec.limits[1], { type: 'Pod', max: { cpu: '2' } });
});

test('LimitRange validation names the field with Kubernetes messages', () => {
  const cases: [string, any[], string[]][] = [
    ['valid', [{ type: 'Container', default: { cpu: '500m' }, defaultRequest: { cpu: '100m' }, min: { cpu: '50m' }, max: { cpu: '1' } }], []],
    ['type', [{ type: 'Node', max: { cpu: '1' } }], ['spec.limits[0].type: Invalid value: "Node": must be a standard limit type or fully qualified']],
    ['min above max', [{ type: 'Pod', min: { cpu: '2' }, max: { cpu: '1' } }], ['spec.limits[0].min[cpu]: Invalid value: "2": min value 2 is greater than max value 1']],
    [
      'min above max, with the defaults they give a Container',
      [{ type: 'Container', min: { cpu: '2' }, max: { cpu: '1' } }],
      [
        'spec.limits[0].min[cpu]: Invalid value: "2": min value 2 is greater than max value 1',
        'spec.limits[0].defaultRequest[cpu]: Invalid value: "1": min value 2 is greater than default request value 1',
        'spec.limits[0].default[cpu]: Invalid value: "2": min value 2 is greater than default value 1',
      ],
    ],
    ['pod default', [{ type: 'Pod', default: { cpu: '1' } }], ["spec.limits[0].default: Forbidden: may not be specified when `type` is 'Pod'"]],
    ['default request above default', [{ type: 'Container', default: { cpu: '100m' }, defaultRequest: { cpu: '200m' } }], ['spec.limits[0].defaultRequest[cpu]: Invalid value: "200m": default request value 200m is greater than default limit value 100m']],
    ['ratio below 1', [{ type: 'Container', maxLimitRequestRatio: { cpu: '500m' } }], ['spec.limits[0].maxLimitRequestRatio[cpu]: Invalid value: "500m": ratio 500m is less than 1']],
    ['claim needs storage', [{ type: 'PersistentVolumeClaim', max: { cpu: '1' } }], ['spec.limits[0].limits: Required value: either minimum or maximum storage value is required, but neither was provided']],
    ['container resource', [{ type: 'Pod', max: { storage: '1Gi' } }], ['spec.limits[0].max[storage]: Invalid value: "storage": must be a standard resource for containers']],
    ['duplicate type', [{ type: 'Pod', max: { cpu: '1' } }, { type: 'Pod', max: { cpu: '1' } }], ['spec.limits[1].type: Duplicate value: "Pod"']],
  ];
  for (const [name, limits, want] of cases) {
    const o = lr(limits);
    limitRange.defaults(o);
    assert.deepEqual(limitRange.validate(o).map((e) => `${e.field}: ${e.detail}`), want, name);
  }
  assert.deepEqual(limitRange.table.columns.map((x) => x.name), ['Created At']);
});

const slice = (extra: any): KubeObject => ({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 's-abc', namespace: 'ns' }, addressType: 'IPv4', endpoints: [], ...extra });

test('EndpointSlice validation and defaults', () => {
  const cases: [string, any, string[]][] = [
    ['valid', { endpoints: [{ addresses: ['10.0.0.1'], conditions: { ready: true } }], ports: [{ name: 'http', port: 80, protocol: 'TCP' }] }, []],
    ['no address type', { addressType: undefined }, ['addressType: Required value']],
    ['bad address type', { addressType: 'IPv5' }, ['addressType: Unsupported value: "IPv5": supported values: "FQDN", "IPv4", "IPv6"']],
    ['no addresses', { endpoints: [{ addresses: [] }] }, ['endpoints[0].addresses: Required value: must contain at least 1 address']],
    ['bad IPv4', { endpoints: [{ addresses: ['fe80::1'] }] }, ['endpoints[0].addresses[0]: Invalid value: "fe80::1": must be a valid IPv4 address']],
    ['bad protocol', { ports: [{ name: 'a', port: 1, protocol: 'HTTP' }] }, ['ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"']],
    ['duplicate port name', { ports: [{ name: 'a', port: 1 }, { name: 'a', port: 2 }] }, ['ports[1].name: Duplicate value: "a"']],
  ];
  for (const [name, extra, want] of cases) {
    const o = slice(extra);
    endpointSlice.defaults(o);
    assert.deepEqual(endpointSlice.validate(o).map((e) => `${e.field}: ${e.detail}`), want, name);
  }
  const d = slice({ ports: [{ port: 80 }] });
  endpointSlice.defaults(d);
  assert.deepEqual(d.ports, [{ port: 80, name: '', protocol: 'TCP' }]);
  assert.deepEqual(endpointSlice.validate(slice({ addressType: 'IPv6' }), slice({})).map((e) => e.field), ['addressType']);
});

test('EndpointSlice PORTS and ENDPOINTS columns', () => {
  assert.equal(formatSlicePorts(slice({})), '<unset>');
  assert.equal(formatSliceEndpoints(slice({})), '<unset>');
  assert.equal(formatSlicePorts(slice({ ports: [{ port: 80 }, { name: 'x' }, {}] })), '80,x,*');
  const eps = ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5'].map((a) => ({ addresses: [a] }));
  assert.equal(formatSliceEndpoints(slice({ endpoints: eps })), '10.0.0.1,10.0.0.2,10.0.0.3 + 2 more...');
  assert.deepEqual(endpointSlice.table.columns.map((x) => x.name), ['AddressType', 'Ports', 'Endpoints', 'Age']);
});
