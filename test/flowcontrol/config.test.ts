// The flowcontrol kinds through the API server: validation messages (table), defaults, the bootstrap
// objects kept by the configuration controller, the Dangling condition, and the APF headers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startApiServer, type RunningApiServer } from '../../src/apiserver/index.ts';
import { AUTOUPDATE_ANNOTATION } from '../../src/apiserver/flowcontrol/bootstrap.ts';
import { eventually } from '../helpers/eventually.ts';
import { req } from '../apiserver/helpers.ts';

const FS = '/apis/flowcontrol.apiserver.k8s.io/v1/flowschemas';
const PL = '/apis/flowcontrol.apiserver.k8s.io/v1/prioritylevelconfigurations';

let server: RunningApiServer;
before(async () => {
  server = await startApiServer({ enablePriorityAndFairness: true });
});
after(() => server.close());

const fs = (name: string, spec: Record<string, unknown>) => ({ apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'FlowSchema', metadata: { name }, spec });
const pl = (name: string, spec: Record<string, unknown>) => ({ apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'PriorityLevelConfiguration', metadata: { name }, spec });
const anyone = [{ kind: 'Group', group: { name: 'system:authenticated' } }];
const allResources = [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'], namespaces: ['*'], clusterScope: true }];

test('the bootstrap objects exist, annotated for auto-update', async () => {
  const levels = await req(server.url, 'GET', PL);
  assert.deepEqual(levels.body.items.map((i: any) => i.metadata.name), ['catch-all', 'exempt', 'global-default', 'leader-election', 'node-high', 'system', 'workload-high', 'workload-low']);
  const schemas = await req(server.url, 'GET', FS);
  const names = schemas.body.items.map((i: any) => i.metadata.name);
  for (const n of ['exempt', 'probes', 'system-leader-election', 'endpoint-controller', 'workload-leader-election', 'system-node-high', 'system-nodes', 'kube-controller-manager', 'kube-scheduler', 'kube-system-service-accounts', 'service-accounts', 'global-default', 'catch-all', 'kubesim-node-pool']) {
    assert.ok(names.includes(n), n);
  }
  const gd = levels.body.items.find((i: any) => i.metadata.name === 'global-default');
  assert.equal(gd.metadata.annotations[AUTOUPDATE_ANNOTATION], 'true');
  assert.deepEqual(gd.spec, { type: 'Limited', limited: { nominalConcurrencyShares: 20, lendablePercent: 50, limitResponse: { type: 'Queue', queuing: { queues: 128, handSize: 6, queueLengthLimit: 50 } } } });
  // the classified answer names its schema and level (the admin is exempt)
  const exemptFs = schemas.body.items.find((i: any) => i.metadata.name === 'exempt');
  const exemptPl = levels.body.items.find((i: any) => i.metadata.name === 'exempt');
  assert.equal(levels.headers.get('x-kubernetes-pf-flowschema-uid'), exemptFs.metadata.uid);
  assert.equal(levels.headers.get('x-kubernetes-pf-prioritylevel-uid'), exemptPl.metadata.uid);
  await eventually(async () => (await req(server.url, 'GET', `${FS}/global-default`)).body.status?.conditions?.[0]?.status === 'False', 'Dangling=False on global-default');
});

test('validation: Kubernetes\' messages', async () => {
  const cases: [string, object, string][] = [
    [FS, fs('p0', { matchingPrecedence: 0, priorityLevelConfiguration: { name: 'x' } }), ''],
    [FS, fs('p1', { matchingPrecedence: 1, priorityLevelConfiguration: { name: 'x' } }), `spec.matchingPrecedence: Invalid value: 1: only the schema named 'exempt' may have matchingPrecedence 1`],
    [FS, fs('big', { matchingPrecedence: 10001, priorityLevelConfiguration: { name: 'x' } }), 'spec.matchingPrecedence: Invalid value: 10001: must not be greater than 10000'],
    [FS, fs('nopl', { matchingPrecedence: 10 }), 'spec.priorityLevelConfiguration.name: Required value: must reference a priority level'],
    [FS, fs('dm', { matchingPrecedence: 10, priorityLevelConfiguration: { name: 'x' }, distinguisherMethod: { type: 'ByColor' } }), 'spec.distinguisherMethod.type: Unsupported value: "ByColor": supported values: "ByNamespace", "ByUser"'],
    [FS, fs('nosub', { matchingPrecedence: 10, priorityLevelConfiguration: { name: 'x' }, rules: [{ resourceRules: allResources }] }), 'spec.rules[0].subjects: Required value: subjects must contain at least one value'],
    [FS, fs('norules', { matchingPrecedence: 10, priorityLevelConfiguration: { name: 'x' }, rules: [{ subjects: anyone }] }), 'spec.rules[0]: Required value: at least one of resourceRules and nonResourceRules has to be non-empty'],
    [FS, fs('verbs', { matchingPrecedence: 10, priorityLevelConfiguration: { name: 'x' }, rules: [{ subjects: anyone, resourceRules: [{ ...allResources[0], verbs: ['*', 'get'] }] }] }), `spec.rules[0].resourceRules[0].verbs: Invalid value: []string{"*", "get"}: if '*' is present, must not specify other verbs`],
    [FS, fs('ns', { matchingPrecedence: 10, priorityLevelConfiguration: { name: 'x' }, rules: [{ subjects: anyone, resourceRules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }] }] }), 'spec.rules[0].resourceRules[0].namespaces: Required value: resource rules that are not cluster scoped must supply at least one namespace'],
    [FS, fs('url', { matchingPrecedence: 10, priorityLevelConfiguration: { name: 'x' }, rules: [{ subjects: anyone, nonResourceRules: [{ verbs: ['get'], nonResourceURLs: ['healthz'] }] }] }), 'spec.rules[0].nonResourceRules[0].nonResourceURLs[0]: Invalid value: "healthz": must start with slash'],
    [FS, fs('user', { matchingPrecedence: 10, priorityLevelConfiguration: { name: 'x' }, rules: [{ subjects: [{ kind: 'User' }], resourceRules: allResources }] }), "spec.rules[0].subjects[0].user: Required value: user is required when subject kind is 'User'"],
    [PL, pl('ex', { type: 'Exempt' }), "spec.type: Invalid value: \"Exempt\": type must be 'Exempt' if and only if name is 'exempt'"],
    [PL, pl('nolimited', { type: 'Limited' }), 'spec.limited: Required value: must not be empty when type is Limited'],
    [PL, pl('neg', { type: 'Limited', limited: { nominalConcurrencyShares: -1, limitResponse: { type: 'Reject' } } }), 'spec.limited.nominalConcurrencyShares: Invalid value: -1: must be a non-negative integer'],
    [PL, pl('hand', { type: 'Limited', limited: { limitResponse: { type: 'Queue', queuing: { queues: 4, handSize: 5, queueLengthLimit: 1 } } } }), 'spec.limited.limitResponse.queuing.handSize: Invalid value: 5: should not be greater than queues (4)'],
    [PL, pl('entropy', { type: 'Limited', limited: { limitResponse: { type: 'Queue', queuing: { queues: 1000000, handSize: 10, queueLengthLimit: 1 } } } }), 'spec.limited.limitResponse.queuing.handSize: Invalid value: 10: required entropy bits of deckSize 1000000 and handSize 10 should not be greater than 60'],
    [PL, pl('lr', { type: 'Limited', limited: { limitResponse: { type: 'Drop' } } }), 'spec.limited.limitResponse.type: Unsupported value: "Drop": supported values: "Queue", "Reject"'],
  ];
  for (const [path, body, message] of cases) {
    const r = await req(server.url, 'POST', path, body);
    if (message === '') {
      // matchingPrecedence 0 is defaulted to 1000 (SetDefaults_FlowSchemaSpec)
      assert.equal(r.status, 201, r.text);
      assert.equal(r.body.spec.matchingPrecedence, 1000);
      continue;
    }
    assert.equal(r.status, 422, `${(body as any).metadata.name}: ${r.text}`);
    assert.ok(r.body.message.endsWith(message) || r.body.message.includes(message), `${(body as any).metadata.name}: ${r.body.message}`);
  }
});

