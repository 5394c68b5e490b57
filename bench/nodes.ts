// Node pool benchmark (KWOK's CI bar: 5,000 nodes Ready in 60 s, 10,000 pods Running in 60 s).
//
//   node --import tsx bench/nodes.ts [--nodes 5000] [--pods 10000] [--events] [--pull 1s]
//        [--data-dir D (SQLite; default in-memory store)] [--concurrency 64] [--heartbeat 10]
//
// Three processes, as in a real cluster: the API server (this file with --serve-api), the node
// pool (this file with --serve-pool; its CPU time and memory are what we report), and this
// driver, which creates the pods (spec.nodeName set: pre-bound, no scheduler) and watches them.
// Phase 1: cold start of the pool process → every Node Ready (seen through the API).
// Phase 2: first pod create → every pod Running and Ready (seen on a watch).
import { fork, spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { Client } from '../src/client/index.ts';
import type { KubeObject } from '../src/api/types.ts';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
}

const PODS = { group: '', version: 'v1', plural: 'pods', namespaced: true, kind: 'Pod' };
const NODES = { group: '', version: 'v1', plural: 'nodes', namespaced: false, kind: 'Node' };

if (process.argv.includes('--serve-api')) {
  const { startApiServer } = await import('../src/apiserver/index.ts');
  const dataDir = arg('data-dir', '');
  const api = await startApiServer({ port: 0, dataDir: dataDir || undefined, logger: pino({ level: 'warn' }), watchCacheSize: 200_000 });
  process.stdout.write(`URL ${api.url}\n`);
  process.on('SIGTERM', async () => {
    await api.close();
    process.exit(0);
  });
} else if (process.argv.includes('--serve-pool')) {
  const { startNodePool } = await import('../src/node/index.ts');
  const client = new Client({ server: arg('server', ''), qps: Infinity, maxSockets: 200 });
  const pool = await startNodePool({
    client,
    count: Number(arg('nodes', '5000')),
    events: process.argv.includes('--events'),
    heartbeatSeconds: Number(arg('heartbeat', '10')),
    timings: { pullMs: arg('pull', '1s') },
    writeConcurrency: Number(arg('concurrency', '64')),
    logger: pino({ level: 'warn' }),
  });
  const stats = () => ({ cpu: process.cpuUsage(), mem: process.memoryUsage(), pending: pool.state.writer.pending() });
  process.send!({ type: 'ready', ...stats() });
  process.on('message', async (m: any) => {
    if (m === 'stats') process.send!({ type: 'stats', ...stats() });
    if (m === 'stop') {
      await pool.stop();
      client.close();
      process.exit(0);
    }
  });
} else {
  await main();
}

function cpuSeconds(c: NodeJS.CpuUsage): number {
  return (c.user + c.system) / 1e6;
}

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

