// spawnKubesim: the node flags a child starts with (KUBESIM_CHILD_NODE_FLAGS for profiling a placement,
// the components' young-generation size), checked in a real child.
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

/** The node flags (execArgv) a child spawnKubesim starts with `args` and `env` runs with (it must exit 0). */
async function execArgvOf(args: string[], env: NodeJS.ProcessEnv): Promise<string[]> {
  const dir = mkdtempSync(join(os.tmpdir(), 'kubesim-children-'));
  try {
    const bin = join(dir, 'echo.mjs');
    writeFileSync(bin, 'console.log(JSON.stringify(process.execArgv));\n');
    const child = spawnKubesim(args, { bin, stdout: 'pipe', env });
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
    const code = await new Promise((r) => child.once('close', r));
    assert.equal(code, 0);
    return JSON.parse(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('a spawned child runs with the flags, before its script', async () => {
  assert.deepEqual(await execArgvOf([], { [CHILD_NODE_FLAGS_ENV]: '--no-warnings --stack-size=900' }), ['--no-warnings', '--stack-size=900']);
});

test('a spawned component (kubesim nodes ...) starts with its young-generation size; other commands without', async () => {
  assert.deepEqual(await execArgvOf(['nodes', '--count', '1'], { NODE_OPTIONS: '' }), ['--max-semi-space-size=64']);
  assert.deepEqual(await execArgvOf(['get', 'pods'], { NODE_OPTIONS: '' }), []);
});
