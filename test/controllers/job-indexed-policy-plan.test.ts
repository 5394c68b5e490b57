// Job plans beyond NonIndexed: Indexed completion (indexes, intervals, pod additions),
// backoffLimitPerIndex/maxFailedIndexes, podFailurePolicy, successPolicy, podReplacementPolicy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/types.ts';
import { planJob, TrackingFinalizer } from '../../src/controllers/job/plan.ts';
import { COMPLETION_INDEX_ANNOTATION, formatIntervals, indexPod, INDEX_FAILURE_COUNT_ANNOTATION, parseIntervals } from '../../src/controllers/job/indexed.ts';
import { matchPodFailurePolicy, matchSuccessPolicy } from '../../src/controllers/job/policies.ts';
import { ttlRemainingMs } from '../../src/controllers/ttlafterfinished/plan.ts';

const now = Date.parse('2026-03-10T10:00:00Z');
const job = (spec: any, status: any = {}): KubeObject => ({ metadata: { name: 'ix', namespace: 'd', uid: 'ju' }, spec: { completionMode: 'Indexed', completions: 5, parallelism: 2, backoffLimit: 6, podReplacementPolicy: 'TerminatingOrFailed', ...spec }, status });
const pod = (name: string, index: number | undefined, phase: string, o: any = {}): KubeObject => ({
  metadata: {
    name,
    namespace: 'd',
    uid: name,
    finalizers: o.noFinalizer ? [] : [TrackingFinalizer],
    deletionTimestamp: o.deleting,
    annotations: { ...(index === undefined ? {} : { [COMPLETION_INDEX_ANNOTATION]: String(index) }), ...(o.failures !== undefined ? { [INDEX_FAILURE_COUNT_ANNOTATION]: String(o.failures) } : {}) },
  },
  spec: {},
  status: { phase, containerStatuses: o.exitCode !== undefined ? [{ name: 'main', state: { terminated: { exitCode: o.exitCode } } }] : [], conditions: o.conditions ?? [] },
});
const conds = (p: { status: any }) => p.status.conditions.map((c: any) => `${c.type}:${c.reason}`);

test('intervals: completedIndexes / failedIndexes strings as Kubernetes prints them', () => {
  const cases: [number[], string][] = [
    [[], ''],
    [[0], '0'],
    [[1, 3, 4, 5], '1,3-5'],
    [[3, 4], '3,4'],
    [[0, 1, 2, 7, 9, 10], '0-2,7,9,10'],
  ];
  for (const [ix, s] of cases) {
    assert.equal(formatIntervals(ix), s);
    assert.deepEqual([...parseIntervals(s, 100)].sort((a, b) => a - b), ix);
  }
  assert.deepEqual([...parseIntervals('1,3-9', 5)], [1, 3, 4], 'indexes past completions are dropped');
});

test('indexed: the pod of an index gets the env, annotation, label, hostname and name prefix', () => {
  const p: KubeObject = { metadata: { name: '', labels: { a: 'b' } }, spec: { containers: [{ name: 'c' }], initContainers: [{ name: 'i', env: [{ name: 'X', value: '1' }] }] } };
  indexPod(p, job({ backoffLimitPerIndex: 1 }), 3, { failures: 1, ignored: 2 });
  assert.equal(p.metadata.generateName, 'ix-3-');
  assert.equal(p.metadata.annotations![COMPLETION_INDEX_ANNOTATION], '3');
  assert.equal(p.metadata.annotations![INDEX_FAILURE_COUNT_ANNOTATION], '1');
  assert.equal(p.metadata.annotations!['batch.kubernetes.io/job-index-ignored-failure-count'], '2');
  assert.equal(p.metadata.labels!['batch.kubernetes.io/job-completion-index'], '3');
  assert.equal(p.spec!.hostname, 'ix-3');
  const env = { name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } } };
  assert.deepEqual(p.spec!.containers[0].env, [env]);
  assert.deepEqual(p.spec!.initContainers[0].env, [{ name: 'X', value: '1' }, env]);
});

