// `kubesim chaos run --processes`: the components as processes, each through its fault proxy; a
// Deployment rolls out while the scheduler is killed (-9) and restarted, the API server is killed
// (-9) and restarted on the same data dir, the node pool's link is slowed, the
// controller-manager's blackholed, ConfigMap commits fail with EIO (the API server's storage
// faults file); the node pool runs 2 minutes behind. Every check is green; every process is gone afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alive } from '../helpers/process.ts';

const bin = join(import.meta.dirname, '../../bin/kubesim.js');

function run(args: string[], timeoutMs = 240_000) {
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const p = spawn(process.execPath, [bin, ...args], { timeout: timeoutMs, env: { ...process.env, KUBESIM_LOG_LEVEL: 'warn' } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

test('a rollout while the scheduler and the API server are killed and restarted: all checks green', { timeout: 300_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-chaos-proc-'));
  try {
    const scenario = join(import.meta.dirname, '../../examples/chaos/rollout-under-kills.yaml');
    const r = await run(['chaos', 'run', '--processes', '--nodes', '2', '--data-dir', join(dir, 'data'), '--scenario', scenario, '--report', join(dir, 'r.json')]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const report = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8'));
    assert.equal(report.violations, 0, r.stdout);
    assert.deepEqual(report.faults.map((f: { fault: string }) => f.fault), ['proxy nodes latency 100ms', 'kill -9 scheduler', 'kill -9 apiserver', 'proxy controller-manager blackhole', 'storage EIO 30% /registry/core/configmaps/']);
    for (const f of report.faults) assert.ok(f.healedAt !== undefined && f.error === undefined, r.stdout);
    // The restarted scheduler is a new identity: it took the Lease over only after the old term ran out.
    assert.ok(report.leaders.transitions >= 1, r.stdout);
    assert.equal(report.leaders.violations.length, 0);
    assert.deepEqual(report.leaders.noLeader, [], 'both leaders are back after the faults');
    assert.equal(report.convergence.converged, 2, r.stdout);
    assert.equal(report.convergence.rolledOut, true, r.stdout);
    assert.equal(report.lostWrites.lost, 0);
    assert.ok(report.operations.unknown + report.operations.fail > 0, 'the API server restart cut some requests');
    // The watch check spans the restart: the store's order read from the data dir while the API
    // server was down; a resume from before the restart is answered 410 and the relist must match the store.
    assert.ok(!('skipped' in report.watch), r.stdout);
    assert.equal(report.watch.badRelists + report.watch.dropped, 0, r.stdout);
    assert.match(r.stdout, /kill -9 apiserver/);
    // The storage fault reached the API server process: 503s while it was on, none left after.
    const storage = report.faults.find((f: { fault: string }) => f.fault.startsWith('storage'));
    assert.ok(storage.detectedAfterMs !== undefined, r.stdout);
    assert.equal(readFileSync(join(dir, 'data', 'chaos', 'storage-faults.json'), 'utf8').trim(), '{}');
    assert.match(r.stdout, /OK: no violations/);
    // Every process it started is gone (D/chaos/pids lists them): 4 at the start, the 2 restarted.
    const pids = readFileSync(join(dir, 'data', 'chaos', 'pids'), 'utf8').trim().split('\n').map((l) => Number(l.split(' ')[1]));
    assert.equal(pids.length, 6);
    for (const pid of pids) assert.equal(alive(pid), false, `pid ${pid} still running`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the node pool killed -9 and run 2 minutes behind, the controller-manager stopped and killed, the scheduler reset: all checks green', { timeout: 300_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-chaos-proc-'));
  try {
    const scenario = join(import.meta.dirname, '../../examples/chaos/component-kills.yaml');
    const r = await run(['chaos', 'run', '--processes', '--nodes', '2', '--data-dir', join(dir, 'data'), '--scenario', scenario, '--report', join(dir, 'r.json')]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const report = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8'));
    assert.equal(report.violations, 0, r.stdout);
    assert.deepEqual(report.faults.map((f: { fault: string }) => f.fault), ['kill -9 nodes', 'proxy scheduler reset', 'skew nodes -120s rate 1.02', 'kill controller-manager', 'kill -9 controller-manager']);
    for (const f of report.faults) assert.ok(f.healedAt !== undefined && f.error === undefined, r.stdout);
    assert.deepEqual(report.leaders.noLeader, [], r.stdout);
    assert.equal(report.convergence.converged, 2, r.stdout);
    assert.equal(report.convergence.orphanedPods, 0);
    const pids = readFileSync(join(dir, 'data', 'chaos', 'pids'), 'utf8').trim().split('\n').map((l) => Number(l.split(' ')[1]));
    assert.equal(pids.length, 9, '4 at the start, the node pool once (kill) and twice (skewed clock, true clock) again, the controller-manager twice');
    for (const pid of pids) assert.equal(alive(pid), false, `pid ${pid} still running`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('kubesim chaos run: a kill fault without --processes is refused before anything runs', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-chaos-proc-'));
  try {
    writeFileSync(join(dir, 's.yaml'), 'faults:\n  - kill: scheduler\n');
    writeFileSync(join(dir, 'kc'), 'apiVersion: v1\nkind: Config\nclusters: [{ name: c, cluster: { server: "http://127.0.0.1:1" } }]\nusers: [{ name: u, user: {} }]\ncontexts: [{ name: x, context: { cluster: c, user: u } }]\ncurrent-context: x\n');
    const r = await run(['chaos', 'run', '--kubeconfig', join(dir, 'kc'), '--scenario', join(dir, 's.yaml')], 60_000);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /faults\[0\]: killing scheduler needs the components as processes \(kubesim chaos run --processes\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
