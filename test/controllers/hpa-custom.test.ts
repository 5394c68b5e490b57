// Pods, Object and External metrics: Kubernetes' replica formulas (GetMetricReplicas,
// GetObjectMetricReplicas, GetObjectPerPodMetricReplicas, GetExternalMetricReplicas,
// GetExternalPerPodMetricReplicas), metric statuses and messages, table-driven.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/types.ts';
import { externalMetricProposal, goSelector, objectMetricProposal, podsMetricProposal, type Fetched } from '../../src/controllers/hpa/custom.ts';
import { metricRequest } from '../../src/controllers/hpa/fetch.ts';
import { replicasForMetrics } from '../../src/controllers/hpa/plan.ts';
import { calcOptions } from '../../src/controllers/hpa/replicas.ts';

const o = calcOptions({ now: Date.parse('2026-01-01T00:10:00Z') });
const pod = (name: string, ready = true): KubeObject => ({ metadata: { name }, spec: { containers: [{ name: 'c' }] }, status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] } });
const pods = (n: number, ready = n) => Array.from({ length: n }, (_, i) => pod(`p${i}`, i < ready));
const values = (v: Record<string, string>): Fetched => ({ items: Object.entries(v).map(([name, value]) => ({ describedObject: { kind: 'Pod', name }, timestamp: '2026-01-01T00:09:50Z', windowSeconds: 15, value })) });
const series = (...v: string[]): Fetched => ({ items: v.map((value) => ({ metricName: 'queue', value, timestamp: '2026-01-01T00:09:50Z' })) });

const podsSpec = { type: 'Pods', pods: { metric: { name: 'rps' }, target: { type: 'AverageValue', averageValue: '10' } } };

test('Pods metric (AverageValue): ceil(average/target × ready pods), tolerance, missing pods, statuses', () => {
  const cases: [string, number, KubeObject[], Fetched, number, string][] = [
    ['3 pods at 30 vs 10 → ratio 3', 3, pods(3), values({ p0: '30', p1: '30', p2: '30' }), 9, '30'],
    ['10.5 vs 10 is within the tolerance', 2, pods(2), values({ p0: '10500m', p1: '10500m' }), 2, '10500m'],
    ['scale down with a pod missing: it counts as the target', 3, pods(3), values({ p0: '1', p1: '1' }), 2, '1'],
    ['scale up with a pod missing: it counts as 0 (80/3 vs 10 → ceil(2.67 × 3))', 2, pods(3), values({ p0: '40', p1: '40' }), 8, '40'],
  ];
  for (const [what, current, ps, f, want, avg] of cases) {
    const p = podsMetricProposal(podsSpec, current, ps, f, o);
    assert.equal(p.replicas, want, what);
    assert.deepEqual(p.metricStatus, { type: 'Pods', pods: { metric: { name: 'rps' }, current: { averageValue: avg } } }, what);
    assert.equal(p.description, 'pods metric rps');
  }
});

test('Pods metric errors as Kubernetes words them (event/condition detail, computeReplicasForMetric message)', () => {
  const cases: [Fetched, KubeObject[], string][] = [
    [{ error: 'boom' }, pods(1), 'unable to get metric rps: unable to fetch metrics from custom metrics API: boom'],
    [{ items: [] }, pods(1), 'unable to get metric rps: no metrics returned from custom metrics API'],
    [values({ x: '1' }), [], 'no pods returned by selector while calculating replica count'],
  ];
  for (const [f, ps, detail] of cases) {
    assert.throws(() => podsMetricProposal(podsSpec, 1, ps, f, o), (e: any) => e.reason === 'FailedGetPodsMetric' && e.detail === detail && e.message === `failed to get pods metric value: ${detail}`);
  }
});

const objectSpec = (target: any) => ({ type: 'Object', object: { describedObject: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, metric: { name: 'rps' }, target } });
const one = (value: string): Fetched => ({ items: [{ value, timestamp: '2026-01-01T00:09:50Z' }] });

