// Controllers benchmark: the whole cluster in one process (as `kubesim up`: API server on SQLite,
// scheduler, controller-manager, node pool), driven through the client.
//
//   node --import tsx bench/controllers.ts [--nodes 1000] [--replicas 10000] [--deployments 1000]
//        [--per 5] [--skip-big] [--skip-many]
//
// Phase A: one Deployment of --replicas pods on --nodes nodes → fully available (rollout complete),
//          then a rolling update (new image) → complete again, then delete → every pod gone.
// Phase B: --deployments Deployments of --per replicas created at once → all complete
//          (KWOK users report about 5 Deployments/s becoming ready).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { Client } from '../src/client/index.ts';
import type { KubeObject } from '../src/api/types.ts';

process.env.KUBESIM_LOG_LEVEL ??= 'warn';
const { startCluster } = await import('../src/cluster/index.ts');

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
}
const NODES = Number(arg('nodes', '1000'));
const REPLICAS = Number(arg('replicas', '10000'));
const DEPLOYMENTS = Number(arg('deployments', '1000'));
const PER = Number(arg('per', '5'));

const DEPLOY = { group: 'apps', version: 'v1', plural: 'deployments', namespaced: true, kind: 'Deployment' };
const NODE = { group: '', version: 'v1', plural: 'nodes', namespaced: false, kind: 'Node' };
const POD = { group: '', version: 'v1', plural: 'pods', namespaced: true, kind: 'Pod' };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const secs = (ms: number) => (ms / 1000).toFixed(1);

function deployment(name: string, replicas: number, image: string): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image, resources: { requests: { cpu: '10m', memory: '16Mi' } } }] } },
    },
  };
}

function complete(d: KubeObject): boolean {
  const s = d.status ?? {};
  const r = d.spec.replicas;
  return (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 1) && s.updatedReplicas === r && s.replicas === r && s.availableReplicas === r;
}

const PROGRESS = process.argv.includes('--progress');
async function until(what: string, check: () => Promise<boolean>, timeoutMs: number, everyMs = 250): Promise<number> {
  const t0 = performance.now();
  let lastLog = t0;
  while (performance.now() - t0 < timeoutMs) {
    if (await check().catch(() => false)) return performance.now() - t0;
    if (PROGRESS && performance.now() - lastLog > 5000) {
      lastLog = performance.now();
      const d = await client.resource(DEPLOY).get('big', { namespace: 'default' }).catch(() => undefined);
      console.log(`  ${secs(lastLog - t0)} s ${what}: ${JSON.stringify(d?.status ? { r: d.status.replicas, u: d.status.updatedReplicas, ready: d.status.readyReplicas, a: d.status.availableReplicas } : {})}`);
    }
    await sleep(everyMs);
  }
  throw new Error(`timed out: ${what}`);
}

const dir = mkdtempSync(join(os.tmpdir(), 'kubesim-bench-'));
const cpu0 = process.cpuUsage();
const cluster = await startCluster({ port: 0, dataDir: join(dir, 'data'), nodes: NODES, policy: 'spread', watchCacheSize: 500_000 });
const client = Client.fromKubeconfig(cluster.kubeconfigPath, { qps: Infinity }); // the admin kubeconfig (mutual TLS)
const deploys = client.resource(DEPLOY);
const results: string[] = [];
const report = (line: string) => {
  results.push(line);
  console.log(line);
};
const cpuSince = (c: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(c);
  return ((d.user + d.system) / 1e6).toFixed(1);
};

try {
  const nodesReady = await until(`${NODES} nodes`, async () => (await client.resource(NODE).list()).items.length >= NODES, 300_000, 500);
  report(`cluster up with ${NODES} nodes registered: ${secs(nodesReady)} s`);

  if (!process.argv.includes('--skip-big')) {
    let c = process.cpuUsage();
    let t0 = performance.now();
    await deploys.create(deployment('big', REPLICAS, 'app:v1'), { namespace: 'default' });
    const big = async () => complete(await deploys.get('big', { namespace: 'default' }));
    await until('big available', big, 900_000, 500);
    report(`A1 Deployment of ${REPLICAS} replicas on ${NODES} nodes → fully available: ${secs(performance.now() - t0)} s (${(REPLICAS / ((performance.now() - t0) / 1000)).toFixed(0)} pods/s, cpu ${cpuSince(c)} s)`);

    c = process.cpuUsage();
    t0 = performance.now();
    await deploys.patch('big', { spec: { template: { spec: { containers: [{ name: 'app', image: 'app:v2' }] } } } }, { namespace: 'default', type: 'strategic' });
    await sleep(100);
    await until('big rolled', big, 1_800_000, 500);
    report(`A2 rolling update of it (maxSurge/maxUnavailable 25%) → complete: ${secs(performance.now() - t0)} s (cpu ${cpuSince(c)} s)`);

    t0 = performance.now();
    await deploys.delete('big', { namespace: 'default', propagationPolicy: 'Background' });
    await until('big pods gone', async () => (await client.resource(POD).list({ namespace: 'default', labelSelector: 'app=big', limit: 1 })).items.length === 0, 900_000, 1000);
    report(`A3 delete it (background cascade through ReplicaSets to ${REPLICAS} pods, graceful) → every pod gone: ${secs(performance.now() - t0)} s`);
  }

  if (!process.argv.includes('--skip-many')) {
    const c = process.cpuUsage();
    const t0 = performance.now();
    let i = 0;
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (i < DEPLOYMENTS) {
          const n = i++;
          await deploys.create(deployment(`d${n}`, PER, 'app:v1'), { namespace: 'default' });
        }
      }),
    );
    const created = performance.now() - t0;
    let done = 0;
    await until(
      'many complete',
      async () => {
        const list = await deploys.list({ namespace: 'default' });
        done = list.items.filter((d) => d.metadata.name!.startsWith('d') && complete(d)).length;
        return done >= DEPLOYMENTS;
      },
      1_800_000,
      500,
    );
    const total = performance.now() - t0;
    report(`B ${DEPLOYMENTS} Deployments × ${PER} replicas created at once (creates took ${secs(created)} s) → all complete: ${secs(total)} s = ${(DEPLOYMENTS / (total / 1000)).toFixed(1)} Deployments/s (cpu ${cpuSince(c)} s)`);
  }
  report(`process cpu total ${cpuSince(cpu0)} s, rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB, node ${process.version}, ${os.cpus().length} cpus, load ${os.loadavg()[0].toFixed(1)}`);
} finally {
  client.close();
  await cluster.stop();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
