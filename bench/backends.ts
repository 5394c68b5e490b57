// Storage backends side by side, in one run: create, CAS update, get and watch fan-out through the
// watch cache (as an API server uses its store) over memory, SQLite, PostgreSQL with Redis Stream
// events, PostgreSQL with LISTEN/NOTIFY and etcd; then one vs three `kubesim apiserver` processes on
// one PostgreSQL (+ Redis): POST and GET throughput of each setup and the ratio.
//
//   node --import tsx bench/backends.ts [--seconds 2] [--concurrency 32] [--watchers 100] [--events 5000]
//                                       [--api-seconds 10] [--connections 48]
//
// Private servers on loopback in temp dirs (test/helpers/services.ts, test/storage/etcd-harness.ts):
// PostgreSQL runs with fsync=off (as in the tests; say so when quoting figures), etcd with its
// defaults (fsync on). A backend whose binary is missing is printed as SKIP. The API servers are
// --insecure (plain HTTP, no authn/authz) so the figures are the store's; with three, the load is
// split evenly over them (one autocannon process each, bench/drive.ts) and the rates are summed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { KubeObject } from '../src/api/types.ts';
import type { Store } from '../src/storage/interface.ts';
import { MemoryStore } from '../src/storage/memory.ts';
import { PostgresStore } from '../src/storage/postgres.ts';
import { SqliteStore } from '../src/storage/sqlite.ts';
import { EtcdStore } from '../src/storage/etcd.ts';
import { WatchCacheStore } from '../src/storage/watch-cache.ts';
import { freePort, startPostgres, startRedis } from '../test/helpers/services.ts';
import { etcdMissing, startEtcd } from '../test/storage/etcd-harness.ts';
import { ROOT, child, runDrive, stop, type Child, type DriveResult } from './drive.ts';
import { arg, until } from './util.ts';

const SECONDS = Number(arg('seconds', '2'));
const CONCURRENCY = Number(arg('concurrency', '32'));
const WATCHERS = Number(arg('watchers', '100'));
const EVENTS = Number(arg('events', '5000'));
const API_SECONDS = Number(arg('api-seconds', '10'));
const CONNECTIONS = Number(arg('connections', '48'));

const configMap = (i: number, gen = 0): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: `cm-${i}`, namespace: 'bench', labels: { app: 'bench' } },
  data: { gen: String(gen), payload: 'x'.repeat(512) },
});
const key = (i: number) => `/registry/core/configmaps/bench/cm-${i}`;

/** Runs op with `concurrency` in flight for SECONDS; ops/s. */
async function measure(op: (i: number) => Promise<unknown>, concurrency = CONCURRENCY): Promise<number> {
  let n = 0;
  const t0 = performance.now();
  const end = t0 + SECONDS * 1000;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < end) await op(n++);
  }));
  return Math.round(n / ((performance.now() - t0) / 1000));
}

/** WATCHERS watchers on the cache, EVENTS creates (CONCURRENCY in flight): deliveries/s until every watcher has every event. */
async function fanOut(c: WatchCacheStore): Promise<number> {
  let delivered = 0;
  const from = c.cachedRevision();
  const stops = Array.from({ length: WATCHERS }, () => c.watch('/registry/core/secrets/', from, () => delivered++));
  const t0 = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    for (let i = next++; i < EVENTS; i = next++) await c.create(`/registry/core/secrets/fan/s-${i}`, { metadata: { name: `s-${i}`, namespace: 'fan' } });
  }));
  await until('every event at every watcher', async () => delivered >= WATCHERS * EVENTS, 120_000, 5);
  const ms = performance.now() - t0;
  stops.forEach((s) => s());
  return Math.round(delivered / (ms / 1000));
}

async function benchStore(name: string, backend: Store): Promise<void> {
  const c = new WatchCacheStore(backend);
  await c.start();
  try {
    let created = 0;
    const create = await measure(() => c.create(key(created), configMap(created++)));
    const revs = new Map<number, number>();
    for (const e of (await c.list('/registry/core/configmaps/bench/')).items) revs.set(Number(e.key.split('-').pop()), e.modRevision);
    // Each worker updates its own keys in turn, so the CAS never conflicts: the cost of the compare.
    let u = 0;
    const cas = await measure(async () => {
      const k = u++ % created;
      revs.set(k, (await c.update(key(k), configMap(k, u), revs.get(k))).modRevision);
    });
    const get = await measure((i) => c.get(key(i % created)));
    const fan = await fanOut(c);
    console.log(`${name.padEnd(26)} ${String(create).padStart(8)} ${String(cas).padStart(10)} ${String(get).padStart(9)} ${String(fan).padStart(16)}`);
  } finally {
    await c.close();
  }
}

interface ApiRun {
  post: DriveResult[];
  get: DriveResult[];
}

