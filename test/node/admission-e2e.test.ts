// Node admission as the kubelet does it: a pod bound to a node that cannot run it is rejected with
// phase Failed, the kubelet's reason and message, and a Warning event.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startNodePool, type NodePool } from '../../src/node/index.ts';
import { cluster, pod, podEvents, PODS, quiet } from './helpers.ts';
import { eventually } from '../helpers/eventually.ts';

let c: Awaited<ReturnType<typeof cluster>>;
let small: NodePool;
let tainted: NodePool;

before(async () => {
  c = await cluster();
  const timings = { pullMs: 50, createMs: 10, startMs: 10 };
  small = await startNodePool({ client: c.client, count: 1, prefix: 'small', cpu: '1', memory: '1Gi', pods: 3, logger: quiet, timings });
  tainted = await startNodePool({
    client: c.client,
    count: 1,
    prefix: 'tainted',
    firstIndex: 10,
    taints: [{ key: 'dedicated', value: 'batch', effect: 'NoExecute' }],
    logger: quiet,
    timings,
  });
});

after(async () => {
  await small.stop();
  await tainted.stop();
  await c.close();
});

async function finalPhase(name: string) {
  return eventually(async () => {
    const p = await c.client.resource(PODS).get(name, { namespace: 'default' });
    return p.status?.phase === 'Running' || p.status?.phase === 'Failed' ? p : undefined;
  }, `${name} settled`);
}

test('too much cpu → Failed OutOfcpu with the kubelet message and a Warning event', async () => {
  await c.client.resource(PODS).create(pod('big', 'small-0', { containers: [{ name: 'app', image: 'nginx', resources: { requests: { cpu: '2' } } }] }));
  const p = await finalPhase('big');
  assert.equal(p.status.phase, 'Failed');
  assert.equal(p.status.reason, 'OutOfcpu');
  assert.equal(p.status.message, "Pod was rejected: Node didn't have enough resource: cpu, requested: 2000, used: 0, capacity: 1000");
  const ev = await eventually(async () => (await podEvents(c.client, 'big')).find((e: any) => e.reason === 'OutOfcpu') as any, 'OutOfcpu event');
  assert.equal(ev.type, 'Warning');
  assert.equal(ev.message, "Node didn't have enough resource: cpu, requested: 2000, used: 0, capacity: 1000");
});

test('memory counts the pods already running on the node → OutOfmemory', async () => {
  const mem = (name: string, m: string) => pod(name, 'small-0', { containers: [{ name: 'app', image: 'nginx', resources: { requests: { memory: m } } }] });
  await c.client.resource(PODS).create(mem('m1', '768Mi'));
  assert.equal((await finalPhase('m1')).status.phase, 'Running');
  await c.client.resource(PODS).create(mem('m2', '512Mi'));
  const p = await finalPhase('m2');
  assert.equal(p.status.reason, 'OutOfmemory');
  assert.equal(p.status.message, `Pod was rejected: Node didn't have enough resource: memory, requested: ${512 * 2 ** 20}, used: ${768 * 2 ** 20}, capacity: ${2 ** 30}`);
});

test('nodeSelector mismatch → Failed NodeAffinity', async () => {
  await c.client.resource(PODS).create(pod('picky', 'small-0', { nodeSelector: { disk: 'ssd' } }));
  const p = await finalPhase('picky');
  assert.equal(p.status.reason, 'NodeAffinity');
  assert.equal(p.status.message, "Pod was rejected: Predicate NodeAffinity failed: node(s) didn't match Pod's node affinity/selector");
});

test('untolerated NoExecute taint → Failed TaintToleration; a tolerating pod runs', async () => {
  await c.client.resource(PODS).create(pod('intruder', 'tainted-10'));
  const p = await finalPhase('intruder');
  assert.equal(p.status.reason, 'TaintToleration');
  assert.equal(p.status.message, "Pod was rejected: Predicate TaintToleration failed: node(s) had taints that the pod didn't tolerate");
  await c.client.resource(PODS).create(pod('guest', 'tainted-10', { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'batch', effect: 'NoExecute' }] }));
  const g = await finalPhase('guest');
  assert.equal(g.status.phase, 'Running');
  assert.equal(g.status.hostIP, '10.0.0.12');
});

test('the pods capacity → OutOfpods', async () => {
  // small-0 has 3 pod slots; m1 already runs there.
  await c.client.resource(PODS).create(pod('s2', 'small-0'));
  await c.client.resource(PODS).create(pod('s3', 'small-0'));
  assert.equal((await finalPhase('s3')).status.phase, 'Running');
  await c.client.resource(PODS).create(pod('s4', 'small-0'));
  const p = await finalPhase('s4');
  assert.equal(p.status.reason, 'OutOfpods');
  assert.equal(p.status.message, "Pod was rejected: Node didn't have enough resource: pods, requested: 1, used: 3, capacity: 3");
});
