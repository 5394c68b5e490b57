// StatefulSet benchmark: the whole cluster in one process (as `kubesim up`), driven through the client.
//
//   node --import tsx bench/statefulset.ts [--nodes 100] [--replicas 1000] [--claims] [--max-unavailable 10%]
//
// S1: a Parallel StatefulSet of --replicas pods (with --claims: one claim each from the default
//     WaitForFirstConsumer class) → every replica Ready and available.
// S2: a rolling update (new image, maxUnavailable --max-unavailable) → currentRevision = updateRevision.
// S3: scale to 0 → every pod gone.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { Client } from '../src/client/index.ts';
import type { KubeObject } from '../src/api/types.ts';
import { arg, sleep, until } from './util.ts';

process.env.KUBESIM_LOG_LEVEL ??= 'warn';
const { startCluster } = await import('../src/cluster/index.ts');

const NODES = Number(arg('nodes', '100'));
const REPLICAS = Number(arg('replicas', '1000'));
const MAX_UNAVAILABLE = arg('max-unavailable', '10%');
const CLAIMS = process.argv.includes('--claims');

const STS = { group: 'apps', version: 'v1', plural: 'statefulsets', namespaced: true, kind: 'StatefulSet' };
const NODE = { group: '', version: 'v1', plural: 'nodes', namespaced: false, kind: 'Node' };
const POD = { group: '', version: 'v1', plural: 'pods', namespaced: true, kind: 'Pod' };

const secs = (ms: number) => (ms / 1000).toFixed(1);

function statefulSet(): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'big' },
    spec: {
      replicas: REPLICAS,
      serviceName: 'big',
      podManagementPolicy: 'Parallel',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: MAX_UNAVAILABLE } },
      selector: { matchLabels: { app: 'big' } },
      template: {
        metadata: { labels: { app: 'big' } },
        spec: { containers: [{ name: 'app', image: 'app:v1', resources: { requests: { cpu: '10m', memory: '16Mi' } }, ...(CLAIMS ? { volumeMounts: [{ name: 'data', mountPath: '/data' }] } : {}) }] },
      },
      ...(CLAIMS ? { volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }] } : {}),
    },
  };
}


const dir = mkdtempSync(join(os.tmpdir(), 'kubesim-bench-'));
const cpu0 = process.cpuUsage();
const load0 = os.loadavg()[0];
const cluster = await startCluster({ port: 0, dataDir: join(dir, 'data'), nodes: NODES, policy: 'spread', watchCacheSize: 200_000 });
const client = Client.fromKubeconfig(cluster.kubeconfigPath, { qps: Infinity }); // the admin kubeconfig (mutual TLS)
const sets = client.resource(STS);
const cpuSince = (c: NodeJS.CpuUsage) => {
  const d = process.cpuUsage(c);
  return ((d.user + d.system) / 1e6).toFixed(1);
};
const get = () => sets.get('big', { namespace: 'default' });

try {
  const up = await until(`${NODES} nodes`, async () => (await client.resource(NODE).list()).items.length >= NODES, 300_000, 500);
  console.log(`cluster up with ${NODES} nodes: ${secs(up)} s`);

  let c = process.cpuUsage();
  let t0 = performance.now();
  await sets.create(statefulSet(), { namespace: 'default' });
  await until('ready', async () => {
    const s = (await get()).status ?? {};
    return s.readyReplicas === REPLICAS && s.availableReplicas === REPLICAS;
  }, 900_000, 500);
  console.log(`S1 Parallel StatefulSet of ${REPLICAS} replicas${CLAIMS ? ' with a claim each' : ''} on ${NODES} nodes → all ready: ${secs(performance.now() - t0)} s (${(REPLICAS / ((performance.now() - t0) / 1000)).toFixed(0)} pods/s, cpu ${cpuSince(c)} s)`);

  c = process.cpuUsage();
  t0 = performance.now();
  await sets.patch('big', { spec: { template: { spec: { containers: [{ name: 'app', image: 'app:v2' }] } } } }, { namespace: 'default', type: 'strategic' });
  await sleep(200);
  await until('rolled', async () => {
    const s = await get();
    const st = s.status ?? {};
    return st.observedGeneration >= s.metadata.generation! && st.updateRevision === st.currentRevision && st.updatedReplicas === REPLICAS && st.readyReplicas === REPLICAS;
  }, 1_800_000, 500);
  console.log(`S2 rolling update (maxUnavailable ${MAX_UNAVAILABLE}) → complete: ${secs(performance.now() - t0)} s (cpu ${cpuSince(c)} s)`);

  t0 = performance.now();
  await sets.patch('big', { spec: { replicas: 0 } }, { namespace: 'default', type: 'merge' });
  await until('gone', async () => (await client.resource(POD).list({ namespace: 'default', labelSelector: 'app=big', limit: 1 })).items.length === 0, 900_000, 1000);
  console.log(`S3 scale to 0 → every pod gone: ${secs(performance.now() - t0)} s`);
  console.log(`process cpu ${cpuSince(cpu0)} s, rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB, node ${process.version}, ${os.cpus().length} cpus, load ${load0.toFixed(1)} at start, ${os.loadavg()[0].toFixed(1)} at end`);
} finally {
  client.close();
  await cluster.stop();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(0);
