// Each plugin on table-driven cases: its verdict (and kube-scheduler's exact reason) per node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SchedulerCache, type NodeInfo } from '../../src/scheduler/cache.ts';
import { CycleState, type Status } from '../../src/scheduler/framework/interface.ts';
import { newPodInfo } from '../../src/scheduler/podinfo.ts';
import { podRequests } from '../../src/api/core/requests.ts';
import { BalancedAllocation, NodeResourcesFit } from '../../src/scheduler/plugins/noderesources.ts';
import { NodeAffinity, NodeName, NodeUnschedulable, TaintToleration } from '../../src/scheduler/plugins/nodebasics.ts';
import { PodTopologySpread } from '../../src/scheduler/plugins/podtopologyspread.ts';
import { InterPodAffinity } from '../../src/scheduler/plugins/interpodaffinity.ts';
import { fitErrorMessage } from '../../src/scheduler/framework/fiterror.ts';
import { node, pod, type NodeOpts, type PodOpts } from './fixtures.ts';
import type { KubeObject } from '../../src/api/types.ts';

function cacheWith(nodes: KubeObject[], bound: KubeObject[] = []): SchedulerCache {
  const c = new SchedulerCache();
  for (const n of nodes) c.addNode(n);
  for (const p of bound) c.addOrUpdatePod(p);
  return c;
}

const verdict = (st: Status | null) => (st ? `${st.code}: ${st.reasons.join('; ')}` : 'ok');

test('podRequests: sum of containers, at least the largest init container, sidecars add, plus overhead', () => {
  const cases: { name: string; spec: any; want: { milliCPU: number; memory: number } }[] = [
    { name: 'no requests', spec: { containers: [{ name: 'a' }] }, want: { milliCPU: 0, memory: 0 } },
    {
      name: 'two containers',
      spec: { containers: [{ resources: { requests: { cpu: '100m', memory: '1Mi' } } }, { resources: { requests: { cpu: '0.5' } } }] },
      want: { milliCPU: 600, memory: 1048576 },
    },
    {
      name: 'limits stand in for missing requests',
      spec: { containers: [{ resources: { limits: { cpu: '1', memory: '1Gi' } } }] },
      want: { milliCPU: 1000, memory: 2 ** 30 },
    },
    {
      name: 'init container larger than the sum',
      spec: { containers: [{ resources: { requests: { cpu: '100m' } } }], initContainers: [{ resources: { requests: { cpu: '2' } } }] },
      want: { milliCPU: 2000, memory: 0 },
    },
    {
      name: 'sidecar adds to containers',
      spec: {
        containers: [{ resources: { requests: { cpu: '100m' } } }],
        initContainers: [{ restartPolicy: 'Always', resources: { requests: { cpu: '200m' } } }],
      },
      want: { milliCPU: 300, memory: 0 },
    },
    {
      name: 'overhead',
      spec: { containers: [{ resources: { requests: { cpu: '100m' } } }], overhead: { cpu: '250m', memory: '120Mi' } },
      want: { milliCPU: 350, memory: 120 * 2 ** 20 },
    },
  ];
  for (const c of cases) assert.deepEqual(podRequests({ metadata: { name: 'p' }, spec: c.spec }), c.want, c.name);
  assert.deepEqual(podRequests({ metadata: { name: 'p' }, spec: { containers: [{}] } }, true), { milliCPU: 100, memory: 200 * 2 ** 20 });
});

