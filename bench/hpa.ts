// HPA benchmark: API server, controller-manager (deployment, replicaset, HPA), scheduler and a
// node pool in one process, driven through the client.
//
//   node --import tsx bench/hpa.ts [--deployments 1000] [--nodes 60] [--rounds 3] [--period 15] [--top-pods 5000]
//
// H1: --deployments Deployments (1 replica, 200m requested, load 100m = 50% of request) and one
//     HPA each (cpu Utilization 50%, 1–3 replicas), synced every --period seconds: the first round
//     (HPAs created → every HPA has currentMetrics), then --rounds steady rounds: syncs per round,
//     the HPA controller's time in sync per round (sum of sync durations) and the process CPU per
//     round (API server, node pool and controllers share the process).
// H2: `kubectl top pods -A` (the real kubectl) at --top-pods pods (bare pods are added to reach it):
//     wall time per call, 5 calls.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pino from 'pino';
import { Registry } from 'prom-client';
import type { KubeObject } from '../src/api/types.ts';
import { kubeconfigYaml, startApiServer } from '../src/apiserver/index.ts';
import { Client } from '../src/client/index.ts';
import { startControllerManager } from '../src/controllers/index.ts';
import { startNodePool } from '../src/node/index.ts';
import { startScheduler } from '../src/scheduler/index.ts';
import { arg, sleep, until } from './util.ts';

const run = promisify(execFile);
const DEPLOYMENTS = Number(arg('deployments', '1000'));
const NODES = Number(arg('nodes', '60'));
const ROUNDS = Number(arg('rounds', '3'));
const PERIOD = Number(arg('period', '15'));
const TOP_PODS = Number(arg('top-pods', '5000'));

const DEPLOY = { group: 'apps', version: 'v1', plural: 'deployments', namespaced: true };
const HPAS = { group: 'autoscaling', version: 'v2', plural: 'horizontalpodautoscalers', namespaced: true };
const PODS = { group: '', version: 'v1', plural: 'pods', namespaced: true };
const POD_METRICS = { group: 'metrics.k8s.io', version: 'v1beta1', plural: 'pods', namespaced: true };

const secs = (ms: number) => (ms / 1000).toFixed(1);
const container = { name: 'app', image: 'nginx', resources: { requests: { cpu: '200m', memory: '16Mi' } } };


async function inBatches(n: number, make: (i: number) => Promise<unknown>, batch = 50): Promise<void> {
  for (let i = 0; i < n; i += batch) await Promise.all(Array.from({ length: Math.min(batch, n - i) }, (_, k) => make(i + k)));
}

const quiet = pino({ level: 'warn' });
const load0 = os.loadavg()[0];
const api = await startApiServer({ port: 0, logger: quiet.child({ component: 'apiserver' }), watchCacheSize: 200_000 });
const client = new Client({ server: api.url, qps: Infinity });
const reg = new Registry();
const cm = await startControllerManager({ client: new Client({ server: api.url, qps: Infinity }), leaderElect: false, controllers: ['deployment', 'replicaset', 'horizontalpodautoscaling'], hpaSyncPeriodSeconds: PERIOD, metricsRegistry: reg, logger: quiet });
const sched = await startScheduler({ client: new Client({ server: api.url, qps: Infinity }), policy: 'spread', leaderElect: false, logger: quiet } as any);
const pool = await startNodePool({ client: new Client({ server: api.url, qps: Infinity }), count: NODES, logger: quiet, timings: { pullMs: 10, createMs: 10, startMs: 10 } });
const dir = mkdtempSync(join(os.tmpdir(), 'kubesim-bench-hpa-'));

async function hpaSyncs(): Promise<{ count: number; sum: number }> {
  const m = (await reg.getSingleMetric('kubesim_controller_sync_duration_seconds')!.get()) as any;
  let count = 0;
  let sum = 0;
  for (const v of m.values) {
    if (v.labels.controller !== 'horizontalpodautoscaling') continue;
    if (v.metricName?.endsWith('_count')) count += v.value;
    if (v.metricName?.endsWith('_sum')) sum += v.value;
  }
  return { count, sum };
}

