// `kubesim record` against a live `kubesim up` cluster while kubectl changes it, then
// `kubesim simulate --replay` of that trace (no scenario file) at --speed max.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hasKubectl, up } from '../e2e/harness.ts';
import { eventually } from '../helpers/eventually.ts';
import { parseTrace } from '../../src/snapshot/index.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

test('kubesim record traces kubectl changes; simulate --replay plays them back', { skip: !hasKubectl && 'no kubectl' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-rec-'));
  const out = join(dir, 'trace.jsonl');
  const c = await up(['--nodes', '2']);
  try {
    const rec = spawn(process.execPath, [join(root, 'bin/kubesim.js'), 'record', '--kubeconfig', c.kubeconfig, '--out', out], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    rec.stderr!.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((r) => rec.once('exit', (code) => r(code)));
    try {
      await eventually(() => /recording to/.test(stderr), 'the recorder ready', 30_000, 100);
      await c.kubectl(['create', 'deployment', 'web', '--image=nginx', '--replicas=2']);
      await c.kubectl(['scale', 'deployment', 'web', '--replicas=4']);
      await c.kubectl(['create', 'configmap', 'later', '--from-literal=a=b']);
      await eventually(() => existsSync(out) && readFileSync(out, 'utf8').includes('"later"'), 'the configmap recorded', 30_000, 100);
    } finally {
      rec.kill('SIGINT');
    }
    assert.equal(await exited, 0, stderr);
    assert.match(stderr, /\d+ changes recorded/);
  } finally {
    await c.close();
  }
  const trace = parseTrace(readFileSync(out, 'utf8'));
  const later = trace.filter((e) => e.t > 0 && e.object.kind === 'Deployment').map((e) => `${e.type} ${e.object.spec.replicas}`);
  assert.deepEqual(later, ['ADDED 2', 'MODIFIED 4']);
  assert.ok(!trace.some((e) => e.object.kind === 'Pod' || e.object.kind === 'ReplicaSet'), 'owned objects are not recorded');
  assert.equal(trace.filter((e) => e.t === 0 && e.object.kind === 'Node').length, 2);

  const report = join(dir, 'report.json');
  const r = await new Promise<{ code: number; stderr: string }>((res) =>
    execFile(process.execPath, [join(root, 'bin/kubesim.js'), 'simulate', '--replay', out, '--report', report], { cwd: root, timeout: 120_000 }, (err, _o, se) => res({ code: err ? ((err as any).code ?? 1) : 0, stderr: se })),
  );
  assert.equal(r.code, 0, r.stderr);
  const rep = JSON.parse(readFileSync(report, 'utf8'));
  assert.deepEqual(rep.errors, []);
  const last = rep.intervals.at(-1);
  assert.equal(last.nodes, 2);
  assert.equal(last.podsRunning, 4, JSON.stringify(rep.intervals.map((i: any) => [i.time, i.podsRunning])));
});
