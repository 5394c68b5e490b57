// Endpoints, Job and DaemonSet plans.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/types.ts';
import { endpointSubsets, endpointsLabels, findPort } from '../../src/controllers/endpoints/plan.ts';
import { planJob, TrackingFinalizer } from '../../src/controllers/job/plan.ts';
import { ttlRemainingMs } from '../../src/controllers/ttlafterfinished/plan.ts';
import { daemonPodFor, daemonPodNode, nodeShouldRun, planDaemonSet, RevisionHashLabel } from '../../src/controllers/daemonset/plan.ts';

const svc: KubeObject = { metadata: { name: 'web', namespace: 'd', labels: { tier: 'fe' } }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }, { name: 'metrics', port: 9090, targetPort: 9090 }] } };
const epod = (name: string, ip: string | undefined, ready: boolean, o: any = {}): KubeObject => ({
  metadata: { name, namespace: 'd', uid: `u-${name}`, deletionTimestamp: o.deleting },
  spec: { nodeName: 'n1', containers: [{ name: 'c', ports: o.noNamedPort ? [] : [{ name: 'http', containerPort: 8080 }] }] },
  status: { podIP: ip, phase: o.phase ?? 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});

test('endpoints: ready and not-ready addresses by IP, named target ports resolved, pods without IP or terminating left out', () => {
  assert.equal(findPort(epod('a', '10.0.0.1', true), { targetPort: 'http' }), 8080);
  assert.equal(findPort(epod('a', '10.0.0.1', true), { port: 80 }), 80);
  const subsets = endpointSubsets(svc, [
    epod('b', '10.0.0.2', true),
    epod('a', '10.0.0.1', true),
    epod('c', '10.0.0.3', false),
    epod('noip', undefined, true),
    epod('gone', '10.0.0.9', true, { deleting: '2024-01-01T00:00:00Z' }),
    epod('done', '10.0.0.8', true, { phase: 'Succeeded' }),
    epod('other', '10.0.0.4', true, { noNamedPort: true }),
  ]);
  assert.equal(subsets.length, 2, 'pods with different resolved ports form different subsets');
  const main = subsets.find((s) => s.ports.length === 2)!;
  assert.deepEqual(main.addresses.map((a: any) => a.ip), ['10.0.0.1', '10.0.0.2']);
  assert.deepEqual(main.notReadyAddresses.map((a: any) => a.ip), ['10.0.0.3']);
  assert.deepEqual(main.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }, { name: 'metrics', port: 9090, protocol: 'TCP' }]);
  assert.deepEqual(main.addresses[0].targetRef, { kind: 'Pod', namespace: 'd', name: 'a', uid: 'u-a' });
  const other = subsets.find((s) => s.ports.length === 1)!;
  assert.deepEqual(other.addresses.map((a: any) => a.ip), ['10.0.0.4']);
  assert.deepEqual(endpointsLabels({ ...svc, spec: { ...svc.spec, clusterIP: 'None' } }), { tier: 'fe', 'service.kubernetes.io/headless': '' });
});

const job = (spec: any, status: any = {}): KubeObject => ({ metadata: { name: 'j', namespace: 'd', uid: 'ju' }, spec: { parallelism: 2, completions: 3, backoffLimit: 1, ...spec }, status });
const jpod = (name: string, phase: string, o: any = {}): KubeObject => ({
  metadata: { name, namespace: 'd', uid: name, finalizers: o.noFinalizer ? [] : [TrackingFinalizer], deletionTimestamp: o.deleting },
  spec: {},
  status: { phase, conditions: [{ type: 'Ready', status: phase === 'Running' ? 'True' : 'False' }] },
});

test('job: runs `parallelism` pods, no more than the completions left', () => {
  const now = Date.now();
  assert.equal(planJob(job({}), [], now).create, 2);
  const p = planJob(job({}), [jpod('a', 'Running')], now);
  assert.equal(p.create, 1);
  assert.equal(p.status.active, 1);
  assert.equal(p.status.ready, 1);
  assert.ok(p.status.startTime);
});

