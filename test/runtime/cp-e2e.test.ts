// Real kubectl cp to and from a runtime container: kubectl runs `test -d` and `tar` through exec,
// answered by the built-ins (src/node/process/builtins.cjs) with the container's view of paths (a
// volumeMount at /data is the pod's emptyDir directory, which the program itself reads).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { kubeconfigYaml } from '../../src/apiserver/index.ts';
import { eventually, getPod, nodePod, PODS, runtimeCluster } from './helpers.ts';

const skip = !existsSync('/usr/bin/kubectl');
let c: Awaited<ReturnType<typeof runtimeCluster>>;
let dir: string;

before(async () => {
  if (skip) return;
  c = await runtimeCluster();
  dir = mkdtempSync(path.join(os.tmpdir(), 'kubesim-cp-'));
  writeFileSync(path.join(dir, 'kubeconfig'), kubeconfigYaml(c.api.url));
  const pod = nodePod('cp', `require('fs').writeFileSync('/data/made-by-program.txt', 'from the program\\n'); setInterval(() => {}, 1000)`, { volumes: [{ name: 'data', emptyDir: {} }] }, { volumeMounts: [{ name: 'data', mountPath: '/data' }] });
  await c.client.resource(PODS).create(pod);
  await eventually(async () => ((await getPod(c.client, 'cp')).status?.phase === 'Running' ? true : undefined), 'cp running', 20_000);
});

after(async () => {
  if (skip) return;
  await c.close();
  rmSync(dir, { recursive: true, force: true });
});

function kubectl(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile('/usr/bin/kubectl', ['--kubeconfig', path.join(dir, 'kubeconfig'), ...args], { env: { ...process.env, HOME: dir }, timeout: 30_000, cwd: dir }, (err, stdout, stderr) =>
      resolve({ code: err ? 1 : 0, stdout: String(stdout), stderr: String(stderr) }),
    ),
  );
}

test('kubectl cp a file and a directory into the container; the program sees them', { skip }, async () => {
  writeFileSync(path.join(dir, 'one.txt'), 'one\n');
  mkdirSync(path.join(dir, 'tree/sub'), { recursive: true });
  writeFileSync(path.join(dir, 'tree/sub/two.txt'), 'two\n');
  writeFileSync(path.join(dir, 'tree/big.bin'), Buffer.alloc(3 * 1024 * 1024, 7));
  const a = await kubectl('cp', 'one.txt', 'cp:/data/one.txt');
  assert.equal(a.code, 0, a.stderr);
  const b = await kubectl('cp', 'tree', 'cp:/data/tree');
  assert.equal(b.code, 0, b.stderr);
  const r = await kubectl('exec', 'cp', '--', 'node', '-e', `const fs = require('fs'); process.stdout.write(fs.readFileSync('/data/one.txt', 'utf8') + fs.readFileSync('/data/tree/sub/two.txt', 'utf8'))`);
  assert.equal(r.stdout, 'one\ntwo\n', r.stderr);
});

test('kubectl cp from the container: a file and a directory', { skip }, async () => {
  await eventually(async () => ((await kubectl('exec', 'cp', '--', 'test', '-f', '/data/made-by-program.txt')).code === 0 ? true : undefined), 'the program wrote its file');
  const a = await kubectl('cp', 'cp:/data/made-by-program.txt', 'got.txt');
  assert.equal(a.code, 0, a.stderr);
  assert.equal(readFileSync(path.join(dir, 'got.txt'), 'utf8'), 'from the program\n');
  const b = await kubectl('cp', 'cp:/data', 'gotdir');
  assert.equal(b.code, 0, b.stderr);
  assert.equal(readFileSync(path.join(dir, 'gotdir/made-by-program.txt'), 'utf8'), 'from the program\n');
  assert.equal(readFileSync(path.join(dir, 'gotdir/tree/sub/two.txt'), 'utf8'), 'two\n');
  assert.ok(readFileSync(path.join(dir, 'gotdir/tree/big.bin')).equals(Buffer.alloc(3 * 1024 * 1024, 7)), 'a 3 MiB file both ways');
});

test('kubectl exec test: exit codes of the built-in', { skip }, async () => {
  assert.equal((await kubectl('exec', 'cp', '--', 'test', '-d', '/data')).code, 0);
  const r = await kubectl('exec', 'cp', '--', 'test', '-d', '/data/one.txt');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /command terminated with exit code 1/);
});
