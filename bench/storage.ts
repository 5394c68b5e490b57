// Raw store throughput: create, CAS update, get, list 1,000 — for SQLite (FULL and NORMAL sync),
// the watch cache over it and over memory — plus watch fan-out inside the cache.
// Run: node --import tsx bench/storage.ts [--quick]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { KubeObject } from '../src/api/types.ts';
import type { Store } from '../src/storage/interface.ts';
import { MemoryStore } from '../src/storage/memory.ts';
import { SqliteStore } from '../src/storage/sqlite.ts';
import { WatchCacheStore } from '../src/storage/watch-cache.ts';

const quick = process.argv.includes('--quick');
const DURATION_MS = quick ? 300 : 1000;
const CONCURRENCY = 64;

/** A ~1 KB pod. */
function pod(i: number): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: `pod-${i}`,
      namespace: 'bench',
      uid: `0000-${i}`,
      labels: { app: 'bench', tier: 'backend', index: String(i) },
      annotations: { 'kubesim.io/note': 'x'.repeat(300) },
      creationTimestamp: '2026-01-01T00:00:00Z',
    },
    spec: {
      nodeName: 'node-1',
      containers: [{ name: 'app', image: 'registry.example/app:1.0', resources: { requests: { cpu: '100m', memory: '64Mi' } }, ports: [{ containerPort: 8080 }] }],
    },
    status: { phase: 'Running', podIP: '10.0.0.1', conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

const key = (i: number) => `/registry/core/pods/bench/pod-${i}`;

/** Runs op(i) with `concurrency` in flight for DURATION_MS; returns ops/s. */
async function measure(op: (i: number) => Promise<unknown>, concurrency: number): Promise<number> {
  let n = 0;
  const end = performance.now() + DURATION_MS;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) await op(n++);
    }),
  );
  return Math.round(n / ((performance.now() - start) / 1000));
}

interface Row {
  store: string;
  op: string;
  opsPerSec: number;
}

async function benchStore(name: string, s: Store, rows: Row[]): Promise<void> {
  let created = 0;
  const add = (op: string, opsPerSec: number) => {
    rows.push({ store: name, op, opsPerSec });
    console.log(`${name.padEnd(28)} ${op.padEnd(34)} ${String(opsPerSec).padStart(9)} ops/s`);
  };
  add('create (1 in flight)', await measure(() => s.create(key(created), pod(created++)), 1));
  add(`create (${CONCURRENCY} in flight)`, await measure(() => s.create(key(created), pod(created++)), CONCURRENCY));
  const n = created;
  const revs = new Map<number, number>();
  for (const e of (await s.list('/registry/core/pods/bench/')).items) revs.set(Number(e.key.split('-').pop()), e.modRevision);
  // CAS update: each in-flight worker owns distinct keys, so conflicts are not measured here.
  const cas = async (i: number) => {
    const k = i % n;
    const e = await s.update(key(k), pod(k), revs.get(k));
    revs.set(k, e.modRevision);
  };
  add('CAS update (1 in flight)', await measure(cas, 1));
  let j = 0;
  add(`CAS update (${CONCURRENCY} in flight)`, await measure(async () => cas(j++), CONCURRENCY));
  add('get', await measure((i) => s.get(key(i % n)), 1));
  // list 1,000: a namespace holding exactly 1,000 pods.
  for (let i = 0; i < 1000; i++) await s.create(`/registry/core/pods/list1000/p-${i}`, pod(i)).catch(() => undefined);
  add('list 1,000', await measure(() => s.list('/registry/core/pods/list1000/'), 1));
  if (s instanceof WatchCacheStore) {
    add('listPage 1,000 limit=500', await measure(() => s.listPage('/registry/core/pods/list1000/', { limit: 500 }), 1));
  }
}

/** 100 watchers on the cache, 10,000 writes: how long until every watcher has every event. */
async function benchFanOut(c: WatchCacheStore): Promise<string> {
  const watchers = 100;
  const events = quick ? 2_000 : 10_000;
  let delivered = 0;
  const from = c.cachedRevision();
  const stops = Array.from({ length: watchers }, () => c.watch('/registry/core/configmaps/', from, () => delivered++));
  const t0 = performance.now();
  const writes: Promise<unknown>[] = [];
  for (let i = 0; i < events; i++) {
    writes.push(c.create(`/registry/core/configmaps/fan/c-${i}`, { metadata: { name: `c-${i}` }, data: { i: String(i) } }));
    if (writes.length >= CONCURRENCY) await Promise.all(writes.splice(0));
  }
  await Promise.all(writes);
  const ms = performance.now() - t0;
  stops.forEach((s) => s());
  if (delivered !== watchers * events) throw new Error(`delivered ${delivered}, expected ${watchers * events}`);
  return `${events} writes fanned out to ${watchers} watchers (${delivered} deliveries) in ${ms.toFixed(0)} ms: ${Math.round(delivered / (ms / 1000))} deliveries/s`;
}

async function main(): Promise<void> {
  console.log(`node ${process.version}, ${os.cpus().length} cpus (${os.cpus()[0]?.model}), ${os.platform()} ${os.release()}`);
  console.log(`each figure: ${DURATION_MS} ms, ~1 KB pod objects, SQLite WAL with group commit\n`);
  const rows: Row[] = [];
  for (const sync of ['FULL', 'NORMAL'] as const) {
    for (const cached of [false, true]) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubesim-bench-'));
      const backend = new SqliteStore({ dataDir: dir, synchronous: sync });
      const store = cached ? new WatchCacheStore(backend) : backend;
      if (store instanceof WatchCacheStore) await store.start();
      await benchStore(`${cached ? 'cache+' : ''}sqlite sync=${sync}`, store, rows);
      if (store instanceof WatchCacheStore && sync === 'FULL') console.log(`\nwatch fan-out (cache+sqlite sync=${sync}): ${await benchFanOut(store)}`);
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
      console.log();
    }
  }
  const mem = new WatchCacheStore(new MemoryStore());
  await mem.start();
  await benchStore('cache+memory', mem, rows);
  await mem.close();
}

await main();
