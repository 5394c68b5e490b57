// Runtime containers' costs: requests/s and latency through a Service (the pool's kube-proxy, at the
// ClusterIP's loopback alias) to 3 runtime echo pods, against one bare node:http server (a child
// process, the same program) in the same run; start latency of a runtime pod (create → Running, →
// first answer); resident memory per idle runtime pod and how many would fit in MemAvailable.
//   node --import tsx bench/runtime.ts [--seconds 3] [--connections 10] [--starts 3] [--idle 3]
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import autocannon from 'autocannon';
import { startApiServer } from '../src/apiserver/index.ts';
import { Client } from '../src/client/index.ts';
import { startControllerManager } from '../src/controllers/index.ts';
import { loopbackAlias, loopbackSlot } from '../src/api/core/podnetwork.ts';
import { cpus, loadavg, totalmem } from 'node:os';
import pino from 'pino';
import { startNodePool } from '../src/node/index.ts';
import { arg, until } from './util.ts';

const seconds = Number(arg('seconds', '3'));
const connections = Number(arg('connections', '10'));
const starts = Number(arg('starts', '3'));
const idle = Number(arg('idle', '3'));
const quiet = pino({ level: 'silent' });

const ECHO = `require('http').createServer((q, s) => s.end((process.env.POD_NAME || 'bare') + ' ' + q.url + '\\n')).listen(Number(process.env.PORT || 8080))`;
const PODS = { group: '', version: 'v1', plural: 'pods', namespaced: true };
const SERVICES = { group: '', version: 'v1', plural: 'services', namespaced: true };
const ENDPOINTS = { group: '', version: 'v1', plural: 'endpoints', namespaced: true };

function pod(name: string, labels: Record<string, string>, script = ECHO): any {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', labels },
    spec: { nodeName: 'node-0', containers: [{ name: 'app', image: 'node:20', command: ['node', '-e', script], ports: [{ name: 'http', containerPort: 8080 }], env: [{ name: 'POD_NAME', value: name }] }] },
  };
}

function get(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host, port, path: '/', agent: false, timeout: 1000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200));
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
  });
}

async function load(url: string): Promise<{ rps: number; p50: number; p99: number; errors: number }> {
  const r = await autocannon({ url, connections, duration: seconds });
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.non2xx };
}

const api = await startApiServer({ port: 0, logger: quiet });
const client = new Client({ server: api.url, qps: 0 });
const cm = await startControllerManager({ client, leaderElect: false, controllers: ['endpoints', 'endpointslice'], logger: quiet });
const pool = await startNodePool({ client, count: 1, logger: quiet, timings: { pullMs: 1, createMs: 1, startMs: 1 } });
const bare = spawn(process.execPath, ['-e', ECHO], { env: { ...process.env, PORT: '18990' }, stdio: 'ignore' });
const rows: string[][] = [];
try {
  // ---- throughput through a Service to 3 pods, and a bare server --------------------------------
  for (const n of ['echo-0', 'echo-1', 'echo-2']) await client.resource(PODS).create(pod(n, { app: 'echo' }));
  const svc: any = await client.resource(SERVICES).create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'echo', namespace: 'default' }, spec: { selector: { app: 'echo' }, ports: [{ name: 'web', port: 80, targetPort: 'http' }] } });
  await until('3 ready endpoints', async () => {
    const ep: any = await client.resource(ENDPOINTS).get('echo', { namespace: 'default' });
    return (ep.subsets ?? []).reduce((a: number, s: any) => a + (s.addresses?.length ?? 0), 0) === 3;
  }, 60_000);
  const vip = loopbackAlias(svc.spec.clusterIP);
  await until('the Service answers', () => get(vip, 80), 30_000);
  await until('the bare server answers', () => get('127.0.0.1', 18990), 10_000);
  const viaService = await load(`http://${vip}:80/`);
  const direct = await load('http://127.0.0.1:18990/');
  rows.push(['bare node:http (1 process)', direct.rps.toFixed(0), String(direct.p50), String(direct.p99), String(direct.errors)]);
  rows.push(['Service → 3 runtime pods', viaService.rps.toFixed(0), String(viaService.p50), String(viaService.p99), String(viaService.errors)]);

  // ---- start latency ---------------------------------------------------------------------------
  const startTimes: { running: number; answers: number }[] = [];
  for (let i = 0; i < starts; i++) {
    const name = `start-${i}`;
    const t0 = performance.now();
    const created: any = await client.resource(PODS).create(pod(name, { app: 'start' }));
    void created;
    const running = await until(`${name} Running`, async () => ((await client.resource(PODS).get(name, { namespace: 'default' })) as any).status?.phase === 'Running', 30_000, 20);
    const ip = ((await client.resource(PODS).get(name, { namespace: 'default' })) as any).status.podIP;
    await until(`${name} answers`, () => get(loopbackAlias(ip), 8080), 30_000, 10);
    startTimes.push({ running, answers: performance.now() - t0 });
    await client.resource(PODS).delete(name, { namespace: 'default' });
  }

  // ---- idle memory -----------------------------------------------------------------------------
  const idleScript = 'setInterval(() => {}, 1 << 30)';
  for (let i = 0; i < idle; i++) await client.resource(PODS).create(pod(`idle-${i}`, { app: 'idle' }, idleScript));
  let rss: number[] = [];
  await until('idle pods measured', async () => {
    const summary: any = await (await fetch(`${pool.kubeletUrl}/stats/summary`)).json();
    const all = (summary.nodes ?? [summary]).flatMap((n: any) => n.pods ?? []);
    rss = all.filter((p: any) => p.podRef.name.startsWith('idle-')).map((p: any) => p.memory.workingSetBytes).filter((b: number) => b > 0);
    return rss.length === idle;
  }, 60_000, 500);
  const meanRss = rss.reduce((a, b) => a + b, 0) / rss.length;
  const available = Number(/MemAvailable:\s+(\d+) kB/.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? 0) * 1024;

  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  console.log(`runtime bench: ${seconds}s per load, ${connections} connections, ${starts} starts, ${idle} idle pods`);
  console.log(`conditions: ${new Date().toISOString()}, node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} (at the end), MemTotal ${(totalmem() / 2 ** 30).toFixed(1)} GiB, loopback slot ${loopbackSlot()}; one pool, one node, programs at niceness 10`);
  console.log(`command: node --import tsx bench/runtime.ts --seconds ${seconds} --connections ${connections} --starts ${starts} --idle ${idle}\n`);
  console.log('| target | req/s | p50 ms | p99 ms | errors |\n|---|---:|---:|---:|---:|');
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
  console.log(`\nstart latency (${starts} pods, one at a time): create → Running ${mean(startTimes.map((s) => s.running)).toFixed(0)} ms, → first answer ${mean(startTimes.map((s) => s.answers)).toFixed(0)} ms (max ${Math.max(...startTimes.map((s) => s.answers)).toFixed(0)} ms)`);
  console.log(`idle runtime pod RSS: ${(meanRss / 2 ** 20).toFixed(1)} MiB (mean of ${rss.length}); MemAvailable ${(available / 2 ** 30).toFixed(1)} GiB → ~${Math.floor(available / meanRss)} idle pods would fit by memory`);
} finally {
  bare.kill('SIGKILL');
  await pool.stop();
  await cm.stop();
  client.close();
  await api.close();
}