test('indexed: lowest pending indexes first, succeeded indexes recorded, duplicates and strays deleted, completion', () => {
  const cases: { name: string; j: KubeObject; pods: KubeObject[]; create: number[]; del?: string[]; completed?: string; succeeded: number; conds?: string[] }[] = [
    { name: 'fresh', j: job({}), pods: [], create: [0, 1], succeeded: 0 },
    { name: 'index 0 done', j: job({}), pods: [pod('a', 0, 'Succeeded'), pod('b', 1, 'Running')], create: [2], completed: '0', succeeded: 1 },
    { name: 'completed from status', j: job({}, { completedIndexes: '0,1' }), pods: [pod('c', 2, 'Running')], create: [3], completed: '0,1', succeeded: 2 },
    { name: 'a duplicate and a stray go', j: job({}), pods: [pod('a', 1, 'Running'), pod('b', 1, 'Running'), pod('x', undefined, 'Running'), pod('y', 9, 'Running')], create: [0], del: ['b', 'x', 'y'], succeeded: 0 },
    { name: 'a failed index is retried', j: job({}), pods: [pod('f', 0, 'Failed', { noFinalizer: true }), pod('r', 1, 'Running')], create: [0], succeeded: 0 },
    { name: 'all indexes done', j: job({}, { completedIndexes: '0-3' }), pods: [pod('last', 4, 'Succeeded')], create: [], completed: '0-4', succeeded: 5, conds: ['SuccessCriteriaMet:CompletionsReached', 'Complete:CompletionsReached'] },
  ];
  for (const c of cases) {
    const p = planJob(c.j, c.pods, now);
    assert.deepEqual((p.createIndexes ?? []).map((x) => x.index), c.create, c.name);
    assert.equal(p.create, c.create.length, c.name);
    assert.deepEqual(p.delete.map((x) => x.metadata.name).sort(), c.del ?? [], c.name);
    assert.equal(p.status.completedIndexes, c.completed, c.name);
    assert.equal(p.status.succeeded, c.succeeded, c.name);
    assert.deepEqual(conds(p), c.conds ?? [], c.name);
  }
});

test('backoffLimitPerIndex: failures counted per index, failedIndexes, maxFailedIndexes and FailedIndexes', () => {
  const perIndex = (spec: any = {}, status: any = {}) => job({ backoffLimitPerIndex: 1, backoffLimit: 2147483647, completions: 3, parallelism: 3, ...spec }, status);
  const retry = planJob(perIndex(), [pod('a', 0, 'Failed'), pod('b', 1, 'Running'), pod('c', 2, 'Running')], now);
  assert.equal(retry.status.failedIndexes, '', 'one failure is within the per-index limit');
  const again = planJob(perIndex({}, retry.status), [pod('a', 0, 'Failed', { noFinalizer: true }), pod('b', 1, 'Running'), pod('c', 2, 'Running')], now);
  assert.deepEqual(again.createIndexes, [{ index: 0, failures: 1, ignored: 0 }], 'the replacement carries the failure count');
  const second = planJob(perIndex(), [pod('a2', 0, 'Failed', { failures: 1 }), pod('b', 1, 'Running'), pod('c', 2, 'Running')], now);
  assert.equal(second.status.failedIndexes, '0', 'the second failure fails the index');
  assert.equal(second.create, 0, 'a failed index is not retried');
  const tooMany = planJob(perIndex({ maxFailedIndexes: 0 }), [pod('a2', 0, 'Failed', { failures: 1 }), pod('b', 1, 'Running')], now);
  assert.deepEqual(conds(tooMany), ['FailureTarget:MaxFailedIndexesExceeded']);
  assert.deepEqual(tooMany.delete.map((p) => p.metadata.name), ['b']);
  const settled = planJob(perIndex({ maxFailedIndexes: 0 }, tooMany.status), [pod('a2', 0, 'Failed', { noFinalizer: true, failures: 1 })], now);
  assert.deepEqual(conds(settled), ['FailureTarget:MaxFailedIndexesExceeded', 'Failed:MaxFailedIndexesExceeded']);
  assert.equal(settled.status.conditions[1].message, 'Job has exceeded the specified maximal number of failed indexes');
  const rest = planJob(perIndex({}, { completedIndexes: '1,2', failedIndexes: '0', failed: 2 }), [], now);
  assert.deepEqual(conds(rest), ['FailureTarget:FailedIndexes', 'Failed:FailedIndexes']);
  assert.equal(rest.status.conditions[1].message, 'Job has failed indexes');
});

