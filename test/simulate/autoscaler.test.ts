// The simulated Cluster Autoscaler: a burst of pods grows a group from 2 to what they need (after
// the provisioning delay), and after the load goes away and the nodes stay unneeded for 10 minutes
// it shrinks back to min, draining through the eviction API; plus the pure decisions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseScenario, simulate } from '../../src/simulate/index.ts';
import { planScaleDown, planScaleUp, type GroupView, type NodeView, type PodView } from '../../src/simulate/autoscaler-plan.ts';
import { seededRandom } from '../../src/clock/index.ts';

const SCENARIO = `
name: burst
duration: 1h
measure: 5m
nodeGroups:
  - name: pool
    count: 2
    capacity: { cpu: "2", memory: 8Gi, pods: 110 }
    autoscaling: { min: 2, max: 6 }
workloads:
  - at: 0s
    manifest:
      apiVersion: apps/v1
      kind: Deployment
      metadata: { name: burst, namespace: default }
      spec:
        replicas: 0
        selector: { matchLabels: { app: burst } }
        template:
          metadata: { labels: { app: burst } }
          spec:
            containers:
              - { name: c, image: busybox, resources: { requests: { cpu: 500m, memory: 256Mi } } }
actions:
  - { at: 5m, scale: { kind: Deployment, name: burst, replicas: 20 } }
  - { at: 25m, scale: { kind: Deployment, name: burst, replicas: 0 } }
`;

test('a burst scales the group up from 2 to 5 nodes, and back down to min once the load is gone', async () => {
  const { report } = await simulate(parseScenario(SCENARIO), { seed: 1 });
  assert.deepEqual(report.errors, []);
  const rows = report.intervals.map((r) => [r.time, r.nodesByGroup.pool, r.podsRunning, r.podsPending]);
  const byTime = Object.fromEntries(report.intervals.map((r) => [r.time, r]));
  assert.equal(byTime['0h05m'].nodesByGroup.pool, 2, JSON.stringify(rows));
  assert.equal(byTime['0h10m'].nodesByGroup.pool, 5, `20 pods × 500m need 5 nodes of 2 CPU: ${JSON.stringify(rows)}`);
  assert.equal(byTime['0h10m'].podsRunning, 20, JSON.stringify(rows));
  assert.equal(byTime['0h10m'].podsPending, 0);
  assert.equal(byTime['1h00m'].nodesByGroup.pool, 2, `back to min: ${JSON.stringify(rows)}`);
  const ups = report.autoscaler!.filter((e) => e.action === 'scale-up');
  const downs = report.autoscaler!.filter((e) => e.action === 'scale-down');
  assert.equal(ups.reduce((s, e) => s + e.nodes, 0), 3, JSON.stringify(report.autoscaler));
  assert.equal(downs.length, 3, JSON.stringify(report.autoscaler));
  assert.ok(downs.every((e) => e.t >= 25 * 60 + 600), `no scale-down before 10 unneeded minutes: ${JSON.stringify(downs)}`);
  const again = await simulate(parseScenario(SCENARIO), { seed: 1 });
  assert.equal(JSON.stringify(again.report), JSON.stringify(report), 'same seed, same report');
});

const cap = { milliCPU: 2000, memory: 8 * 2 ** 30, pods: 110 };
const group = (name: string, over: Partial<GroupView> = {}): GroupView => ({ name, min: 1, max: 10, size: 1, upcoming: 0, capacity: cap, labels: { 'kubesim.io/node-group': name }, taints: [], ...over });
const nodeOf = (name: string, g: string, over: Partial<NodeView> = {}): NodeView => ({ name, group: g, allocatable: cap, labels: { 'kubesim.io/node-group': g }, taints: [], schedulable: true, ...over });
const podOf = (key: string, milliCPU: number, nodeName?: string, over: Partial<PodView> = {}): PodView => ({ key, requests: { milliCPU, memory: 2 ** 28, pods: 1 }, spec: {}, nodeName, daemonSet: false, bare: false, ...over });

test('planScaleUp: free room and upcoming nodes first, then the least-waste group, capped at max', () => {
  const r = seededRandom(1);
  const pending = [podOf('a', 1500), podOf('b', 1500), podOf('c', 1500)];
  assert.deepEqual(planScaleUp(pending, [nodeOf('n0', 'small')], [], [group('small')], 'least-waste', r), { group: 'small', nodes: 2, pods: 2 }, 'one fits the empty node');
  assert.equal(planScaleUp(pending, [], [], [group('small', { upcoming: 3 })], 'least-waste', r), undefined, 'the upcoming nodes take them');
  assert.deepEqual(planScaleUp(pending, [], [], [group('small', { max: 2, size: 1 })], 'least-waste', r), { group: 'small', nodes: 1, pods: 1 }, 'capped at max');
  const big = group('big', { capacity: { milliCPU: 4000, memory: 16 * 2 ** 30, pods: 110 } });
  assert.equal(planScaleUp([podOf('a', 1900)], [], [], [big, group('small')], 'least-waste', r)?.group, 'small', 'small wastes less');
  const tainted = group('gpu', { taints: [{ key: 'gpu', effect: 'NoSchedule' }] });
  assert.equal(planScaleUp([podOf('a', 100)], [], [], [tainted], 'least-waste', r), undefined, 'an untolerated taint');
  const picks = new Set(Array.from({ length: 20 }, () => planScaleUp([podOf('a', 100)], [], [], [group('x'), group('y')], 'random', r)?.group));
  assert.deepEqual([...picks].sort(), ['x', 'y'], 'random picks either');
});

