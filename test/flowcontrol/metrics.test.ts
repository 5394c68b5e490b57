// LocalHistogram: the same exposition as prom-client's Histogram for the same observations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import client from 'prom-client';
import { LocalHistogram } from '../../src/apiserver/flowcontrol/metrics.ts';

const BUCKETS = [0, 0.005, 0.02, 1];
const CASES: { name: string; observations: [Record<'priority_level' | 'execute', string>, number][] }[] = [
  { name: 'nothing observed', observations: [] },
  { name: 'one label set, every bucket and above the last', observations: [[{ priority_level: 'a', execute: 'true' }, 0], [{ priority_level: 'a', execute: 'true' }, 0.004], [{ priority_level: 'a', execute: 'true' }, 0.02], [{ priority_level: 'a', execute: 'true' }, 3]] },
  { name: 'two label sets', observations: [[{ priority_level: 'a', execute: 'true' }, 0.5], [{ priority_level: 'b', execute: 'false' }, 0.001], [{ priority_level: 'a', execute: 'true' }, 0]] },
];

for (const c of CASES) {
  test(`LocalHistogram reads like prom-client's Histogram: ${c.name}`, async () => {
    const [mine, theirs] = [new client.Registry(), new client.Registry()];
    const local = new LocalHistogram(mine, 'wait_seconds', 'Wait.', ['priority_level', 'execute'], BUCKETS);
    const ref = new client.Histogram({ name: 'wait_seconds', help: 'Wait.', labelNames: ['priority_level', 'execute'], buckets: BUCKETS, registers: [theirs] });
    for (const [labels, v] of c.observations) {
      local.labels(labels).observe(v);
      ref.labels(labels).observe(v);
    }
    assert.equal(await mine.metrics(), await theirs.metrics());
    mine.resetMetrics();
    theirs.resetMetrics();
    assert.equal(await mine.metrics(), await theirs.metrics(), 'after reset');
  });
}