test('NodeResourcesFit filter: cpu, memory, pods from bound and assumed pods', () => {
  const cases: { name: string; node: NodeOpts; bound?: PodOpts[]; assumed?: PodOpts[]; pod: PodOpts; want: string }[] = [
    { name: 'fits', node: { cpu: '2' }, pod: { cpu: '1' }, want: 'ok' },
    { name: 'cpu exactly full', node: { cpu: '2' }, bound: [{ cpu: '1' }], pod: { cpu: '1' }, want: 'ok' },
    { name: 'cpu over', node: { cpu: '2' }, bound: [{ cpu: '1500m' }], pod: { cpu: '1' }, want: 'Unschedulable: Insufficient cpu' },
    { name: 'memory over', node: { memory: '1Gi' }, pod: { memory: '2Gi' }, want: 'Unschedulable: Insufficient memory' },
    {
      name: 'both over',
      node: { cpu: '1', memory: '1Gi' },
      pod: { cpu: '2', memory: '2Gi' },
      want: 'Unschedulable: Insufficient cpu; Insufficient memory',
    },
    { name: 'pod count', node: { pods: '1' }, bound: [{}], pod: {}, want: 'Unschedulable: Too many pods' },
    { name: 'assumed pods count', node: { cpu: '1' }, assumed: [{ cpu: '600m' }], pod: { cpu: '500m' }, want: 'Unschedulable: Insufficient cpu' },
    { name: 'zero request always fits cpu', node: { cpu: '1' }, bound: [{ cpu: '1' }], pod: {}, want: 'ok' },
    { name: 'extended resource absent on the node', node: {}, pod: { requests: { 'nvidia.com/gpu': '1' } }, want: 'Unschedulable: Insufficient nvidia.com/gpu' },
    { name: 'extended resource fits', node: { extra: { 'nvidia.com/gpu': '2' } }, bound: [{ requests: { 'nvidia.com/gpu': '1' } }], pod: { requests: { 'nvidia.com/gpu': '1' } }, want: 'ok' },
    {
      name: 'extended resource used up, ephemeral-storage too',
      node: { extra: { 'nvidia.com/gpu': '1', 'ephemeral-storage': '10Gi' } },
      bound: [{ requests: { 'nvidia.com/gpu': '1', 'ephemeral-storage': '8Gi' } }],
      pod: { requests: { 'nvidia.com/gpu': '1', 'ephemeral-storage': '4Gi' } },
      want: 'Unschedulable: Insufficient ephemeral-storage; Insufficient nvidia.com/gpu',
    },
  ];
  for (const c of cases) {
    const cache = cacheWith([node('n1', c.node)], (c.bound ?? []).map((o, i) => pod(`b${i}`, { ...o, nodeName: 'n1' })));
    (c.assumed ?? []).forEach((o, i) => cache.assumePod(newPodInfo(pod(`a${i}`, o)), 'n1'));
    const st = new NodeResourcesFit().filter(new CycleState(), newPodInfo(pod('p', c.pod)), cache.getNode('n1')!);
    assert.equal(verdict(st), c.want, c.name);
  }
});

test('NodeResourcesFit scores: LeastAllocated prefers the emptiest, MostAllocated the fullest', () => {
  const cache = cacheWith([node('empty', { cpu: '4', memory: '4Gi' }), node('half', { cpu: '4', memory: '4Gi' })], [
    pod('x', { cpu: '2', memory: '2Gi', nodeName: 'half' }),
  ]);
  const p = newPodInfo(pod('p', { cpu: '1', memory: '1Gi' }));
  const least = new NodeResourcesFit('LeastAllocated');
  const most = new NodeResourcesFit('MostAllocated');
  const s = new CycleState();
  assert.equal(least.score(s, p, cache.getNode('empty')!), 75);
  assert.equal(least.score(s, p, cache.getNode('half')!), 25);
  assert.equal(most.score(s, p, cache.getNode('empty')!), 25);
  assert.equal(most.score(s, p, cache.getNode('half')!), 75);
  // Balanced: cpu 1/4 vs memory 3/4 → std 0.25 → 75; equal fractions → 100.
  const bal = new BalancedAllocation();
  const skewed = cacheWith([node('n', { cpu: '4', memory: '4Gi' })], [pod('y', { memory: '2Gi', nodeName: 'n' })]);
  assert.equal(bal.score(s, p, skewed.getNode('n')!), 75);
  assert.equal(bal.score(s, p, cache.getNode('half')!), 100);
});

