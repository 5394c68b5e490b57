// KUBESIM_CHILD_NODE_FLAGS: node flags every spawned component gets (profiling a placement), and
// that a child really starts with them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { childNodeFlags, spawnKubesim, CHILD_NODE_FLAGS_ENV } from '../../src/process/children.ts';
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

test('a spawned component (kubesim nodes ...) starts with its young-generation size; other commands without', async () => {
  const dir = mkdtempSync(join(os.tmpdir(), 'kubesim-children-'));
  try {
    const bin = join(dir, 'echo.mjs');
    writeFileSync(bin, 'console.log(JSON.stringify(process.execArgv));\n');
    const argvOf = async (args: string[]) => {
      const child = spawnKubesim(args, { bin, stdout: 'pipe', env: { NODE_OPTIONS: '' } });
      let out = '';
      child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
      await new Promise((r) => child.once('close', r));
      return JSON.parse(out);
    };
    assert.deepEqual(await argvOf(['nodes', '--count', '1']), ['--max-semi-space-size=64']);
    assert.deepEqual(await argvOf(['get', 'pods']), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
