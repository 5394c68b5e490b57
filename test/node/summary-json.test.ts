// summaryjson.ts writes the same bytes as JSON.stringify of kubelet.ts summary().
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { summary, type KubeletView } from '../../src/node/kubelet.ts';
import { poolSummaryJson, summaryJson } from '../../src/node/summaryjson.ts';
import type { ContainerUsage } from '../../src/node/runtime.ts';
import type { PodSim } from '../../src/node/podsim.ts';

const T0 = Date.UTC(2026, 0, 1, 10, 0, 0);
const sim = (name: string, namespace: string, startTime: number): PodSim => ({ name, namespace, uid: `uid-${name}`, startTime }) as unknown as PodSim;
const pods: Record<string, PodSim[]> = {
  'node-a': [sim('web-1', 'default', T0 + 1500), sim('idle', 'default', T0), sim('we"ird', 'ns-2', T0 + 61_000)],
  'node-b': [],
};
const usages: Record<string, ContainerUsage[]> = {
  'web-1': [
    { name: 'web', milliCpu: 123.456, memory: 1048576.5, cpuNanos: 987654321, startedAt: T0 + 2000 },
    { name: 'side', milliCpu: 0, memory: 0, cpuNanos: 0, startedAt: T0 + 2999 },
  ],
  idle: [],
  'we"ird': [{ name: 'c\\1', milliCpu: 1e-7, memory: 3, cpuNanos: 12, startedAt: T0 + 61_000 }],
};
const view = (capacity: Record<string, string> | undefined): KubeletView =>
  ({
    startedAt: T0 - 3_600_500,
    now: () => T0 + 7_200_250,
    nodeNames: () => Object.keys(pods),
    hasNode: (n: string) => n in pods,
    nodeCapacity: () => capacity,
    pods: (n?: string) => (n ? pods[n] : Object.values(pods).flat()),
    usage: (s: PodSim) => usages[s.name],
  }) as unknown as KubeletView;

test('summaryJson / poolSummaryJson: the bytes of JSON.stringify(summary())', () => {
  const capacities: (Record<string, string> | undefined)[] = [{ cpu: '8', memory: '32Gi' }, { cpu: '8' }, undefined];
  for (const capacity of capacities) {
    const s = view(capacity);
    for (const n of Object.keys(pods)) assert.equal(summaryJson(s, n), JSON.stringify(summary(s, n)), `${n} ${JSON.stringify(capacity)}`);
    assert.equal(poolSummaryJson(s), JSON.stringify({ nodes: Object.keys(pods).map((n) => summary(s, n)) }));
  }
});
