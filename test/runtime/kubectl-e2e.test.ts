// Real kubectl against a real program: `kubectl logs` (--tail, --timestamps, --previous) and
// `kubectl logs -f` stream what the process writes, through the API server's pods/x/log proxy.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { kubeconfigYaml } from '../../src/apiserver/index.ts';
import { eventually, getPod, nodePod, PODS, runtimeCluster } from './helpers.ts';

const skip = !existsSync('/usr/bin/kubectl');
let c: Awaited<ReturnType<typeof runtimeCluster>>;
let dir: string;

before(async () => {
  c = await runtimeCluster();
  dir = mkdtempSync(path.join(os.tmpdir(), 'kubesim-'));
  writeFileSync(path.join(dir, 'kubeconfig'), kubeconfigYaml(c.api.url));
});

after(async () => {
  await c.close();
  rmSync(dir, { recursive: true, force: true });
});

function kubectl(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile('/usr/bin/kubectl', ['--kubeconfig', path.join(dir, 'kubeconfig'), ...args], { env: { ...process.env, HOME: dir }, timeout: 30_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? 1 : 0, stdout: String(stdout), stderr: String(stderr) }),
    ),
  );
}

test('kubectl logs of a real program: --tail, --timestamps, --previous', { skip }, async () => {
  // Prints three lines and exits 1: restarted with a back-off, the previous instance's log kept.
  await c.client.resource(PODS).create(nodePod('kl', 'console.log("one"); console.log("two"); console.error("three"); process.exit(1)'));
  await eventually(async () => ((await getPod(c.client, 'kl')).status?.containerStatuses?.[0]?.restartCount >= 1 ? true : undefined), 'restarted', 15_000);
  const prev = await kubectl('logs', 'kl', '--previous');
  assert.equal(prev.stdout, 'one\ntwo\nthree\n', prev.stderr);
  const tail = await kubectl('logs', 'kl', '--previous', '--tail=1', '--timestamps');
  assert.match(tail.stdout, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z three\n$/, tail.stderr);
});

test('kubectl logs -f streams a running program and ends when it exits', { skip }, async () => {
  const script = 'let i = 0; const t = setInterval(() => { console.log("tick", ++i); if (i === 6) { clearInterval(t); } }, 150)';
  await c.client.resource(PODS).create(nodePod('kf', script, { restartPolicy: 'Never' }));
  await eventually(async () => ((await getPod(c.client, 'kf')).status?.phase === 'Running' ? true : undefined), 'running');
  const child = spawn('/usr/bin/kubectl', ['--kubeconfig', path.join(dir, 'kubeconfig'), 'logs', '-f', 'kf'], { env: { ...process.env, HOME: dir }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const code = await new Promise<number | null>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
  assert.equal(code, 0);
  assert.equal(out, [1, 2, 3, 4, 5, 6].map((i) => `tick ${i}\n`).join(''));
});