test('defaults: a Limited level gets 30 shares and queuing 64/8/50', async () => {
  const r = await req(server.url, 'POST', PL, pl('tenants', { type: 'Limited', limited: { limitResponse: { type: 'Queue', queuing: {} } } }));
  assert.equal(r.status, 201, r.text);
  assert.deepEqual(r.body.spec.limited, { nominalConcurrencyShares: 30, lendablePercent: 0, limitResponse: { type: 'Queue', queuing: { queues: 64, handSize: 8, queueLengthLimit: 50 } } });
});

test('the controller restores a deleted mandatory level, a changed suggested spec, and leaves autoupdate=false alone', async () => {
  assert.equal((await req(server.url, 'DELETE', `${PL}/catch-all`)).status, 200);
  await eventually(async () => (await req(server.url, 'GET', `${PL}/catch-all`)).status === 200, 'catch-all re-created');

  const wl = (await req(server.url, 'GET', `${PL}/workload-low`)).body;
  wl.spec.limited.nominalConcurrencyShares = 7;
  assert.equal((await req(server.url, 'PUT', `${PL}/workload-low`, wl)).status, 200);
  await eventually(async () => (await req(server.url, 'GET', `${PL}/workload-low`)).body.spec.limited.nominalConcurrencyShares === 100, 'workload-low restored');

  const sys = (await req(server.url, 'GET', `${PL}/system`)).body;
  sys.metadata.annotations[AUTOUPDATE_ANNOTATION] = 'false';
  sys.spec.limited.nominalConcurrencyShares = 3;
  assert.equal((await req(server.url, 'PUT', `${PL}/system`, sys)).status, 200);
  // a later write to another object gives the controller a pass; system must stay as the user set it
  assert.equal((await req(server.url, 'DELETE', `${FS}/probes`)).status, 200);
  await eventually(async () => (await req(server.url, 'GET', `${FS}/probes`)).status === 200, 'probes re-created');
  assert.equal((await req(server.url, 'GET', `${PL}/system`)).body.spec.limited.nominalConcurrencyShares, 3);
});

test('Dangling: a FlowSchema naming a missing level says so until the level exists', async () => {
  const body = fs('orphan', { matchingPrecedence: 500, priorityLevelConfiguration: { name: 'nowhere' }, rules: [{ subjects: anyone, resourceRules: allResources }] });
  assert.equal((await req(server.url, 'POST', FS, body)).status, 201);
  const cond = await eventually(async () => (await req(server.url, 'GET', `${FS}/orphan`)).body.status?.conditions?.find((c: any) => c.type === 'Dangling'), 'Dangling condition');
  assert.deepEqual({ ...cond, lastTransitionTime: undefined }, { type: 'Dangling', status: 'True', reason: 'NotFound', message: 'This FlowSchema references the PriorityLevelConfiguration object named "nowhere" but there is no such object', lastTransitionTime: undefined });
  assert.equal((await req(server.url, 'POST', PL, pl('nowhere', { type: 'Limited', limited: { limitResponse: { type: 'Reject' } } }))).status, 201);
  await eventually(async () => (await req(server.url, 'GET', `${FS}/orphan`)).body.status?.conditions?.find((c: any) => c.type === 'Dangling')?.status === 'False', 'Dangling=False');
});
