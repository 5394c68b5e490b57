// Informer over 100,000 pods: time and memory to sync, and the rate of events delivered to a
// handler once synced. The API server runs in a child process (so the figures are the informer's
// own), its in-memory store pre-filled directly (the fast path: 100k API creates would take
// minutes here); a sample of API creates is timed too. Event rate: the informer's connection is
// held shut (a proxy) while the child writes the updates straight to its store, then reopened, so
// the informer drains them from the watch cache as fast as it can: watch → informer → handler is
// what is measured, not the server's write rate (reported separately as "live").
//
//   node --import tsx --expose-gc bench/informer.ts [--pods 100000] [--api-creates 2000] [--updates 20000]
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import os from 'node:os';

const args = process.argv.slice(2);
const arg = (name: string, dflt: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};

function pod(name: string, i: number) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: `ns-${i % 20}`, labels: { app: `app-${i % 100}`, tier: 'bench' } },
    spec: {
      nodeName: `node-${i % 1000}`,
      containers: [{ name: 'main', image: 'registry.k8s.io/pause:3.9', resources: { requests: { cpu: '100m', memory: '64Mi' } } }],
    },
  };
}

async function serverMode(n: number): Promise<void> {
  const pino = (await import('pino')).default;
  const { MemoryStore, objectKey } = await import('../src/storage/index.ts');
  const { startApiServer } = await import('../src/apiserver/index.ts');
  const { registry } = await import('../src/api/registry.ts');
  const rt = registry.byResource('', 'v1', 'pods')!;
  const store = new MemoryStore();
  const t0 = performance.now();
  for (let i = 0; i < 20; i++) await store.create(objectKey('', 'namespaces', undefined, `ns-${i}`), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: `ns-${i}`, uid: randomUUID(), creationTimestamp: new Date().toISOString() }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } });
  const keys: string[] = [];
  for (let i = 0; i < n; i++) {
    const p: any = pod(`pod-${i}`, i);
    rt.defaults(p);
    p.metadata.uid = randomUUID();
    p.metadata.creationTimestamp = new Date().toISOString();
    p.status = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], podIP: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` };
    const key = objectKey('', 'pods', p.metadata.namespace, p.metadata.name);
    keys.push(key);
    await store.create(key, p);
  }
  const fillMs = performance.now() - t0;
  const server = await startApiServer({ port: 0, store, watchCacheSize: 200_000, logger: pino({ level: 'silent' }) });
  console.log(JSON.stringify({ url: server.url, fillMs }));
  for await (const line of createInterface({ input: process.stdin })) {
    const [cmd, count] = line.split(' ');
    if (cmd === 'update') {
      const t = performance.now();
      for (let i = 0; i < Number(count); i++) {
        const key = keys[i % keys.length];
        const cur = (await store.get(key))!;
        const o = structuredClone(cur.object);
        o.metadata.annotations = { ...(o.metadata.annotations ?? {}), bench: String(i) };
        await store.update(key, o, cur.modRevision);
        // the memory store resolves in microtasks: yield so the server can stream events meanwhile
        if (i % 100 === 99) await new Promise((r) => setImmediate(r));
      }
      console.log(JSON.stringify({ updated: Number(count), writeMs: performance.now() - t, rev: await store.currentRevision() }));
    }
    if (cmd === 'exit') {
      await server.close();
      process.exit(0);
    }
  }
}

function mem() {
  (globalThis as any).gc?.();
  (globalThis as any).gc?.();
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed };
}
const progress = (msg: string) => process.stderr.write(`[${new Date().toISOString()}] ${msg}\n`);
const mb = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MB`;