test('job: finished pods are counted through uncountedTerminatedPods, then the counters', () => {
  const now = Date.now();
  const pods = [jpod('a', 'Succeeded'), jpod('b', 'Running')];
  const p1 = planJob(job({}), pods, now);
  assert.deepEqual(p1.status.uncountedTerminatedPods, { succeeded: ['a'] });
  assert.equal(p1.status.succeeded, 0);
  assert.deepEqual(p1.removeFinalizers.map((x) => x.metadata.name), ['a']);
  assert.equal(p1.create, 1, 'completions 3 - 1 succeeded = 2 wanted, 1 active');
  // Finalizer removed: the pod moves into the counter exactly once.
  const p2 = planJob(job({}, p1.status), [jpod('a', 'Succeeded', { noFinalizer: true }), jpod('b', 'Running'), jpod('c', 'Running')], now);
  assert.equal(p2.status.succeeded, 1);
  assert.deepEqual(p2.status.uncountedTerminatedPods, {});
  const p3 = planJob(job({}, p2.status), [jpod('b', 'Running'), jpod('c', 'Running')], now);
  assert.equal(p3.status.succeeded, 1, 'the deleted pod is not counted again');
});

test('job: completes with SuccessCriteriaMet and Complete when completions are reached', () => {
  const now = Date.now();
  const p = planJob(job({}, { succeeded: 3 }), [], now);
  const types = p.status.conditions.map((c: any) => `${c.type}:${c.reason}`);
  assert.deepEqual(types, ['SuccessCriteriaMet:CompletionsReached', 'Complete:CompletionsReached']);
  assert.ok(p.status.completionTime);
  assert.deepEqual(p.events.map((e) => e.reason), ['Completed']);
  assert.equal(p.create, 0);
});

test('job: fails past backoffLimit (deleting active pods) and past activeDeadlineSeconds', () => {
  const now = Date.now();
  const p = planJob(job({}, { failed: 1 }), [jpod('x', 'Failed'), jpod('y', 'Running')], now);
  assert.deepEqual(p.delete.map((x) => x.metadata.name), ['y'], 'active pods go first');
  assert.equal(p.status.conditions.find((c: any) => c.type === 'Failed'), undefined, 'no terminal condition while a pod is uncounted');
  const p2 = planJob(job({}, { failed: 2 }), [], now);
  const failed = p2.status.conditions.find((c: any) => c.type === 'Failed');
  assert.deepEqual([failed.reason, failed.message], ['BackoffLimitExceeded', 'Job has reached the specified backoff limit']);
  const started = new Date(now - 10_000).toISOString();
  const d = planJob(job({ activeDeadlineSeconds: 5 }, { startTime: started }), [], now);
  assert.equal(d.status.conditions.find((c: any) => c.type === 'Failed').reason, 'DeadlineExceeded');
  const early = planJob(job({ activeDeadlineSeconds: 60 }, { startTime: started }), [], now);
  assert.ok(early.requeueAfterMs! > 49_000 && early.requeueAfterMs! <= 50_000);
});

test('job: suspend stops pods; ttlSecondsAfterFinished counts from completion', () => {
  const now = Date.now();
  const s = planJob(job({ suspend: true }), [jpod('a', 'Running')], now);
  assert.equal(s.delete.length, 1);
  assert.equal(s.status.conditions.find((c: any) => c.type === 'Suspended').status, 'True');
  const finished = job({ ttlSecondsAfterFinished: 10 }, { completionTime: new Date(now - 4000).toISOString(), conditions: [{ type: 'Complete', status: 'True' }] });
  const left = ttlRemainingMs(finished, now)!;
  assert.ok(left > 5000 && left <= 6000);
  assert.equal(ttlRemainingMs(job({ ttlSecondsAfterFinished: 10 }), now), undefined);
});

const ds: KubeObject = { metadata: { name: 'agent', namespace: 'kube-system', uid: 'dsu', generation: 2 }, spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'a', image: 'x' }] } } } };
const node = (name: string, o: any = {}): KubeObject => ({ metadata: { name, labels: o.labels ?? {} }, spec: { taints: o.taints ?? [], unschedulable: o.unschedulable } });
const dpod = (name: string, nodeName: string, hash: string, ready = true): KubeObject => ({
  metadata: { name, namespace: 'kube-system', uid: name, labels: { app: 'agent', [RevisionHashLabel]: hash }, creationTimestamp: '2024-01-01T00:00:00Z' },
  spec: { nodeName },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});

