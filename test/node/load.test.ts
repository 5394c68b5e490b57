// Workload load (kubesim.io/load-cpu / load-memory): shapes, the spread over ready pods, run-time
// changes, CPU throttled at the limit, memory above the limit OOMKilled.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startNodePool, type NodePool } from '../../src/node/index.ts';
import { parsePattern, patternAt } from '../../src/node/usage.ts';
import { containerWeight, loadedUsage } from '../../src/node/simruntime.ts';
import { milliValueOrZero, valueOrZero } from '../../src/api/quantity.ts';
import { cluster, PODS, quiet } from './helpers.ts';
import { eventually } from '../helpers/eventually.ts';

const REPLICASETS = { group: 'apps', version: 'v1', plural: 'replicasets', namespaced: true };

test('load shapes: constant, step, ramp, sine, diurnal, seeded walk', () => {
  const cpu = (s: string) => parsePattern(s, milliValueOrZero)!;
  const at = (s: string, since: number, t = since) => patternAt(cpu(s), 7, since, t);
  assert.equal(at('2000m', 0), 2000);
  assert.equal(at('step(100m,900m,30s)', 29_999), 100);
  assert.equal(at('step(100m,900m,30s)', 30_000), 900);
  assert.equal(at('ramp(0,1,10s)', 5000), 500);
  assert.equal(at('sine(0,2,60s)', 15_000), 2000);
  // diurnal: max at the peak hour (UTC), min twelve hours later
  const day = Date.UTC(2026, 0, 1);
  assert.equal(Math.round(at('diurnal(100m,1100m,14h)', 0, day + 14 * 3600_000)), 1100);
  assert.equal(Math.round(at('diurnal(100m,1100m,14h)', 0, day + 2 * 3600_000)), 100);
  // a seeded walk is the same whichever pod reads it, and stays within mean ± spread
  const w = cpu('walk(1000m,0.3,42)');
  assert.equal(patternAt(w, 1, 0, 12_345), patternAt(w, 2, 0, 12_345));
  for (let t = 0; t < 100_000; t += 2500) assert.ok(Math.abs(patternAt(w, 1, 0, t) - 1000) <= 300 + 1e-9);
  assert.equal(parsePattern('64Mi', valueOrZero)!.kind, 'const');
});

test('a pod share goes to its containers by cpu request; CPU throttles at the limit', () => {
  const pod: any = { spec: { containers: [{ name: 'a', resources: { requests: { cpu: '300m' } } }, { name: 'b', resources: { requests: { cpu: '100m' } } }] } };
  assert.equal(containerWeight(pod, 'a'), 0.75);
  assert.equal(containerWeight(pod, 'b'), 0.25);
  assert.equal(containerWeight({ spec: { containers: [{ name: 'x' }, { name: 'y' }] } } as any, 'y'), 0.5);
  // the container's own model (7m, 9 bytes) gives what the share does not set
  const model: any = { cpu: { kind: 'const', v: 7 }, memory: { kind: 'const', v: 9 }, seed: 1, cpuLimit: 500, memoryLimit: 100 };
  assert.deepEqual(loadedUsage(model, 0, 60_000, { milliCpu: 2000 }, 1), { milliCpu: 500, memory: 9 });
  assert.deepEqual(loadedUsage(model, 0, 60_000, { milliCpu: 0, memory: 300 }, 0.5), { milliCpu: 1, memory: 150 });
  assert.deepEqual(loadedUsage(model, 0, 60_000, { memory: 40 }, 0.5), { milliCpu: 7, memory: 20 });
});

let c: Awaited<ReturnType<typeof cluster>>;
let pool: NodePool;

before(async () => {
  c = await cluster();
  pool = await startNodePool({ client: c.client, count: 2, logger: quiet, timings: { pullMs: 10, createMs: 10, startMs: 10, backoffBaseMs: 100 } });
});

after(async () => {
  await pool.stop();
  await c.close();
});

async function replicaSet(name: string, annotations: Record<string, string>) {
  return c.client.resource(REPLICASETS).create(
    {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name, annotations },
      spec: { replicas: 0, selector: { matchLabels: { rs: name } }, template: { metadata: { labels: { rs: name } }, spec: { containers: [{ name: 'app', image: 'nginx' }] } } },
    },
    { namespace: 'default' },
  );
}

async function ownedPod(rs: any, name: string, node: string, resources: any) {
  return c.client.resource(PODS).create(
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, labels: { rs: rs.metadata.name }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs.metadata.name, uid: rs.metadata.uid, controller: true }] },
      spec: { nodeName: node, containers: [{ name: 'app', image: 'nginx', resources }] },
    },
    { namespace: 'default' },
  );
}

/** Millicores of each pod of the summary whose name starts with `prefix`. */
async function cpuOf(prefix: string): Promise<Record<string, number>> {
  const body: any = await (await fetch(`${pool.kubeletUrl}/stats/summary`)).json();
  const out: Record<string, number> = {};
  for (const n of body.nodes) for (const p of n.pods) if (p.podRef.name.startsWith(prefix)) out[p.podRef.name] = Math.round(p.cpu.usageNanoCores / 1e6);
  return out;
}

test('the load spreads over the ready pods, follows annotation edits and a pod going away', async () => {
  const rs = await replicaSet('web', { 'kubesim.io/load-cpu': '600m' });
  for (const [i, node] of ['node-0', 'node-1', 'node-0'].entries()) await ownedPod(rs, `web-${i}`, node, { requests: { cpu: '100m' } });
  await eventually(async () => {
    const u = await cpuOf('web-');
    return Object.values(u).length === 3 && Object.values(u).every((v) => v === 200) ? u : undefined;
  }, '600m over three ready pods');
  await c.client.resource(REPLICASETS).patch('web', { metadata: { annotations: { 'kubesim.io/load-cpu': '300m' } } }, { namespace: 'default', type: 'merge' });
  await eventually(async () => {
    const u = await cpuOf('web-');
    return Object.values(u).every((v) => v === 100) ? u : undefined;
  }, '300m over three after the edit');
  await c.client.resource(PODS).delete('web-2', { namespace: 'default', gracePeriodSeconds: 0 });
  await eventually(async () => {
    const u = await cpuOf('web-');
    return u['web-0'] === 150 && u['web-1'] === 150 ? u : undefined;
  }, '300m over the two left');
});

test('CPU throttles at the limit; memory load above the limit ends the container OOMKilled', async () => {
  const hot = await replicaSet('hot', { 'kubesim.io/load-cpu': '2000m' });
  await ownedPod(hot, 'hot-0', 'node-1', { requests: { cpu: '200m' }, limits: { cpu: '500m' } });
  await eventually(async () => ((await cpuOf('hot-'))['hot-0'] === 500 ? true : undefined), 'throttled at 500m');
  const fat = await replicaSet('fat', { 'kubesim.io/load-memory': '300Mi' });
  await ownedPod(fat, 'fat-0', 'node-0', { limits: { memory: '256Mi' } });
  const cs = await eventually(async () => {
    await cpuOf('fat-'); // usage is read (as a scrape does): the limit is crossed
    const p: any = await c.client.resource(PODS).get('fat-0', { namespace: 'default' });
    const s = p.status?.containerStatuses?.[0];
    return s?.lastState?.terminated ? s : undefined;
  }, 'OOMKilled');
  assert.equal(cs.lastState.terminated.reason, 'OOMKilled');
  assert.equal(cs.lastState.terminated.exitCode, 137);
});