test('NodeName, NodeUnschedulable, NodeAffinity/nodeSelector, TaintToleration filters', () => {
  const s = new CycleState();
  type Case = { name: string; plugin: { filter(s: CycleState, p: any, n: NodeInfo): Status | null }; node: KubeObject; pod: PodOpts; want: string };
  const unsched = 'UnschedulableAndUnresolvable: ';
  const cases: Case[] = [
    { name: 'nodeName matches', plugin: new NodeName(), node: node('n1'), pod: { spec: { nodeName: 'n1' } }, want: 'ok' },
    {
      name: 'nodeName differs',
      plugin: new NodeName(),
      node: node('n2'),
      pod: { spec: { nodeName: 'n1' } },
      want: unsched + "node(s) didn't match the requested node name",
    },
    { name: 'schedulable', plugin: new NodeUnschedulable(), node: node('n1'), pod: {}, want: 'ok' },
    { name: 'cordoned', plugin: new NodeUnschedulable(), node: node('n1', { unschedulable: true }), pod: {}, want: unsched + 'node(s) were unschedulable' },
    {
      name: 'cordoned but tolerated',
      plugin: new NodeUnschedulable(),
      node: node('n1', { unschedulable: true }),
      pod: { spec: { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] } },
      want: 'ok',
    },
    { name: 'nodeSelector matches', plugin: new NodeAffinity(), node: node('n1', { labels: { disk: 'ssd' } }), pod: { spec: { nodeSelector: { disk: 'ssd' } } }, want: 'ok' },
    {
      name: 'nodeSelector misses',
      plugin: new NodeAffinity(),
      node: node('n1', { labels: { disk: 'hdd' } }),
      pod: { spec: { nodeSelector: { disk: 'ssd' } } },
      want: unsched + "node(s) didn't match Pod's node affinity/selector",
    },
    {
      name: 'required affinity In',
      plugin: new NodeAffinity(),
      node: node('n1', { labels: { zone: 'a' } }),
      pod: { spec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }] }] } } } } },
      want: 'ok',
    },
    {
      name: 'required affinity Gt fails',
      plugin: new NodeAffinity(),
      node: node('n1', { labels: { gen: '3' } }),
      pod: { spec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'gen', operator: 'Gt', values: ['4'] }] }] } } } } },
      want: unsched + "node(s) didn't match Pod's node affinity/selector",
    },
    {
      name: 'required affinity matchFields on name, terms ORed',
      plugin: new NodeAffinity(),
      node: node('n1'),
      pod: {
        spec: {
          affinity: {
            nodeAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: {
                nodeSelectorTerms: [{ matchExpressions: [{ key: 'x', operator: 'Exists' }] }, { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }],
              },
            },
          },
        },
      },
      want: 'ok',
    },
    {
      name: 'untolerated NoSchedule taint',
      plugin: new TaintToleration(),
      node: node('n1', { taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' }] }),
      pod: {},
      want: unsched + 'node(s) had untolerated taint {node.kubernetes.io/unreachable: }',
    },
    {
      name: 'untolerated taint with value',
      plugin: new TaintToleration(),
      node: node('n1', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoExecute' }] }),
      pod: { spec: { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'cpu', effect: 'NoExecute' }] } },
      want: unsched + 'node(s) had untolerated taint {dedicated: gpu}',
    },
    {
      name: 'tolerated by Exists',
      plugin: new TaintToleration(),
      node: node('n1', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }),
      pod: { spec: { tolerations: [{ key: 'dedicated', operator: 'Exists' }] } },
      want: 'ok',
    },
    {
      name: 'PreferNoSchedule does not filter',
      plugin: new TaintToleration(),
      node: node('n1', { taints: [{ key: 'a', effect: 'PreferNoSchedule' }] }),
      pod: {},
      want: 'ok',
    },
  ];
  for (const c of cases) {
    const cache = cacheWith([c.node]);
    assert.equal(verdict(c.plugin.filter(s, newPodInfo(pod('p', c.pod)), cache.getNode(c.node.metadata.name!)!)), c.want, c.name);
  }
});

test('TaintToleration and NodeAffinity scores normalize as kube-scheduler', () => {
  const cache = cacheWith([
    node('clean'),
    node('one', { taints: [{ key: 'a', effect: 'PreferNoSchedule' }] }),
    node('two', { taints: [{ key: 'a', effect: 'PreferNoSchedule' }, { key: 'b', effect: 'PreferNoSchedule' }], labels: { zone: 'z1' } }),
  ]);
  const s = new CycleState();
  const p = newPodInfo(
    pod('p', {
      spec: {
        affinity: {
          nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 5, preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['z1'] }] } }] },
        },
      },
    }),
  );
  const run = (pl: TaintToleration | NodeAffinity) => {
    const scores = cache.nodeList().map((n) => ({ name: n.name, score: pl.score(s, p, n) }));
    pl.normalizeScore(s, p, scores);
    return Object.fromEntries(scores.map((x) => [x.name, x.score]));
  };
  assert.deepEqual(run(new TaintToleration()), { clean: 100, one: 50, two: 0 });
  assert.deepEqual(run(new NodeAffinity()), { clean: 0, one: 0, two: 100 });
});

