// scheduler_perf SchedulingBasic on kubesim: N nodes (4 cpu, 32Gi, 110 pods, created directly, no
// node agent), a few init pods, then M measured pods (100m / 500Mi each) created while the
// scheduler runs. Figures: throughput (pods/s from the first measured create to the last bind
// observed), per-pod latency (create acknowledged → bound seen on a watch) p50/p99, and the
// scheduler's own attempt/algorithm latencies.
//
//   node --import tsx bench/scheduler.ts [--nodes 5000] [--pods 10000] [--init-pods 1000]
//        [--policy spread|binpack|round-robin] [--data-dir D (SQLite; default in-memory store)]
//        [--precreate (create the measured pods first, then start the scheduler: the scheduler alone)]
//
// The API server runs in a child process (this file with --serve-api) so it has its own event
// loop, as a separate kube-apiserver would; the scheduler and the pod creator run here.
import { spawn } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { Client, SharedInformer } from '../src/client/index.ts';
import { startScheduler, type Policy } from '../src/scheduler/index.ts';
import type { KubeObject } from '../src/api/types.ts';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
}

if (process.argv.includes('--serve-api')) {
  const { startApiServer } = await import('../src/apiserver/index.ts');
  const dataDir = arg('data-dir', '');
  const api = await startApiServer({ port: 0, dataDir: dataDir || undefined, logger: pino({ level: 'warn' }) });
  process.stdout.write(`URL ${api.url}\n`);
  process.on('SIGTERM', async () => {
    await api.close();
    process.exit(0);
  });
} else {
  await main();
}

