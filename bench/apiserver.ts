// API server benchmark, in one process: a bare node:http server answering a 1 KB JSON body is the
// ceiling, measured in the same run; then GET one object, LIST 1,000 objects, create, update with
// resourceVersion (durable SQLite commits), and delivery of 10,000 events to 100 watchers.
//
//   node --import tsx bench/apiserver.ts [--concurrency 16] [--seconds 3] [--events 10000] [--watchers 100] [--write-rate 0] [--memory]
//
// Load: a keep-alive http.Agent with N requests in flight (N = --concurrency), each worker sending
// its next request when the previous answer is fully read.
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startApiServer } from '../src/apiserver/index.ts';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
}
const N = arg('concurrency', 16);
const SECONDS = arg('seconds', 3);
const EVENTS = arg('events', 10_000);
const WATCHERS = arg('watchers', 100);
/** Writes/s for the watch test; 0 = as fast as the N writers go. */
const WRITE_RATE = arg('write-rate', 0);
/** --memory: the in-memory store instead of SQLite (to separate fsync cost from the API server's). */
const MEMORY = process.argv.includes('--memory');

interface Result {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  count: number;
  /** Median over the rounds of (this rps / bare rps in the adjacent slice). */
  ratio?: number;
  lat?: number[];
}
const ROUNDS = 4;

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

interface Req {
  method: string;
  path: string;
  body?: string;
  headers?: Record<string, string>;
}

function send(agent: http.Agent, base: URL, r: Req): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...(r.headers ?? {}) };
    if (r.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = Buffer.byteLength(r.body);
    }
    const q = http.request({ host: base.hostname, port: base.port, method: r.method, path: r.path, agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    q.on('error', reject);
    q.end(r.body);
  });
}

/** N workers for SECONDS; next(worker) gives each worker's next request, done() sees the answer. */
/**
 * The machine is shared, so the workload and the bare ceiling alternate in ROUNDS short slices
 * (bare, workload, bare, workload, ...); the ratio is the median of the per-round ratios.
 */
async function paired(name: string, bareUrl: string, url: string, next: (w: number) => Req, done?: (w: number, status: number, body: string) => void): Promise<{ bare: Result; res: Result }> {
  const bareReq = () => ({ method: 'GET', path: '/' });
  await measure('warm-up', bareUrl, bareReq, undefined, 0.3);
  await measure('warm-up', url, next, done, 0.3);
  const slice = SECONDS / ROUNDS;
  const bares: Result[] = [];
  const ress: Result[] = [];
  for (let k = 0; k < ROUNDS; k++) {
    bares.push(await measure('bare', bareUrl, bareReq, undefined, slice));
    ress.push(await measure(name, url, next, done, slice));
  }
  const ratios = ress.map((r, k) => r.rps / bares[k].rps).sort((a, b) => a - b);
  const merge = (n: string, rs: Result[]): Result => {
    const lat = Float64Array.from(rs.flatMap((r) => r.lat!)).sort();
    return { name: n, rps: rs.reduce((a, r) => a + r.rps, 0) / rs.length, p50: percentile(lat, 50), p99: percentile(lat, 99), count: lat.length };
  };
  const res = merge(name, ress);
  res.ratio = (ratios[(ROUNDS - 1) >> 1] + ratios[ROUNDS >> 1]) / 2;
  return { bare: merge('bare', bares), res };
}

async function measure(name: string, url: string, next: (w: number) => Req, done: ((w: number, status: number, body: string) => void) | undefined, seconds: number): Promise<Result> {
  const base = new URL(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: N });
  const lat: number[] = [];
  let errors = 0;
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  await Promise.all(
    Array.from({ length: N }, async (_, w) => {
      while (performance.now() < end) {
        const s = performance.now();
        const res = await send(agent, base, next(w));
        lat.push(performance.now() - s);
        if (res.status >= 400) errors++;
        done?.(w, res.status, res.body);
      }
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  agent.destroy();
  if (errors) console.error(`  ${name}: ${errors} error answers`);
  const sorted = Float64Array.from(lat).sort();
  return { name, rps: lat.length / elapsed, p50: percentile(sorted, 50), p99: percentile(sorted, 99), count: lat.length, lat };
}

function bareServer(): Promise<{ url: string; close(): void }> {
  const body = JSON.stringify({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'bare', namespace: 'default' }, data: { blob: 'x'.repeat(1024 - 96) } });
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, close: () => server.close() })),
  );
}

const blob = 'x'.repeat(900);
const cm = (name: string, extra: Record<string, string> = {}) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { blob, ...extra } });

