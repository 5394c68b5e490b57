// Runs every lesson in docs/learn/ against a fresh `kubesim up`, so the lessons never rot: a lesson's
// `$ ` lines (in ```console blocks) run in order in one bash, with KUBECONFIG and SERVER set; each
// output line the lesson shows must appear in that command's output, in order (`…` = any text,
// runs of spaces = any spacing). See docs/learn/README.md.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasKubectl, up } from '../e2e/harness.ts';

const learn = join(import.meta.dirname, '../../docs/learn');

export interface Step {
  command: string;
  expected: string[];
}

/** The `kubesim up` arguments and the steps of a lesson's markdown. Pure. */
export function parseLesson(md: string): { upArgs: string[]; steps: Step[] } {
  const upArgs = (/<!-- kubesim up:(.*?)-->/.exec(md)?.[1] ?? '').trim().split(/\s+/).filter(Boolean);
  const steps: Step[] = [];
  for (const block of md.matchAll(/```console\n([\s\S]*?)```/g)) {
    for (const line of block[1].split('\n')) {
      if (line.startsWith('$ ')) steps.push({ command: line.slice(2), expected: [] });
      else if (line.trim() !== '' && steps.length) steps[steps.length - 1].expected.push(line);
    }
  }
  return { upArgs, steps };
}

/** A shown line as a regular expression over one output line. Pure. */
export function linePattern(shown: string): RegExp {
  const parts = shown.trim().split('…').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+'));
  return new RegExp(`^${parts.join('.*')}$`);
}

/** The shown lines missing from the output (they must appear in order). Pure. */
export function missingLines(expected: string[], output: string): string[] {
  const lines = output.split('\n').map((l) => l.trim());
  let at = 0;
  const missing: string[] = [];
  for (const e of expected) {
    const re = linePattern(e);
    const i = lines.findIndex((l, k) => k >= at && re.test(l));
    if (i < 0) missing.push(e);
    else at = i + 1;
  }
  return missing;
}

test('lesson format: parse, patterns, ordered matching', () => {
  const { upArgs, steps } = parseLesson('<!-- kubesim up: --nodes 2 -->\n```console\n$ echo a\na\n$ true\n```\ntext\n```sh\n$ not run\n```\n');
  assert.deepEqual(upArgs, ['--nodes', '2']);
  assert.deepEqual(steps, [{ command: 'echo a', expected: ['a'] }, { command: 'true', expected: [] }]);
  const cases: [string[], string, string[]][] = [
    [['a b'], 'a    b', []],
    [['x … z'], 'x yyy z', []],
    [['1', '2'], '2\n1', ['2']],
    [['(a)'], '(a)', []],
    [['web-… to 4'], 'web-abc to 4', []],
    [['nope'], 'yes', ['nope']],
  ];
  for (const [expected, output, want] of cases) assert.deepEqual(missingLines(expected, output), want, JSON.stringify(expected));
});

const MARK = '::kubesim-lesson-step::';

/** `kubectl proxy --port=0`: resolves with its http URL once it serves. */
function kubectlProxy(kubeconfig: string, home: string): Promise<{ url: string; stop(): void }> {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/kubectl', ['--kubeconfig', kubeconfig, 'proxy', '--port=0'], { env: { ...process.env, HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`kubectl proxy did not start: ${out}`)), 30_000);
    const onData = (d: Buffer) => {
      out += d;
      const m = /Starting to serve on (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ url: `http://${m[1]}`, stop: () => child.kill('SIGTERM') });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`kubectl proxy exited with ${code}: ${out}`)));
  });
}

for (const file of readdirSync(learn).filter((f) => f.endsWith('.md') && f !== 'README.md').sort()) {
  test(`docs/learn/${file}`, { skip: hasKubectl ? false : '/usr/bin/kubectl is missing', timeout: 240_000 }, async () => {
    const { upArgs, steps } = parseLesson(readFileSync(join(learn, file), 'utf8'));
    assert.ok(steps.length > 0, 'the lesson has commands');
    const cluster = await up(upArgs);
    const dir = mkdtempSync(join(tmpdir(), 'kubesim-lesson-'));
    let stopProxy = () => {};
    try {
      // curl reaches the API through `kubectl proxy` (it authenticates with the kubeconfig's client certificate), as the lessons' setup says.
      const proxy = await kubectlProxy(cluster.kubeconfig, join(dir, 'home'));
      stopProxy = proxy.stop;
      const server = proxy.url;
      const script = ['exec 2>&1', ...steps.flatMap((s, i) => [`echo '${MARK}${i}'`, s.command])].join('\n');
      writeFileSync(join(dir, 'lesson.sh'), script);
      const output = await new Promise<string>((resolve) => {
        execFile('/bin/bash', [join(dir, 'lesson.sh')], { cwd: dir, timeout: 200_000, maxBuffer: 16 << 20, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: join(dir, 'home'), KUBECONFIG: cluster.kubeconfig, SERVER: server } }, (_err, stdout) => resolve(String(stdout)));
      });
      const outputs = output.split(new RegExp(`^${MARK}\\d+$`, 'm')).slice(1);
      const problems: string[] = [];
      steps.forEach((s, i) => {
        const missing = missingLines(s.expected, outputs[i] ?? '');
        if (missing.length) problems.push(`$ ${s.command}\n  missing: ${missing.join('\n           ')}\n  output:\n${(outputs[i] ?? '(did not run)').replace(/^/gm, '    ')}`);
      });
      assert.equal(problems.join('\n'), '', `${file}: output differs from the lesson`);
    } finally {
      stopProxy();
      rmSync(dir, { recursive: true, force: true });
      await cluster.close();
    }
  });
}
