// Endpoints, Job and DaemonSet controllers with the real scheduler and node pool in one process.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import type { KubeObject } from '../../src/api/types.ts';
import { startScheduler } from '../../src/scheduler/index.ts';
import { startNodePool } from '../../src/node/index.ts';
import { cluster, DAEMONSETS, ENDPOINTS, JOBS, PODS, SERVICES, type TestCluster } from './helpers.ts';
import { eventually } from '../helpers/eventually.ts';

let c: TestCluster;
let stops: (() => Promise<void>)[] = [];
const silent = pino({ level: 'silent' });
const ns = 'default';

before(async () => {
  c = await cluster({ controllers: ['replicaset', 'deployment', 'garbagecollector', 'endpoints', 'job', 'daemonset'] });
  const sched = await startScheduler({ client: c.client, logger: silent });
  const pool = await startNodePool({ client: c.client, count: 3, logger: silent, timings: { pullMs: 50, createMs: 20, startMs: 20, readinessMs: 20 } as any });
  stops = [pool.stop, sched.stop];
});
after(async () => {
  for (const s of stops) await s();
  await c.close();
});

const pods = () => c.client.resource(PODS);

test('a Service with a selector gets Endpoints with the ready pod IPs and target ports', async () => {
  await c.client.resource(SERVICES).create({ metadata: { name: 'web' }, spec: { selector: { app: 'ep' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] } } as KubeObject, { namespace: ns });
  for (const name of ['ep-a', 'ep-b']) {
    await pods().create({ metadata: { name, labels: { app: 'ep' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } as KubeObject, { namespace: ns });
  }
  const ep = await eventually(async () => {
    const e: any = await c.client.resource(ENDPOINTS).get('web', { namespace: ns });
    return e.subsets?.[0]?.addresses?.length === 2 && e;
  }, 'two ready addresses');
  assert.deepEqual(ep.subsets[0].ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
  const ips = (await pods().list({ namespace: ns, labelSelector: 'app=ep' })).items.map((p) => p.status.podIP).sort();
  assert.deepEqual(ep.subsets[0].addresses.map((a: any) => a.ip).sort(), ips);
  await pods().delete('ep-a', { namespace: ns });
  await eventually(async () => {
    const e: any = await c.client.resource(ENDPOINTS).get('web', { namespace: ns });
    return (e.subsets ?? []).flatMap((s: any) => s.addresses ?? []).length === 1;
  }, 'terminating pod removed from endpoints');
  await c.client.resource(SERVICES).delete('web', { namespace: ns });
  await eventually(async () => c.client.resource(ENDPOINTS).get('web', { namespace: ns }).then(() => false, () => true), 'endpoints deleted with the service');
});

test('a Job runs its completions with parallelism and reports Complete', async () => {
  await c.client.resource(JOBS).create(
    {
      metadata: { name: 'pi' },
      spec: { completions: 4, parallelism: 2, template: { metadata: { annotations: { 'kubesim.io/exit-after': '300ms' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'pi', image: 'perl' }] } } },
    } as KubeObject,
    { namespace: ns },
  );
  let maxActive = 0;
  const job = await eventually(async () => {
    const j = await c.client.resource(JOBS).get('pi', { namespace: ns });
    maxActive = Math.max(maxActive, j.status?.active ?? 0);
    return (j.status?.conditions ?? []).some((x: any) => x.type === 'Complete' && x.status === 'True') && j;
  }, 'job complete', 30_000);
  assert.equal(job.status.succeeded, 4);
  assert.ok(job.status.completionTime);
  assert.ok(maxActive <= 2, `parallelism 2 respected (saw ${maxActive} active)`);
  const jobPods = (await pods().list({ namespace: ns, labelSelector: 'batch.kubernetes.io/job-name=pi' })).items;
  assert.equal(jobPods.filter((p) => p.status.phase === 'Succeeded').length, 4);
  assert.ok(jobPods.every((p) => !(p.metadata.finalizers ?? []).includes('batch.kubernetes.io/job-tracking')), 'tracking finalizers removed');
});

test('a failing Job stops at backoffLimit with BackoffLimitExceeded', async () => {
  await c.client.resource(JOBS).create(
    {
      metadata: { name: 'bad' },
      spec: { backoffLimit: 1, template: { metadata: { annotations: { 'kubesim.io/exit-after': '100ms', 'kubesim.io/exit-code': '1' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'x' }] } } },
    } as KubeObject,
    { namespace: ns },
  );
  const job = await eventually(async () => {
    const j = await c.client.resource(JOBS).get('bad', { namespace: ns });
    return (j.status?.conditions ?? []).find((x: any) => x.type === 'Failed' && x.status === 'True') && j;
  }, 'job failed', 30_000);
  assert.equal(job.status.failed, 2);
  assert.equal(job.status.conditions.find((x: any) => x.type === 'Failed').reason, 'BackoffLimitExceeded');
});

test('a DaemonSet runs one pod per node and rolls a new template node by node', async () => {
  const body = (image: string) =>
    ({ metadata: { name: 'agent' }, spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'a', image }] } } } }) as KubeObject;
  await c.client.resource(DAEMONSETS).create(body('agent:1'), { namespace: ns });
  const ready = async (image: string) => {
    const ds = await c.client.resource(DAEMONSETS).get('agent', { namespace: ns });
    const s = ds.status ?? {};
    const ps = (await pods().list({ namespace: ns, labelSelector: 'app=agent' })).items.filter((p) => !p.metadata.deletionTimestamp && p.status.phase === 'Running');
    return s.observedGeneration >= (ds.metadata.generation ?? 1) && s.desiredNumberScheduled === 3 && s.updatedNumberScheduled === 3 && s.numberAvailable === 3 && ps.length === 3 && ps.every((p) => p.spec.containers[0].image === image) && ps;
  };
  const first = await eventually(() => ready('agent:1'), 'daemon pods on 3 nodes', 30_000);
  assert.equal(new Set(first.map((p) => p.spec.nodeName)).size, 3);
  const ds = await c.client.resource(DAEMONSETS).get('agent', { namespace: ns });
  await c.client.resource(DAEMONSETS).update({ ...ds, spec: { ...ds.spec, template: { ...ds.spec.template, spec: { ...ds.spec.template.spec, containers: [{ name: 'a', image: 'agent:2' }] } } } });
  let minAvailable = Infinity;
  await eventually(async () => {
    const list = (await pods().list({ namespace: ns, labelSelector: 'app=agent' })).items;
    minAvailable = Math.min(minAvailable, list.filter((p) => !p.metadata.deletionTimestamp && (p.status.conditions ?? []).some((x: any) => x.type === 'Ready' && x.status === 'True')).length);
    return ready('agent:2');
  }, 'rolled to agent:2', 30_000, 20);
  assert.ok(minAvailable >= 2, `maxUnavailable 1: at least 2 daemons ready throughout (saw ${minAvailable})`);
});