try {
  const t0 = performance.now();
  await inBatches(DEPLOYMENTS, (i) =>
    client.resource(DEPLOY).create(
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: `web-${i}`, annotations: { 'kubesim.io/load-cpu': '100m' } },
        spec: { replicas: 1, selector: { matchLabels: { app: `web-${i}` } }, template: { metadata: { labels: { app: `web-${i}` } }, spec: { containers: [container] } } },
      },
      { namespace: 'default' },
    ),
  );
  const ready = await until(`${DEPLOYMENTS} Deployments ready`, async () => (await client.resource(DEPLOY).list({ namespace: 'default' })).items.filter((d: KubeObject) => d.status?.readyReplicas === 1).length >= DEPLOYMENTS, 600_000, 1000);
  console.log(`${DEPLOYMENTS} Deployments ready in ${secs(performance.now() - t0)} s (${secs(ready)} s after the creates began)`);

  const th = performance.now();
  await inBatches(DEPLOYMENTS, (i) =>
    client.resource(HPAS).create(
      {
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        metadata: { name: `web-${i}` },
        spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: `web-${i}` }, minReplicas: 1, maxReplicas: 3, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }] },
      },
      { namespace: 'default' },
    ),
  );
  const created = performance.now() - th;
  await until(`${DEPLOYMENTS} HPAs with currentMetrics`, async () => (await client.resource(HPAS).list({ namespace: 'default' })).items.filter((h: KubeObject) => h.status?.currentMetrics?.length).length >= DEPLOYMENTS, 300_000, 1000);
  const first = performance.now() - th;
  console.log(`H1: ${DEPLOYMENTS} HPAs created in ${secs(created)} s; every HPA measured (first round) ${secs(first)} s after the first create`);

  const s0 = await hpaSyncs();
  const c0 = process.cpuUsage();
  const w0 = performance.now();
  await sleep(ROUNDS * PERIOD * 1000);
  const s1 = await hpaSyncs();
  const c1 = process.cpuUsage(c0);
  const wall = performance.now() - w0;
  const rounds = wall / (PERIOD * 1000);
  const replicas = (await client.resource(DEPLOY).list({ namespace: 'default' })).items.reduce((n: number, d: KubeObject) => n + (d.spec?.replicas ?? 0), 0);
  console.log(
    [
      `H1 steady: ${rounds.toFixed(2)} periods of ${PERIOD} s: ${Math.round((s1.count - s0.count) / rounds)} HPA syncs per period`,
      `H1 steady: HPA controller time in sync per round ${((s1.sum - s0.sum) / rounds).toFixed(2)} s (mean ${(((s1.sum - s0.sum) / Math.max(1, s1.count - s0.count)) * 1000).toFixed(1)} ms per sync, 5 workers)`,
      `H1 steady: process CPU per round ${((c1.user + c1.system) / 1e6 / rounds).toFixed(2)} s (API server + node pool + controllers + scheduler)`,
      `H1 steady: total replicas after the rounds ${replicas} (load 100m on 200m requested = 50%: no rescale expected)`,
    ].join('\n'),
  );

  // H2: kubectl top pods -A at TOP_PODS pods
  const extra = Math.max(0, TOP_PODS - DEPLOYMENTS);
  const tp = performance.now();
  await client.resource({ group: '', version: 'v1', plural: 'namespaces', namespaced: false }).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'top' } });
  const bare = { ...container, resources: { requests: { cpu: '1m', memory: '1Mi' } } };
  await inBatches(extra, (i) => client.resource(PODS).create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `bare-${i}` }, spec: { containers: [bare] } }, { namespace: 'top' }), 100);
  await until(`${TOP_PODS} PodMetrics`, async () => (await client.resource(POD_METRICS).list()).items.length >= TOP_PODS, 600_000, 2000);
  console.log(`H2: ${extra} extra pods created and scraped in ${secs(performance.now() - tp)} s`);
  const kc = join(dir, 'kubeconfig');
  writeFileSync(kc, kubeconfigYaml(api.url));
  const times: number[] = [];
  let lines = 0;
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    const { stdout } = await run('kubectl', ['--kubeconfig', kc, 'top', 'pods', '-A'], { maxBuffer: 256 * 2 ** 20 });
    times.push(performance.now() - t);
    lines = stdout.trim().split('\n').length - 1;
  }
  times.sort((a, b) => a - b);
  console.log(`H2: kubectl top pods -A at ${lines} pods: median ${secs(times[2])} s, min ${secs(times[0])} s, max ${secs(times[4])} s`);
  console.log(`conditions: node ${process.version}, ${os.cpus().length} cpus, load avg at start ${load0.toFixed(1)}, now ${os.loadavg()[0].toFixed(1)}, ${NODES} nodes, memory storage, one process`);
} finally {
  await pool.stop();
  await sched.stop();
  await cm.stop();
  client.close();
  await api.close();
  rmSync(dir, { recursive: true, force: true });
}
