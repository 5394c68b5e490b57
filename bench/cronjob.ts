// CronJob benchmark: the whole cluster in one process (as `kubesim up`), driven through the client.
//
//   node --import tsx bench/cronjob.ts [--nodes 100] [--cronjobs 1000]
//
// C1: --cronjobs CronJobs with schedule `* * * * *` created just after a minute boundary.
// C2: at the next minute boundary every one fires: the time from the boundary until every CronJob's
//     Job exists (listed through the API), and until every Job's pod has completed.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { Client } from '../src/client/index.ts';
import type { KubeObject } from '../src/api/types.ts';
import { arg, sleep, until } from './util.ts';

process.env.KUBESIM_LOG_LEVEL ??= 'warn';
const { startCluster } = await import('../src/cluster/index.ts');

const NODES = Number(arg('nodes', '100'));
const CRONJOBS = Number(arg('cronjobs', '1000'));

const CRONJOB = { group: 'batch', version: 'v1', plural: 'cronjobs', namespaced: true, kind: 'CronJob' };
const JOB = { group: 'batch', version: 'v1', plural: 'jobs', namespaced: true, kind: 'Job' };
const NODE = { group: '', version: 'v1', plural: 'nodes', namespaced: false, kind: 'Node' };

const secs = (ms: number) => (ms / 1000).toFixed(1);

function cronJob(i: number): KubeObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: `cj-${i}` },
    spec: {
      schedule: '* * * * *',
      jobTemplate: {
        spec: {
          template: {
            // a batch container that exits 0 after a second (docs/node-simulation.md)
            metadata: { annotations: { 'kubesim.io/exit-after': '1s' } },
            spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox', resources: { requests: { cpu: '1m', memory: '1Mi' } } }] },
          },
        },
      },
    },
  };
}


const dir = mkdtempSync(join(os.tmpdir(), 'kubesim-bench-'));
const load0 = os.loadavg()[0];
const cluster = await startCluster({ port: 0, dataDir: join(dir, 'data'), nodes: NODES, policy: 'spread', watchCacheSize: 200_000 });
const client = Client.fromKubeconfig(cluster.kubeconfigPath, { qps: Infinity }); // the admin kubeconfig (mutual TLS)
try {
  await until(`${NODES} nodes`, async () => (await client.resource(NODE).list()).items.length >= NODES, 300_000, 500);
  // Start right after a boundary, so the creates finish well before the next one.
  await sleep(60_000 - (Date.now() % 60_000) + 200);
  const t0 = performance.now();
  const cjs = client.resource(CRONJOB);
  for (let i = 0; i < CRONJOBS; i += 50) {
    await Promise.all(Array.from({ length: Math.min(50, CRONJOBS - i) }, (_, k) => cjs.create(cronJob(i + k), { namespace: 'default' })));
  }
  const createdIn = performance.now() - t0;
  const boundary = Math.ceil(Date.now() / 60_000) * 60_000;
  console.log(`${CRONJOBS} CronJobs created in ${secs(createdIn)} s; waiting for the minute at ${new Date(boundary).toISOString()}`);
  await sleep(Math.max(0, boundary - Date.now()));
  const cpu = process.cpuUsage();
  const tb = performance.now();
  const jobs = () => client.resource(JOB).list({ namespace: 'default' }).then((l) => l.items);
  const allCreated = await until(`${CRONJOBS} Jobs`, async () => (await jobs()).length >= CRONJOBS, 120_000);
  await until(`${CRONJOBS} Jobs complete`, async () => (await jobs()).filter((j) => j.status?.succeeded >= 1).length >= CRONJOBS, 180_000);
  const allDone = performance.now() - tb;
  const d = process.cpuUsage(cpu);
  console.log(
    [
      `conditions: node ${process.version}, ${os.cpus().length} cpus, load avg at start ${load0.toFixed(1)}, ${NODES} nodes, whole cluster in one process (SQLite)`,
      `C2: minute boundary → ${CRONJOBS} Jobs created: ${secs(allCreated)} s`,
      `C2: minute boundary → ${CRONJOBS} Jobs complete (pods ran 1 s): ${secs(allDone)} s`,
      `process CPU during C2: ${((d.user + d.system) / 1e6).toFixed(1)} s`,
    ].join('\n'),
  );
} finally {
  await cluster.stop();
  rmSync(dir, { recursive: true, force: true });
}