test('Object metric: Value → ceil(value/target × ready pods) (0 replicas: ceil(ratio)); AverageValue → ceil(value/target) unless within tolerance of status replicas', () => {
  const cases: [string, any, number, number, KubeObject[], string, number, any, string][] = [
    ['Value 250 vs 100 on 2 ready pods', { type: 'Value', value: '100' }, 2, 2, pods(2), '250', 5, { value: '250' }, 'Deployment metric rps'],
    ['Value counts only Running Ready pods', { type: 'Value', value: '100' }, 3, 3, pods(3, 1), '200', 2, { value: '200' }, 'Deployment metric rps'],
    ['Value within tolerance', { type: 'Value', value: '100' }, 3, 3, pods(3), '105', 3, { value: '105' }, 'Deployment metric rps'],
    ['Value from 0 replicas', { type: 'Value', value: '100' }, 0, 0, [], '250', 3, { value: '250' }, 'Deployment metric rps'],
    ['AverageValue 100 over 4 vs 10', { type: 'AverageValue', averageValue: '10' }, 4, 4, pods(4), '100', 10, { averageValue: '25' }, 'external metric rps(<nil>)'],
    ['AverageValue within tolerance', { type: 'AverageValue', averageValue: '10' }, 4, 4, pods(4), '41', 4, { averageValue: '10250m' }, 'external metric rps(<nil>)'],
  ];
  for (const [what, target, spec, status, ps, value, want, current, description] of cases) {
    const p = objectMetricProposal(objectSpec(target), 'default', spec, status, ps, one(value), o);
    assert.equal(p.replicas, want, what);
    const described = target.type === 'Value' ? { describedObject: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' } } : {};
    assert.deepEqual(p.metricStatus, { type: 'Object', object: { ...described, metric: { name: 'rps' }, current } }, what);
    assert.equal(p.description, description, what);
  }
});

test('Object metric errors, with the calculator’s misplaced Sprintf arguments', () => {
  const d = 'unable to get metric rps: Deployment on default web/unable to fetch metrics from custom metrics API: nope';
  const cases: [any, Fetched, string, string][] = [
    [{ type: 'Value', value: '1' }, { error: 'nope' }, d, `failed to get object metric value: ${d}`],
    [{ type: 'AverageValue', averageValue: '1' }, { error: 'nope' }, d, `failed to get object metric value: failed to get rps object metric: ${d}`],
    [{ type: 'Utilization' }, one('1'), 'invalid object metric source: neither a value target nor an average value target was set', 'failed to get object metric value: invalid object metric source: neither a value target nor an average value target was set'],
  ];
  for (const [target, f, detail, message] of cases) {
    assert.throws(() => objectMetricProposal(objectSpec(target), 'default', 1, 1, pods(1), f, o), (e: any) => e.reason === 'FailedGetObjectMetric' && e.detail === detail && e.message === message);
  }
});

const sel = { matchLabels: { queue: 'orders' } };
const externalSpec = (target: any, selector?: any) => ({ type: 'External', external: { metric: { name: 'queue', ...(selector ? { selector } : {}) }, target } });

test('External metric: the series summed; AverageValue before Value, as computeStatusForExternalMetric', () => {
  const selText = '&LabelSelector{MatchLabels:map[string]string{queue: orders,},MatchExpressions:[]LabelSelectorRequirement{},}';
  const cases: [string, any, number, number, Fetched, number, any][] = [
    ['Value 42 vs 21 on 3 ready pods', { type: 'Value', value: '21' }, 3, 3, series('30', '12'), 6, { value: '42' }],
    ['AverageValue 42 over 2 vs 7', { type: 'AverageValue', averageValue: '7' }, 2, 2, series('30', '12'), 6, { averageValue: '21' }],
    ['AverageValue within tolerance', { type: 'AverageValue', averageValue: '10' }, 2, 2, series('20500m'), 2, { averageValue: '10250m' }],
  ];
  for (const [what, target, spec, status, f, want, current] of cases) {
    const p = externalMetricProposal(externalSpec(target, sel), 'default', spec, status, pods(spec), f, o);
    assert.equal(p.replicas, want, what);
    assert.deepEqual(p.metricStatus, { type: 'External', external: { metric: { name: 'queue', selector: sel }, current } }, what);
    assert.equal(p.description, `external metric queue(${selText})`);
  }
  const d = 'unable to get external metric default/queue/<nil>: no metrics returned from external metrics API';
  assert.throws(() => externalMetricProposal(externalSpec({ type: 'Value', value: '1' }), 'default', 1, 1, pods(1), { items: [] }, o), (e: any) => e.reason === 'FailedGetExternalMetric' && e.detail === d && e.message === `failed to get queue external metric value: failed to get external metric queue: ${d}`);
  const d2 = 'unable to get external metric default/queue/<nil>: unable to fetch metrics from external metrics API: down';
  assert.throws(() => externalMetricProposal(externalSpec({ type: 'AverageValue', averageValue: '1' }), 'default', 1, 1, pods(1), { error: 'down' }, o), (e: any) => e.detail === d2 && e.message === `failed to get queue external metric value: failed to get queue external metric: ${d2}`);
});

test('goSelector prints %+v of a LabelSelector with expressions', () => {
  assert.equal(goSelector({ matchLabels: { b: '2', a: '1' }, matchExpressions: [{ key: 'k', operator: 'In', values: ['x', 'y'] }] }), '&LabelSelector{MatchLabels:map[string]string{a: 1,b: 2,},MatchExpressions:[]LabelSelectorRequirement{LabelSelectorRequirement{Key:k,Operator:In,Values:[x y],},},}');
});

test('requests: pods/*/<metric> with the target selector, <resource>.<group>/<name>/<metric>, external with the metric selector', () => {
  assert.deepEqual(metricRequest(podsSpec, 'default', 'app=web'), { path: '/apis/custom.metrics.k8s.io/v1beta2/namespaces/default/pods/*/rps', query: { labelSelector: 'app=web' } });
  assert.deepEqual(metricRequest(objectSpec({ type: 'Value', value: '1' }), 'ns', ''), { path: '/apis/custom.metrics.k8s.io/v1beta2/namespaces/ns/deployments.apps/web/rps', query: {} });
  assert.deepEqual(metricRequest(externalSpec({ type: 'Value', value: '1' }, sel), 'ns', ''), { path: '/apis/external.metrics.k8s.io/v1beta1/namespaces/ns/queue', query: { labelSelector: 'queue=orders' } });
  assert.deepEqual(metricRequest({ type: 'Object', object: { describedObject: { apiVersion: 'x.io/v1', kind: 'Nope', name: 'n' }, metric: { name: 'm' } } }, 'ns', ''), { error: 'no matches for kind "Nope" in group "x.io"' });
  assert.equal(metricRequest({ type: 'Resource' }, 'ns', ''), undefined);
});

test('replicasForMetrics takes the highest proposal across Resource and Pods metrics', () => {
  const r = replicasForMetrics([podsSpec], 2, pods(2), undefined, o, undefined, { namespace: 'default', statusReplicas: 2, fetched: () => values({ p0: '20', p1: '20' }) });
  assert.equal(r.replicas, 4);
  assert.equal(r.description, 'pods metric rps');
  assert.deepEqual(r.failures, []);
});