test('podFailurePolicy: the first matching rule decides FailJob, Ignore, Count or FailIndex', () => {
  const rules = [
    { action: 'FailJob', onExitCodes: { containerName: 'main', operator: 'In', values: [42] } },
    { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] },
    { action: 'FailIndex', onExitCodes: { operator: 'In', values: [7] } },
    { action: 'Count', onExitCodes: { operator: 'NotIn', values: [1, 2] } },
  ];
  const j = job({ podFailurePolicy: { rules }, podReplacementPolicy: 'Failed', backoffLimitPerIndex: 3 });
  const cases: [string, KubeObject, string | undefined][] = [
    ['exit 42 → FailJob', pod('p', 0, 'Failed', { exitCode: 42 }), 'FailJob'],
    ['disrupted → Ignore', pod('p', 0, 'Failed', { exitCode: 1, conditions: [{ type: 'DisruptionTarget', status: 'True' }] }), 'Ignore'],
    ['exit 7 → FailIndex', pod('p', 0, 'Failed', { exitCode: 7 }), 'FailIndex'],
    ['exit 3 → Count', pod('p', 0, 'Failed', { exitCode: 3 }), 'Count'],
    ['exit 1 → no rule', pod('p', 0, 'Failed', { exitCode: 1 }), undefined],
    ['exit 0 never matches', pod('p', 0, 'Failed', { exitCode: 0 }), undefined],
  ];
  for (const [name, p, want] of cases) assert.equal(matchPodFailurePolicy(j, p)?.action, want, name);
  assert.equal(matchPodFailurePolicy(j, pod('p', 0, 'Failed', { exitCode: 42 }))!.message, 'Container main for pod d/p failed with exit code 42 matching FailJob rule at index 0');

  const failJob = planJob(j, [pod('p', 0, 'Failed', { exitCode: 42 }), pod('q', 1, 'Running')], now);
  assert.deepEqual(conds(failJob), ['FailureTarget:PodFailurePolicy']);
  assert.deepEqual(failJob.delete.map((p) => p.metadata.name), ['q']);
  const ignored = planJob(j, [pod('p', 0, 'Failed', { exitCode: 1, conditions: [{ type: 'DisruptionTarget', status: 'True' }] }), pod('q', 1, 'Running')], now);
  assert.deepEqual([ignored.status.failed, ignored.status.uncountedTerminatedPods, ignored.removeFinalizers.length], [0, {}, 1], 'an ignored failure is not counted');
  assert.deepEqual(planJob(j, [pod('p', 0, 'Failed', { noFinalizer: true, exitCode: 1, conditions: [{ type: 'DisruptionTarget', status: 'True' }] }), pod('q', 1, 'Running')], now).createIndexes, [{ index: 0, failures: 0, ignored: 1 }], 'an ignored failure is carried as ignored');
  const failIndex = planJob(j, [pod('p', 0, 'Failed', { exitCode: 7 }), pod('q', 1, 'Running')], now);
  assert.equal(failIndex.status.failedIndexes, '0');
  const nonIndexed = planJob(job({ completionMode: 'NonIndexed', completions: 1, parallelism: 1, backoffLimit: 0, podFailurePolicy: { rules: [{ action: 'Ignore', onExitCodes: { operator: 'In', values: [3] } }] } }), [pod('p', undefined, 'Failed', { exitCode: 3 })], now);
  assert.deepEqual(conds(nonIndexed), [], 'an ignored failure does not exhaust backoffLimit 0');
});

