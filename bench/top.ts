// `kubectl top` at scale: the metrics.k8s.io LIST and the real kubectl against a big cluster.
//
//   node --max-old-space-size=8192 --import tsx bench/top.ts [--nodes 5000] [--pods 150000] [--namespaces 100] [--runs 5] [--kubectl /usr/bin/kubectl]
//        [--profile FILE.cpuprofile (CPU profile of this process during the LIST and kubectl runs)]
//
// The cluster: one process as `kubesim up` runs it (API server on an in-memory store + one node
// pool of --nodes simulated nodes, no scheduler or controllers needed). The nodes register through
// the API (the pool's own writes). The pods are written straight into the API server's store as a
// node pool leaves them (bound, Running, Ready, container statuses with startedAt): cloned from one
// pod created and defaulted through the API, spread over --namespaces namespaces and every node.
// The pool adopts them as it adopts its pods after a restart (nothing replayed), its kubelet serves
// their usage, the API server's metrics scraper (15 s resolution) reads it. This skips the 150,000
// create + bind + status round trips that would take minutes on a small machine; what is measured
// (scrape, LIST, kubectl) is the same as after a real start.
//
// Measured: one pool /stats/summary of every node (what a scrape costs), the raw PodMetrics LIST
// in protobuf (what kubectl top asks for first), in JSON and as a Table, `kubectl top pods -A`,
// `kubectl top nodes` (real kubectl, kubeconfig), process RSS and heap.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Session } from 'node:inspector/promises';
import { getHeapStatistics } from 'node:v8';
import pino from 'pino';
import type { KubeObject } from '../src/api/types.ts';
import { kubeconfigYaml, startApiServer } from '../src/apiserver/index.ts';
import { Client } from '../src/client/index.ts';
import { startNodePool } from '../src/node/index.ts';
import { MemoryStore } from '../src/storage/memory.ts';
import { objectKey } from '../src/storage/interface.ts';
import { arg, sleep, until } from './util.ts';

const run = promisify(execFile);
const NODES = Number(arg('nodes', '5000'));
const PODS = Number(arg('pods', '150000'));
const NAMESPACES = Number(arg('namespaces', '100'));
const RUNS = Number(arg('runs', '5'));
const KUBECTL = arg('kubectl', '/usr/bin/kubectl');
const PROFILE = arg('profile', '');

const POD = { group: '', version: 'v1', plural: 'pods', namespaced: true };
const NS = { group: '', version: 'v1', plural: 'namespaces', namespaced: false };
const NODE = { group: '', version: 'v1', plural: 'nodes', namespaced: false };

const secs = (ms: number) => (ms / 1000).toFixed(2);
const mib = (b: number) => `${b < 10 * 2 ** 20 ? (b / 2 ** 20).toFixed(1) : Math.round(b / 2 ** 20)} MiB`;
const memory = () => `RSS ${mib(process.memoryUsage().rss)}, heap ${mib(process.memoryUsage().heapUsed)}`;
const quiet = pino({ level: 'warn' });
const load0 = os.loadavg()[0];

/** Median, min, max of timed runs of f (ms). */
async function timed(n: number, f: () => Promise<unknown>): Promise<{ median: number; min: number; max: number }> {
  const t: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await f();
    t.push(performance.now() - t0);
  }
  t.sort((a, b) => a - b);
  return { median: t[Math.floor(t.length / 2)], min: t[0], max: t[t.length - 1] };
}
const fmt = (r: { median: number; min: number; max: number }) => `median ${secs(r.median)} s, min ${secs(r.min)} s, max ${secs(r.max)} s`;

const store = new MemoryStore({ historyLimit: 1000 });
const api = await startApiServer({ port: 0, store, logger: quiet.child({ component: 'apiserver' }), watchCacheSize: PODS + NODES + 10_000 });
const client = new Client({ server: api.url, qps: Infinity });
const t0 = performance.now();
const pool = await startNodePool({ client: new Client({ server: api.url, qps: Infinity, maxSockets: 64 }), count: NODES, logger: quiet, events: false, processes: false, simulatedHttp: false, writeConcurrency: 64 });
const dir = mkdtempSync(join(os.tmpdir(), 'kubesim-bench-top-'));

