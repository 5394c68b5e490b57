// Real kubectl attach and exec -it to real programs: attach -i writes into the program's stdin
// (spec.stdin) and shows its output as it comes; exec -it (through `script`, which gives kubectl a
// terminal) gets the kubelet's line discipline (src/node/tty.ts): echo, lines on Enter, CRLF, ^D.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { kubeconfigYaml } from '../../src/apiserver/index.ts';
import { eventually, getPod, nodePod, PODS, runtimeCluster } from './helpers.ts';

const skip = !existsSync('/usr/bin/kubectl') || !existsSync('/usr/bin/script');
let c: Awaited<ReturnType<typeof runtimeCluster>>;
let dir: string;
let kubeconfig: string;

const UPPER = `require('readline').createInterface({ input: process.stdin }).on('line', (l) => console.log('UP ' + l.toUpperCase())).on('close', () => { console.log('bye'); process.exit(0); })`;

before(async () => {
  if (skip) return;
  c = await runtimeCluster();
  dir = mkdtempSync(path.join(os.tmpdir(), 'kubesim-attach-'));
  kubeconfig = path.join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, kubeconfigYaml(c.api.url));
  await c.client.resource(PODS).create(nodePod('att', `${UPPER}; setInterval(() => console.log('tick'), 300)`, {}, { stdin: true }));
  await c.client.resource(PODS).create(nodePod('tty', 'setInterval(() => {}, 1000)'));
  for (const name of ['att', 'tty']) await eventually(async () => ((await getPod(c.client, name)).status?.phase === 'Running' ? true : undefined), `${name} running`, 20_000);
});

after(async () => {
  if (skip) return;
  await c.close();
  rmSync(dir, { recursive: true, force: true });
});

function start(file: string, args: string[]): { child: ChildProcess; out: () => string } {
  const child = spawn(file, args, { env: { ...process.env, HOME: dir }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return { child, out: () => out };
}

function exited(child: ChildProcess, killAfterMs = 20_000): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

test('kubectl attach -i: typed lines reach the running program, its output streams back', { skip }, async () => {
  const k = start('/usr/bin/kubectl', ['--kubeconfig', kubeconfig, 'attach', '-i', 'att']);
  await eventually(() => (/tick/.test(k.out()) ? true : undefined), 'output streams', 15_000);
  k.child.stdin!.write('hello attach\n');
  await eventually(() => (k.out().includes('UP HELLO ATTACH') ? true : undefined), 'the answer', 15_000);
  k.child.kill('SIGINT');
  await exited(k.child);
  // Detaching left the program running.
  assert.equal((await getPod(c.client, 'att')).status?.containerStatuses?.[0]?.restartCount, 0);
});

test('kubectl attach to a simulated container: a clear Status', { skip }, async () => {
  await c.client.resource(PODS).create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'sim', namespace: 'default' }, spec: { nodeName: 'node-0', containers: [{ name: 'app', image: 'nginx' }] } });
  await eventually(async () => ((await getPod(c.client, 'sim')).status?.phase === 'Running' ? true : undefined), 'sim running');
  const r = await new Promise<string>((resolve) => execFile('/usr/bin/kubectl', ['--kubeconfig', kubeconfig, 'attach', 'sim'], { env: { ...process.env, HOME: dir }, timeout: 20_000 }, (_e, o, e) => resolve(String(o) + String(e))));
  assert.match(r, /attach is not supported by kubesim for simulated containers: container app of pod sim \(image nginx\) runs no process/);
});

test('kubectl exec -it: echo, a line on Enter, CRLF output, ^D ends stdin', { skip }, async () => {
  const cmd = ['/usr/bin/kubectl', '--kubeconfig', kubeconfig, '-v=6', 'exec', '-it', 'tty', '--', 'node', '-e', UPPER].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const k = start('/usr/bin/script', ['-qfec', cmd, '/dev/null']);
  try {
    // kubectl (-v=6) says when the stream is up; its terminal is raw from then on.
    await eventually(() => (k.out().includes('The subprotocol is v5.channel.k8s.io') ? true : undefined), 'connected', 15_000);
    k.child.stdin!.write('xy\x7fz\x15abc\r'); // typed, backspace, ^U (kill the line), a line
    await eventually(() => (k.out().includes('UP ABC\r\n') ? true : undefined), 'the answer, CRLF', 15_000);
    assert.ok(k.out().includes('xy\b \bz'), 'typing echoed, backspace rubbed out');
  } catch (e) {
    k.child.kill('SIGKILL');
    throw new Error(`${e}: ${JSON.stringify(k.out())}`);
  }
  k.child.stdin!.write('\x04');
  assert.equal(await exited(k.child), 0, k.out());
  assert.match(k.out(), /bye\r\n/);
});
