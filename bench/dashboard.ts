// The dashboard at scale (issue 18): time to first render, browser memory, and the watch event rate
// the page keeps up with, in headless Debian chromium (playwright-core, /usr/bin/chromium).
//
//   node --import tsx bench/dashboard.ts [--sizes 1000x30000,5000x150000] [--seed store|api]
//        [--rates 250,500,1000,2000,4000] [--step-seconds 10]
//
// The cluster: an in-process API server (in-memory store, no authentication, no node pool, no
// controllers: the objects are what matters). `--seed store` (default) writes the nodes and bound
// Running pods straight into the store before the server starts, each a copy of a node and a pod
// first made through the API (POST, then a status write) so they look the same on the wire;
// `--seed api` writes each one through the API instead (POST node; POST pod with nodeName, PATCH
// its status to Running; 32 in flight): slow at 150,000 pods. Pods are spread round-robin over
// the nodes; every 97th node is cordoned, every 53rd NotReady.
//
// Per size, a fresh browser opens /dashboard/ (the Cluster view):
// - first render: from page.goto until the page shows every node and pod (its node and pod counts);
// - memory: after a GC (CDP HeapProfiler.collectGarbage), CDP Performance.getMetrics' JSHeapUsedSize
//   and DOM Nodes, and the PSS of all chromium processes (summed from /proc/<pid>/smaps_rollup);
// - event rate: per step, pod status patches (Ready toggled) at `rate`/s for `step-seconds`, open
//   loop (at most 256 in flight); the page's own counters (window.dashboardStats: watch events
//   applied, and applied as of the last finished render) against the patches the server answered.
//   The page keeps up at a rate when its renders show every patch within 1 s after the last one.
//   Steps stop at the first rate it does not keep up with, or when the server answers less than 80%
//   of the rate asked (then the figure is the writer's ceiling, not the page's, and says so).
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import pino from 'pino';
import { startApiServer, type RunningApiServer } from '../src/apiserver/index.ts';
import { MemoryStore, objectKey } from '../src/storage/index.ts';
import type { KubeObject } from '../src/api/types.ts';
import { arg, sleep } from './util.ts';

const CHROMIUM = '/usr/bin/chromium';
const SIZES = arg('sizes', '1000x30000,5000x150000').split(',').map((s) => s.split('x').map(Number) as [number, number]);
const SEED = arg('seed', 'store');
const RATES = arg('rates', '250,500,1000,2000,4000').split(',').map(Number);
const STEP_S = Number(arg('step-seconds', '10'));
const INFLIGHT = 256;
const logger = pino({ level: 'warn' });

if (!existsSync(CHROMIUM)) {
  console.log(`SKIP bench/dashboard: ${CHROMIUM} is missing (apt-get install -y chromium)`);
  process.exit(0);
}
if (SEED !== 'store' && SEED !== 'api') throw new Error('--seed is store or api');

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
function request(base: string, method: string, path: string, body?: unknown, type = 'application/json'): Promise<{ code: number; body: any }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const req = http.request(base + path, { method, agent, headers: data ? { 'Content-Type': type, 'Content-Length': Buffer.byteLength(data) } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        resolve({ code: res.statusCode ?? 0, body: text && text[0] === '{' ? JSON.parse(text) : text });
      });
    });
    req.on('error', reject);
    req.end(data);
  });
}
async function must(base: string, method: string, path: string, body?: unknown, type?: string): Promise<any> {
  const r = await request(base, method, path, body, type);
  if (r.code >= 300) throw new Error(`${method} ${path}: ${r.code} ${JSON.stringify(r.body)}`);
  return r.body;
}
async function pool(n: number, concurrency: number, f: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < n) await f(next++);
  }));
}

const nodeName = (i: number) => `node-${i}`;
const podName = (i: number) => `web-${i}`;
const podIP = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

function nodeBody(i: number): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: nodeName(i), labels: { 'kubernetes.io/hostname': nodeName(i), 'kubernetes.io/os': 'linux', 'topology.kubernetes.io/zone': `zone-${i % 3}` } },
    spec: i % 97 === 0 ? { unschedulable: true, taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }] } : {},
    status: {
      capacity: { cpu: '8', memory: '32Gi', pods: '110' },
      allocatable: { cpu: '8', memory: '32Gi', pods: '110' },
      conditions: [
        { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory' },
        { type: 'Ready', status: i % 53 === 0 ? 'False' : 'True', reason: i % 53 === 0 ? 'KubeletNotReady' : 'KubeletReady' },
      ],
      addresses: [{ type: 'InternalIP', address: `172.16.${(i >> 8) & 255}.${i & 255}` }, { type: 'Hostname', address: nodeName(i) }],
      nodeInfo: { kubeletVersion: 'v1.31.0-kubesim', osImage: 'kubesim', architecture: 'amd64', operatingSystem: 'linux' },
    },
  } as KubeObject;
}