test('planScaleDown: unneeded for the unneeded time, above min, pods fit elsewhere, no bare pods', () => {
  const nodes = [nodeOf('n0', 'g'), nodeOf('n1', 'g')];
  const base = { nodes, groups: [group('g', { size: 2 })], threshold: 0.5, unneededTimeMs: 600_000 };
  const pods = [podOf('busy', 1200, 'n0'), podOf('idle', 300, 'n1')];
  const first = planScaleDown({ ...base, pods, unneededSince: new Map(), now: 0 });
  assert.deepEqual([...first.unneededSince], [['n1', 0]], 'n0 is 60% requested');
  assert.equal(first.remove, undefined, 'not unneeded for long enough');
  assert.deepEqual(planScaleDown({ ...base, pods, unneededSince: first.unneededSince, now: 600_000 }).remove, { node: 'n1', group: 'g' });
  assert.equal(planScaleDown({ ...base, groups: [group('g', { size: 2, min: 2 })], pods, unneededSince: first.unneededSince, now: 600_000 }).remove, undefined, 'at min');
  assert.equal(planScaleDown({ ...base, pods: [podOf('busy', 1200, 'n0'), podOf('idle', 300, 'n1', { bare: true })], unneededSince: first.unneededSince, now: 600_000 }).remove, undefined, 'a bare pod');
  assert.equal(planScaleDown({ ...base, pods: [podOf('busy', 1900, 'n0'), podOf('idle', 300, 'n1')], unneededSince: first.unneededSince, now: 600_000 }).remove, undefined, 'its pod fits nowhere else');
});

test('a PodDisruptionBudget that allows no disruption keeps the node: the drain is cancelled and the node untainted', async () => {
  const scenario = parseScenario(`
name: pdb
duration: 8m
measure: 4m
autoscaler: { scaleDownUnneededTime: 2m, scaleDownDelayAfterAdd: 0s }
nodeGroups:
  - { name: pool, count: 2, capacity: { cpu: "4", memory: 16Gi, pods: 110 }, autoscaling: { min: 1, max: 3 } }
workloads:
  - at: 0s
    manifests:
      - apiVersion: apps/v1
        kind: Deployment
        metadata: { name: web, namespace: default }
        spec:
          replicas: 2
          selector: { matchLabels: { app: web } }
          template:
            metadata: { labels: { app: web } }
            spec: { containers: [{ name: c, image: nginx, resources: { requests: { cpu: 100m, memory: 64Mi } } }] }
      - apiVersion: policy/v1
        kind: PodDisruptionBudget
        metadata: { name: web, namespace: default }
        spec: { minAvailable: 2, selector: { matchLabels: { app: web } } }
`);
  const { report } = await simulate(scenario, { seed: 1 });
  assert.deepEqual(report.errors, []);
  assert.deepEqual(report.intervals.map((r) => r.nodesByGroup.pool), [2, 2]);
  const cancelled = report.autoscaler!.filter((e) => e.action === 'scale-down-cancelled');
  assert.ok(cancelled.length > 0, JSON.stringify(report.autoscaler));
  assert.match(cancelled[0].detail, /eviction of default\/web-.* refused/);
  assert.equal(report.autoscaler!.filter((e) => e.action === 'scale-down').length, 0);
  assert.equal(report.intervals.at(-1)!.podsRunning, 2);
});

test('scenario autoscaling fields are checked', () => {
  const base = (g: string, top = '') => `${top}nodeGroups:\n  - { name: p, count: 2, ${g} }\n`;
  for (const [text, msg] of [
    [base('autoscaling: { min: 3, max: 5 }'), /count: must be within autoscaling min..max/],
    [base('autoscaling: { min: 2 }'), /autoscaling: \{min, max\}/],
    [base('autoscaling: { min: 1, max: 3 }', 'autoscaler: { expander: priority }\n'), /expander: least-waste or random/],
    [base('autoscaling: { min: 1, max: 3 }', 'autoscaler: { scaleDownUtilizationThreshold: 2 }\n'), /scaleDownUtilizationThreshold/],
  ] as const) assert.throws(() => parseScenario(text), msg);
  const s = parseScenario(base('autoscaling: { min: 1, max: 3 }', 'autoscaler: { provisioningDelay: 1m, expander: random }\n'));
  assert.deepEqual(s.nodeGroups[0].autoscaling, { min: 1, max: 3 });
  assert.equal(s.autoscaler?.provisioningDelayMs, 60_000);
  assert.equal(s.autoscaler?.scaleDownUnneededTimeMs, 600_000);
});