test('successPolicy: succeededIndexes and succeededCount declare success; the rest are stopped', () => {
  const succeeded = new Set([0, 2, 3]);
  const cases: [any[], number | undefined][] = [
    [[{ succeededIndexes: '0,2' }], 0],
    [[{ succeededIndexes: '0-2' }], undefined],
    [[{ succeededIndexes: '0-4', succeededCount: 3 }], 0],
    [[{ succeededCount: 4 }, { succeededCount: 3 }], 1],
  ];
  for (const [rules, want] of cases) assert.equal(matchSuccessPolicy(job({ successPolicy: { rules } }), succeeded), want, JSON.stringify(rules));
  const j = job({ successPolicy: { rules: [{ succeededIndexes: '0' }] } });
  const met = planJob(j, [pod('a', 0, 'Succeeded'), pod('b', 1, 'Running')], now);
  assert.deepEqual(conds(met), ['SuccessCriteriaMet:SuccessPolicy']);
  assert.equal(met.status.conditions[0].message, 'Matched rules at index 0');
  assert.deepEqual(met.delete.map((p) => p.metadata.name), ['b']);
  const done = planJob({ ...j, status: met.status }, [pod('a', 0, 'Succeeded', { noFinalizer: true })], now);
  assert.deepEqual(conds(done), ['SuccessCriteriaMet:SuccessPolicy', 'Complete:SuccessPolicy']);
});

test('podReplacementPolicy: TerminatingOrFailed replaces a terminating pod at once, Failed waits for it', () => {
  const deleting = '2026-03-10T09:59:00Z';
  const pods = [pod('t', 0, 'Running', { deleting }), pod('r', 1, 'Running')];
  const eager = planJob(job({}), pods, now);
  assert.deepEqual([eager.createIndexes?.map((x) => x.index), eager.status.terminating, eager.status.uncountedTerminatedPods], [[0], 0, { failed: ['t'] }]);
  const patient = planJob(job({ podReplacementPolicy: 'Failed' }), pods, now);
  assert.deepEqual([patient.create, patient.status.terminating, patient.status.uncountedTerminatedPods], [0, 1, {}]);
  const nonIndexed = planJob(job({ completionMode: 'NonIndexed', podReplacementPolicy: 'Failed' }), [pod('t', undefined, 'Running', { deleting }), pod('r', undefined, 'Running')], now);
  assert.equal(nonIndexed.create, 0, 'NonIndexed: the terminating pod still holds its place');
});

test('ttl-after-finished: counts from the finish time; none while running or being deleted', () => {
  const finished = (ttl: number, status: any, meta: any = {}): KubeObject => ({ metadata: { name: 'j', ...meta }, spec: { ttlSecondsAfterFinished: ttl }, status });
  const cases: [string, KubeObject, number | undefined][] = [
    ['complete 4s ago, ttl 10', finished(10, { completionTime: '2026-03-10T09:59:56Z', conditions: [{ type: 'Complete', status: 'True' }] }), 6000],
    ['failed long ago', finished(10, { conditions: [{ type: 'Failed', status: 'True', lastTransitionTime: '2026-03-10T09:00:00Z' }] }), 0],
    ['ttl 0', finished(0, { completionTime: '2026-03-10T10:00:00Z', conditions: [{ type: 'Complete', status: 'True' }] }), 0],
    ['running', finished(10, {}), undefined],
    ['being deleted', finished(0, { conditions: [{ type: 'Complete', status: 'True' }] }, { deletionTimestamp: '2026-03-10T10:00:00Z' }), undefined],
  ];
  for (const [name, j, want] of cases) assert.equal(ttlRemainingMs(j, now), want, name);
});