async function main() {
  const results: Result[] = [];
  const bare = await bareServer();
  const bares: Result[] = [];
  const run = async (name: string, next: (w: number) => Req, done?: (w: number, status: number, body: string) => void) => {
    const r = await paired(name, bare.url, srv.url, next, done);
    bares.push(r.bare);
    results.push(r.res);
  };

  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubesim-bench-'));
  const srv = await startApiServer(MEMORY ? {} : { dataDir });
  const agent = new http.Agent({ keepAlive: true, maxSockets: N });
  const base = new URL(srv.url);
  try {
    await send(agent, base, { method: 'POST', path: '/api/v1/namespaces', body: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench' } }) });
    await send(agent, base, { method: 'POST', path: '/api/v1/namespaces', body: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'lists' } }) });
    await send(agent, base, { method: 'POST', path: '/api/v1/namespaces', body: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'watch' } }) });
    // fixtures: one object to GET, 1,000 to LIST, one per worker to update
    await send(agent, base, { method: 'POST', path: '/api/v1/namespaces/bench/configmaps', body: cm('one') });
    for (let i = 0; i < 1000; i += 50) {
      await Promise.all(Array.from({ length: 50 }, (_, j) => send(agent, base, { method: 'POST', path: '/api/v1/namespaces/lists/configmaps', body: cm(`item-${String(i + j).padStart(4, '0')}`) })));
    }
    const rvs: string[] = [];
    for (let w = 0; w < N; w++) {
      const r = await send(agent, base, { method: 'POST', path: '/api/v1/namespaces/bench/configmaps', body: cm(`upd-${w}`) });
      rvs[w] = JSON.parse(r.body).metadata.resourceVersion;
    }

    await run('GET one object', () => ({ method: 'GET', path: '/api/v1/namespaces/bench/configmaps/one' }));
    await run('LIST 1,000 objects', () => ({ method: 'GET', path: '/api/v1/namespaces/lists/configmaps' }));
    let created = 0;
    await run(MEMORY ? 'create (memory store)' : 'create (SQLite, durable)', () => ({ method: 'POST', path: '/api/v1/namespaces/bench/configmaps', body: cm(`new-${created++}`) }));
    let counter = 0;
    await run(
        MEMORY ? 'update with resourceVersion (memory store)' : 'update with resourceVersion (SQLite, durable)',
        (w) => ({
          method: 'PUT',
          path: `/api/v1/namespaces/bench/configmaps/upd-${w}`,
          body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `upd-${w}`, resourceVersion: rvs[w] }, data: { blob, n: String(counter++) } }),
        }),
        (w, status, body) => {
          if (status === 200) rvs[w] = JSON.parse(body).metadata.resourceVersion;
        },
    );
    bare.close();

    // ---- watch delivery ----
    const startRv = JSON.parse((await send(agent, base, { method: 'GET', path: '/api/v1/namespaces/watch/configmaps' })).body).metadata.resourceVersion;
    const delays = new Float64Array(EVENTS * WATCHERS);
    const recvAt = new Float64Array(EVENTS * WATCHERS);
    const recvIndex = new Int32Array(EVENTS * WATCHERS);
    const ackAt = new Float64Array(EVENTS);
    let filled = 0;
    const counts = new Array<number>(WATCHERS).fill(0);
    const streams: http.ClientRequest[] = [];
    await Promise.all(
      Array.from(
        { length: WATCHERS },
        (_, i) =>
          new Promise<void>((resolve, reject) => {
            const r = http.get(`${srv.url}/api/v1/namespaces/watch/configmaps?watch=true&resourceVersion=${startRv}`, (res) => {
              let buf = '';
              res.setEncoding('utf8');
              res.on('data', (c: string) => {
                const now = performance.now();
                // scan with an index (no re-slicing of the remainder per line): the watcher is the
                // measuring tool and should cost as little as possible
                const text = buf + c;
                let start = 0;
                let nl;
                while ((nl = text.indexOf('\n', start)) >= 0) {
                  const at = text.indexOf('"t":"', start);
                  if (at >= 0 && at < nl) {
                    const sent = Number(text.slice(at + 5, text.indexOf('"', at + 5)));
                    const ix = text.indexOf('"name":"ev-', start);
                    recvIndex[filled] = Number(text.slice(ix + 11, text.indexOf('"', ix + 11)));
                    recvAt[filled] = now;
                    delays[filled++] = now - sent;
                    counts[i]++;
                  }
                  start = nl + 1;
                }
                buf = start < text.length ? text.slice(start) : '';
              });
              resolve();
            });
            r.on('error', reject);
            streams.push(r);
          }),
      ),
    );
    const wAgent = new http.Agent({ keepAlive: true, maxSockets: N });
    let next = 0;
    const tw = performance.now();
    await Promise.all(
      Array.from({ length: N }, async () => {
        while (next < EVENTS) {
          const i = next++;
          if (WRITE_RATE > 0) {
            const due = tw + (i * 1000) / WRITE_RATE;
            const wait = due - performance.now();
            if (wait > 1) await new Promise((r) => setTimeout(r, wait));
          }
          await send(wAgent, base, { method: 'POST', path: '/api/v1/namespaces/watch/configmaps', body: cm(`ev-${i}`, { t: String(performance.now()) }) });
          ackAt[i] = performance.now();
        }
      }),
    );
    const writeSeconds = (performance.now() - tw) / 1000;
    const deadline = Date.now() + 60_000;
    while (counts.some((c) => c < EVENTS) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const deliverSeconds = (performance.now() - tw) / 1000;
    for (const s of streams) s.destroy();
    wAgent.destroy();
    const sorted = delays.slice(0, filled).sort();
    const afterAck = new Float64Array(filled);
    for (let k = 0; k < filled; k++) afterAck[k] = Math.max(0, recvAt[k] - ackAt[recvIndex[k]]);
    afterAck.sort();
    // fan-out: how long after the first watcher got an event the others got it
    const first = new Float64Array(EVENTS).fill(Infinity);
    for (let k = 0; k < filled; k++) if (recvAt[k] < first[recvIndex[k]]) first[recvIndex[k]] = recvAt[k];
    const spread = new Float64Array(filled);
    for (let k = 0; k < filled; k++) spread[k] = recvAt[k] - first[recvIndex[k]];
    spread.sort();
    const watch = {
      delivered: filled,
      expected: EVENTS * WATCHERS,
      writeRate: EVENTS / writeSeconds,
      deliveryRate: filled / deliverSeconds,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      max: sorted[sorted.length - 1],
      ackP50: percentile(afterAck, 50),
      ackP99: percentile(afterAck, 99),
      spreadP50: percentile(spread, 50),
      spreadP99: percentile(spread, 99),
    };
    const bareRow: Result = {
      name: 'bare node:http, 1 KB JSON (ceiling; mean of its slices)',
      rps: bares.reduce((a, r) => a + r.rps, 0) / bares.length,
      p50: bares.reduce((a, r) => a + r.p50, 0) / bares.length,
      p99: bares.reduce((a, r) => a + r.p99, 0) / bares.length,
      count: 0,
      ratio: 1,
    };
    report([bareRow, ...results], watch);
  } finally {
    agent.destroy();
    await srv.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

function report(results: Result[], watch: { delivered: number; expected: number; writeRate: number; deliveryRate: number; p50: number; p99: number; max: number; ackP50: number; ackP99: number; spreadP50: number; spreadP99: number }) {
  const lines = [
    `Conditions: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? '?'}), Node ${process.version}, one process (load generator, watchers and server share it),`,
    `keep-alive http.Agent with N=${N} requests in flight, ${SECONDS} s per row in ${ROUNDS} slices alternating with the bare server ("vs bare" = median of the per-slice ratios);`,
    MEMORY ? 'in-memory store (--memory: writes not durable); objects ~1 KB.' : 'SQLite store (synchronous=FULL, group commit) in a temp dir; objects ~1 KB.',
    '',
    '| workload | req/s | p50 ms | p99 ms | vs bare |',
    '|---|---:|---:|---:|---:|',
    ...results.map((r) => `| ${r.name} | ${r.rps.toFixed(0)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${((r.ratio ?? 0) * 100).toFixed(0)}% |`),
    '',
    `Watch delivery: ${EVENTS.toLocaleString('en')} creates (N=${N} writers, ${WRITE_RATE > 0 ? `paced at ${WRITE_RATE}/s` : 'unpaced'}, ${watch.writeRate.toFixed(0)} writes/s) to ${WATCHERS} watchers: ` +
      `${watch.delivered.toLocaleString('en')}/${watch.expected.toLocaleString('en')} events delivered (${watch.deliveryRate.toFixed(0)} events/s); ` +
      `delay from sending the write to the watcher reading the event: p50 ${watch.p50.toFixed(1)} ms, p99 ${watch.p99.toFixed(1)} ms, max ${watch.max.toFixed(1)} ms; ` +
      `after the write was acknowledged to its client (0 when the event came first): p50 ${watch.ackP50.toFixed(1)} ms, p99 ${watch.ackP99.toFixed(1)} ms; ` +
      `after the first watcher got the same event (fan-out): p50 ${watch.spreadP50.toFixed(1)} ms, p99 ${watch.spreadP99.toFixed(1)} ms.`,
  ];
  console.log(lines.join('\n'));
}

await main();
