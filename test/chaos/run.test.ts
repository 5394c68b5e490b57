// A chaos run end to end on loopback: the scenario format, the recorder workload against an API
// server whose store fails some commits, a node partition, and the checkers finding nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import * as http from 'node:http';
import { Transform } from 'node:stream';
import type { Transport } from '../../src/client/index.ts';
import { Client } from '../../src/client/index.ts';
import { startApiServer } from '../../src/apiserver/index.ts';
import { MemoryStore } from '../../src/storage/memory.ts';
import { FaultyStore } from '../../src/storage/faulty.ts';
import { isLoopback, parseScenario, ScenarioError } from '../../src/chaos/scenario.ts';
import { formatReport, PARTITION_ANNOTATION, runScenario } from '../../src/chaos/run.ts';

test('parseScenario: defaults, a partition fault', () => {
  assert.deepEqual(parseScenario('{}'), { namespace: 'default', objects: 3, clients: 2, operations: 100, operationsPerSecond: 0, durationSeconds: 30, watchers: 2, deployments: 0, replicas: 2, convergenceSeconds: 60, faults: [] });
  const s = parseScenario('objects: 1\nfaults:\n  - partition: [node-0, node-1]\n    at: 1\n    for: 2.5\n');
  assert.deepEqual(s.faults, [{ kind: 'partition', nodes: ['node-0', 'node-1'], atSeconds: 1, forSeconds: 2.5 }]);
});

test('parseScenario: kill, proxy, storage and skew faults, a Deployment workload', () => {
  const s = parseScenario(
    'durationSeconds: 20\ndeployments: 2\nreplicas: 3\nrolloutAt: 4\nconvergenceSeconds: 90\nfaults:\n  - kill: scheduler\n    at: 1\n    for: 2\n  - kill: apiserver\n    signal: SIGTERM\n  - proxy: nodes\n    mode: latency\n    latencyMs: 50\n  - proxy: controller-manager\n  - storage: { commitLatencyMs: 20, failCommits: ENOSPC, failRate: 0.5, prefix: /registry/core/configmaps/ }\n  - skew: nodes\n    offsetMs: -120000\n    rate: 1.02\n',
  );
  assert.deepEqual([s.deployments, s.replicas, s.rolloutAtSeconds, s.convergenceSeconds], [2, 3, 4, 90]);
  assert.deepEqual(s.faults, [
    { kind: 'kill', component: 'scheduler', signal: 'SIGKILL', atSeconds: 1, forSeconds: 2 },
    { kind: 'kill', component: 'apiserver', signal: 'SIGTERM', atSeconds: 0, forSeconds: 0 },
    { kind: 'proxy', component: 'nodes', mode: 'latency', latencyMs: 50, atSeconds: 0, forSeconds: 0 },
    { kind: 'proxy', component: 'controller-manager', mode: 'blackhole', latencyMs: 0, atSeconds: 0, forSeconds: 0 },
    { kind: 'storage', faults: { commitLatencyMs: 20, failCommits: 'ENOSPC', failRate: 0.5, prefix: '/registry/core/configmaps/' }, atSeconds: 0, forSeconds: 0 },
    { kind: 'skew', component: 'nodes', offsetMs: -120000, rate: 1.02, atSeconds: 0, forSeconds: 0 },
  ]);
});

