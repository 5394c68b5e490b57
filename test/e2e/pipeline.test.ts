// examples/pipeline end to end: `kubectl apply -k examples/pipeline` on a `kubesim up` cluster (HTTPS,
// its kubeconfig), the processor scaled to 3 while the generator sends, one processor pod deleted
// mid-stream; the aggregator (read through the API server's service proxy and its logs) ends with
// every message once — count and sum exact — processed by more than one processor pod.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { up, hasKubectl, type UpCluster } from './harness.ts';
import { eventually } from '../helpers/eventually.ts';

const skip = !hasKubectl && 'no /usr/bin/kubectl';
const example = join(resolve(dirname(fileURLToPath(import.meta.url)), '../..'), 'examples/pipeline');
const COUNT = 300; // the generator's COUNT in pipeline.yaml
const SUM = (COUNT * (COUNT + 1) * (2 * COUNT + 1)) / 6; // Σ id² — the processor squares each value
let c: UpCluster;

before(async () => {
  if (!skip) c = await up(['--nodes', '2']);
});
after(async () => {
  await c?.close();
});

interface Totals {
  count: number;
  sum: number;
  byProcessor: Record<string, number>;
}

async function totals(): Promise<Totals | undefined> {
  const out = await c.kubectl(['get', '--raw', '/api/v1/namespaces/pipeline/services/aggregator:80/proxy/']).catch(() => undefined);
  return out ? (JSON.parse(out) as Totals) : undefined;
}

test('examples/pipeline: every acknowledged message reaches the aggregator once, over a scale-up and a deleted processor', { skip }, async () => {
  await c.kubectl(['apply', '-k', example]);
  await c.kubectl(['-n', 'pipeline', 'scale', 'deployment/processor', '--replicas=3']);
  const mid = await eventually(async () => {
    const t = await totals();
    return t && t.count >= 60 ? t : undefined;
  }, 'the aggregator has 60 results', 120_000, 500);
  assert.ok(mid.count < COUNT, `the generator was still sending (${mid.count})`);
  // delete a processor pod that has worked (SIGTERM: it finishes its queue; its Deployment replaces it)
  const victim = Object.keys(mid.byProcessor)[0];
  await c.kubectl(['-n', 'pipeline', 'delete', 'pod', victim, '--wait=false']);
  const end = await eventually(async () => {
    const t = await totals();
    return t && t.count === COUNT ? t : undefined;
  }, `the aggregator has all ${COUNT} results`, 180_000, 1000);
  assert.equal(end.sum, SUM);
  assert.ok(Object.keys(end.byProcessor).length >= 2, `work spread over processors: ${JSON.stringify(end.byProcessor)}`);
  assert.equal(Object.values(end.byProcessor).reduce((a, b) => a + b, 0), COUNT);
  // what a user reads: the aggregator's and the generator's logs
  const aggLog = await eventually(async () => {
    const out = await c.kubectl(['-n', 'pipeline', 'logs', 'deployment/aggregator']);
    return out.includes(`aggregator: ${COUNT} messages, sum ${SUM}, by processor:`) ? out : undefined;
  }, 'the aggregator logged the result', 30_000, 500);
  assert.match(aggLog, /aggregator: listening on 8080/);
  await eventually(async () => ((await c.kubectl(['-n', 'pipeline', 'logs', 'deployment/generator'])).includes(`generator: all ${COUNT} messages acknowledged`) ? true : undefined), 'the generator logged every acknowledgement', 30_000, 500);
  const killed = await c.kubectl(['-n', 'pipeline', 'get', 'pod', victim, '-o', 'name']).catch(() => '');
  assert.equal(killed, '', 'the deleted processor pod is gone');
});
