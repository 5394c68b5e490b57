// Each policy's placement on a known cluster, through the framework and the cache (assume included):
// bin-pack fills the fullest node that fits, spread the emptiest, round-robin cycles in name order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SchedulerCache } from '../../src/scheduler/cache.ts';
import { Framework, numFeasibleNodesToFind } from '../../src/scheduler/framework/runtime.ts';
import { newPodInfo } from '../../src/scheduler/podinfo.ts';
import { pluginRegistry, profileFor, type Policy } from '../../src/scheduler/profiles.ts';
import { node, pod } from './fixtures.ts';

function setup(policy: Policy, nodes = [node('n1'), node('n2'), node('n3')], bound = [pod('x1', { cpu: '1', memory: '1Gi', nodeName: 'n2' }), pod('x2', { cpu: '2', memory: '2Gi', nodeName: 'n3' })]) {
  const cache = new SchedulerCache();
  for (const n of nodes) cache.addNode(n);
  for (const p of bound) cache.addOrUpdatePod(p);
  let seed = 1;
  const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  const fw = new Framework(profileFor(policy), pluginRegistry(), { cache }, rnd);
  /** Schedules and assumes one pod, as the scheduler does; returns the chosen node. */
  const place = (name: string, cpu = '500m', memory = '512Mi') => {
    const pi = newPodInfo(pod(name, { cpu, memory }));
    const r = fw.schedule(pi, cache.nodeList());
    if (!r.nodeName) return r.message;
    cache.assumePod(pi, r.nodeName);
    fw.runReserve(r.state, pi, r.nodeName);
    return r.nodeName;
  };
  return { cache, fw, place };
}

test('binpack (MostAllocated) puts the pod on the fullest node that fits', () => {
  const { place } = setup('binpack');
  // n3 has 2 of 4 cpu used, n2 1, n1 0.
  assert.equal(place('a'), 'n3');
  assert.equal(place('b', '1500m', '1Gi'), 'n3'); // n3 now 2.5 → 4 cpu: full
  assert.equal(place('c', '1', '1Gi'), 'n2'); // n3 cannot take more
  assert.equal(place('d', '3', '1Gi'), 'n1'); // only n1 has 3 cpu free
});

test('spread (LeastAllocated) puts the pod on the emptiest node', () => {
  const { place } = setup('spread');
  assert.equal(place('a', '1', '1Gi'), 'n1'); // n1 empty, n2 1/4, n3 2/4 used
  const b = place('b', '1', '1Gi'); // n1 and n2 now tie at 1/4: either, never n3
  assert.ok(b === 'n1' || b === 'n2', b);
  assert.equal(place('c', '1', '1Gi'), b === 'n1' ? 'n2' : 'n1');
});

test('spread keeps choosing the least allocated as pods accumulate', () => {
  const { place, cache } = setup('spread', [node('n1'), node('n2'), node('n3')], []);
  const placed = Array.from({ length: 9 }, (_, i) => place(`p${i}`, '400m', '400Mi'));
  // Every node ends with 3 pods: each pod went to (one of) the emptiest.
  for (const n of cache.nodeList()) assert.equal(n.pods.size, 3, `${n.name}: ${placed.join(',')}`);
});

test('round-robin cycles through the feasible nodes in name order', () => {
  const { place } = setup('round-robin', [node('c'), node('a'), node('b'), node('d', { cpu: '100m' })], []);
  // d has no room for a 500m pod, so the cycle is a, b, c.
  assert.deepEqual(Array.from({ length: 7 }, (_, i) => place(`p${i}`)), ['a', 'b', 'c', 'a', 'b', 'c', 'a']);
});

test('a pod that fits nowhere gets the counted reasons', () => {
  const { place } = setup('spread', [node('n1', { cpu: '1' }), node('n2', { cpu: '1', taints: [{ key: 'k', value: 'v', effect: 'NoSchedule' }] }), node('n3', { unschedulable: true })], []);
  assert.equal(
    place('huge', '2'),
    "0/3 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated taint {k: v}, 1 node(s) were unschedulable. " +
      'preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.',
  );
});

test('numFeasibleNodesToFind follows kube-scheduler (adaptive percentage, minimum 100)', () => {
  assert.equal(numFeasibleNodesToFind(50), 50);
  assert.equal(numFeasibleNodesToFind(99), 99);
  assert.equal(numFeasibleNodesToFind(100), 100); // 49.2% of 100 = 49 → at least 100
  assert.equal(numFeasibleNodesToFind(1000), 420); // 50 - 8 = 42%
  assert.equal(numFeasibleNodesToFind(5000), 500); // 50 - 40 = 10%
  assert.equal(numFeasibleNodesToFind(6000), 300); // 50 - 48 = 2% → floor of 5%
  assert.equal(numFeasibleNodesToFind(5000, 100), 5000);
  assert.equal(numFeasibleNodesToFind(5000, 1), 100);
});

test('large clusters: only a share of the nodes is evaluated, starting where the last cycle stopped', () => {
  const nodes = Array.from({ length: 1000 }, (_, i) => node(`n${String(i).padStart(4, '0')}`));
  const { fw, cache } = setup('spread', nodes, []);
  const r1 = fw.schedule(newPodInfo(pod('a', { cpu: '100m' })), cache.nodeList());
  assert.equal(r1.evaluated, 420);
  assert.equal(r1.feasible.length, 420);
  assert.equal(r1.feasible[0], 'n0000');
  const r2 = fw.schedule(newPodInfo(pod('b', { cpu: '100m' })), cache.nodeList());
  assert.equal(r2.feasible[0], 'n0420');
  // Explaining evaluates every node.
  const r3 = fw.schedule(newPodInfo(pod('c', { cpu: '100m' })), cache.nodeList(), { explain: true });
  assert.equal(r3.evaluated, 1000);
});
