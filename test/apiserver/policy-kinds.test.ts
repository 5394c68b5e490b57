// Issue 11's kinds against the API server: the eviction subresource honouring PodDisruptionBudgets
// (429 DisruptionBudget refusals, disruptionsAllowed decremented, disruptedPods recorded), Priority
// admission and the system PriorityClasses, the CSR approval subresource, and bad input for every
// new kind (a 4xx naming the field, nothing written).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { RunningApiServer } from '../../src/apiserver/index.ts';
import { startTestServer, req } from './helpers.ts';

let api: RunningApiServer;
before(async () => {
  api = await startTestServer({ port: 0 });
});
after(async () => {
  await api.close();
});

const PODS = '/api/v1/namespaces/default/pods';
const PDBS = '/apis/policy/v1/namespaces/default/poddisruptionbudgets';
const PCS = '/apis/scheduling.k8s.io/v1/priorityclasses';
const CSRS = '/apis/certificates.k8s.io/v1/certificatesigningrequests';

const pod = (name: string, labels: Record<string, string>, spec: any = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, labels },
  spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'nginx' }], ...spec },
});

async function runningReadyPod(name: string, labels: Record<string, string>): Promise<void> {
  assert.equal((await req(api.url, 'POST', PODS, pod(name, labels))).status, 201);
  const cur = (await req(api.url, 'GET', `${PODS}/${name}`)).body;
  cur.status = { ...cur.status, phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] };
  assert.equal((await req(api.url, 'PUT', `${PODS}/${name}/status`, cur)).status, 200);
}

const evict = (name: string) => req(api.url, 'POST', `${PODS}/${name}/eviction`, { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name } });

test('eviction decrements the budget, records the disrupted pod, then answers 429 as Kubernetes does', async () => {
  await runningReadyPod('zk-0', { app: 'zk' });
  await runningReadyPod('zk-1', { app: 'zk' });
  const created = await req(api.url, 'POST', PDBS, { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'zk-pdb' }, spec: { selector: { matchLabels: { app: 'zk' } }, maxUnavailable: 1 } });
  assert.equal(created.status, 201);
  assert.deepEqual(created.body.status, { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 });
  assert.equal(created.body.metadata.generation, 1);

  // Before the disruption controller has observed the PDB: 429, retry after 10 s.
  const early = await evict('zk-0');
  assert.equal(early.status, 429);
  assert.equal(early.headers.get('retry-after'), '10');
  assert.deepEqual(early.body.details, { causes: [{ reason: 'DisruptionBudget', message: 'The disruption budget zk-pdb is still being processed by the server.' }], retryAfterSeconds: 10 });

  // What the disruption controller would write.
  const pdb = created.body;
  pdb.status = { observedGeneration: 1, disruptionsAllowed: 1, currentHealthy: 2, desiredHealthy: 1, expectedPods: 2 };
  assert.equal((await req(api.url, 'PUT', `${PDBS}/zk-pdb/status`, pdb)).status, 200);

  const ok = await evict('zk-0');
  assert.equal(ok.status, 201, ok.text);
  assert.equal(ok.body.status, 'Success');
  const after1 = (await req(api.url, 'GET', `${PDBS}/zk-pdb`)).body;
  assert.equal(after1.status.disruptionsAllowed, 0);
  assert.ok(after1.status.disruptedPods['zk-0']);
  const cond = after1.status.conditions.find((c: any) => c.type === 'DisruptionAllowed');
  assert.deepEqual([cond.status, cond.reason], ['False', 'InsufficientPods']);
  const evicted = (await req(api.url, 'GET', `${PODS}/zk-0`)).body;
  assert.ok(evicted.metadata.deletionTimestamp, 'graceful delete started');
  const dt = evicted.status.conditions.find((c: any) => c.type === 'DisruptionTarget');
  assert.deepEqual([dt.status, dt.reason, dt.message], ['True', 'EvictionByEvictionAPI', 'Eviction API: evicting']);

  const refused = await evict('zk-1');
  assert.equal(refused.status, 429);
  assert.equal(refused.headers.get('retry-after'), null);
  assert.deepEqual(refused.body, {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: "Cannot evict pod as it would violate the pod's disruption budget.",
    reason: 'TooManyRequests',
    details: { causes: [{ reason: 'DisruptionBudget', message: 'The disruption budget zk-pdb needs 1 healthy pods and has 2 currently' }] },
    code: 429,
  });
  assert.equal((await req(api.url, 'GET', `${PODS}/zk-1`)).body.metadata.deletionTimestamp, undefined, 'not deleted');
});

