// `kubesim chaos run --kubeconfig D/kubeconfig` against a `kubesim up` (TLS, Node,RBAC; all
// components in one process): a node partitioned, slow commits, then 30% of the ConfigMap
// commits failing with EIO through the file `kubesim up --storage-faults-file` follows. A rollout
// converges and every check is green; the faults are off at the end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { up } from '../e2e/harness.ts';

const bin = join(import.meta.dirname, '../../bin/kubesim.js');

function run(args: string[], timeoutMs = 180_000) {
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const p = spawn(process.execPath, [bin, ...args], { timeout: timeoutMs, env: { ...process.env, KUBESIM_LOG_LEVEL: 'warn' } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

const SCENARIO = `
objects: 2
operations: 2000
operationsPerSecond: 100
durationSeconds: 9
watchers: 2
deployments: 1
replicas: 2
rolloutAt: 1
convergenceSeconds: 90
faults:
  - partition: [node-1]
    at: 1
    for: 3
  - storage: { commitLatencyMs: 30 }
    at: 1
    for: 2
  - storage: { failCommits: EIO, failRate: 0.3, prefix: /registry/core/configmaps/ }
    at: 4
    for: 3
`;

test('chaos against kubesim up: a partition and storage faults through its faults file, all checks green', { timeout: 240_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-chaos-up-'));
  const faults = join(dir, 'storage-faults.json');
  const cluster = await up(['--nodes', '2', '--storage-faults-file', faults]);
  try {
    writeFileSync(join(dir, 's.yaml'), SCENARIO);
    const r = await run(['chaos', 'run', '--kubeconfig', cluster.kubeconfig, '--storage-faults-file', faults, '--scenario', join(dir, 's.yaml'), '--report', join(dir, 'r.json')]);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const report = JSON.parse(readFileSync(join(dir, 'r.json'), 'utf8'));
    assert.deepEqual(report.faults.map((f: { fault: string }) => f.fault), ['partition node-1', 'storage commit +30ms', 'storage EIO 30% /registry/core/configmaps/']);
    assert.ok(report.faults[2].detectedAfterMs !== undefined, `the failing commits reached the recorder as 503s\n${r.stdout}`);
    assert.ok(report.operations.unknown > 0, r.stdout);
    assert.equal(report.convergence.converged, 1, r.stdout);
    assert.ok(!('skipped' in report.watch), r.stdout);
    assert.equal(readFileSync(faults, 'utf8').trim(), '{}', 'the faults are cleared at the end');
  } finally {
    await cluster.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('kubesim chaos run: a storage fault with no handle on the store is refused before anything runs', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-chaos-up-'));
  try {
    writeFileSync(join(dir, 's.yaml'), 'faults:\n  - storage: { failCommits: EIO }\n');
    writeFileSync(join(dir, 'kc'), 'apiVersion: v1\nkind: Config\nclusters: [{ name: c, cluster: { server: "http://127.0.0.1:1" } }]\nusers: [{ name: u, user: {} }]\ncontexts: [{ name: x, context: { cluster: c, user: u } }]\ncurrent-context: x\n');
    const r = await run(['chaos', 'run', '--kubeconfig', join(dir, 'kc'), '--scenario', join(dir, 's.yaml')], 60_000);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /faults\[0\]: a storage fault needs a handle on the API server's store \(kubesim chaos run --processes, or --storage-faults-file F/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