async function main() {
  const nodes = Number(arg('nodes', '5000'));
  const pods = Number(arg('pods', '10000'));
  const initPods = Number(arg('init-pods', '1000'));
  const policy = arg('policy', 'spread') as Policy;
  const dataDir = arg('data-dir', '');
  const PODS = { group: '', version: 'v1', plural: 'pods', namespaced: true, kind: 'Pod' };
  const NODES = { group: '', version: 'v1', plural: 'nodes', namespaced: false, kind: 'Node' };

  const child = spawn(process.execPath, [...(process.env.BENCH_API_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_API_PROF] : []), '--import', 'tsx', fileURLToPath(import.meta.url), '--serve-api', ...(dataDir ? ['--data-dir', dataDir] : [])], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (d) => {
      buf += d;
      const m = /URL (\S+)/.exec(buf);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`api server exited ${code}`)));
  });
  const client = new Client({ server: url, qps: Infinity, maxSockets: 200 });
  const creator = new Client({ server: url, qps: Infinity, maxSockets: 200 });

  async function createAll(rc: ReturnType<Client['resource']>, objs: KubeObject[], concurrency: number, onAck?: (name: string, t: number) => void) {
    let i = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (i < objs.length) {
          const o = objs[i++];
          await rc.create(o, { namespace: o.metadata.namespace });
          onAck?.(o.metadata.name!, performance.now());
        }
      }),
    );
  }
  const nodeObj = (i: number): KubeObject => {
    const alloc = { cpu: '4', memory: '32Gi', pods: '110' };
    return {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: `node-${String(i).padStart(5, '0')}`, labels: { 'kubernetes.io/hostname': `node-${i}`, 'topology.kubernetes.io/zone': `zone-${i % 3}` } },
      spec: {},
      status: { capacity: alloc, allocatable: alloc, conditions: [{ type: 'Ready', status: 'True' }] },
    };
  };
  const podObj = (name: string): KubeObject => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default' },
    spec: {
      containers: [{ name: 'pause', image: 'registry.k8s.io/pause:3.10', resources: { requests: { cpu: '100m', memory: '500Mi' }, limits: { cpu: '100m', memory: '500Mi' } } }],
    },
  });

  const t0 = performance.now();
  await createAll(creator.resource(NODES), Array.from({ length: nodes }, (_, i) => nodeObj(i)), 64);
  console.log(`created ${nodes} nodes in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  // Bound pods seen by an informer of the bench's own (like scheduler_perf's), which relists if it falls behind.
  const boundAt = new Map<string, number>();
  let waiter: { n: number; resolve: () => void } | undefined;
  const seen = (p: KubeObject) => {
    if (p.spec?.nodeName && !boundAt.has(p.metadata.name!)) {
      boundAt.set(p.metadata.name!, performance.now());
      if (waiter && boundAt.size >= waiter.n) waiter.resolve();
    }
  };
  const watcher = new SharedInformer(client, PODS, { namespace: 'default' });
  watcher.addEventHandler({ onAdd: seen, onUpdate: (_o, p) => seen(p) });
  watcher.start();
  await watcher.waitForCacheSync();
  const waitBound = (n: number) => new Promise<void>((resolve) => (boundAt.size >= n ? resolve() : (waiter = { n, resolve })));

  const precreate = process.argv.includes('--precreate');
  let sched = await startScheduler({ client, policy, logger: pino({ level: 'warn' }), bindConcurrency: 512 });
  const t1 = performance.now();
  await createAll(creator.resource(PODS), Array.from({ length: initPods }, (_, i) => podObj(`init-${i}`)), 64);
  await waitBound(initPods);
  console.log(`${initPods} init pods scheduled in ${((performance.now() - t1) / 1000).toFixed(1)} s`);

  const acked = new Map<string, number>();
  if (precreate) await sched.stop();
  let start = performance.now();
  const creating = createAll(creator.resource(PODS), Array.from({ length: pods }, (_, i) => podObj(`pod-${i}`)), 100, (n, t) => acked.set(n, t));
  await creating;
  const createdIn = performance.now() - start;
  if (precreate) {
    // Measure the scheduler alone: every pod already pending when it starts (its informer sync included).
    start = performance.now();
    for (const k of acked.keys()) acked.set(k, start);
    sched = await startScheduler({ client, policy, logger: pino({ level: 'warn' }), bindConcurrency: 512 });
  }
  await waitBound(initPods + pods);
  const end = Math.max(...[...boundAt].filter(([n]) => n.startsWith('pod-')).map(([, t]) => t));
  const seconds = (end - start) / 1000;
  const lat = [...acked].map(([n, t]) => Math.max(0, boundAt.get(n)! - t)).sort((a, b) => a - b);
  const q = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))];

  const hist = async (name: string) => {
    const m = (await sched.scheduler.metrics.registry.getSingleMetric(name)!.get()).values;
    const buckets = m.filter((v) => (v as { metricName?: string }).metricName === `${name}_bucket`);
    const byLe = new Map<number, number>();
    for (const b of buckets) byLe.set(Number(b.labels.le === '+Inf' ? Infinity : b.labels.le), (byLe.get(Number(b.labels.le === '+Inf' ? Infinity : b.labels.le)) ?? 0) + b.value);
    const les = [...byLe.keys()].sort((a, b) => a - b);
    const total = byLe.get(Infinity) ?? 0;
    const quant = (p: number) => les.find((le) => byLe.get(le)! >= p * total) ?? NaN;
    return { p50: quant(0.5), p99: quant(0.99) };
  };
  const algo = await hist('scheduler_scheduling_algorithm_duration_seconds');
  const attempt = await hist('scheduler_scheduling_attempt_duration_seconds');

  const cpus = os.cpus();
  console.log('\n== SchedulingBasic ==');
  console.log(`conditions: node ${process.version}, ${cpus.length} cpus (${cpus[0]?.model.trim()}), load avg ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  console.log(`  store: ${dataDir ? 'SQLite ' + dataDir : 'in-memory'}, API server in a child process, scheduler + pod creator in this one, policy ${policy}`);
  console.log(`  mode: ${precreate ? 'pods created first, then the scheduler started (latency measured from its start)' : 'pods created while the scheduler runs'}`);
  console.log(`nodes ${nodes}, init pods ${initPods}, measured pods ${pods} (created in ${(createdIn / 1000).toFixed(1)} s, 100 in flight)`);
  console.log(`throughput: ${(pods / seconds).toFixed(0)} pods/s (${pods} pods in ${seconds.toFixed(2)} s)`);
  console.log(`per-pod latency create-ack → bound seen: p50 ${q(0.5).toFixed(0)} ms, p99 ${q(0.99).toFixed(0)} ms`);
  console.log(`scheduler algorithm (filter+score) ≤ p50 ${algo.p50 * 1000} ms, ≤ p99 ${algo.p99 * 1000} ms (histogram bucket bounds)`);
  console.log(`scheduler attempt (cycle + bind) ≤ p50 ${attempt.p50 * 1000} ms, ≤ p99 ${attempt.p99 * 1000} ms (histogram bucket bounds)`);
  console.log(`events dropped by the recorder: ${sched.scheduler.events.dropped}`);

  await watcher.stop();
  await sched.stop();
  client.close();
  creator.close();
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  process.exit(0);
}