test('eviction: pending pods and pods without a budget go at once; two budgets are an error', async () => {
  assert.equal((await req(api.url, 'POST', PODS, pod('lonely', { app: 'lonely' }, { nodeName: undefined }))).status, 201);
  assert.equal((await evict('lonely')).status, 201);
  assert.equal((await req(api.url, 'GET', `${PODS}/lonely`)).status, 404);
  await runningReadyPod('twice', { app: 'twice' });
  for (const n of ['a', 'b']) await req(api.url, 'POST', PDBS, { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: `twice-${n}` }, spec: { selector: { matchLabels: { app: 'twice' } }, minAvailable: 1 } });
  const r = await evict('twice');
  assert.equal(r.status, 500);
  assert.equal(r.body.message, 'Internal error occurred: This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
});

test('the system PriorityClasses exist; Priority admission resolves, defaults and refuses as Kubernetes does', async () => {
  const list = (await req(api.url, 'GET', PCS)).body.items.map((p: any) => [p.metadata.name, p.value, p.globalDefault, p.preemptionPolicy]);
  assert.deepEqual(list.sort(), [
    ['system-cluster-critical', 2000000000, false, 'PreemptLowerPriority'],
    ['system-node-critical', 2000001000, false, 'PreemptLowerPriority'],
  ]);
  const crit = await req(api.url, 'POST', PODS, pod('crit', {}, { priorityClassName: 'system-cluster-critical', nodeName: undefined }));
  assert.equal(crit.status, 201);
  assert.deepEqual([crit.body.spec.priority, crit.body.spec.preemptionPolicy], [2000000000, 'PreemptLowerPriority']);
  const plain = await req(api.url, 'POST', PODS, pod('plain', {}, { nodeName: undefined }));
  assert.deepEqual([plain.body.spec.priority, plain.body.spec.preemptionPolicy, plain.body.spec.priorityClassName], [0, 'PreemptLowerPriority', undefined]);

  const unknown = await req(api.url, 'POST', PODS, pod('x', {}, { priorityClassName: 'foo' }));
  assert.equal(unknown.status, 403);
  assert.equal(unknown.body.message, 'pods "x" is forbidden: no PriorityClass with name foo was found');
  const byHand = await req(api.url, 'POST', PODS, pod('y', {}, { priority: 5 }));
  assert.equal(byHand.status, 403);
  assert.equal(byHand.body.message, 'pods "y" is forbidden: the integer value of priority (5) must not be provided in pod spec; priority admission controller computed 0 from the given PriorityClass name');

  // An update without the priority fields admission set keeps them (the Priority plugin on UPDATE).
  const body = structuredClone(crit.body);
  delete body.spec.priority;
  delete body.spec.preemptionPolicy;
  const replaced = await req(api.url, 'PUT', `${PODS}/crit`, body);
  assert.equal(replaced.status, 200, replaced.text);
  assert.equal(replaced.body.spec.priority, 2000000000);

  const pc = (name: string, value: number, extra: any = {}) => ({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name }, value, ...extra });
  assert.equal((await req(api.url, 'POST', PCS, pc('high', 1000, { globalDefault: true, preemptionPolicy: 'Never' }))).status, 201);
  const second = await req(api.url, 'POST', PCS, pc('other', 10, { globalDefault: true }));
  assert.equal(second.status, 403);
  assert.equal(second.body.message, 'priorityclasses.scheduling.k8s.io "other" is forbidden: PriorityClass high is already marked as default. Only one default can exist');
  assert.equal((await req(api.url, 'GET', `${PCS}/other`)).status, 404);
  const defaulted = await req(api.url, 'POST', PODS, pod('defaulted', {}, { nodeName: undefined }));
  assert.deepEqual([defaulted.body.spec.priorityClassName, defaulted.body.spec.priority, defaulted.body.spec.preemptionPolicy], ['high', 1000, 'Never']);
  const policy = await req(api.url, 'POST', PODS, pod('policy', {}, { preemptionPolicy: 'PreemptLowerPriority' }));
  assert.equal(policy.status, 403);
  assert.equal(policy.body.message, 'pods "policy" is forbidden: the string value of PreemptionPolicy (PreemptLowerPriority) must not be provided in pod spec; priority admission controller computed Never from the given PriorityClass name');
  const changed = await req(api.url, 'PUT', `${PCS}/high`, { ...(await req(api.url, 'GET', `${PCS}/high`)).body, value: 7 });
  assert.equal(changed.status, 422);
  assert.equal(changed.body.message, 'PriorityClass.scheduling.k8s.io "high" is invalid: value: Forbidden: may not be changed in an update.');
  assert.equal((await req(api.url, 'DELETE', `${PCS}/high`)).status, 200);
});

