// API Priority and Fairness under a flood (issue 14's done-when run): user alice sends LISTs as fast
// as she can (20,000 or 20 s, 400 in flight) while user bob GETs one object in a loop; prints how
// many of alice's requests got 429, the Retry-After values seen, the server's rejection reasons and
// bob's GET p50/p99. Three processes, so that neither load generator shares the server's event loop:
// the API server (--role server), alice's flood (--role flood) and this one (bob, the report).
//
//   node --import tsx bench/apf.ts [--seconds 20] [--lists 20000] [--concurrency 400]
//        [--max-requests-inflight 4] [--max-mutating-requests-inflight 2] [--objects 100]
//        [--level tenants|global-default] [--work-ms 5]
//
// --work-ms: every request spends this long in an authorizer that only waits (a stand-in for a
// webhook authorizer or remote storage). Without it kubesim's single-threaded server answers each
// cached LIST before it reads the next request: nothing is ever concurrent, so nothing queues, and
// the event loop is the only queue (0 shows that).
//
// The default is a small-limit configuration that overflows on a 2-core machine: 6 seats in all and
// a `tenants` level (FlowSchema for alice and bob, ByUser; 30 shares → 1 seat; 16 queues, hand 2,
// queue length 10, so alice can hold ~20 queued requests). `--level global-default` leaves
// Kubernetes' bootstrap configuration alone (alice and bob are two flows of global-default, whose
// hand of 6 queues of 50 lets alice queue 300: a 429 needs more than that in flight at the server);
// add --max-requests-inflight 400 --max-mutating-requests-inflight 200 for Kubernetes' limits.
import http from 'node:http';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import { arg } from './util.ts';

const SELF = fileURLToPath(import.meta.url);
const role = arg('role', 'report');
const TOKENS: Record<string, { username: string; groups: string[] }> = {
  admin: { username: 'admin', groups: ['system:masters', 'system:authenticated'] },
  alice: { username: 'alice', groups: ['system:authenticated'] },
  bob: { username: 'bob', groups: ['system:authenticated'] },
};
const auth = (who: string) => ({ Authorization: `Bearer ${who}` });

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN;
}

function request(agent: http.Agent, url: string, method: string, headers: Record<string, string>, body?: string, onSocket?: (s: import('node:net').Socket) => void): Promise<{ status: number; headers: http.IncomingHttpHeaders; ms: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const r = http.request(url, { method, agent, headers: body ? { ...headers, 'Content-Type': 'application/json' } : headers }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, ms: performance.now() - t0 }));
    });
    r.on('error', reject);
    if (onSocket) r.once('socket', onSocket);
    r.end(body);
  });
}

async function serve(): Promise<void> {
  const workMs = Number(arg('work-ms', '5'));
  const { startApiServer } = await import('../src/apiserver/index.ts');
  const server = await startApiServer({
    enablePriorityAndFairness: true,
    maxRequestsInflight: Number(arg('max-requests-inflight', '4')),
    maxMutatingRequestsInflight: Number(arg('max-mutating-requests-inflight', '2')),
    pipeline: {
      authenticators: [{ name: 'bench-tokens', authenticate: (req) => TOKENS[(req.headers.authorization ?? '').replace(/^Bearer /, '')] }],
      authorizers: [
        {
          name: 'bench-work',
          authorize: async () => {
            if (workMs > 0) await new Promise((r) => setTimeout(r, workMs));
            return 'allow' as const;
          },
        },
      ],
    },
  });
  console.log(JSON.stringify({ url: server.url }));
  // The server's event loop: every stall longer than 20 ms (when, how long), for the report to set
  // beside bob's slow GETs (a blocked loop delays every request, whatever APF decides).
  let last = performance.now();
  setInterval(() => {
    const now = performance.now();
    if (now - last > 25) console.log(JSON.stringify({ stall: [Date.now() - (now - last), now - last - 5] }));
    last = now;
  }, 5).unref();
  process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
}