async function main(): Promise<void> {
  const total = arg('pods', 100_000);
  const apiCreates = arg('api-creates', 2000);
  const updates = arg('updates', 10_000);
  const child = spawn(process.execPath, ['--import', 'tsx', '--max-old-space-size=4096', fileURLToPath(import.meta.url), '--server', String(total - apiCreates)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const next = async () => JSON.parse((await lines.next()).value as string);
  const { url, fillMs } = await next();
  progress(`server up with ${total - apiCreates} pods (prefill ${Math.round(fillMs)} ms)`);
  const { Client, SharedInformer } = await import('../src/client/index.ts');
  const { ChaosProxy } = await import('../test/client/proxy.ts');
  const proxy = await new ChaosProxy(Number(new URL(url).port)).start();
  const client = new Client({ server: url, qps: 0 });
  const informerClient = new Client({ server: proxy.url, qps: 0 });
  const pods = { group: '', version: 'v1', plural: 'pods', namespaced: true, kind: 'Pod' };

  // API create rate (64 in flight), these pods join the informer's set
  const tc = performance.now();
  let next_ = 0;
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (next_ < apiCreates) {
        const i = total - apiCreates + next_++;
        await client.resource(pods).create(pod(`pod-${i}`, i));
      }
    }),
  );
  const createMs = performance.now() - tc;
  progress(`${apiCreates} API creates in ${Math.round(createMs)} ms`);

  const before = mem();
  const inf = new SharedInformer(informerClient, pods, { backoffInitialMs: 5, backoffMaxMs: 50, indexers: { byNode: (p: any) => [p.spec?.nodeName ?? ''] } });
  let adds = 0;
  let updatesSeen = 0;
  let lastUpdateAt = 0;
  inf.addEventHandler({
    onAdd: () => adds++,
    onUpdate: () => {
      updatesSeen++;
      lastUpdateAt = performance.now();
    },
  });
  const ts = performance.now();
  inf.start();
  await inf.waitForCacheSync();
  const syncMs = performance.now() - ts;
  progress(`synced in ${Math.round(syncMs)} ms`);
  while (adds < total) await new Promise((r) => setImmediate(r));
  const deliveredMs = performance.now() - ts;
  const after = mem();

  // live event rate (bounded by the server's writes)
  let tu = performance.now();
  const ticker = setInterval(() => progress(`updates delivered: ${updatesSeen}, rv ${inf.lastSyncResourceVersion()}`), 2000);
  child.stdin!.write(`update ${updates}\n`);
  const { writeMs, rev } = await next();
  progress(`child wrote ${updates} updates in ${Math.round(writeMs)} ms`);
  const caughtUp = (r: number) => Number(inf.lastSyncResourceVersion()) >= r && inf.pendingNotifications() === 0;
  while (!caughtUp(rev)) await new Promise((r) => setTimeout(r, 5));
  const liveSeen = updatesSeen;
  const liveMs = lastUpdateAt - tu;
  // backlog drain rate: writes happen while the informer is cut off, then it catches up
  proxy.block();
  child.stdin!.write(`update ${updates}\n`);
  const { rev: rev2 } = await next();
  updatesSeen = 0;
  tu = performance.now();
  proxy.unblock();
  while (!caughtUp(rev2)) await new Promise((r) => setTimeout(r, 5));
  const backlogSeen = updatesSeen;
  const updMs = lastUpdateAt - tu;
  clearInterval(ticker);

  const figures = {
    pods: inf.indexer.size,
    prefillMs: Math.round(fillMs),
    apiCreates,
    apiCreatesPerSec: Math.round(apiCreates / (createMs / 1000)),
    syncMs: Math.round(syncMs),
    allAddsDeliveredMs: Math.round(deliveredMs),
    rssDelta: mb(after.rss - before.rss),
    heapDelta: mb(after.heap - before.heap),
    heapPerPodBytes: Math.round((after.heap - before.heap) / total),
    updates,
    serverStoreWriteMs: Math.round(writeMs),
    liveUpdatesDelivered: liveSeen,
    liveUpdatesDeliveredPerSec: Math.round(liveSeen / (liveMs / 1000)),
    backlogUpdatesDelivered: backlogSeen,
    backlogUpdatesDeliveredPerSec: Math.round(backlogSeen / (updMs / 1000)),
    informerLists: Object.fromEntries((await (await import('prom-client')).register.getSingleMetric('informer_relists_total')!.get()).values.map((v) => [v.labels.reason, v.value])),
    byNodeIndexSample: inf.indexer.byIndex('byNode', 'node-7').length,
    conditions: `node ${process.version}, ${os.cpus().length} cpus (${os.cpus()[0]?.model}), load ${os.loadavg()[0].toFixed(1)}, gc ${typeof (globalThis as any).gc === 'function' ? 'exposed' : 'not exposed'}`,
  };
  console.log(JSON.stringify(figures, null, 2));
  await inf.stop();
  client.close();
  informerClient.close();
  await proxy.close();
  child.stdin!.write('exit\n');
  await new Promise((r) => child.once('exit', r));
}

if (args[0] === '--server') await serverMode(Number(args[1]));
else await main();