test('PodTopologySpread filter: maxSkew over hostname and zone', () => {
  const nodes = [
    node('a1', { labels: { 'topology.kubernetes.io/zone': 'a' } }),
    node('a2', { labels: { 'topology.kubernetes.io/zone': 'a' } }),
    node('b1', { labels: { 'topology.kubernetes.io/zone': 'b' } }),
    node('nolabel'),
  ];
  const app = { app: 'web' };
  const bound = [pod('w1', { labels: app, nodeName: 'a1' }), pod('w2', { labels: app, nodeName: 'a2' }), pod('other', { labels: { app: 'x' }, nodeName: 'b1' })];
  const constraint = (key: string, maxSkew = 1) => ({
    spec: { topologySpreadConstraints: [{ maxSkew, topologyKey: key, whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: app } }] },
  });
  const cases: { name: string; pod: PodOpts; want: Record<string, string> }[] = [
    {
      name: 'zone: a has 2, b has 0 → only b',
      pod: { labels: app, ...constraint('topology.kubernetes.io/zone') },
      want: {
        a1: "Unschedulable: node(s) didn't match pod topology spread constraints",
        a2: "Unschedulable: node(s) didn't match pod topology spread constraints",
        b1: 'ok',
        nolabel: "UnschedulableAndUnresolvable: node(s) didn't match pod topology spread constraints (missing required label)",
      },
    },
    {
      name: 'zone with maxSkew 3 → all labelled nodes',
      pod: { labels: app, ...constraint('topology.kubernetes.io/zone', 3) },
      want: { a1: 'ok', a2: 'ok', b1: 'ok', nolabel: "UnschedulableAndUnresolvable: node(s) didn't match pod topology spread constraints (missing required label)" },
    },
    {
      name: 'hostname: empty nodes are the minimum',
      pod: { labels: app, ...constraint('kubernetes.io/hostname') },
      want: {
        a1: "Unschedulable: node(s) didn't match pod topology spread constraints",
        a2: "Unschedulable: node(s) didn't match pod topology spread constraints",
        b1: 'ok',
        nolabel: 'ok',
      },
    },
  ];
  for (const c of cases) {
    const cache = cacheWith(nodes, bound);
    const pl = new PodTopologySpread();
    const s = new CycleState();
    const p = newPodInfo(pod('p', c.pod));
    assert.equal(pl.preFilter(s, p, cache.nodeList()), null);
    const got = Object.fromEntries(cache.nodeList().map((n) => [n.name, verdict(pl.filter(s, p, n))]));
    assert.deepEqual(got, c.want, c.name);
  }
  // No hard constraints → the plugin skips.
  assert.equal(new PodTopologySpread().preFilter(new CycleState(), newPodInfo(pod('p')), cacheWith(nodes).nodeList())?.code, 'Skip');
});

test('PodTopologySpread score: ScheduleAnyway prefers the domain with fewer matching pods', () => {
  const nodes = [node('n1'), node('n2'), node('n3')];
  const app = { app: 'web' };
  const cache = cacheWith(nodes, [pod('w1', { labels: app, nodeName: 'n1' }), pod('w2', { labels: app, nodeName: 'n1' }), pod('w3', { labels: app, nodeName: 'n2' })]);
  const p = newPodInfo(
    pod('p', {
      labels: app,
      spec: { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: app } }] },
    }),
  );
  const pl = new PodTopologySpread();
  const s = new CycleState();
  s.write('allNodes', cache.nodeList());
  assert.equal(pl.preScore(s, p, cache.nodeList()), null);
  const scores = cache.nodeList().map((n) => ({ name: n.name, score: pl.score(s, p, n) }));
  pl.normalizeScore(s, p, scores);
  const byName = Object.fromEntries(scores.map((x) => [x.name, x.score]));
  assert.ok(byName.n3 > byName.n2 && byName.n2 > byName.n1, JSON.stringify(byName));
  assert.equal(byName.n3, 100);
});

