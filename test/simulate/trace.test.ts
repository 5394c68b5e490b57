// Traces: the recorder against a live API server (start state at t 0, then only top-level changes
// that alter more than status), a snapshot saved from the same server, the trace format's checks,
// and a trace replayed on virtual time with the cluster's controllers reacting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startApiServer } from '../../src/apiserver/index.ts';
import { Client } from '../../src/client/index.ts';
import { essence, parseSnapshot, parseTrace, planRestore, record, recordable, saveSnapshot, toYaml, traceLine, type TraceEvent } from '../../src/snapshot/index.ts';
import { simulate } from '../../src/simulate/index.ts';
import { splitTrace } from '../../src/simulate/replay.ts';
import { eventually } from '../helpers/eventually.ts';
import type { KubeObject } from '../../src/api/types.ts';

const DEPLOYMENTS = { group: 'apps', version: 'v1', plural: 'deployments', namespaced: true } as const;
const REPLICASETS = { group: 'apps', version: 'v1', plural: 'replicasets', namespaced: true } as const;
const CONFIGMAPS = { group: '', version: 'v1', plural: 'configmaps', namespaced: true } as const;

const deployment = (name: string, replicas: number): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'default' },
  spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu: '100m', memory: '64Mi' } } }] } } },
});

test('record: the start state at t 0, then top-level changes; snapshot save lists every object', async () => {
  const api = await startApiServer({ storage: 'memory' });
  const client = new Client({ server: api.url, qps: Infinity });
  try {
    await client.resource(CONFIGMAPS).create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'before', namespace: 'default' }, data: { a: '1' } });
    const lines: TraceEvent[] = [];
    const rec = record(client, (e) => lines.push(JSON.parse(traceLine(e))));
    await rec.ready;
    await client.resource(DEPLOYMENTS).create(deployment('web', 2));
    // what a controller writes: an owned ReplicaSet (not recorded) and the Deployment's status (not a change)
    const d = await client.resource(DEPLOYMENTS).get('web', { namespace: 'default' });
    await client.resource(REPLICASETS).create({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web-1', namespace: 'default', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: d.metadata.uid!, controller: true }] }, spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: deployment('web', 2).spec.template } });
    await client.resource(DEPLOYMENTS).updateStatus({ ...d, status: { replicas: 2, observedGeneration: 1 } });
    await client.resource(DEPLOYMENTS).patch('web', { spec: { replicas: 5 } }, { type: 'merge', namespace: 'default' });
    await client.resource(CONFIGMAPS).delete('before', { namespace: 'default' });
    await eventually(() => lines.some((l) => l.type === 'DELETED'), 'the delete recorded');
    await rec.stop();
    const at0 = lines.filter((l) => l.t === 0).map((l) => `${l.type} ${l.object.kind}/${l.object.metadata.name}`);
    assert.ok(at0.includes('ADDED ConfigMap/before'), at0.join(', '));
    assert.ok(at0.includes('ADDED Namespace/default'));
    const later = lines.filter((l) => l.object.kind !== 'Namespace' && !at0.includes(`${l.type} ${l.object.kind}/${l.object.metadata.name}`)).map((l) => `${l.type} ${l.object.kind}/${l.object.metadata.name}${l.object.kind === 'Deployment' ? `=${l.object.spec.replicas}` : ''}`);
    assert.deepEqual(later.filter((l) => !/ServiceAccount|ConfigMap\/kube-root|Secret/.test(l)), ['ADDED Deployment/web=2', 'MODIFIED Deployment/web=5', 'DELETED ConfigMap/before']);
    assert.ok(lines.every((l) => l.object.metadata.managedFields === undefined));

    const snap = parseSnapshot(toYaml(await saveSnapshot(client)));
    const names = snap.map((o) => `${o.kind}/${o.metadata.name}`);
    for (const n of ['Deployment/web', 'ReplicaSet/web-1', 'Namespace/kube-system', 'Service/kubernetes']) assert.ok(names.includes(n), `${n} in ${names.join(', ')}`);
    assert.ok(!names.some((n) => n.startsWith('Event/')), 'no Events by default');
    assert.equal(snap.find((o) => o.kind === 'Deployment')!.status.replicas, 2, 'status saved');
    const plan = planRestore(snap);
    assert.ok(plan.objects.findIndex((o) => o.kind === 'Deployment') < plan.objects.findIndex((o) => o.kind === 'ReplicaSet'));
  } finally {
    client.close();
    await api.close();
  }
});

test('the trace format: filter, essence, parse errors', () => {
  const owned = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'r', uid: 'u', controller: true }] } };
  assert.equal(recordable(owned), false);
  assert.equal(recordable(owned, { owned: true }), true);
  assert.equal(recordable({ apiVersion: 'v1', kind: 'Event', metadata: { name: 'e' } }), false);
  assert.equal(recordable({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'n' } }), false);
  const a = deployment('x', 1);
  assert.equal(essence({ ...a, metadata: { ...a.metadata, resourceVersion: '9', generation: 2 }, status: { replicas: 1 } }), essence(a));
  assert.notEqual(essence(deployment('x', 2)), essence(a));
  assert.throws(() => parseTrace('{"t":0}\n'), /line 1: a trace line is/);
  assert.throws(() => parseTrace('nope'), /line 1: not JSON/);
  assert.throws(() => parseTrace([traceLine({ t: 5, type: 'ADDED', object: a }), traceLine({ t: 1, type: 'DELETED', object: a })].join('')), /line 2: t 1 is before/);
  const s = splitTrace([{ t: 0, type: 'ADDED', object: a }, { t: 1, type: 'ADDED', object: owned }, { t: 2, type: 'DELETED', object: a }]);
  assert.equal(s.initial.length, 1);
  assert.deepEqual(s.changes.map((c) => c.t), [2]);
});

test('replay: a trace plays back on virtual time and the controllers react (Deployment → ReplicaSet → pods → nodes)', async () => {
  const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'rec-node', uid: 'n1', labels: { 'kubernetes.io/hostname': 'rec-node' } }, status: { capacity: { cpu: '4', memory: '16Gi', pods: '110' } } };
  const trace: TraceEvent[] = [
    { t: 0, type: 'ADDED', object: node as KubeObject },
    { t: 0, type: 'ADDED', object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default', uid: 'ns' } } },
    { t: 120_000, type: 'ADDED', object: { ...deployment('web', 3), metadata: { ...deployment('web', 3).metadata, uid: 'd1', resourceVersion: '5' } } },
    { t: 600_000, type: 'MODIFIED', object: deployment('web', 6) },
    { t: 900_000, type: 'DELETED', object: deployment('web', 6) },
  ];
  const scenario = { name: 'replay', duration: 1_200_000, measure: 300_000, nodeGroups: [], scheduler: { policy: 'spread' as const }, actions: [], generators: [], faults: [], assertions: [] };
  const { report } = await simulate(scenario, { replay: parseTrace(trace.map(traceLine).join('')) });
  assert.deepEqual(report.errors, []);
  assert.equal(report.snapshot?.nodes, 1);
  assert.deepEqual(report.intervals.map((r) => [r.time, r.nodes, r.podsRunning]), [['0h05m', 1, 3], ['0h10m', 1, 3], ['0h15m', 1, 6], ['0h20m', 1, 0]]);
});