const bad: [string, RegExp][] = [
  ['- a', /must be a mapping/],
  ['objects: 0', /^objects: must be an integer from 1 to 100/],
  ['operations: 1000000', /^operations: must be an integer from 1 to 10000/],
  ['durationSeconds: 1.5', /^durationSeconds: must be an integer/],
  ['namespace: Bad_NS', /^namespace: must be a DNS-1123 label/],
  ['nodes: 3', /^nodes: unknown field/],
  ['faults: {}', /^faults: must be a list/],
  ['faults: [{ partition: [] }]', /^faults\[0\]\.partition: must be a non-empty list/],
  ['faults: [{ explode: scheduler }]', /^faults\[0\]\.explode: unknown field \(faults: partition, kill, proxy, storage, skew\)/],
  ['faults: [{ kill: etcd }]', /^faults\[0\]\.kill: must be one of apiserver, scheduler, controller-manager, nodes/],
  ['faults: [{ kill: scheduler, signal: SIGSTOP }]', /^faults\[0\]\.signal: must be one of SIGKILL, SIGTERM/],
  ['faults: [{ kill: scheduler, partition: [n] }]', /^faults\[0\]: must name exactly one fault/],
  ['faults: [{ kill: scheduler, mode: reset }]', /^faults\[0\]\.mode: unknown field \(a kill fault has at, for, signal\)/],
  ['faults: [{ proxy: apiserver }]', /^faults\[0\]\.proxy: must be one of scheduler, controller-manager, nodes/],
  ['faults: [{ proxy: nodes, mode: slow }]', /^faults\[0\]\.mode: must be one of blackhole, reset, latency/],
  ['faults: [{ proxy: nodes, mode: reset, latencyMs: 5 }]', /^faults\[0\]\.latencyMs: only with mode: latency/],
  ['faults: [{ storage: {} }]', /^faults\[0\]\.storage: names no fault/],
  ['faults: [{ storage: { failCommits: EPERM } }]', /^faults\[0\]\.storage\.failCommits: must be one of EIO, ENOSPC/],
  ['faults: [{ storage: { failRate: 2, failCommits: EIO } }]', /^faults\[0\]\.storage\.failRate: must be a number from 0 to 1/],
  ['faults: [{ storage: { slow: 1 } }]', /^faults\[0\]\.storage\.slow: unknown field/],
  ['faults: [{ skew: apiserver, offsetMs: 5 }]', /^faults\[0\]\.skew: must be one of scheduler, controller-manager, nodes/],
  ['faults: [{ skew: nodes }]', /^faults\[0\]: a skew fault needs offsetMs or rate/],
  ['faults: [{ skew: nodes, rate: 3 }]', /^faults\[0\]\.rate: must be a number from 0.5 to 2/],
  ['faults: [{ skew: nodes, offsetMs: 1e12 }]', /^faults\[0\]\.offsetMs: must be a number of milliseconds/],
  ['faults: [{ skew: nodes, rate: 1.1, mode: reset }]', /^faults\[0\]\.mode: unknown field \(a skew fault has at, for, offsetMs, rate\)/],
  ['rolloutAt: 3', /^rolloutAt: needs deployments/],
  ['deployments: 21', /^deployments: must be an integer from 0 to 20/],
  ['faults: [{ partition: [n], at: -1 }]', /^faults\[0\]\.at: must be a number of seconds/],
  ['durationSeconds: 5\nfaults: [{ partition: [n], at: 4, for: 2 }]', /^faults\[0\]: ends after durationSeconds \(5\)/],
  ['objects: [', /^not YAML/],
];
for (const [text, msg] of bad) {
  test(`parseScenario refuses ${JSON.stringify(text)}`, () => {
    assert.throws(() => parseScenario(text), (e: unknown) => e instanceof ScenarioError && msg.test(e.message));
  });
}

test('isLoopback', () => {
  const cases: [string, boolean][] = [['http://127.0.0.1:6443', true], ['https://localhost:1', true], ['http://[::1]:80', true], ['http://10.0.0.1:6443', false], ['https://example.com', false], ['nonsense', false]];
  for (const [url, want] of cases) assert.equal(isLoopback(url), want, url);
});

test('a run with failing commits and a partition: every check passes, faults are healed', async () => {
  const faulty = new FaultyStore(new MemoryStore());
  const srv = await startApiServer({ store: faulty });
  const client = new Client({ server: srv.url, qps: Infinity, timeoutMs: 10_000 });
  const nodes = client.resource({ group: '', version: 'v1', plural: 'nodes', namespaced: false, kind: 'Node' });
  try {
    await nodes.create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-0' } });
    const scenario = parseScenario('objects: 2\nclients: 3\noperations: 80\nwatchers: 2\ndurationSeconds: 20\nfaults:\n  - partition: [node-0]\n    at: 0.1\n    for: 0.3\n');
    // A third of the commits fail for a while (503, nothing written): outcomes the checkers must treat as unknown.
    const on = setTimeout(() => faulty.set({ failCommits: 'EIO', failRate: 0.3, prefix: '/registry/core/configmaps/' }), 100);
    const off = setTimeout(() => faulty.clear(), 600);
    const report = await runScenario(client, scenario, { runId: 'test' });
    clearTimeout(on);
    clearTimeout(off);
    faulty.clear();
    const text = formatReport(report);
    assert.equal(report.violations, 0, text);
    assert.ok(report.operations.ok > 50, text);
    assert.equal(report.lostWrites.lost, 0);
    assert.ok(report.lostWrites.acknowledged > 10, text);
    assert.equal(report.linearizability.objects, 2);
    assert.ok(!('skipped' in report.watch), text);
    assert.ok('delivered' in report.watch && report.watch.delivered > 10, text);
    assert.equal(report.faults.length, 1);
    assert.ok(report.durationMs >= 400, 'the run waits for the last fault to heal');
    assert.equal(report.faults[0].fault, 'partition node-0');
    assert.ok(report.faults[0].healedAt !== undefined && report.faults[0].error === undefined, text);
    assert.equal((await nodes.get('node-0')).metadata?.annotations?.[PARTITION_ANNOTATION], undefined);
    assert.match(text, /OK: no violations/);
  } finally {
    client.close();
    await srv.close();
  }
});

