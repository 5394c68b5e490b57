// `kubesim simulate` runs with a larger V8 young generation: which commands re-execute node with
// --max-semi-space-size (and not when the user sized it), and that the re-executed command keeps
// its output and exit code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { COMPONENT_SEMI_SPACE_MB, componentYoungGenerationFlags, setsSemiSpace, youngGenerationArgs, YOUNG_SEMI_SPACE_MB } from '../../src/process/heapflags.ts';

const bin = fileURLToPath(new URL('../../bin/kubesim.js', import.meta.url));
const flag = `--max-semi-space-size=${YOUNG_SEMI_SPACE_MB}`;

for (const { name, command, execArgv, nodeOptions, want } of [
  { name: 'simulate gets the flag', command: 'simulate', execArgv: [], nodeOptions: '', want: [flag, 'bin/kubesim.js', 'simulate', 'x.yaml'] },
  { name: "node's own flags are kept, before it", command: 'simulate', execArgv: ['--import', 'tsx'], nodeOptions: '', want: ['--import', 'tsx', flag, 'bin/kubesim.js', 'simulate', 'x.yaml'] },
  { name: 'a size on the command line is left alone', command: 'simulate', execArgv: ['--max-semi-space-size=16'], nodeOptions: '', want: undefined },
  { name: 'underscores are the same flag', command: 'simulate', execArgv: ['--max_semi_space_size', '8'], nodeOptions: '', want: undefined },
  { name: 'a size in NODE_OPTIONS is left alone', command: 'simulate', execArgv: [], nodeOptions: '--enable-source-maps --max-semi-space-size=32', want: undefined },
  { name: 'other commands run as they are', command: 'up', execArgv: [], nodeOptions: '', want: undefined },
  { name: 'no command', command: undefined, execArgv: [], nodeOptions: '', want: undefined },
]) {
  test(`youngGenerationArgs: ${name}`, () => {
    assert.deepEqual(youngGenerationArgs(command, execArgv, ['/usr/bin/node', 'bin/kubesim.js', 'simulate', 'x.yaml'], nodeOptions), want);
  });
}

test('componentYoungGenerationFlags: the spawned components get their size unless their node options set one', () => {
  for (const c of ['scheduler', 'controller-manager', 'nodes']) assert.deepEqual(componentYoungGenerationFlags(c, []), [`--max-semi-space-size=${COMPONENT_SEMI_SPACE_MB[c]}`], c);
  assert.deepEqual(componentYoungGenerationFlags('apiserver', []), [], 'not a component of up');
  assert.deepEqual(componentYoungGenerationFlags(undefined, []), []);
  assert.deepEqual(componentYoungGenerationFlags('nodes', ['--cpu-prof', '--max-semi-space-size=8']), [], 'KUBESIM_CHILD_NODE_FLAGS sized it');
  assert.deepEqual(componentYoungGenerationFlags('nodes', [], '--max-old-space-size=8192 --max-semi-space-size=32'), [], 'NODE_OPTIONS sized it');
});

test('setsSemiSpace does not take look-alike flags', () => {
  assert.equal(setsSemiSpace(['--max-semi-space-size-x=1']), false);
  assert.equal(setsSemiSpace(['--max-old-space-size=4096']), false);
  assert.equal(setsSemiSpace([], '--max-semi-space-size=1'), true);
});

const run = (args: string[]) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((res) =>
    execFile(process.execPath, [bin, ...args], { timeout: 60_000 }, (err, stdout, stderr) => res({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr })),
  );

test('kubesim simulate through the re-executed node: output and exit codes pass through', async () => {
  const help = await run(['simulate', '--help']);
  assert.equal(help.code, 0, help.stderr);
  assert.match(help.stdout, /Usage: kubesim simulate/);
  const missing = await run(['simulate', '/nonexistent/scenario.yaml']);
  assert.equal(missing.code, 2, missing.stdout + missing.stderr);
  assert.match(missing.stderr, /ENOENT/);
});
