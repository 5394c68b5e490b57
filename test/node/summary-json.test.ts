// summaryjson.ts writes the same bytes as JSON.stringify of the summary built as objects (the
// reference below); its objects (summaryObject, poolSummaries: what `kubesim simulate` hands the
// scraper in-process) and kubelet.ts summary() (read by /metrics/resource) are that text parsed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { summary, type KubeletView } from '../../src/node/kubelet.ts';
import { NODE_BASE_CPU_M, NODE_BASE_MEM, nodeSlots, podsByNode, poolSummaries, poolSummaryChunks, poolSummaryJson, summaryJson, summaryObject, visitPoolSummary } from '../../src/node/summaryjson.ts';
import { nodeSampleOf, SampleSink, samplesFromSummary, type NodeSample, type NodeUsage, type PodSample } from '../../src/apiserver/resourcemetrics/index.ts';
import { rfc3339 } from '../../src/node/units.ts';
import type { ContainerUsage } from '../../src/node/runtime.ts';
import type { PodSim } from '../../src/node/podsim.ts';

const T0 = Date.UTC(2026, 0, 1, 10, 0, 0);
const sim = (name: string, namespace: string, startTime: number, nodeName: string): PodSim => ({ name, namespace, uid: `uid-${name}`, startTime, pod: { spec: { nodeName } } }) as unknown as PodSim;
const pods: Record<string, PodSim[]> = {
  'node-a': [sim('web-1', 'default', T0 + 1500, 'node-a'), sim('idle', 'default', T0, 'node-a'), sim('we"ird', 'ns-2', T0 + 61_000, 'node-a')],
  'node-b': [],
  'node-c': [sim('web-2', 'default', T0 + 500, 'node-c')],
};
/** A pod of the pool whose node is gone: no node's summary shows it. */
const orphan = sim('orphan', 'default', T0, 'node-gone');
const usages: Record<string, ContainerUsage[]> = {
  'web-1': [
    { name: 'web', milliCpu: 123.456, memory: 1048576.5, cpuNanos: 987654321, startedAt: T0 + 2000 },
    { name: 'side', milliCpu: 0, memory: 0, cpuNanos: 0, startedAt: T0 + 2999 },
  ],
  idle: [],
  'web-2': [{ name: 'web', milliCpu: 7, memory: 4096, cpuNanos: 5, startedAt: T0 + 600 }],
  orphan: [{ name: 'web', milliCpu: 7, memory: 4096, cpuNanos: 5, startedAt: T0 }],
  'we"ird': [{ name: 'c\\1', milliCpu: 1e-7, memory: 3, cpuNanos: 12, startedAt: T0 + 61_000 }],
};
const view = (capacity: Record<string, string> | undefined): KubeletView =>
  ({
    startedAt: T0 - 3_600_500,
    now: () => T0 + 7_200_250,
    nodeNames: () => Object.keys(pods),
    hasNode: (n: string) => n in pods,
    nodeCapacity: () => capacity,
    pods: (n?: string) => (n ? pods[n] : [...Object.values(pods).flat(), orphan]),
    forEachPod: (fn: (sim: PodSim, node: string) => void) => {
      for (const [n, sims] of Object.entries(pods)) for (const p of sims) fn(p, n);
      fn(orphan, 'node-gone');
    },
    usage: (s: PodSim) => usages[s.name],
  }) as unknown as KubeletView;