test('kubesim chaos run: prints the report, writes it as JSON, exit 0; refuses a bad scenario or a server off loopback with exit 2', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-chaos-'));
  const srv = await startApiServer({ dataDir: join(dir, 'data') });
  try {
    writeFileSync(join(dir, 's.yaml'), 'objects: 1\nclients: 2\noperations: 20\nwatchers: 1\ndurationSeconds: 10\n');
    writeFileSync(join(dir, 'bad.yaml'), 'objects: 0\n');
    const bin = join(import.meta.dirname, '../../bin/kubesim.js');
    // Not spawnSync: the API server runs in this process and must keep answering.
    const run = (scenario: string, kubeconfig = srv.kubeconfigPath!) =>
      new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
        const p = spawn(process.execPath, [bin, 'chaos', 'run', '--kubeconfig', kubeconfig, '--scenario', join(dir, scenario), '--report', join(dir, 'r.json')], { timeout: 60_000 });
        let stdout = '';
        let stderr = '';
        p.stdout.on('data', (d) => (stdout += d));
        p.stderr.on('data', (d) => (stderr += d));
        p.on('close', (status) => resolve({ status, stdout, stderr }));
      });
    const ok = await run('s.yaml');
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, /CHECK\s+VIOLATIONS/);
    assert.match(ok.stdout, /OK: no violations/);
    const report = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8'));
    assert.equal(report.violations, 0);
    assert.equal(report.linearizability.objects, 1);
    const refused = await run('bad.yaml');
    assert.equal(refused.status, 2);
    assert.match(refused.stderr, /objects: must be an integer from 1 to 100/);
    writeFileSync(join(dir, 'remote.kubeconfig'), readFileSync(srv.kubeconfigPath!, 'utf8').replace(/server: .*/, 'server: http://10.1.2.3:6443'));
    const remote = await run('s.yaml', join(dir, 'remote.kubeconfig'));
    assert.equal(remote.status, 2);
    assert.match(remote.stderr, /only against a loopback API server \(got http:\/\/10\.1\.2\.3:6443\)/);
  } finally {
    await srv.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A plain HTTP transport that drops the `nth` event line of the first watch whose path matches. */
function droppingTransport(base: string, match: RegExp, nth: number): Transport {
  let armed = true;
  return (req) =>
    new Promise((resolve, reject) => {
      const r = http.request(base + req.path, { method: req.method, headers: req.headers, signal: req.signal }, (res) => {
        if (!(armed && match.test(req.path))) return resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res });
        armed = false;
        let line = 0;
        let buf = '';
        const drop = new Transform({
          transform(chunk, _enc, cb) {
            buf += chunk.toString('utf8');
            let out = '';
            let nl: number;
            while ((nl = buf.indexOf('\n')) >= 0) {
              const l = buf.slice(0, nl + 1);
              buf = buf.slice(nl + 1);
              if (++line !== nth) out += l;
            }
            cb(null, out);
          },
        });
        res.pipe(drop);
        drop.on('close', () => res.destroy());
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: drop });
      });
      r.on('error', reject);
      r.end(req.body);
    });
}

test('a run catches an injected violation: a watcher that misses one event fails the watch check', async () => {
  const srv = await startApiServer({ store: new MemoryStore() });
  // watcher-0 watches with timeoutSeconds=3; the reference watch with 10: only watcher-0 loses its 4th event.
  const client = new Client({ server: srv.url, qps: Infinity, transport: droppingTransport(srv.url, /^(?=.*\/configmaps)(?=.*watch=true)(?=.*timeoutSeconds=3(&|$))/, 4) });
  try {
    const report = await runScenario(client, parseScenario('objects: 2\nclients: 2\noperations: 40\nwatchers: 2\ndurationSeconds: 20\n'), { runId: 'drop' });
    const text = formatReport(report);
    assert.ok(!('skipped' in report.watch), text);
    assert.ok('dropped' in report.watch && report.watch.dropped === 1, text);
    assert.equal(report.violations, 1, text);
    assert.equal(report.lostWrites.lost, 0);
    assert.match(text, /watcher-0 session 0: missed (ADDED|MODIFIED) default\/chaos-drop-\d at \d+/);
    assert.match(text, /FAIL: 1 violations/);
  } finally {
    client.close();
    await srv.close();
  }
});