const RS_UID = randomUUID();
function podBody(i: number, nodes: number): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: podName(i),
      namespace: 'default',
      labels: { app: 'web', 'pod-template-hash': '5d8f7c9b6' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-5d8f7c9b6', uid: RS_UID, controller: true, blockOwnerDeletion: true }],
    },
    spec: { nodeName: nodeName(i % nodes), containers: [{ name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 80, protocol: 'TCP' }], resources: { requests: { cpu: '100m', memory: '128Mi' } } }] },
  } as KubeObject;
}

const conditions = (ready: boolean, at: string) => [
  { type: 'PodReadyToStartContainers', status: 'True', lastTransitionTime: at },
  { type: 'Initialized', status: 'True', lastTransitionTime: at },
  { type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: at },
  { type: 'ContainersReady', status: ready ? 'True' : 'False', lastTransitionTime: at },
  { type: 'PodScheduled', status: 'True', lastTransitionTime: at },
];
function podStatus(i: number, nodes: number, at: string) {
  return {
    status: {
      phase: 'Running',
      conditions: conditions(true, at),
      hostIP: `172.16.${((i % nodes) >> 8) & 255}.${i % nodes & 255}`,
      podIP: podIP(i),
      podIPs: [{ ip: podIP(i) }],
      startTime: at,
      containerStatuses: [{ name: 'web', ready: true, started: true, restartCount: 0, image: 'nginx:1.27', imageID: 'docker.io/library/nginx@sha256:0', containerID: `kubesim://${i}`, state: { running: { startedAt: at } } }],
    },
  };
}
const MERGE = 'application/merge-patch+json';
const statusPath = (i: number) => `/api/v1/namespaces/default/pods/${podName(i)}/status?fieldManager=kubesim-node`;

/** A node and a pod as the API makes them: the copies seeded into the store start from these. */
async function templates(): Promise<{ node: KubeObject; pod: KubeObject }> {
  const srv = await startApiServer({ port: 0, logger });
  try {
    const node = await must(srv.url, 'POST', '/api/v1/nodes', nodeBody(1));
    await must(srv.url, 'POST', '/api/v1/namespaces/default/pods', podBody(1, 2));
    const pod = await must(srv.url, 'PATCH', statusPath(1), podStatus(1, 2, new Date().toISOString()), MERGE);
    return { node, pod };
  } finally {
    await srv.close();
  }
}

async function seedStore(nodes: number, pods: number): Promise<MemoryStore> {
  const t = await templates();
  const store = new MemoryStore();
  const now = new Date().toISOString();
  for (let i = 0; i < nodes; i++) {
    const b = nodeBody(i);
    const n = { ...structuredClone(t.node), spec: b.spec, status: b.status } as any;
    n.metadata = { ...n.metadata, name: nodeName(i), uid: randomUUID(), labels: b.metadata.labels, creationTimestamp: now };
    await store.create(objectKey('', 'nodes', undefined, nodeName(i)), n);
  }
  for (let i = 0; i < pods; i++) {
    const p = structuredClone(t.pod) as any;
    p.metadata.name = podName(i);
    p.metadata.uid = randomUUID();
    p.metadata.creationTimestamp = now;
    p.spec.nodeName = nodeName(i % nodes);
    Object.assign(p.status, podStatus(i, nodes, now).status);
    await store.create(objectKey('', 'pods', 'default', podName(i)), p);
  }
  return store;
}

async function seedApi(srv: RunningApiServer, nodes: number, pods: number): Promise<void> {
  await pool(nodes, 32, async (i) => void (await must(srv.url, 'POST', '/api/v1/nodes', nodeBody(i))));
  const now = new Date().toISOString();
  await pool(pods, 32, async (i) => {
    await must(srv.url, 'POST', '/api/v1/namespaces/default/pods', podBody(i, nodes));
    await must(srv.url, 'PATCH', statusPath(i), podStatus(i, nodes, now), MERGE);
  });
}

/** PSS (KiB) summed over the chromium processes under this one. */
function chromiumPssKiB(): number {
  const parent = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      parent.set(Number(d), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {}
  }
  const mine = new Set([process.pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [pid, ppid] of parent) if (!mine.has(pid) && mine.has(ppid)) (mine.add(pid), (grew = true));
  }
  let kib = 0;
  for (const pid of mine) {
    try {
      if (pid === process.pid || !readFileSync(`/proc/${pid}/comm`, 'utf8').includes('chrom')) continue;
      kib += Number(/^Pss:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0);
    } catch {}
  }
  return kib;
}

interface PageStats { applied: Record<string, number>; rendered: Record<string, number>; frames: number; renderMs: number }

