// Watch fan-out: the API server's CPU per event delivered to many watchers of one resource.
//
//   node --import tsx bench/watch-fanout.ts [--watchers 100] [--events 5000] [--modes json,sse,label,0]
//
// One process, in-memory store. For each mode, `--watchers` raw HTTP watches on pods of a fresh
// namespace (the client side only counts newlines, so its cost is small and the same in every
// mode), then `--events` pod creates (16 in flight) and the wait until every watcher has every
// event. CPU is the process's user+system time over that phase; mode "0" (no watchers) is the cost
// of the creates alone, so "fan-out CPU" = mode − 0. Modes: json (plain watch), sse
// (Accept: text/event-stream), label (labelSelector matching every pod), table (Accept: Table).
// Compare ratios within one run: the machine is shared.
import http from 'node:http';
import pino from 'pino';
import { startApiServer } from '../src/apiserver/index.ts';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
}
const WATCHERS = Number(arg('watchers', '100'));
const EVENTS = Number(arg('events', '5000'));
const MODES = arg('modes', '0,0,json,sse,label').split(','); // the first "0" warms the JIT; the last one is the base

const api = await startApiServer({ port: 0, logger: pino({ level: 'warn' }) });
const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });

function request(method: string, path: string, body?: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    const data = body ? JSON.stringify(body) : undefined;
    const req = http.request(`${api.url}${path}`, { method, agent, headers: data ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) } : {} }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(data);
  });
}

/** A watch that counts its events (lines; SSE messages end with a blank line). */
function watcher(ns: string, mode: string): { seen: () => number; close: () => void; ready: Promise<void> } {
  const query = mode === 'label' ? '&labelSelector=app%3Dbench' : '';
  const accept = mode === 'sse' ? 'text/event-stream' : mode === 'table' ? 'application/json;as=Table;v=v1;g=meta.k8s.io' : 'application/json';
  const sep = mode === 'sse' ? '\n\n' : '\n';
  let seen = 0;
  let tail = '';
  let req: http.ClientRequest;
  const ready = new Promise<void>((resolve, reject) => {
    req = http.get(`${api.url}/api/v1/namespaces/${ns}/pods?watch=true${query}`, { headers: { Accept: accept } }, (res) => {
      resolve();
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        const text = tail + chunk;
        let i = 0;
        for (let j = text.indexOf(sep, i); j >= 0; j = text.indexOf(sep, i)) {
          if (!text.startsWith(':', i)) seen++; // SSE keepalive comments are not events
          i = j + sep.length;
        }
        tail = text.slice(i);
      });
      res.on('error', () => {});
    });
    req.on('error', reject);
  });
  return { seen: () => seen, close: () => req.destroy(), ready };
}

async function run(mode: string): Promise<{ cpuMs: number; wallMs: number }> {
  const ns = `fan-${mode}-${Date.now().toString(36)}`;
  await request('POST', '/api/v1/namespaces', { metadata: { name: ns } });
  const ws = mode === '0' ? [] : Array.from({ length: WATCHERS }, () => watcher(ns, mode));
  await Promise.all(ws.map((w) => w.ready));
  const c0 = process.cpuUsage();
  const t0 = Date.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < EVENTS) {
        const i = next++;
        const code = await request('POST', `/api/v1/namespaces/${ns}/pods`, {
          metadata: { name: `p${i}`, labels: { app: 'bench' } },
          spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.9', resources: { requests: { cpu: '10m', memory: '16Mi' } } }] },
        });
        if (code !== 201) throw new Error(`create: ${code}`);
      }
    }),
  );
  while (ws.some((w) => w.seen() < EVENTS)) await new Promise((r) => setTimeout(r, 5));
  const c = process.cpuUsage(c0);
  const wallMs = Date.now() - t0;
  for (const w of ws) w.close();
  return { cpuMs: (c.user + c.system) / 1000, wallMs };
}

const results: Record<string, { cpuMs: number; wallMs: number }> = {};
for (const m of MODES) {
  results[m] = await run(m);
  console.log(`${m.padEnd(6)} cpu ${results[m].cpuMs.toFixed(0).padStart(6)} ms  wall ${results[m].wallMs.toFixed(0).padStart(6)} ms`);
}
const base = results['0']?.cpuMs;
if (base !== undefined) {
  for (const m of MODES.filter((x) => x !== '0')) {
    const fan = results[m].cpuMs - base;
    console.log(`${m.padEnd(6)} fan-out cpu ${fan.toFixed(0)} ms = ${((fan * 1000) / (EVENTS * WATCHERS)).toFixed(2)} µs per delivery${results.json && m !== 'json' ? `, ${(fan / (results.json.cpuMs - base)).toFixed(2)}× json` : ''}`);
  }
}
agent.destroy();
await api.close();
process.exit(0);
