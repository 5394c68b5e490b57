// The HPA's replica calculator, behaviors and metric errors, table-driven against Kubernetes' rules
// (replica_calculator.go, horizontal.go).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/types.ts';
import { normalizeWithBehavior, normalizeWithoutBehavior, scaleDownRules, scaleLimit, scaleUpRules } from '../../src/controllers/hpa/behavior.ts';
import { metricProposal, milliQuantity, parseWindow, replicasForMetrics } from '../../src/controllers/hpa/plan.ts';
import { calcOptions, groupPods } from '../../src/controllers/hpa/replicas.ts';

const NOW = Date.parse('2026-01-01T00:10:00Z');
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

function pod(name: string, o: { cpu?: string; mem?: string; ready?: boolean; phase?: string; startedAgoS?: number; readyAgoS?: number; containers?: string[] } = {}): KubeObject {
  const started = NOW - (o.startedAgoS ?? 3600) * 1000;
  return {
    metadata: { name, namespace: 'd' },
    spec: { containers: (o.containers ?? ['app']).map((c) => ({ name: c, resources: { requests: { ...(o.cpu !== undefined ? { cpu: o.cpu } : { cpu: '200m' }), ...(o.mem ? { memory: o.mem } : {}) } } })) },
    status: {
      phase: o.phase ?? 'Running',
      startTime: iso(started),
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True', lastTransitionTime: iso(NOW - (o.readyAgoS ?? 3000) * 1000) }],
    },
  };
}
const metrics = (m: Record<string, Record<string, string> | string>, tsAgoS = 5) =>
  Object.entries(m).map(([name, u]) => ({
    metadata: { name, namespace: 'd' },
    timestamp: iso(NOW - tsAgoS * 1000),
    window: '15s',
    containers: typeof u === 'string' ? [{ name: 'app', usage: { cpu: u, memory: '10Mi' } }] : Object.entries(u).map(([c, cpu]) => ({ name: c, usage: { cpu, memory: '10Mi' } })),
  })) as any[];
const cpuUtil = (n: number) => ({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: n } } });
const o = calcOptions({ now: NOW });

test('quantities and windows as Kubernetes prints and parses them', () => {
  for (const [milli, s] of [
    [250, '250m'],
    [2000, '2'],
    [0, '0'],
    [67108864000, '67108864'],
    [64_000_000_000, '64M'],
  ] as const)
    assert.equal(milliQuantity(milli), s);
  assert.equal(parseWindow('15s'), 15_000);
  assert.equal(parseWindow('1m30s'), 90_000);
  assert.equal(parseWindow('300ms'), 300);
});

test('groupPods: pending unready, failed/deleted ignored, missing, CPU readiness windows', () => {
  const pods = [
    pod('ok'),
    pod('pending', { phase: 'Pending' }),
    pod('failed', { phase: 'Failed' }),
    { ...pod('gone'), metadata: { name: 'gone', deletionTimestamp: iso(NOW) } },
    pod('nometric'),
    pod('notready', { ready: false, startedAgoS: 10, readyAgoS: 10 }),
    // became ready 8 s ago, sample 5 s old, window 15 s: the sample straddles the transition
    pod('fresh', { startedAgoS: 20, readyAgoS: 8 }),
    // never ready, started long ago, but readiness flipped to false within 30 s of start: unready
    pod('neverready', { ready: false, startedAgoS: 3600, readyAgoS: 3590 }),
    // failed readiness later in life (not initial): its CPU counts
    pod('flapped', { ready: false, startedAgoS: 3600, readyAgoS: 60 }),
  ];
  const m = new Map(['ok', 'pending', 'notready', 'fresh', 'neverready', 'flapped'].map((n) => [n, { value: 100, timestampMs: NOW - 5000, windowMs: 15_000 }]));
  const g = groupPods(pods, m, 'cpu', o);
  assert.equal(g.readyPodCount, 2);
  assert.deepEqual([...g.unready].sort(), ['fresh', 'neverready', 'notready', 'pending']);
  assert.deepEqual([...g.missing], ['nometric']);
  assert.deepEqual([...g.ignored].sort(), ['failed', 'gone']);
  // memory ignores readiness
  assert.equal(groupPods(pods, m, 'memory', o).readyPodCount, 5);
});

