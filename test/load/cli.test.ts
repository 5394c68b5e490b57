// `kubesim load` end to end: the three profiles against a `kubesim up` child process (its own
// kubeconfig, whatever security it has), each writing a JSON report, printing the SLO table and
// deleting the namespaces it created.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { up, type UpCluster } from '../e2e/harness.ts';
import { eventually } from '../helpers/eventually.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
let cluster: UpCluster;
let dir: string;

before(async () => {
  cluster = await up(['--nodes', '3']);
  dir = mkdtempSync(join(tmpdir(), 'kubesim-load-'));
  await eventually(async () => {
    const nodes = await cluster.client.request<any>({ path: '/api/v1/nodes' });
    return nodes.items.filter((n: any) => n.status?.conditions?.some((c: any) => c.type === 'Ready' && c.status === 'True')).length === 3;
  }, '3 nodes Ready', 60_000, 200);
});

after(async () => {
  await cluster?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function load(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res) => {
    execFile(process.execPath, [join(root, 'bin/kubesim.js'), 'load', '--kubeconfig', cluster.kubeconfig, ...args], { cwd: root, timeout: 240_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) =>
      res({ code: err ? ((err as any).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

async function leftover(prefix: string): Promise<string[]> {
  const ns = await cluster.client.request<any>({ path: '/api/v1/namespaces' });
  return ns.items.map((n: any) => n.metadata.name).filter((n: string) => n.startsWith(prefix));
}

const sane = (r: { count: number; p50Ms: number; p90Ms: number; p99Ms: number }) => r.count > 0 && r.p50Ms >= 0 && r.p50Ms <= r.p90Ms && r.p90Ms <= r.p99Ms && r.p99Ms < 60_000;

test('load profile: the clusterloader2 mix at 20 qps for 5 s, client and server rows, SLO table', async () => {
  const report = join(dir, 'load.json');
  // No --fail-on-slo: whether a loaded CI machine meets the SLOs is a benchmark's question, not this test's.
  const r = await load(['--profile', 'load', '--qps', '20', '--duration', '5s', '--namespace-prefix', 'lt-load', '--report', report]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /SLO\s+SOURCE\s+THRESHOLD\s+MEASURED\s+WORST\s+RESULT/);
  assert.match(r.stdout, /mutating API calls, single object: p99 ≤ 1s\s+client\s+1\.00s\s+\S+\s+.*(PASS|FAIL)/);
  assert.match(r.stderr, /\[load\] \d+s\s+calls \d+/, 'a progress line');
  const rep = JSON.parse(readFileSync(report, 'utf8'));
  assert.equal(rep.profile, 'load');
  assert.ok(rep.calls.issued >= 60 && rep.calls.issued <= 130, `about 100 calls in 5 s at 20 qps: ${rep.calls.issued}`);
  const kinds = new Set(rep.requests.client.map((x: any) => `${x.verb} ${x.resource} ${x.scope}`));
  for (const k of ['POST deployments resource', 'POST configmaps resource', 'POST secrets resource', 'POST services resource', 'GET configmaps resource', 'LIST configmaps namespace', 'LIST configmaps cluster', 'PATCH deployments resource']) assert.ok(kinds.has(k), `client row ${k}: ${[...kinds].join(', ')}`);
  assert.ok(rep.requests.client.every(sane), JSON.stringify(rep.requests.client));
  assert.ok(rep.requests.server?.length > 0, 'server rows from /metrics');
  assert.ok(rep.requests.server.some((x: any) => x.verb === 'POST' && x.resource === 'configmaps' && x.scope === 'resource' && sane(x)));
  const slos = rep.slos.map((s: any) => `${s.source} ${s.slo}`);
  for (const s of ['client mutating', 'server mutating', 'client read-only', 'client LIST in a namespace', 'client LIST of the cluster']) assert.ok(slos.some((x: string) => x.startsWith(s)), s);
  assert.ok(rep.slos.every((s: any) => ['PASS', 'FAIL', 'NO DATA'].includes(s.status)));
  assert.deepEqual(rep.cleanup.remaining, []);
  assert.deepEqual(await leftover('lt-load-'), []);
});

test('density profile: 3 nodes × 2 pods Ready, pod startup and scheduling throughput measured', async () => {
  const report = join(dir, 'density.json');
  const r = await load(['--profile', 'density', '--nodes', '3', '--pods-per-node', '2', '--duration', '120s', '--namespace-prefix', 'lt-density', '--report', report]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /pod startup, created → running, containers started: p99 ≤ 5s\s+watch/);
  const rep = JSON.parse(readFileSync(report, 'utf8'));
  assert.deepEqual(rep.density, { targetPods: 6, readyPods: 6, timedOut: false });
  assert.equal(rep.podStartup.pods, 6);
  for (const k of ['createdToScheduled', 'createdToRunning', 'createdToReady']) assert.equal(rep.podStartup[k].count, 6, k);
  assert.ok(rep.podStartup.createdToReady.p99Ms > 0 && rep.podStartup.createdToReady.p99Ms < 60_000);
  assert.ok(rep.podStartup.createdToRunning.p50Ms <= rep.podStartup.createdToReady.p50Ms);
  assert.equal(rep.scheduling.pods, 6);
  assert.ok(rep.scheduling.podsPerSecond > 0);
  assert.deepEqual(await leftover('lt-density-'), []);
});

test('churn profile: pods created and deleted at 10 qps for 3 s', async () => {
  const report = join(dir, 'churn.json');
  const r = await load(['--profile', 'churn', '--qps', '10', '--duration', '3s', '--namespace-prefix', 'lt-churn', '--report', report]);
  assert.equal(r.code, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /SLOs:/);
  const rep = JSON.parse(readFileSync(report, 'utf8'));
  const verbs = new Set(rep.requests.client.filter((x: any) => x.resource === 'pods').map((x: any) => x.verb));
  assert.ok(verbs.has('POST') && verbs.has('DELETE'), [...verbs].join());
  assert.ok(rep.podStartup.pods >= 10, `pods ${rep.podStartup.pods}`);
  assert.deepEqual(await leftover('lt-churn-'), []);
});

test('density past its deadline: timed out, not passed, exit 1 with --fail-on-slo, still cleaned up', async () => {
  const report = join(dir, 'density-timeout.json');
  const r = await load(['--profile', 'density', '--nodes', '3', '--pods-per-node', '1', '--duration', '1ms', '--namespace-prefix', 'lt-dto', '--report', report, '--fail-on-slo']);
  assert.equal(r.code, 1, r.stderr + r.stdout);
  assert.match(r.stdout, /not every pod was Ready by the deadline/);
  const rep = JSON.parse(readFileSync(report, 'utf8'));
  assert.equal(rep.density.timedOut, true);
  assert.equal(rep.passed, false);
  assert.deepEqual(await leftover('lt-dto-'), []);
});

test('bad flags are usage errors (exit 2), nothing created', async () => {
  const r = await load(['--profile', 'soak']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--profile must be one of density, load, churn/);
});

test('Ctrl-C stops the run, still reports, and deletes what it created', async () => {
  const { spawn } = await import('node:child_process');
  const report = join(dir, 'interrupted.json');
  const child = spawn(process.execPath, [join(root, 'bin/kubesim.js'), 'load', '--kubeconfig', cluster.kubeconfig, '--profile', 'load', '--qps', '10', '--duration', '10m', '--namespace-prefix', 'lt-int', '--report', report], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (d) => (stderr += d));
  child.stdout.on('data', (d) => (stdout += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  await eventually(() => /\[load\] \d+s\s+calls [1-9]/.test(stderr), 'the run under way', 60_000, 100);
  child.kill('SIGINT');
  assert.equal(await exited, 130, stderr);
  assert.match(stdout, /SLOs:/);
  const rep = JSON.parse(readFileSync(report, 'utf8'));
  assert.equal(rep.interrupted, true);
  assert.ok(rep.elapsedSeconds < 120);
  assert.deepEqual(rep.cleanup.remaining, []);
  assert.deepEqual(await leftover('lt-int-'), []);
});
