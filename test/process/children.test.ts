// KUBESIM_CHILD_NODE_FLAGS: node flags every spawned component gets (profiling a placement), and
// that a child really starts with them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { childNodeFlags, requestedNiceness, spawnKubesim, CHILD_NODE_FLAGS_ENV, NICENESS_ENV } from '../../src/process/children.ts';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import os from 'node:os';

test('KUBESIM_CHILD_NODE_FLAGS is split on whitespace; unset or blank is no flags', () => {
  assert.deepEqual(childNodeFlags({ [CHILD_NODE_FLAGS_ENV]: ' --cpu-prof  --cpu-prof-dir=/tmp/p ' }), ['--cpu-prof', '--cpu-prof-dir=/tmp/p']);
  assert.deepEqual(childNodeFlags({}), []);
  assert.deepEqual(childNodeFlags({ [CHILD_NODE_FLAGS_ENV]: '   ' }), []);
});

test('a spawned child runs with the flags, before its script', async () => {
  const dir = mkdtempSync(join(os.tmpdir(), 'kubesim-children-'));
  try {
    const bin = join(dir, 'echo.mjs');
    writeFileSync(bin, 'console.log(JSON.stringify(process.execArgv));\n');
    const child = spawnKubesim([], { bin, stdout: 'pipe', env: { [CHILD_NODE_FLAGS_ENV]: '--no-warnings --stack-size=900' } });
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
    const code = await new Promise((r) => child.once('close', r));
    assert.equal(code, 0);
    assert.deepEqual(JSON.parse(out), ['--no-warnings', '--stack-size=900']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a child spawned with a niceness runs every thread at it (Linux), and only a 1-19 integer counts', async (t) => {
  assert.equal(requestedNiceness({ [NICENESS_ENV]: '5' }), 5);
  for (const bad of ['0', '20', '-1', '2.5', 'x', '']) assert.equal(requestedNiceness({ [NICENESS_ENV]: bad }), undefined, bad);
  if (process.platform !== 'linux') return t.skip('SKIP: per-thread niceness is read from /proc');
  const dir = mkdtempSync(join(os.tmpdir(), 'kubesim-nice-'));
  try {
    const bin = join(dir, 'nice.ts');
    const children = new URL('../../src/process/children.ts', import.meta.url).href;
    writeFileSync(bin, [
      `import { readdirSync, readFileSync } from 'node:fs';`,
      `import { applyNiceness } from ${JSON.stringify(children)};`,
      `const applied = applyNiceness();`,
      `const nice = (t: string) => Number(readFileSync('/proc/self/task/' + t + '/stat', 'utf8').split(') ')[1].split(' ')[16]);`,
      `console.log(JSON.stringify({ applied, left: process.env.KUBESIM_NICENESS ?? null, threads: readdirSync('/proc/self/task').map(nice) }));`,
    ].join('\n'));
    const child = spawnKubesim([], { bin, stdout: 'pipe', niceness: 7, env: { [CHILD_NODE_FLAGS_ENV]: '--import tsx' } });
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
    const code = await new Promise((r) => child.once('close', r));
    assert.equal(code, 0);
    const r = JSON.parse(out);
    assert.equal(r.applied, 7);
    assert.equal(r.left, null, 'the variable is not passed on');
    assert.ok(r.threads.length > 1, 'node runs several threads');
    assert.deepEqual(r.threads, r.threads.map(() => 7));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