async function run(nodes: number, pods: number): Promise<string> {
  const t0 = performance.now();
  let srv: RunningApiServer;
  if (SEED === 'store') srv = await startApiServer({ port: 0, logger, store: await seedStore(nodes, pods) });
  else {
    srv = await startApiServer({ port: 0, logger });
    await seedApi(srv, nodes, pods);
  }
  console.log(`${nodes} nodes / ${pods} pods seeded (${SEED === 'store' ? 'written into the store before the server started' : 'through the API'}) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--js-flags=--max-old-space-size=8192'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const text = (sel: string) => `document.querySelector(${JSON.stringify(sel)})?.textContent`;
    const t1 = performance.now();
    await page.goto(`${srv.url}/dashboard/`);
    await page.waitForFunction(`${text('[data-testid=node-count]')} === '${nodes}' && ${text('[data-testid=pod-count]')} === '${pods}'`, undefined, { timeout: 600_000, polling: 100 });
    const firstRender = performance.now() - t1;
    await sleep(3000); // the activity sampler and charts start
    await cdp.send('HeapProfiler.collectGarbage');
    const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
    const metric = (n: string) => metrics.find((m) => m.name === n)?.value ?? 0;
    const heapMiB = metric('JSHeapUsedSize') / 2 ** 20;
    const pssMiB = chromiumPssKiB() / 1024;
    console.log(`  first render ${(firstRender / 1000).toFixed(2)} s; after GC: JS heap ${heapMiB.toFixed(0)} MiB, ${metric('Nodes')} DOM nodes, chromium PSS ${pssMiB.toFixed(0)} MiB`);

    const stats = () => page.evaluate('window.dashboardStats') as Promise<PageStats>;
    const ready = new Uint8Array(pods).fill(1);
    const at = new Date().toISOString();
    const bodies = [JSON.stringify({ status: { conditions: conditions(false, at) } }), JSON.stringify({ status: { conditions: conditions(true, at) } })];
    let kept = 0;
    let cursor = 0; // pods patched in turn: two patches of one pod in flight could land as a no-op (no event)
    for (const rate of RATES) {
      const s0 = await stats();
      const base = s0.applied.pods ?? 0;
      let issued = 0;
      let ok = 0;
      let failed = 0;
      let inflight = 0;
      const start = performance.now();
      const done: Promise<void>[] = [];
      while (performance.now() - start < STEP_S * 1000) {
        const due = Math.floor(((performance.now() - start) / 1000) * rate);
        while (issued < due && inflight < INFLIGHT) {
          const i = cursor++ % pods;
          ready[i] ^= 1;
          issued++;
          inflight++;
          done.push(request(srv.url, 'PATCH', statusPath(i), bodies[ready[i]], MERGE).then(
            (r) => void (r.code === 200 ? ok++ : failed++),
            () => void failed++,
          ).finally(() => inflight--));
        }
        await sleep(5);
      }
      await Promise.all(done);
      const sentS = (performance.now() - start) / 1000;
      const s1 = await stats();
      const lagAtEnd = ok - ((s1.rendered.pods ?? 0) - base);
      const tEnd = performance.now();
      let caughtUp = Infinity;
      while (performance.now() - tEnd < 30_000) {
        const s = await stats();
        if ((s.rendered.pods ?? 0) - base >= ok) {
          caughtUp = performance.now() - tEnd;
          break;
        }
        await sleep(50);
      }
      const s2 = await stats();
      const frames = s2.frames - s0.frames;
      const keeps = caughtUp <= 1000;
      console.log(
        `  rate ${rate}/s: ${ok} patches answered in ${sentS.toFixed(1)} s (${(ok / sentS).toFixed(0)}/s${failed ? `, ${failed} failed` : ''}); ` +
          `page behind by ${lagAtEnd} at the end, all rendered ${Number.isFinite(caughtUp) ? `${caughtUp.toFixed(0)} ms` : 'not within 30 s'} after; ` +
          `${frames} renders, mean ${(frames ? (s2.renderMs - s0.renderMs) / frames : 0).toFixed(1)} ms → ${keeps ? 'keeps up' : 'falls behind'}`,
      );
      if (!keeps) break;
      kept = Math.round(ok / sentS);
      if (ok / sentS < 0.8 * rate) {
        console.log(`  the server answered ${kept}/s of ${rate}/s asked: the writes, not the page, are the limit; no higher rate tried`);
        break;
      }
    }
    await page.screenshot({ path: `/tmp/kubesim-bench-dashboard-${nodes}.png` });
    if (errors.length) console.log(`  page errors: ${errors.join('; ')}`);
    return `| ${nodes.toLocaleString('en')} / ${pods.toLocaleString('en')} | ${(firstRender / 1000).toFixed(2)} s | ${heapMiB.toFixed(0)} MiB | ${pssMiB.toFixed(0)} MiB | ${metric('Nodes')} | ${kept ? `≥ ${kept}/s` : `< ${RATES[0]}/s`} |`;
  } finally {
    await browser.close();
    await srv.close();
  }
}

console.log(`bench/dashboard: seed=${SEED}, rates ${RATES.join(',')}/s for ${STEP_S} s each, headless ${CHROMIUM} 1280×900, Cluster view`);
const rows: string[] = [];
for (const [n, p] of SIZES) rows.push(await run(n, p));
console.log('\n| nodes / pods | first render | JS heap (after GC) | chromium PSS | DOM nodes | pod updates/s kept up with |\n|---|---|---|---|---|---|');
for (const r of rows) console.log(r);
agent.destroy();
