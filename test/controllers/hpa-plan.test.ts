// HPA replica calculation, tolerance, missing metrics, behaviors and bounds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/types.ts';
import { normalize, resourceProposal, usageFromPodMetrics } from '../../src/controllers/hpa/plan.ts';

const cpu50 = { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } };
const pod = (name: string, ready = true, request = '200m'): KubeObject => ({
  metadata: { name },
  spec: { containers: [{ name: 'c', resources: { requests: { cpu: request } } }] },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});
const usage = (m: Record<string, string>) => usageFromPodMetrics(Object.entries(m).map(([name, cpu]) => ({ metadata: { name }, containers: [{ name: 'c', usage: { cpu } }] }) as any));

test('utilization above target scales up to ceil(ratio × pods)', () => {
  const p = resourceProposal(cpu50, 2, [pod('a'), pod('b')], usage({ a: '200m', b: '200m' }));
  assert.equal(p.replicas, 4, '100% of request vs 50% target → twice the pods');
  assert.deepEqual(p.metricStatus, { type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 100, averageValue: '200m' } } });
  assert.equal(p.description, 'cpu resource utilization (percentage of request)');
});

test('within the 10% tolerance nothing changes', () => {
  assert.equal(resourceProposal(cpu50, 2, [pod('a'), pod('b')], usage({ a: '105m', b: '105m' })).replicas, 2);
  assert.equal(resourceProposal(cpu50, 4, [pod('a'), pod('b'), pod('c'), pod('d')], usage({ a: '20m', b: '20m', c: '20m', d: '20m' })).replicas, 1);
});

test('pods without metrics count as 100% of request when scaling down, 0 when scaling up', () => {
  // Two pods idle, one missing: scaling down must assume the missing one is busy.
  const down = resourceProposal(cpu50, 3, [pod('a'), pod('b'), pod('c')], usage({ a: '10m', b: '10m' }));
  assert.equal(down.replicas, 3, 'ratio with the missing pod at 100% flips above 1 → keep');
  const up = resourceProposal(cpu50, 3, [pod('a'), pod('b'), pod('c')], usage({ a: '400m', b: '400m' }));
  // Counted pods alone: 200% → ratio 4 → 8 pods of 2; with the missing pod at 0: 800m / 600m = 133% → ratio 2.67 × 3 → 8.
  assert.equal(up.replicas, 8);
  const upFewer = resourceProposal(cpu50, 4, [pod('a'), pod('b'), pod('c'), pod('d')], usage({ a: '100m', b: '100m' }));
  assert.equal(upFewer.replicas, 4, 'ratio 2 on counted pods, but 200m/800m = 25% with missing at 0 flips below 1 → keep');
});

test('a missing request is an error naming the pod', () => {
  const bare: KubeObject = { metadata: { name: 'x' }, spec: { containers: [{ name: 'c' }] }, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } };
  assert.throws(() => resourceProposal(cpu50, 1, [bare], usage({ x: '10m' })), /missing request for cpu in container c of Pod x/);
});

test('scale down waits out the 300 s stabilization window; scale up is limited to max(2×, +4) per 15 s', () => {
  const hpa: KubeObject = { metadata: { name: 'h' }, spec: { minReplicas: 1, maxReplicas: 100 } };
  const now = 1_000_000;
  assert.equal(normalize(hpa, 10, 2, [{ at: now - 60_000, replicas: 10 }], [], now).replicas, 10, 'a recent higher recommendation holds');
  assert.equal(normalize(hpa, 10, 2, [{ at: now - 400_000, replicas: 10 }], [], now).replicas, 2, 'outside the window');
  const up = normalize(hpa, 3, 50, [], [], now);
  assert.deepEqual(up, { replicas: 7, limited: { reason: 'ScaleUpLimit', message: 'the desired replica count is increasing faster than the maximum scale rate' } });
  assert.equal(normalize(hpa, 10, 50, [], [], now).replicas, 20);
  assert.equal(normalize(hpa, 10, 50, [], [{ at: now - 5000, change: 5 }], now).replicas, 10, 'already doubled from 5 within the period');
});

test('min and max replicas bound the result', () => {
  const hpa: KubeObject = { metadata: { name: 'h' }, spec: { minReplicas: 2, maxReplicas: 5, behavior: { scaleDown: { stabilizationWindowSeconds: 0 } } } };
  assert.deepEqual(normalize(hpa, 4, 8, [], [], 0), { replicas: 5, limited: { reason: 'TooManyReplicas', message: 'the desired replica count is more than the maximum replica count' } });
  assert.equal(normalize(hpa, 4, 1, [], [], 0).replicas, 2);
});