test('summaryJson / poolSummaryJson: the bytes of JSON.stringify(summary())', () => {
  const capacities: (Record<string, string> | undefined)[] = [{ cpu: '8', memory: '32Gi' }, { cpu: '8' }, undefined];
  for (const capacity of capacities) {
    const s = view(capacity);
    for (const n of Object.keys(pods)) {
      assert.equal(summaryJson(s, n), JSON.stringify(referenceSummary(s, n)), `${n} ${JSON.stringify(capacity)}`);
      assert.deepEqual(summary(s, n), JSON.parse(JSON.stringify(referenceSummary(s, n))), `summary() ${n}: the summary as JSON carries it`);
      assert.deepEqual(summaryObject(s, n), JSON.parse(summaryJson(s, n)), `summaryObject ${n}: the text parsed`);
    }
    assert.equal(poolSummaryJson(s), JSON.stringify({ nodes: Object.keys(pods).map((n) => referenceSummary(s, n)) }));
    assert.deepEqual(poolSummaries(s), JSON.parse(poolSummaryJson(s)).nodes, 'poolSummaries: the pool summary parsed');
    // in pieces (what the kubelet server streams): whole nodes, the same text when joined
    for (const max of [1, 200, 1e9]) {
      const pieces = [...poolSummaryChunks(s, max)];
      assert.equal(pieces.join(''), poolSummaryJson(s), `pieces of ${max}`);
      if (max === 1) assert.equal(pieces.length, Object.keys(pods).length + 1, 'a piece a node, then the closing one');
    }
  }
});

test('visitPoolSummary: the scraper (SampleSink) makes the same samples of it as of the pool summary parsed', () => {
  for (const capacity of [{ cpu: '8', memory: '32Gi' }, undefined]) {
    const s = view(capacity);
    const summaries = JSON.parse(poolSummaryJson(s)).nodes;
    for (const scrapedAt of [T0 + 7_200_250, T0 + 9_999_999]) {
      const want = summaries.map((n: any) => samplesFromSummary(n, scrapedAt, 60_000));
      // a node's pods are told before it
      const got: { node: NodeSample; pods: PodSample[] }[] = [];
      let told: PodSample[] = [];
      const node = (n: string, u: NodeUsage) => {
        got.push({ node: nodeSampleOf(n, u, 60_000), pods: told });
        told = [];
      };
      visitPoolSummary(s, new SampleSink(scrapedAt, 60_000, () => true, (p) => told.push(p), node));
      assert.deepEqual(got, want, `scraped at ${scrapedAt}`);
    }
  }
});

test('podsByNode: each pod on a known node read once, in the pool\'s order; chained node by node in that order; pods without usage and on unknown nodes left out', () => {
  const [a, b, c, d, e] = ['a', 'b', 'c', 'd', 'e'].map((n) => sim(n, 'default', T0, 'node'));
  const read: string[] = [];
  // the pool's order: c (n2), a (n1), e (n1, no running container), d (gone), b (n1)
  const onNode: [PodSim, string][] = [[c, 'n2'], [a, 'n1'], [e, 'n1'], [d, 'gone'], [b, 'n1']];
  const s = {
    forEachPod: (fn: (sim: PodSim, node: string) => void) => onNode.forEach(([p, n]) => fn(p, n)),
    usage: (p: PodSim) => (read.push(p.name), p === e ? [] : [{ name: p.name, milliCpu: 1, memory: 2, cpuNanos: 3, startedAt: T0 }]),
  } as unknown as KubeletView;
  const got = podsByNode(s, nodeSlots(['n1', 'empty', 'n2']), T0);
  assert.deepEqual(read, ['c', 'a', 'e', 'b'], 'd is on no node of the list');
  const chain = (k: number) => {
    const out: string[] = [];
    for (let j = got.head[k]; j >= 0; j = got.next[j]) out.push(`${got.sims[j].name}:${got.usage[j][0].name}`);
    return out;
  };
  assert.deepEqual([chain(0), chain(1), chain(2)], [['a:a', 'b:b'], [], ['c:c']]);
});

test('nodeSlots: each name\'s first index; the same answer while the names are the same, a new one when they change', () => {
  const names = ['n1', 'n2', 'n3'];
  const first = nodeSlots(names);
  assert.deepEqual([...first], [['n1', 0], ['n2', 1], ['n3', 2]]);
  assert.equal(nodeSlots([...names]), first, 'equal names: the remembered map');
  names.push('n4'); // the caller's array changed after the call: not what was remembered
  const grown = nodeSlots(names);
  assert.notEqual(grown, first);
  assert.deepEqual([...grown], [['n1', 0], ['n2', 1], ['n3', 2], ['n4', 3]]);
  const renamed = nodeSlots(['n1', 'nX', 'n3', 'n4']);
  assert.deepEqual([...renamed], [['n1', 0], ['nX', 1], ['n3', 2], ['n4', 3]], 'same length, a name changed');
  assert.deepEqual([...nodeSlots(['n1', 'n1', 'n2'])], [['n1', 0], ['n2', 2]], 'a name listed twice: its first index');
});