async function flood(): Promise<void> {
  const url = arg('url', '');
  const deadline = performance.now() + Number(arg('seconds', '20')) * 1000;
  const max = Number(arg('lists', '20000'));
  const concurrency = Number(arg('concurrency', '400'));
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  let sent = 0;
  const codes: Record<string, number> = {};
  const retryAfter: Record<string, number> = {};
  // How long alice's new connections took to be accepted (~1 s = a dropped SYN retransmitted).
  const connectMs: number[] = [];
  const onSocket = (s: import('node:net').Socket) => {
    if (!s.connecting) return;
    const c0 = performance.now();
    s.once('connect', () => connectMs.push(performance.now() - c0));
  };
  const startedAt = Date.now();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (sent < max && performance.now() < deadline) {
        sent++;
        const r = await request(agent, `${url}/api/v1/namespaces/flood/configmaps`, 'GET', auth('alice'), undefined, onSocket).catch(() => ({ status: 0, headers: {} as http.IncomingHttpHeaders, ms: 0 }));
        codes[r.status] = (codes[r.status] ?? 0) + 1;
        if (r.status === 429) {
          const ra = String(r.headers['retry-after'] ?? '(none)');
          retryAfter[ra] = (retryAfter[ra] ?? 0) + 1;
        }
      }
    }),
  );
  agent.destroy();
  connectMs.sort((a, b) => a - b);
  console.log(JSON.stringify({ sent, codes, retryAfter, seconds: (performance.now() - t0) / 1000, startedAt, connections: connectMs.length, connectMaxMs: connectMs.at(-1) ?? 0, connectP50Ms: percentile(connectMs, 50) }));
}

function start(args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', SELF, ...args], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, KUBESIM_LOG_LEVEL: 'warn' } });
}

/** The first JSON line a child prints. */
function firstJson(child: ChildProcess): Promise<any> {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: child.stdout! });
    rl.on('line', (l) => {
      if (!l.startsWith('{') || l.includes('"level"')) return;
      rl.close();
      resolve(JSON.parse(l));
    });
    child.once('exit', (code) => reject(new Error(`child exited (${code}) before reporting`)));
  });
}

