// kubectl get flowschemas / prioritylevelconfigurations against an API server with priority and
// fairness on: Kubernetes' default objects in kubectl's columns, describe, and a 422 from kubectl apply.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, hasKubectl, rows, type Cluster } from './harness.ts';
import { eventually } from '../helpers/eventually.ts';

let c: Cluster;
const skip = !hasKubectl;

before(async () => {
  if (skip) return;
  c = await startCluster({ enablePriorityAndFairness: true });
  // the configuration controller writes each schema's Dangling condition after start
  await eventually(async () => (await c.get('/apis/flowcontrol.apiserver.k8s.io/v1/flowschemas/catch-all'))?.status?.conditions?.length, 'Dangling conditions');
});
after(() => c?.close());

test('kubectl get prioritylevelconfigurations', { skip }, async () => {
  const out = rows(await c.ok(['get', 'prioritylevelconfigurations']));
  assert.deepEqual(out[0], ['NAME', 'TYPE', 'NOMINALCONCURRENCYSHARES', 'QUEUES', 'HANDSIZE', 'QUEUELENGTHLIMIT', 'AGE']);
  const byName = Object.fromEntries(out.slice(1).map((r) => [r[0], r.slice(1, 6)]));
  assert.deepEqual(byName, {
    'catch-all': ['Limited', '5', '<none>', '<none>', '<none>'],
    exempt: ['Exempt', '<none>', '<none>', '<none>', '<none>'],
    'global-default': ['Limited', '20', '128', '6', '50'],
    'leader-election': ['Limited', '10', '16', '4', '50'],
    'node-high': ['Limited', '40', '64', '6', '50'],
    system: ['Limited', '30', '64', '6', '50'],
    'workload-high': ['Limited', '40', '128', '6', '50'],
    'workload-low': ['Limited', '100', '128', '6', '50'],
  });
});

test('kubectl get flowschemas', { skip }, async () => {
  const out = rows(await c.ok(['get', 'flowschemas']));
  assert.deepEqual(out[0], ['NAME', 'PRIORITYLEVEL', 'MATCHINGPRECEDENCE', 'DISTINGUISHERMETHOD', 'AGE', 'MISSINGPL']);
  const byName = Object.fromEntries(out.slice(1).map((r) => [r[0], [r[1], r[2], r[3], r[5]]]));
  assert.deepEqual(byName.exempt, ['exempt', '1', '<none>', 'False']);
  assert.deepEqual(byName.probes, ['exempt', '2', '<none>', 'False']);
  assert.deepEqual(byName['system-nodes'], ['system', '500', 'ByUser', 'False']);
  assert.deepEqual(byName['kube-scheduler'], ['workload-high', '800', 'ByNamespace', 'False']);
  assert.deepEqual(byName['global-default'], ['global-default', '9900', 'ByUser', 'False']);
  assert.deepEqual(byName['catch-all'], ['catch-all', '10000', 'ByUser', 'False']);
  assert.deepEqual(byName['kubesim-node-pool'], ['system', '500', 'ByUser', 'False']);
  // the singular resource name works too
  assert.match(await c.ok(['get', 'flowschema', 'exempt', '-o', 'jsonpath={.spec.rules[0].subjects[0].group.name}']), /^system:masters$/);
});

test('kubectl apply of an invalid FlowSchema is refused with the field message', { skip }, async () => {
  const manifest = [
    'apiVersion: flowcontrol.apiserver.k8s.io/v1',
    'kind: FlowSchema',
    'metadata: {name: bad}',
    'spec:',
    '  matchingPrecedence: 1',
    '  priorityLevelConfiguration: {name: global-default}',
  ].join('\n');
  const r = await c.kubectl(['apply', '-f', '-'], { stdin: manifest });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /spec.matchingPrecedence: Invalid value: 1: only the schema named 'exempt' may have matchingPrecedence 1/);
});