test('InterPodAffinity filter: required anti-affinity (own and existing pods) and affinity', () => {
  const zone = 'topology.kubernetes.io/zone';
  const nodes = [node('a1', { labels: { [zone]: 'a' } }), node('a2', { labels: { [zone]: 'a' } }), node('b1', { labels: { [zone]: 'b' } })];
  const anti = (key: string, labels: Record<string, string>) => ({
    affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: key, labelSelector: { matchLabels: labels } }] } },
  });
  const aff = (key: string, labels: Record<string, string>) => ({
    affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: key, labelSelector: { matchLabels: labels } }] } },
  });
  const cases: { name: string; bound: KubeObject[]; pod: PodOpts; want: Record<string, string> }[] = [
    {
      name: 'own anti-affinity by hostname',
      bound: [pod('db', { labels: { app: 'db' }, nodeName: 'a1' })],
      pod: { labels: { app: 'db' }, spec: anti('kubernetes.io/hostname', { app: 'db' }) },
      want: { a1: "Unschedulable: node(s) didn't match pod anti-affinity rules", a2: 'ok', b1: 'ok' },
    },
    {
      name: 'own anti-affinity by zone',
      bound: [pod('db', { labels: { app: 'db' }, nodeName: 'a1' })],
      pod: { labels: { app: 'db' }, spec: anti(zone, { app: 'db' }) },
      want: { a1: "Unschedulable: node(s) didn't match pod anti-affinity rules", a2: "Unschedulable: node(s) didn't match pod anti-affinity rules", b1: 'ok' },
    },
    {
      name: "existing pod's anti-affinity rejects the incoming pod",
      bound: [pod('guard', { labels: { app: 'guard' }, nodeName: 'b1', spec: anti('kubernetes.io/hostname', { app: 'web' }) })],
      pod: { labels: { app: 'web' } },
      want: { a1: 'ok', a2: 'ok', b1: "Unschedulable: node(s) didn't satisfy existing pods anti-affinity rules" },
    },
    {
      name: 'required affinity to a zone with the cache pod',
      bound: [pod('cache', { labels: { app: 'cache' }, nodeName: 'b1' })],
      pod: { labels: { app: 'web' }, spec: aff(zone, { app: 'cache' }) },
      want: {
        a1: "UnschedulableAndUnresolvable: node(s) didn't match pod affinity rules",
        a2: "UnschedulableAndUnresolvable: node(s) didn't match pod affinity rules",
        b1: 'ok',
      },
    },
    {
      name: 'first pod of a self-affine group goes anywhere',
      bound: [],
      pod: { labels: { app: 'web' }, spec: aff(zone, { app: 'web' }) },
      want: { a1: 'ok', a2: 'ok', b1: 'ok' },
    },
    {
      name: 'other namespaces do not count',
      bound: [pod('db', { ns: 'other', labels: { app: 'db' }, nodeName: 'a1' })],
      pod: { labels: { app: 'db' }, spec: anti('kubernetes.io/hostname', { app: 'db' }) },
      want: { a1: 'ok', a2: 'ok', b1: 'ok' },
    },
  ];
  for (const c of cases) {
    const cache = cacheWith(nodes, c.bound);
    const pl = new InterPodAffinity({ cache });
    const s = new CycleState();
    const p = newPodInfo(pod('p', c.pod));
    pl.preFilter(s, p, cache.nodeList());
    const got = Object.fromEntries(cache.nodeList().map((n) => [n.name, verdict(pl.filter(s, p, n))]));
    assert.deepEqual(got, c.want, c.name);
  }
});

test('fit error message: reasons counted and sorted as kube-scheduler formats them', () => {
  const st = (code: Status['code'], ...reasons: string[]): Status => ({ code, reasons });
  const m = new Map<string, Status>([
    ['n1', st('UnschedulableAndUnresolvable', 'node(s) had untolerated taint {node.kubernetes.io/unreachable: }')],
    ['n2', st('Unschedulable', 'Insufficient cpu')],
    ['n3', st('Unschedulable', 'Insufficient cpu')],
  ]);
  assert.equal(
    fitErrorMessage(3, m),
    '0/3 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }, 2 Insufficient cpu.',
  );
  assert.equal(
    fitErrorMessage(3, m, '', 'preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.'),
    '0/3 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }, 2 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.',
  );
  assert.equal(fitErrorMessage(2, new Map([['a', st('Unschedulable', 'Insufficient cpu', 'Insufficient memory')], ['b', st('Unschedulable', 'Too many pods')]])),
    '0/2 nodes are available: 1 Insufficient cpu, 1 Insufficient memory, 1 Too many pods.');
});

