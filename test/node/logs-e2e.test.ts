// Logs and events through the API server (pods/x/log proxied to the pool's kubelet server) and
// through real kubectl with a fresh HOME.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { kubeconfigYaml } from '../../src/apiserver/index.ts';
import { startNodePool, type NodePool } from '../../src/node/index.ts';
import { StatusError } from '../../src/api/errors.ts';
import { cluster, pod, PODS, quiet } from './helpers.ts';
import { eventually } from '../helpers/eventually.ts';

let c: Awaited<ReturnType<typeof cluster>>;
let pool: NodePool;
let dir: string;

before(async () => {
  c = await cluster();
  pool = await startNodePool({ client: c.client, count: 1, logger: quiet, timings: { pullMs: 50, createMs: 10, startMs: 10, backoffBaseMs: 200, commandRunMs: 300 } });
  dir = mkdtempSync(path.join(os.tmpdir(), 'kubesim-'));
  writeFileSync(path.join(dir, 'kubeconfig'), kubeconfigYaml(c.api.url));
});

after(async () => {
  await pool.stop();
  await c.close();
  rmSync(dir, { recursive: true, force: true });
});

const chatty = { 'kubesim.io/log-interval': '100ms', 'kubesim.io/log-lines': 'hello {n}' };

async function running(name: string) {
  await eventually(async () => (await c.client.resource(PODS).get(name, { namespace: 'default' })).status?.phase === 'Running', `${name} Running`);
}

test('pods/x/log: start line, periodic lines, tailLines, timestamps, limitBytes', async () => {
  await c.client.resource(PODS).create(pod('talk', 'node-0', {}, chatty));
  await running('talk');
  const pods = c.client.resource(PODS);
  const text = await eventually(async () => {
    const t = await pods.log('talk', { namespace: 'default', container: 'app' });
    return t.includes('hello 5\n') ? t : undefined;
  }, '5 periodic lines');
  const lines = text.trimEnd().split('\n');
  assert.equal(lines[0], 'kubesim: starting container app (image nginx)');
  assert.deepEqual(lines.slice(2, 5), ['hello 1', 'hello 2', 'hello 3']);
  const tail = await pods.log('talk', { namespace: 'default', container: 'app', tailLines: 2 });
  assert.equal(tail.trimEnd().split('\n').length, 2);
  const ts = await pods.log('talk', { namespace: 'default', container: 'app', timestamps: true, tailLines: 1 });
  assert.match(ts, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z hello \d+\n$/);
  const limited = await pods.log('talk', { namespace: 'default', container: 'app', limitBytes: 10 });
  assert.equal(limited.length, 10);
});

test('follow streams new lines and ends when the pod is deleted', async () => {
  await c.client.resource(PODS).create(pod('stream', 'node-0', {}, chatty));
  await running('stream');
  const s = await c.client.resource(PODS).logStream('stream', { namespace: 'default', container: 'app', follow: true });
  let got = '';
  const ended = new Promise<void>((resolve) => {
    s.on('data', (d: Buffer) => (got += d.toString()));
    s.on('end', () => resolve());
    s.on('close', () => resolve());
    s.on('error', () => resolve());
  });
  await eventually(() => got.includes('hello 4\n'), 'followed lines');
  await c.client.resource(PODS).delete('stream', { namespace: 'default' });
  await ended;
  assert.match(got, /received SIGTERM/);
  assert.match(got, /exited with code 0\n$/);
});

test('previous: the last terminated instance of a restarted container', async () => {
  await c.client.resource(PODS).create(pod('flaky', 'node-0', {}, { 'kubesim.io/exit-after': '300ms', 'kubesim.io/exit-code': '1' }));
  await eventually(async () => ((await c.client.resource(PODS).get('flaky', { namespace: 'default' })).status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1, 'restarted');
  const prev = await eventually(async () => c.client.resource(PODS).log('flaky', { namespace: 'default', container: 'app', previous: true }), 'previous log');
  assert.match(prev, /^kubesim: starting container app \(image nginx\)\n/);
  assert.match(prev, /kubesim: container app exited with code 1\n$/);
});

test('logs of a container still being created → 400 with the kubelet message', async () => {
  await c.client.resource(PODS).create(pod('slow', 'node-0', {}, { 'kubesim.io/pull-delay': '30s' }));
  await eventually(async () => (await c.client.resource(PODS).get('slow', { namespace: 'default' })).status?.containerStatuses, 'slow pulling');
  await assert.rejects(
    c.client.resource(PODS).log('slow', { namespace: 'default', container: 'app' }),
    (e: unknown) => e instanceof StatusError && e.code === 400 && /container "app" in pod "slow" is waiting to start: ContainerCreating/.test(e.message),
  );
});

function kubectl(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('/usr/bin/kubectl', ['--kubeconfig', path.join(dir, 'kubeconfig'), ...args], { env: { ...process.env, HOME: dir }, timeout: 30_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as any).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

test('kubectl logs and kubectl get events show what the node agent wrote', { skip: !existsSync('/usr/bin/kubectl') }, async () => {
  await c.client.resource(PODS).create(pod('kc', 'node-0', {}, chatty));
  await running('kc');
  await eventually(async () => (await c.client.resource(PODS).log('kc', { namespace: 'default', container: 'app' })).includes('hello 2'), 'a periodic line');
  const logs = await kubectl('logs', 'kc', '--tail=50');
  assert.equal(logs.code, 0, logs.stderr);
  assert.match(logs.stdout, /^kubesim: starting container app \(image nginx\)\n/);
  assert.match(logs.stdout, /hello 2\n/);
  const ev = await eventually(async () => {
    const r = await kubectl('get', 'events', '--field-selector', 'involvedObject.name=kc');
    return r.code === 0 && r.stdout.includes('Started') ? r : undefined;
  }, 'events listed');
  assert.match(ev.stdout, /Normal\s+Pulling\s+pod\/kc\s+Pulling image "nginx"/);
  assert.match(ev.stdout, /Normal\s+Started\s+pod\/kc\s+Started container app/);
});

test('kubectl logs -f follows until the container stops', { skip: !existsSync('/usr/bin/kubectl') }, async () => {
  await c.client.resource(PODS).create(pod('kf', 'node-0', {}, chatty));
  await running('kf');
  const child = spawn('/usr/bin/kubectl', ['--kubeconfig', path.join(dir, 'kubeconfig'), 'logs', '-f', 'kf'], { env: { ...process.env, HOME: dir }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  try {
    await eventually(() => /hello 3\n/.test(out), 'kubectl streamed lines', 20_000);
    await c.client.resource(PODS).delete('kf', { namespace: 'default' });
    assert.equal(await exited, 0);
    assert.match(out, /kubesim: container app exited with code 0\n$/);
  } finally {
    child.kill('SIGKILL');
  }
});
