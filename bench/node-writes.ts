// Node pool write amplification: how many writes the simulated kubelets send per pod and per node.
//
//   node --import tsx bench/node-writes.ts [--nodes 100] [--pods 1000] [--steady 30] [--pull 1s] [--no-events]
//
// One process: an in-memory API server, the node pool, and a driver creating pre-bound pods (64 in
// flight). Counted on the API server's side (every request through its audit-free handler, by verb and
// resource) and from the pool's own counters. Phase 1: pods created → all Running+Ready (startup
// writes). Phase 2: `--steady` seconds with nothing changing (heartbeats only): Kubernetes' kubelet
// writes its Lease every 10 s and its NodeStatus only on change or every 5 minutes.
import pino from 'pino';
import { startApiServer } from '../src/apiserver/index.ts';
import { Client } from '../src/client/index.ts';
import { startNodePool } from '../src/node/index.ts';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
}

const NODES = Number(arg('nodes', '100'));
const PODS = Number(arg('pods', '1000'));
const STEADY_S = Number(arg('steady', '30'));
const PODS_REF = { group: '', version: 'v1', plural: 'pods', namespaced: true, kind: 'Pod' };

const api = await startApiServer({ port: 0, logger: pino({ level: 'warn' }) });
// Count requests by verb and resource on the server side.
const counts = new Map<string, number>();
api.server.prependListener('request', (req) => {
  const url = req.url ?? '';
  if (/[?&]watch=(true|1)/.test(url)) return;
  const m = /\/(pods|nodes|leases|events)(\/[^/?]+)?(\/status)?/.exec(url);
  if (!m) return;
  const key = `${req.method} ${m[1]}${m[3] ?? ''}`;
  counts.set(key, (counts.get(key) ?? 0) + 1);
});
const snapshot = () => new Map(counts);
const diff = (a: Map<string, number>, b: Map<string, number>) => {
  const out: Record<string, number> = {};
  for (const [k, v] of b) if (v - (a.get(k) ?? 0) > 0) out[k] = v - (a.get(k) ?? 0);
  return out;
};

const client = new Client({ server: api.url, qps: 0, maxSockets: 100 });
const pool = await startNodePool({
  client,
  count: NODES,
  events: !process.argv.includes('--no-events'),
  timings: { pullMs: arg('pull', '1s') },
  logger: pino({ level: 'warn' }),
});
const driver = new Client({ server: api.url, qps: 0, maxSockets: 64 });
const pods = driver.resource(PODS_REF);
let ready = 0;
const watch = await pods.watch({ namespace: 'bench' });
const readySeen = new Set<string>();
const allReady = (async () => {
  for await (const ev of watch) {
    const o: any = ev.object;
    if (ev.type === 'BOOKMARK' || ev.type === 'ERROR') continue;
    if (o.status?.phase === 'Running' && o.status.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True') && !readySeen.has(o.metadata.name)) {
      readySeen.add(o.metadata.name);
      if (++ready === PODS) return;
    }
  }
})();
await driver.resource({ group: '', version: 'v1', plural: 'namespaces', namespaced: false, kind: 'Namespace' }).create({ metadata: { name: 'bench' } });

const s0 = snapshot();
const t0 = Date.now();
let next = 0;
await Promise.all(
  Array.from({ length: 64 }, async () => {
    while (next < PODS) {
      const i = next++;
      await pods.create({
        metadata: { name: `p${i}`, namespace: 'bench' },
        spec: { nodeName: pool.nodes[i % NODES], containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.9' }] },
      });
    }
  }),
);
await allReady;
const startupS = (Date.now() - t0) / 1000;
// Let the last status writes and events land before the steady window.
await pool.state.writer.idle();
const s1 = snapshot();
const t1 = Date.now();
await new Promise((r) => setTimeout(r, STEADY_S * 1000));
const s2 = snapshot();
const steadyMin = (Date.now() - t1) / 60_000;

const startup = diff(s0, s1);
const steady = diff(s1, s2);
const perPod = (k: string) => ((startup[k] ?? 0) / PODS).toFixed(2);
const perNodeMin = (k: string) => ((steady[k] ?? 0) / NODES / steadyMin).toFixed(2);
console.log(`nodes ${NODES}, pods ${PODS}, all Running+Ready in ${startupS.toFixed(1)} s`);
console.log(`startup, per pod: status writes ${perPod('PUT pods/status')} (PATCH ${perPod('PATCH pods/status')}), event creates ${perPod('POST events')}, event patches ${perPod('PATCH events')}`);
console.log(`steady ${STEADY_S} s, per node per minute: Lease ${perNodeMin('PUT leases')}, NodeStatus ${(((steady['PUT nodes/status'] ?? 0) + (steady['PATCH nodes/status'] ?? 0)) / NODES / steadyMin).toFixed(2)}, pod status ${perNodeMin('PUT pods/status')}, events ${perNodeMin('POST events')}`);
console.log('startup requests', JSON.stringify(startup));
console.log('steady requests', JSON.stringify(steady));
watch.close();
await pool.stop();
client.close();
driver.close();
await api.close();
process.exit(0);