test('SampleSink: nodes it does not know are left out with their pods; consecutive equal node usages are one object', () => {
  const told: string[] = [];
  const usages: unknown[] = [];
  const sink = new SampleSink(T0, 60_000, (n) => n !== 'gone', (p) => told.push(`${p.namespace}/${p.name}`), (n, u) => usages.push(u));
  const time = rfc3339(T0);
  const c = sink.container('web', 1.4e6, 5000);
  assert.deepEqual(c, { name: 'web', cpuNanoCores: 1_400_000, memoryBytes: 4096 });
  sink.pod('gone', time, 'default', 'a', [c]);
  sink.pod('n1', time, 'default', 'b', [c]);
  sink.pod('n1', time, 'default', 'empty', []);
  for (const n of ['n1', 'gone', 'n2', 'n3']) sink.node(n, time, 100e6, 512 * 2 ** 20);
  sink.node('n4', time, 200e6, 512 * 2 ** 20);
  assert.deepEqual(told, ['default/b']);
  assert.equal(usages.length, 4);
  assert.ok(usages[0] === usages[1] && usages[1] === usages[2] && usages[2] !== usages[3]);
  assert.deepEqual(nodeSampleOf('n1', usages[0] as any, 60_000), { name: 'n1', timestampMs: T0, windowMs: 60_000, cpuNanoCores: 100e6, memoryBytes: 512 * 2 ** 20 });
});

/**
 * The oracle: kubelet's /stats/summary for one node built as objects, field by field (as kubelet.ts
 * built it before it wrote the text directly); summaryJson must give JSON.stringify of it.
 */
function referenceSummary(s: KubeletView, node: string): any {
  const now = s.now();
  const time = rfc3339(now);
  const startedAt = s.startedAt;
  let cpuM = NODE_BASE_CPU_M;
  let mem = NODE_BASE_MEM;
  let cpuNs = ((now - startedAt) / 1000) * NODE_BASE_CPU_M * 1e6;
  const pods = [];
  for (const sim of s.pods(node)) {
    const usage = s.usage(sim, now);
    if (!usage.length) continue;
    let pc = 0;
    let pm = 0;
    let pn = 0;
    const containers = usage.map((u) => {
      pc += u.milliCpu;
      pm += u.memory;
      pn += u.cpuNanos;
      return {
        name: u.name,
        startTime: rfc3339(u.startedAt),
        cpu: { time, usageNanoCores: Math.round(u.milliCpu * 1e6), usageCoreNanoSeconds: u.cpuNanos },
        memory: { time, usageBytes: u.memory, workingSetBytes: u.memory, rssBytes: Math.round(u.memory * 0.8), pageFaults: 0, majorPageFaults: 0 },
      };
    });
    cpuM += pc;
    mem += pm;
    cpuNs += pn;
    pods.push({
      podRef: { name: sim.name, namespace: sim.namespace, uid: sim.uid },
      startTime: rfc3339(sim.startTime),
      containers,
      cpu: { time, usageNanoCores: Math.round(pc * 1e6), usageCoreNanoSeconds: pn },
      memory: { time, usageBytes: pm, workingSetBytes: pm, rssBytes: Math.round(pm * 0.8) },
    });
  }
  const capacity = s.nodeCapacity(node) ?? {};
  return {
    node: {
      nodeName: node,
      startTime: rfc3339(startedAt),
      cpu: { time, usageNanoCores: Math.round(cpuM * 1e6), usageCoreNanoSeconds: Math.round(cpuNs) },
      memory: { time, usageBytes: mem, workingSetBytes: mem, rssBytes: Math.round(mem * 0.8), capacity: capacity.memory },
    },
    pods,
  };
}