async function report(): Promise<void> {
  const passthrough = ['max-requests-inflight', 'max-mutating-requests-inflight', 'work-ms'].flatMap((f) => [`--${f}`, arg(f, { 'max-requests-inflight': '4', 'max-mutating-requests-inflight': '2', 'work-ms': '5' }[f]!)]);
  const load0 = os.loadavg();
  const server = start(['--role', 'server', ...passthrough]);
  const stalls: [number, number][] = [];
  try {
    const { url } = await firstJson(server);
    createInterface({ input: server.stdout! }).on('line', (l) => {
      if (l.startsWith('{"stall"')) stalls.push(JSON.parse(l).stall);
    });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
    const objects = Number(arg('objects', '100'));
    await request(agent, `${url}/api/v1/namespaces`, 'POST', auth('admin'), JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'flood' } }));
    const blob = 'x'.repeat(500);
    for (let i = 0; i < objects; i++) await request(agent, `${url}/api/v1/namespaces/flood/configmaps`, 'POST', auth('admin'), JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}` }, data: { blob } }));
    await request(agent, `${url}/api/v1/namespaces/default/configmaps`, 'POST', auth('admin'), JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'bobs' }, data: { a: 'b' } }));
    const level = arg('level', 'tenants');
    if (level === 'tenants') {
      const fc = `${url}/apis/flowcontrol.apiserver.k8s.io/v1`;
      const pl = await request(agent, `${fc}/prioritylevelconfigurations`, 'POST', auth('admin'), JSON.stringify({ apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'PriorityLevelConfiguration', metadata: { name: 'tenants' }, spec: { type: 'Limited', limited: { nominalConcurrencyShares: 30, limitResponse: { type: 'Queue', queuing: { queues: 16, handSize: 2, queueLengthLimit: 10 } } } } }));
      const fs = await request(agent, `${fc}/flowschemas`, 'POST', auth('admin'), JSON.stringify({
        apiVersion: 'flowcontrol.apiserver.k8s.io/v1',
        kind: 'FlowSchema',
        metadata: { name: 'tenants' },
        spec: { priorityLevelConfiguration: { name: 'tenants' }, matchingPrecedence: 1000, distinguisherMethod: { type: 'ByUser' }, rules: [{ subjects: ['alice', 'bob'].map((name) => ({ kind: 'User', user: { name } })), resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'], namespaces: ['*'], clusterScope: true }] }] },
      }));
      if (pl.status !== 201 || fs.status !== 201) throw new Error(`creating the tenants level: ${pl.status}, ${fs.status}`);
    }

    const flooder = start(['--role', 'flood', '--url', url, ...['seconds', 'lists', 'concurrency'].flatMap((f) => [`--${f}`, arg(f, { seconds: '20', lists: '20000', concurrency: '400' }[f]!)])]);
    const flooded = firstJson(flooder);
    let done = false;
    void flooded.finally(() => (done = true));
    const bob: number[] = [];
    const bobAt: { sent: number; ms: number }[] = [];
    const bobCodes: Record<string, number> = {};
    const bobAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    await request(bobAgent, `${url}/api/v1/namespaces/default/configmaps/bobs`, 'GET', auth('bob'));
    while (!done) {
      const r = await request(bobAgent, `${url}/api/v1/namespaces/default/configmaps/bobs`, 'GET', auth('bob'));
      bob.push(r.ms);
      bobAt.push({ sent: Date.now() - r.ms, ms: r.ms });
      bobCodes[r.status] = (bobCodes[r.status] ?? 0) + 1;
    }
    const f = await flooded;
    const metrics = await new Promise<string>((resolve) => http.get(`${url}/metrics`, { headers: auth('admin') }, (res) => {
      let s = '';
      res.on('data', (d) => (s += d)).on('end', () => resolve(s));
    }));
    const rejected = metrics.split('\n').filter((l) => l.startsWith('apiserver_flowcontrol_rejected_requests_total'));
    bob.sort((a, b) => a - b);
    // Bob's slowest GETs, when they were sent (s after alice's first LIST; negative = before it), and
    // how long the server's event loop stood still while each was out.
    const stalled = (from: number, to: number) => stalls.reduce((sum, [at, ms]) => sum + Math.max(0, Math.min(to, at + ms) - Math.max(from, at)), 0);
    const slowest = bobAt.sort((a, b) => b.ms - a.ms).slice(0, 3).map((x) => `${x.ms.toFixed(0)} ms at ${((x.sent - f.startedAt) / 1000).toFixed(2)} s (server loop stalled ${stalled(x.sent, x.sent + x.ms).toFixed(0)} ms of it)`);
    const during = stalls.filter(([at]) => at >= f.startedAt - 100);
    const worst = during.reduce((w, s) => (s[1] > w[1] ? s : w), [0, 0]);
    console.log(`limits: --max-requests-inflight ${passthrough[1]} --max-mutating-requests-inflight ${passthrough[3]}, level ${arg('level', 'tenants')}, work ${passthrough[5]} ms; alice: ${f.sent} LISTs in ${f.seconds.toFixed(1)} s, ${arg('concurrency', '400')} in flight`);
    console.log(`alice answers by code: ${JSON.stringify(f.codes)}; 429s: ${f.codes['429'] ?? 0}; Retry-After seen: ${JSON.stringify(f.retryAfter)}`);
    console.log(`server rejections: ${rejected.length ? rejected.join('; ') : 'none'}`);
    console.log(`conditions: node ${process.version}, ${os.cpus().length} cores, load average ${load0.map((x) => x.toFixed(2)).join(' ')} at start, ${os.loadavg().map((x) => x.toFixed(2)).join(' ')} at the end; alice (own process, ${f.connections} connections, connect p50 ${f.connectP50Ms.toFixed(1)} ms, max ${f.connectMaxMs.toFixed(0)} ms) and bob (this process, one keep-alive connection) over plain HTTP`);
    console.log(`server event loop during the flood: ${during.length} stalls over 20 ms, ${during.reduce((s, x) => s + x[1], 0).toFixed(0)} ms in all, longest ${worst[1].toFixed(0)} ms at ${((worst[0] - f.startedAt) / 1000).toFixed(2)} s`);
    console.log(`bob: ${bob.length} GETs ${JSON.stringify(bobCodes)}, p50 ${percentile(bob, 50).toFixed(1)} ms, p99 ${percentile(bob, 99).toFixed(1)} ms; slowest (sent at s after alice's first LIST): ${slowest.join(', ')}`);
    bobAgent.destroy();
    agent.destroy();
  } finally {
    server.kill('SIGTERM');
  }
}

if (role === 'server') await serve();
else if (role === 'flood') await flood();
else await report();