const FAKE_CSR = `-----BEGIN CERTIFICATE REQUEST-----\n${Buffer.from([0x30, 0x03, 0x02, 0x01, 0x00]).toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;

test('a CertificateSigningRequest records its requestor; approval changes only the conditions', async () => {
  const csr = { apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name: 'alice' }, spec: { request: Buffer.from(FAKE_CSR).toString('base64'), signerName: 'kubernetes.io/kube-apiserver-client', usages: ['client auth'], username: 'mallory' }, status: { conditions: [{ type: 'Approved', status: 'True' }] } };
  const created = await req(api.url, 'POST', CSRS, csr);
  assert.equal(created.status, 201, created.text);
  assert.equal(created.body.spec.username, 'system:admin');
  assert.deepEqual(created.body.spec.groups, ['system:masters', 'system:authenticated']);
  assert.deepEqual(created.body.status, {}, 'no pre-approved requests');
  const approved = await req(api.url, 'PUT', `${CSRS}/alice/approval`, { ...created.body, spec: { ...created.body.spec, signerName: 'changed.io/x' }, status: { conditions: [{ type: 'Approved', status: 'True', reason: 'KubectlApprove', message: 'This CSR was approved by kubectl certificate approve.' }] } });
  assert.equal(approved.status, 200, approved.text);
  const c = approved.body.status.conditions[0];
  assert.deepEqual([c.type, c.status, c.reason], ['Approved', 'True', 'KubectlApprove']);
  assert.ok(c.lastUpdateTime && c.lastTransitionTime);
  assert.equal(approved.body.spec.signerName, 'kubernetes.io/kube-apiserver-client', 'spec unchanged');
  const both = await req(api.url, 'PUT', `${CSRS}/alice/approval`, { ...approved.body, status: { conditions: [...approved.body.status.conditions, { type: 'Denied', status: 'True' }] } });
  assert.equal(both.status, 422);
  assert.equal(both.body.message, 'CertificateSigningRequest.certificates.k8s.io "alice" is invalid: status.conditions[1].type: Invalid value: "Denied": Approved and Denied conditions are mutually exclusive');
  // The main resource cannot approve.
  const viaMain = await req(api.url, 'PUT', `${CSRS}/alice`, { ...approved.body, status: { conditions: [] } });
  assert.equal(viaMain.status, 200);
  assert.equal(viaMain.body.status.conditions.length, 1);
});

const bad: [string, string, any, string][] = [
  // what, collection, body, the message's field error
  ['PDB with both bounds', PDBS, { kind: 'PodDisruptionBudget', apiVersion: 'policy/v1', metadata: { name: 'b1' }, spec: { minAvailable: 1, maxUnavailable: 1 } }, 'spec: Invalid value: policy.PodDisruptionBudgetSpec{...}: minAvailable and maxUnavailable cannot be both set'],
  ['PDB bad percent', PDBS, { kind: 'PodDisruptionBudget', apiVersion: 'policy/v1', metadata: { name: 'b2' }, spec: { minAvailable: '120%' } }, 'spec.minAvailable: Invalid value: "120%": must not be greater than 100%'],
  ['PDB bad policy', PDBS, { kind: 'PodDisruptionBudget', apiVersion: 'policy/v1', metadata: { name: 'b3' }, spec: { maxUnavailable: 1, unhealthyPodEvictionPolicy: 'Sometimes' } }, 'spec.unhealthyPodEvictionPolicy: Unsupported value: "Sometimes": supported values: "AlwaysAllow", "IfHealthyBudget"'],
  ['PriorityClass system prefix', PCS, { kind: 'PriorityClass', apiVersion: 'scheduling.k8s.io/v1', metadata: { name: 'system-mine' }, value: 5 }, "metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: system-mine is not a known system priority class"],
  ['PriorityClass too high', PCS, { kind: 'PriorityClass', apiVersion: 'scheduling.k8s.io/v1', metadata: { name: 'huge' }, value: 1000000001 }, 'value: Forbidden: maximum allowed value of a user defined priority is 1000000000'],
  ['PriorityClass bad policy', PCS, { kind: 'PriorityClass', apiVersion: 'scheduling.k8s.io/v1', metadata: { name: 'pol' }, value: 1, preemptionPolicy: 'Sometimes' }, 'preemptionPolicy: Unsupported value: "Sometimes": supported values: "PreemptLowerPriority", "Never"'],
  ['PodTemplate without containers', '/api/v1/namespaces/default/podtemplates', { kind: 'PodTemplate', apiVersion: 'v1', metadata: { name: 't' }, template: { spec: {} } }, 'template.spec.containers: Required value'],
  ['Ingress without rules', '/apis/networking.k8s.io/v1/namespaces/default/ingresses', { kind: 'Ingress', apiVersion: 'networking.k8s.io/v1', metadata: { name: 'i' }, spec: {} }, 'spec: Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be specified'],
  ['Ingress path type', '/apis/networking.k8s.io/v1/namespaces/default/ingresses', { kind: 'Ingress', apiVersion: 'networking.k8s.io/v1', metadata: { name: 'i2' }, spec: { rules: [{ host: 'a.example.com', http: { paths: [{ path: '/', backend: { service: { name: 'web', port: { number: 80 } } } }] } }] } }, 'spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified'],
  ['IngressClass controller', '/apis/networking.k8s.io/v1/ingressclasses', { kind: 'IngressClass', apiVersion: 'networking.k8s.io/v1', metadata: { name: 'ic' }, spec: { controller: 'nginx' } }, 'spec.controller: Invalid value: "nginx": must be a domain-prefixed path (such as "acme.io/foo")'],
  ['NetworkPolicy type', '/apis/networking.k8s.io/v1/namespaces/default/networkpolicies', { kind: 'NetworkPolicy', apiVersion: 'networking.k8s.io/v1', metadata: { name: 'np' }, spec: { podSelector: {}, policyTypes: ['Sideways'] } }, 'spec.policyTypes[0]: Unsupported value: "Sideways": supported values: "Egress", "Ingress"'],
  ['RuntimeClass handler', '/apis/node.k8s.io/v1/runtimeclasses', { kind: 'RuntimeClass', apiVersion: 'node.k8s.io/v1', metadata: { name: 'rc' }, handler: 'Not_A_Label' }, 'handler: Invalid value: "Not_A_Label": a lowercase RFC 1123 label must consist of'],
  ['ControllerRevision without data', '/apis/apps/v1/namespaces/default/controllerrevisions', { kind: 'ControllerRevision', apiVersion: 'apps/v1', metadata: { name: 'cr' }, revision: 1 }, 'data: Required value: data is mandatory'],
  ['CSR without usages', CSRS, { kind: 'CertificateSigningRequest', apiVersion: 'certificates.k8s.io/v1', metadata: { name: 'c1' }, spec: { request: Buffer.from(FAKE_CSR).toString('base64'), signerName: 'example.com/signer' } }, 'spec.usages: Required value: usages must be provided'],
  ['CSR bad request', CSRS, { kind: 'CertificateSigningRequest', apiVersion: 'certificates.k8s.io/v1', metadata: { name: 'c2' }, spec: { request: Buffer.from('hi').toString('base64'), signerName: 'example.com/signer', usages: ['client auth'] } }, 'spec.request: Invalid value: []byte{0x68, 0x69}: PEM block type must be CERTIFICATE REQUEST'],
];

for (const [what, path, body, message] of bad) {
  test(`bad input is refused with a Status naming the field, nothing written: ${what}`, async () => {
    const r = await req(api.url, 'POST', path, body);
    assert.equal(r.status, 422, r.text);
    assert.equal(r.body.reason, 'Invalid');
    assert.ok(r.body.message.includes(message), `${r.body.message}\n  should include\n${message}`);
    assert.ok(r.body.details.causes.some((c: any) => message.startsWith(c.field)), JSON.stringify(r.body.details.causes));
    assert.equal((await req(api.url, 'GET', `${path}/${body.metadata.name}`)).status, 404);
  });
}