async function main() {
  const nodes = Number(arg('nodes', '5000'));
  const pods = Number(arg('pods', '10000'));
  const dataDir = arg('data-dir', '');
  const events = process.argv.includes('--events');
  const self = fileURLToPath(import.meta.url);

  const api = spawn(process.execPath, ['--import', 'tsx', self, '--serve-api', ...(dataDir ? ['--data-dir', dataDir] : [])], { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let buf = '';
    api.stdout!.on('data', (d) => {
      const m = /URL (\S+)/.exec((buf += d));
      if (m) resolve(m[1]);
    });
    api.once('exit', (code) => reject(new Error(`api server exited ${code}`)));
  });
  const client = new Client({ server: url, qps: Infinity, maxSockets: 200 });
  console.log(`node pool bench: ${nodes} nodes, ${pods} pods, events ${events ? 'on' : 'off'}, heartbeat ${arg('heartbeat', '10')}s, pull ${arg('pull', '1s')}, ${os.cpus().length} cpus, node ${process.version}`);

  // ---- phase 1: nodes ----
  const t0 = Date.now();
  const poolArgs = ['--serve-pool', '--server', url, '--nodes', String(nodes), '--pull', arg('pull', '1s'), '--concurrency', arg('concurrency', '64'), '--heartbeat', arg('heartbeat', '10'), ...(events ? ['--events'] : [])];
  const pool: ChildProcess = fork(self, poolArgs, { execArgv: ['--import', 'tsx', ...(process.env.BENCH_POOL_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_POOL_PROF] : [])], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ask = (what: string) =>
    new Promise<any>((resolve) => {
      const on = (m: any) => {
        if (m.type === what || (what === 'stats' && m.type === 'stats')) {
          pool.off('message', on);
          resolve(m);
        }
      };
      pool.on('message', on);
      if (what === 'stats') pool.send('stats');
    });
  const ready = await ask('ready');
  const tStarted = Date.now() - t0;
  let readyNodes = 0;
  for (;;) {
    const list = await client.resource(NODES).listAll({ limit: 1000 } as any);
    readyNodes = list.items.filter((n: KubeObject) => n.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True')).length;
    if (readyNodes >= nodes) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const tNodes = Date.now() - t0;
  const s1 = await ask('stats');
  console.log(
    `phase 1: ${nodes} nodes Ready in ${(tNodes / 1000).toFixed(1)} s from process start (startNodePool resolved at ${(tStarted / 1000).toFixed(1)} s); ` +
      `pool CPU ${cpuSeconds(s1.cpu).toFixed(1)} s, RSS ${(s1.mem.rss / 2 ** 20).toFixed(0)} MiB, heap ${(s1.mem.heapUsed / 2 ** 20).toFixed(0)} MiB`,
  );

  // ---- phase 2: pods ----
  const created = new Map<string, number>();
  const runningAt = new Map<string, number>();
  const w = await client.resource(PODS).watch({ namespace: 'default' });
  const watching = (async () => {
    for await (const ev of w) {
      const p = ev.object as KubeObject;
      if (ev.type !== 'MODIFIED' && ev.type !== 'ADDED') continue;
      const name = p.metadata.name!;
      if (!runningAt.has(name) && p.status?.phase === 'Running' && p.status.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True')) {
        runningAt.set(name, Date.now());
      }
    }
  })().catch(() => {});
  const c0 = s1.cpu;
  const t1 = Date.now();
  let next = 0;
  const creator = async () => {
    for (;;) {
      const i = next++;
      if (i >= pods) return;
      const name = `bench-${i}`;
      const body: KubeObject = {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, namespace: 'default', labels: { app: 'bench' } },
        spec: { nodeName: `node-${i % nodes}`, containers: [{ name: 'app', image: `registry.local/app-${i % 10}:v1`, resources: { requests: { cpu: '10m', memory: '16Mi' } } }] },
      };
      created.set(name, Date.now());
      await client.resource(PODS).create(body);
    }
  };
  await Promise.all(Array.from({ length: 64 }, creator));
  const tCreated = Date.now() - t1;
  while (runningAt.size < pods) {
    await new Promise((r) => setTimeout(r, 100));
    if (Date.now() - t1 > 600_000) break;
  }
  const tPods = Date.now() - t1;
  const s2 = await ask('stats');
  w.close();
  await watching;
  const lat = [...runningAt].map(([n, t]) => (t - created.get(n)!) / 1000);
  console.log(
    `phase 2: ${runningAt.size}/${pods} pods Running+Ready in ${(tPods / 1000).toFixed(1)} s from the first create (creates took ${(tCreated / 1000).toFixed(1)} s); ` +
      `startup p50 ${pct(lat, 50).toFixed(2)} s, p99 ${pct(lat, 99).toFixed(2)} s (image pull ${arg('pull', '1s')} included); ` +
      `pool CPU ${(cpuSeconds(s2.cpu) - cpuSeconds(c0)).toFixed(1)} s, RSS ${(s2.mem.rss / 2 ** 20).toFixed(0)} MiB, heap ${(s2.mem.heapUsed / 2 ** 20).toFixed(0)} MiB, queued writes ${JSON.stringify(s2.pending)}`,
  );
  pool.send('stop');
  await new Promise((r) => pool.once('exit', r));
  client.close();
  api.kill('SIGTERM');
  await new Promise((r) => api.once('exit', r));
}