/** n `kubesim apiserver --insecure` processes on one schema; POST then GET load split over them. */
async function benchApiServers(n: number, pgUrl: string, redisUrl: string, dir: string): Promise<ApiRun> {
  const ports = await Promise.all(Array.from({ length: n }, () => freePort()));
  const schema = `api${n}_${process.pid}`;
  const procs: Child[] = ports.map((p, i) =>
    child([path.join(ROOT, 'bin/kubesim.js'), 'apiserver', '--insecure', '--port', String(p), '--data-dir', path.join(dir, `api${n}-${i}`), '--storage', `${pgUrl}?schema=${schema}`, '--events', redisUrl]),
  );
  try {
    for (const p of ports) await until(`apiserver :${p} ready`, async () => (await fetch(`http://127.0.0.1:${p}/readyz`)).status === 200, 60_000, 100);
    await fetch(`http://127.0.0.1:${ports[0]}/api/v1/namespaces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench' } }) });
    const each = Math.max(1, Math.round(CONNECTIONS / n));
    const spec = (p: number) => ({ url: `http://127.0.0.1:${p}`, connections: each, seconds: API_SECONDS, headers: {} });
    const post = await Promise.all(ports.map((p, i) => runDrive({ ...spec(p), method: 'POST', path: '/api/v1/namespaces/bench/configmaps', createTemplate: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `r${i}`, namespace: 'bench' }, data: { payload: 'x'.repeat(512) } } })));
    const get = await Promise.all(ports.map((p, i) => runDrive({ ...spec(p), method: 'GET', path: `/api/v1/namespaces/bench/configmaps/r${i}-0` })));
    return { post, get };
  } catch (err) {
    for (const c of procs) console.error(c.out().slice(-2000));
    throw err;
  } finally {
    for (const c of procs) await stop(c);
  }
}

const sum = (rs: DriveResult[]) => rs.reduce((a, r) => a + r.rps, 0);
const worstP99 = (rs: DriveResult[]) => Math.max(...rs.map((r) => r.p99));
const refused = (rs: DriveResult[]) => rs.reduce((a, r) => a + r.non2xx + r.errors, 0);

async function main(): Promise<void> {
  console.log(`node ${process.version}, ${os.cpus().length} cpus (${os.cpus()[0]?.model}), load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}, ${os.platform()} ${os.release()}`);
  console.log(`store figures: through the watch cache, ${SECONDS} s each, ${CONCURRENCY} in flight, ~0.6 KB ConfigMaps; fan-out: ${WATCHERS} watchers × ${EVENTS} creates`);
  console.log('PostgreSQL: private server, fsync=off, pool_size 10; Redis: no persistence; etcd: one member, defaults; SQLite: WAL, synchronous=FULL\n');
  console.log(`${'backend'.padEnd(26)} ${'create/s'.padStart(8)} ${'CAS upd/s'.padStart(10)} ${'get/s'.padStart(9)} ${'fan-out deliv/s'.padStart(16)}`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kubesim-bench-backends-'));
  const pg = await startPostgres();
  const redis = pg ? await startRedis() : undefined;
  const etcd = etcdMissing() ? undefined : await startEtcd(1);
  const quiet = { onError: () => {} };
  try {
    await benchStore('memory', new MemoryStore());
    await benchStore('sqlite (FULL)', new SqliteStore({ dataDir: path.join(tmp, 'sqlite'), synchronous: 'FULL' }));
    if (pg && redis) await benchStore('postgres + redis stream', await PostgresStore.open({ url: pg.url, schema: `s1_${process.pid}`, events: redis.url, ...quiet }));
    else console.log('SKIP postgres + redis stream: initdb/pg_ctl or redis-server missing');
    if (pg) await benchStore('postgres + listen/notify', await PostgresStore.open({ url: pg.url, schema: `s2_${process.pid}`, ...quiet }));
    else console.log('SKIP postgres + listen/notify: initdb/pg_ctl missing');
    if (etcd) await benchStore('etcd (1 member)', new EtcdStore({ endpoints: etcd.endpoints, prefix: `/bench${process.pid}` }));
    else console.log('SKIP etcd: no etcd binary');

    if (!pg || !redis) {
      console.log('\nSKIP one vs three API servers: PostgreSQL or Redis missing');
      return;
    }
    console.log(`\nAPI servers on one PostgreSQL + Redis (--insecure, ${CONNECTIONS} connections in all, ${API_SECONDS} s per figure, POST = ConfigMap create, GET = one ConfigMap):`);
    const one = await benchApiServers(1, pg.url, redis.url, tmp);
    const three = await benchApiServers(3, pg.url, redis.url, tmp);
    for (const [label, r] of [['1 API server ', one], ['3 API servers', three]] as const) {
      console.log(`${label}  POST ${sum(r.post).toFixed(0).padStart(7)}/s (p99 ≤ ${worstP99(r.post)} ms, ${refused(r.post)} non-2xx/errors)   GET ${sum(r.get).toFixed(0).padStart(7)}/s (p99 ≤ ${worstP99(r.get)} ms, ${refused(r.get)} non-2xx/errors)`);
    }
    console.log(`ratio 3 / 1:   POST ×${(sum(three.post) / sum(one.post)).toFixed(2)}   GET ×${(sum(three.get) / sum(one.get)).toFixed(2)}`);
  } finally {
    await etcd?.close();
    await redis?.stop();
    await pg?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

await main();