test('InterPodAffinity score: preferred affinity pulls, preferred anti-affinity pushes', () => {
  const zone = 'topology.kubernetes.io/zone';
  const nodes = [node('a1', { labels: { [zone]: 'a' } }), node('a2', { labels: { [zone]: 'a' } }), node('b1', { labels: { [zone]: 'b' } })];
  const cache = cacheWith(nodes, [pod('cache', { labels: { app: 'cache' }, nodeName: 'b1' }), pod('web', { labels: { app: 'web' }, nodeName: 'a1' })]);
  const run = (spec: any) => {
    const pl = new InterPodAffinity({ cache });
    const s = new CycleState();
    s.write('allNodes', cache.nodeList());
    const p = newPodInfo(pod('p', { spec }));
    if (pl.preScore(s, p, cache.nodeList())?.code === 'Skip') return 'skip';
    const scores = cache.nodeList().map((n) => ({ name: n.name, score: pl.score(s, p, n) }));
    pl.normalizeScore(s, p, scores);
    return Object.fromEntries(scores.map((x) => [x.name, x.score]));
  };
  const term = (labels: Record<string, string>, key: string) => ({ topologyKey: key, labelSelector: { matchLabels: labels } });
  assert.deepEqual(run({ affinity: { podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 10, podAffinityTerm: term({ app: 'cache' }, zone) }] } } }), {
    a1: 0,
    a2: 0,
    b1: 100,
  });
  assert.deepEqual(
    run({ affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 5, podAffinityTerm: term({ app: 'web' }, 'kubernetes.io/hostname') }] } } }),
    { a1: 0, a2: 100, b1: 100 },
  );
  assert.equal(run({}), 'skip');
});

test('preemption: victims are the fewest lowest-priority pods that make room (reprieve highest first)', async () => {
  const { selectVictims } = await import('../../src/scheduler/plugins/preemption.ts');
  const bound = [
    pod('low', { cpu: '2', priority: 0, nodeName: 'n1' }),
    pod('mid', { cpu: '1', priority: 5, nodeName: 'n1' }),
    pod('high', { cpu: '1', priority: 100, nodeName: 'n1' }),
  ];
  const cases: { name: string; pod: PodOpts; want: string[] | undefined }[] = [
    { name: 'evict only low (mid is given back)', pod: { cpu: '2', priority: 10 }, want: ['low'] },
    { name: 'needs both low and mid', pod: { cpu: '3', priority: 10 }, want: ['mid', 'low'] },
    { name: 'cannot fit even without every lower pod', pod: { cpu: '4', priority: 10 }, want: undefined },
    { name: 'no lower-priority pods', pod: { cpu: '1', priority: 0 }, want: undefined },
  ];
  for (const c of cases) {
    const cache = cacheWith([node('n1', { cpu: '4' })], bound);
    const v = selectVictims(newPodInfo(pod('p', c.pod)), cache.getNode('n1')!);
    assert.deepEqual(v?.map((x) => x.pod.metadata.name), c.want, c.name);
  }
});

test('NodeResourcesFit holds room for pods nominated to the node with at least the same priority', () => {
  const cache = cacheWith([node('n1', { cpu: '2' })]);
  const vip = pod('vip', { cpu: '1', priority: 100 });
  vip.status = { phase: 'Pending', nominatedNodeName: 'n1' };
  cache.setNominated(vip, 'n1');
  const fit = new NodeResourcesFit('LeastAllocated', { cache });
  const s = new CycleState();
  const n1 = cache.getNode('n1')!;
  assert.equal(verdict(fit.filter(s, newPodInfo(pod('low', { cpu: '1500m', priority: 0 })), n1)), 'Unschedulable: Insufficient cpu');
  assert.equal(verdict(fit.filter(s, newPodInfo(pod('higher', { cpu: '1500m', priority: 500 })), n1)), 'ok');
  assert.equal(verdict(fit.filter(s, newPodInfo(vip), n1)), 'ok'); // its own nomination does not count against it
  cache.setNominated(vip, undefined);
  assert.equal(verdict(fit.filter(s, newPodInfo(pod('low', { cpu: '1500m', priority: 0 })), n1)), 'ok');
});