test('Resource proposals: utilization, average value, memory, container resource, unready pods', () => {
  const cases: [string, any, number, KubeObject[], any[], number, any][] = [
    ['100% vs 50% doubles', cpuUtil(50), 2, [pod('a'), pod('b')], metrics({ a: '200m', b: '200m' }), 4, { averageUtilization: 100, averageValue: '200m' }],
    ['within tolerance keeps', cpuUtil(50), 3, [pod('a'), pod('b'), pod('c')], metrics({ a: '108m', b: '108m', c: '108m' }), 3, { averageUtilization: 54, averageValue: '108m' }],
    ['unready pods count 0 on a scale up: 300m/400m = 75% → ceil(1.5 × 2)', cpuUtil(50), 2, [pod('a'), pod('b', { ready: false, startedAgoS: 5, readyAgoS: 5 })], metrics({ a: '300m', b: '300m' }), 3, { averageUtilization: 150, averageValue: '300m' }],
    [
      'average value 250m per pod',
      { type: 'Resource', resource: { name: 'cpu', target: { type: 'AverageValue', averageValue: '250m' } } },
      2,
      [pod('a'), pod('b')],
      metrics({ a: '500m', b: '500m' }),
      4,
      { averageValue: '500m' },
    ],
    [
      'memory utilization',
      { type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 50 } } },
      1,
      [pod('a', { mem: '10Mi' })],
      metrics({ a: '1m' }),
      2,
      { averageUtilization: 100, averageValue: '10485760' },
    ],
  ];
  for (const [what, spec, current, pods, items, replicas, value] of cases) {
    const p = metricProposal(spec, current, pods, items, o);
    assert.equal(p.replicas, replicas, what);
    assert.deepEqual(p.metricStatus.resource.current, value, what);
  }
  const container = { type: 'ContainerResource', containerResource: { name: 'cpu', container: 'app', target: { type: 'Utilization', averageUtilization: 50 } } };
  const two = [pod('a', { containers: ['app', 'side'] })];
  const p = metricProposal(container, 1, two, metrics({ a: { app: '300m', side: '10m' } }), o);
  assert.equal(p.replicas, 3);
  assert.deepEqual(p.metricStatus, { type: 'ContainerResource', containerResource: { name: 'cpu', container: 'app', current: { averageUtilization: 150, averageValue: '300m' } } });
  assert.equal(p.description, 'cpu container resource utilization (percentage of request)');
});

test('metric errors carry Kubernetes reasons and messages; every metric failing stops scaling', () => {
  const r = replicasForMetrics([cpuUtil(50)], 1, [pod('a')], [], o);
  assert.equal(r.replicas, -1);
  assert.equal(r.failures[0].reason, 'FailedGetResourceMetric');
  assert.equal(r.failures[0].detail, 'failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API');
  assert.equal(r.error, 'invalid metrics (1 invalid out of 1), first error is: failed to get cpu resource metric value: failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API');
  assert.deepEqual(r.statuses, [{ type: '' }]);
  const noReq = replicasForMetrics([cpuUtil(50)], 1, [pod('a', { cpu: undefined, containers: ['app'] })].map((p) => ({ ...p, spec: { containers: [{ name: 'app' }] } })), metrics({ a: '10m' }), o);
  assert.equal(noReq.failures[0].detail, 'failed to get cpu utilization: missing request for cpu in container app of Pod a');
  const pods = { type: 'Pods', pods: { metric: { name: 'packets-per-second' }, target: { type: 'AverageValue', averageValue: '1k' } } };
  const mixed = replicasForMetrics([cpuUtil(50), pods], 2, [pod('a'), pod('b')], metrics({ a: '200m', b: '200m' }), o);
  assert.equal(mixed.replicas, 4, 'a failing metric does not stop a scale up the others propose');
  assert.equal(mixed.failures[0].reason, 'FailedGetPodsMetric');
  assert.equal(mixed.description, 'cpu resource utilization (percentage of request)');
  const down = replicasForMetrics([cpuUtil(50), pods], 4, [pod('a'), pod('b'), pod('c'), pod('d')], metrics({ a: '10m', b: '10m', c: '10m', d: '10m' }), o);
  assert.equal(down.replicas, -1, 'but a scale down needs every metric');
});