test('daemonset: which nodes run a daemon (taints, cordons, node selector)', () => {
  assert.deepEqual(nodeShouldRun(ds, node('a')), { shouldRun: true, shouldContinueRunning: true });
  assert.equal(nodeShouldRun(ds, node('a', { unschedulable: true, taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }] })).shouldRun, true, 'cordoned nodes still run daemons');
  assert.equal(nodeShouldRun(ds, node('a', { taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }] })).shouldContinueRunning, true);
  assert.deepEqual(nodeShouldRun(ds, node('a', { taints: [{ key: 'gpu', effect: 'NoSchedule' }] })), { shouldRun: false, shouldContinueRunning: true });
  assert.deepEqual(nodeShouldRun(ds, node('a', { taints: [{ key: 'gpu', effect: 'NoExecute' }] })), { shouldRun: false, shouldContinueRunning: false });
  const picky = { ...ds, spec: { ...ds.spec, template: { ...ds.spec.template, spec: { ...ds.spec.template.spec, nodeSelector: { role: 'edge' } } } } };
  assert.equal(nodeShouldRun(picky, node('a')).shouldRun, false);
  assert.equal(nodeShouldRun(picky, node('a', { labels: { role: 'edge' } })).shouldRun, true);
});

test('daemonset: required node affinity as the scheduler reads it (an empty term matches nothing, Gt/Lt need integers)', () => {
  const withTerms = (terms: object[]) => ({
    ...ds,
    spec: { ...ds.spec, template: { ...ds.spec.template, spec: { ...ds.spec.template.spec, affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } } } } },
  });
  const cases: [string, object[], Record<string, string>, boolean][] = [
    ['an empty term matches no node', [{}], {}, false],
    ['an empty term beside a matching one', [{}, { matchExpressions: [{ key: 'role', operator: 'Exists' }] }], { role: 'edge' }, true],
    ['Gt on an integer label', [{ matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['4'] }] }], { cores: '8' }, true],
    ['Gt on a non-integer label', [{ matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['4'] }] }], { cores: '8.5' }, false],
    ['Gt with a non-integer value', [{ matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['4e0'] }] }], { cores: '8' }, false],
    ['Lt on an empty label (Number("") is 0)', [{ matchExpressions: [{ key: 'cores', operator: 'Lt', values: ['4'] }] }], { cores: '' }, false],
    ['matchFields on this node', [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['a'] }] }], {}, true],
    ['matchFields on another node', [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['b'] }] }], {}, false],
  ];
  for (const [name, terms, labels, want] of cases) assert.equal(nodeShouldRun(withTerms(terms), node('a', { labels })).shouldRun, want, name);
});

test('daemonset: daemon pods target their node through affinity and tolerate node problems', () => {
  const p = daemonPodFor(ds, 'n7', 'h1');
  assert.equal(daemonPodNode(p), 'n7');
  assert.equal(p.metadata.labels![RevisionHashLabel], 'h1');
  assert.ok(p.spec.tolerations.some((t: any) => t.key === 'node.kubernetes.io/unreachable' && t.effect === 'NoExecute' && t.tolerationSeconds === undefined));
});

test('daemonset: creates on uncovered nodes, removes duplicates and misscheduled pods, reports status', () => {
  const now = Date.now();
  const nodes = [node('a'), node('b'), node('c', { taints: [{ key: 'x', effect: 'NoExecute' }] })];
  const pods = [dpod('a1', 'a', 'h'), dpod('a2', 'a', 'h'), dpod('c1', 'c', 'h')];
  pods[1].metadata.creationTimestamp = '2024-01-02T00:00:00Z';
  const plan = planDaemonSet(ds, nodes, pods, 'h', now);
  assert.deepEqual(plan.create, ['b']);
  assert.deepEqual(plan.delete.map((p) => p.metadata.name).sort(), ['a2', 'c1']);
  assert.deepEqual(plan.status, { currentNumberScheduled: 1, numberMisscheduled: 1, desiredNumberScheduled: 2, numberReady: 1, observedGeneration: 2, updatedNumberScheduled: 1, numberAvailable: 1, numberUnavailable: 1 });
});

test('daemonset: a rolling update replaces at most maxUnavailable available pods at a time', () => {
  const now = Date.now();
  const nodes = [node('a'), node('b'), node('c')];
  const old = [dpod('a1', 'a', 'old'), dpod('b1', 'b', 'old'), dpod('c1', 'c', 'old')];
  assert.equal(planDaemonSet(ds, nodes, old, 'new', now).delete.length, 1);
  const mid = [dpod('a2', 'a', 'new', false), dpod('b1', 'b', 'old'), dpod('c1', 'c', 'old')];
  assert.equal(planDaemonSet(ds, nodes, mid, 'new', now).delete.length, 0, 'wait for the new pod to be available');
  const sick = [dpod('a1', 'a', 'old', false), dpod('b1', 'b', 'old', false), dpod('c1', 'c', 'old')];
  assert.deepEqual(planDaemonSet(ds, nodes, sick, 'new', now).delete.map((p) => p.metadata.name).sort(), ['a1', 'b1'], 'unavailable old pods go at once');
});