try {
  await until(`${NODES} Nodes`, async () => (await client.resource(NODE).list()).items.length >= NODES, 600_000, 1000);
  console.log(`cluster: ${NODES} nodes registered by the pool in ${secs(performance.now() - t0)} s; ${memory()}`);

  // One pod through the API (defaults, validation), then its clones straight into the store.
  const namespaces = Array.from({ length: NAMESPACES }, (_, i) => `ns-${i}`);
  for (const name of namespaces) await client.resource(NS).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  const spec = { containers: [{ name: 'app', image: 'nginx', resources: { requests: { cpu: '50m', memory: '32Mi' }, limits: { cpu: '200m', memory: '128Mi' } } }] };
  const template = await client.resource(POD).create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'template', labels: { app: 'top' } }, spec }, { namespace: 'default' });
  await client.resource(POD).delete('template', { namespace: 'default' });
  const tw = performance.now();
  const started = new Date(Date.now() - 60_000).toISOString().replace(/\.\d+Z$/, 'Z');
  const nodes = pool.nodes;
  for (let i = 0; i < PODS; i++) {
    const ns = namespaces[i % NAMESPACES];
    const name = `pod-${i}`;
    const n = i % nodes.length;
    const node = nodes[n];
    const k = Math.floor(i / nodes.length);
    const pod: KubeObject = structuredClone(template);
    const { resourceVersion, ...meta } = pod.metadata;
    void resourceVersion;
    pod.metadata = { ...meta, name, namespace: ns, uid: randomUUID(), creationTimestamp: started, labels: { app: `app-${i % 50}` } };
    pod.spec = { ...pod.spec, nodeName: node };
    const hostIP = `10.${(n >> 8) & 255}.${n & 255}.1`;
    pod.status = {
      phase: 'Running',
      conditions: ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: started })),
      hostIP,
      hostIPs: [{ ip: hostIP }],
      podIP: `10.${(n >> 8) & 255}.${n & 255}.${k + 2}`,
      startTime: started,
      qosClass: 'Burstable',
      containerStatuses: [{ name: 'app', image: 'nginx', imageID: 'docker.io/library/nginx@sha256:0', containerID: `containerd://${randomUUID().replace(/-/g, '')}`, ready: true, started: true, restartCount: 0, state: { running: { startedAt: started } }, lastState: {} }],
    };
    await store.create(objectKey('', 'pods', ns, name), pod);
    // Paced by the pool's adoption, so its pod watch never falls that far behind (a watcher too slow is closed).
    if (i % 500 === 499) while (pool.state.pods.size < i + 1 - 1500) await sleep(20);
  }
  console.log(`cluster: ${PODS} Running pods over ${NAMESPACES} namespaces written into the store in ${secs(performance.now() - tw)} s; ${memory()}`);
  await until(`the pool adopts ${PODS} pods`, async () => pool.state.pods.size >= PODS, 900_000, 1000);
  console.log(`cluster: pool adopted ${PODS} pods ${secs(performance.now() - tw)} s after the first write; ${memory()}`);
  const last = namespaces[(PODS - 1) % NAMESPACES];
  const inLast = Math.floor((PODS - 1 - ((PODS - 1) % NAMESPACES)) / NAMESPACES) + 1;
  const metricsPath = (ns?: string) => `${api.url}/apis/metrics.k8s.io/v1beta1${ns ? `/namespaces/${ns}` : ''}/pods`;
  await until('a scrape with every pod', async () => ((await (await fetch(metricsPath(last))).json()) as any).items.length >= inLast, 300_000, 1000);
  console.log(`cluster: every pod has PodMetrics ${secs(performance.now() - tw)} s after the first write; ${memory()}`);

  let summaryBytes = 0;
  const summary = await timed(3, async () => (summaryBytes = (await (await fetch(`${pool.kubeletUrl.replace(/\/$/, '')}/stats/summary`)).arrayBuffer()).byteLength));
  console.log(`T0: the pool's /stats/summary of ${NODES} nodes (${mib(summaryBytes)}; what each 15 s scrape fetches): ${fmt(summary)}`);

  const session = PROFILE ? new Session() : undefined;
  if (session) {
    session.connect();
    await session.post('Profiler.enable');
    await session.post('Profiler.start');
  }
  let pbBytes = 0;
  const pb = await timed(RUNS, async () => {
    const res = await fetch(metricsPath(), { headers: { Accept: 'application/vnd.kubernetes.protobuf, */*' } });
    pbBytes = (await res.arrayBuffer()).byteLength;
  });
  console.log(`T1a: GET /apis/metrics.k8s.io/v1beta1/pods (protobuf, as kubectl top asks; ${mib(pbBytes)}): ${fmt(pb)}`);
  let items = 0;
  let bytes = 0;
  const list = await timed(RUNS, async () => {
    const res = await fetch(metricsPath(), { headers: { Accept: 'application/json, */*' } });
    const text = await res.text();
    bytes = text.length;
    items = (JSON.parse(text) as any).items.length;
  });
  console.log(`T1b: the same LIST in JSON (${items} items, ${mib(bytes)}): ${fmt(list)}`);
  let rows = 0;
  const table = await timed(RUNS, async () => {
    const res = await fetch(metricsPath(), { headers: { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' } });
    rows = ((await res.json()) as any).rows?.length ?? 0;
  });
  console.log(`T2: the same LIST as a Table (${rows} rows): ${fmt(table)}`);

  const kc = join(dir, 'kubeconfig');
  writeFileSync(kc, kubeconfigYaml(api.url));
  let lines = 0;
  const top = await timed(RUNS, async () => {
    const { stdout } = await run(KUBECTL, ['--kubeconfig', kc, 'top', 'pods', '-A'], { maxBuffer: 1024 * 2 ** 20 });
    lines = stdout.trim().split('\n').length - 1;
  });
  console.log(`T3: ${KUBECTL} top pods -A (${lines} lines): ${fmt(top)}`);
  let nodeLines = 0;
  const topNodes = await timed(RUNS, async () => {
    const { stdout } = await run(KUBECTL, ['--kubeconfig', kc, 'top', 'nodes'], { maxBuffer: 256 * 2 ** 20 });
    nodeLines = stdout.trim().split('\n').length - 1;
  });
  console.log(`T4: ${KUBECTL} top nodes (${nodeLines} lines): ${fmt(topNodes)}`);
  if (session) {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(PROFILE, JSON.stringify(profile));
    session.disconnect();
    console.log(`profile: ${PROFILE}`);
  }
  const { stdout: version } = await run(KUBECTL, ['version', '--client']);
  console.log(`after: ${memory()}`);
  console.log(
    `conditions: node ${process.version} (heap limit ${mib(getHeapStatistics().heap_size_limit)}), ${version.split('\n')[0]}, ${os.cpus().length} cpus, load avg at start ${load0.toFixed(1)}, now ${os.loadavg()[0].toFixed(1)}; ` +
      `one process (API server, in-memory store, one node pool of ${NODES} nodes), pods written into the store and adopted by the pool, plain HTTP without authn (startApiServer defaults)`,
  );
} finally {
  await pool.stop();
  client.close();
  await api.close();
  rmSync(dir, { recursive: true, force: true });
}