test('without behavior: the downscale window holds the highest recommendation; scale up at most max(2x, 4)', () => {
  const W = 300_000;
  const cases: [number, number, number, number, { at: number; replicas: number }[], number, string, string][] = [
    [1, 10, 1, 10, [], 4, 'ScaleUpLimit', 'ReadyForNewScale'],
    [3, 50, 1, 100, [], 6, 'ScaleUpLimit', 'ReadyForNewScale'],
    [3, 50, 1, 5, [], 5, 'TooManyReplicas', 'ReadyForNewScale'],
    [10, 2, 1, 20, [{ at: NOW - 60_000, replicas: 8 }], 8, 'DesiredWithinRange', 'ScaleDownStabilized'],
    [10, 2, 1, 20, [{ at: NOW - 400_000, replicas: 8 }], 2, 'DesiredWithinRange', 'ReadyForNewScale'],
    [10, 2, 3, 20, [], 3, 'TooFewReplicas', 'ReadyForNewScale'],
  ];
  for (const [current, proposed, min, max, recs, want, limitReason, ableReason] of cases) {
    const n = normalizeWithoutBehavior(current, proposed, min, max, recs, NOW, W);
    assert.equal(n.replicas, want, `${current}→${proposed}`);
    assert.equal(n.scalingLimited.reason, limitReason, `${current}→${proposed}`);
    assert.equal(n.ableToScale.reason, ableReason, `${current}→${proposed}`);
  }
});

test('with behavior: policies from the period start, selectPolicy, windows', () => {
  const up = scaleUpRules({});
  const down = scaleDownRules({ stabilizationWindowSeconds: 0, policies: [{ type: 'Pods', value: 2, periodSeconds: 60 }, { type: 'Percent', value: 50, periodSeconds: 60 }] });
  assert.equal(scaleLimit(10, [], up, true, NOW), 20, 'max(10+4, 2×10)');
  assert.equal(scaleLimit(10, [{ at: NOW - 5000, change: 6 }], up, true, NOW), 8, 'period started at 4: max(8, 8)');
  assert.equal(scaleLimit(10, [], down, false, NOW), 5, 'Max: the bigger change, 50% of 10');
  assert.equal(scaleLimit(10, [], { ...down, selectPolicy: 'Min' }, false, NOW), 8, 'Min: the smaller change, 2 pods');
  assert.equal(scaleLimit(10, [], { ...down, selectPolicy: 'Disabled' }, false, NOW), 10);
  const n = normalizeWithBehavior(10, 1, 1, 20, up, down, [], [], NOW);
  assert.deepEqual([n.replicas, n.scalingLimited.reason], [5, 'ScaleDownLimit']);
  const slowUp = scaleUpRules({ stabilizationWindowSeconds: 60 });
  const held = normalizeWithBehavior(2, 8, 1, 20, slowUp, down, [{ at: NOW - 30_000, replicas: 3 }], [], NOW);
  assert.deepEqual([held.replicas, held.ableToScale.reason], [3, 'ScaleUpStabilized']);
  const defaultDown = normalizeWithBehavior(8, 2, 1, 20, up, scaleDownRules({}), [{ at: NOW - 200_000, replicas: 6 }], [], NOW);
  assert.deepEqual([defaultDown.replicas, defaultDown.ableToScale.reason], [6, 'ScaleDownStabilized']);
});
