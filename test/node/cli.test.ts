// `kubesim nodes` as its own process against an API server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { kubeconfigYaml } from '../../src/apiserver/index.ts';
import { cluster, NODES, until } from './helpers.ts';

const bin = path.resolve(import.meta.dirname ?? path.dirname(new URL(import.meta.url).pathname), '../../bin/kubesim.js');

test('kubesim nodes registers its nodes, prints them, and stops on SIGTERM', async () => {
  const c = await cluster();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kubesim-'));
  const kc = path.join(dir, 'kubeconfig');
  writeFileSync(kc, kubeconfigYaml(c.api.url));
  const child = spawn(process.execPath, [bin, 'nodes', '--kubeconfig', kc, '--count', '2', '--prefix', 'cli', '--labels', 'pool=cli', '--taints', 'gpu=true:NoSchedule', '--zones', 'z-a'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, KUBESIM_LOG_LEVEL: 'warn' },
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  try {
    await until('ready line', () => /2 nodes ready \(cli-0 \.\. cli-1\); kubelet server http:\/\/127\.0\.0\.1:\d+/.test(out), 30_000);
    const n: any = await c.client.resource(NODES).get('cli-1');
    assert.equal(n.metadata.labels.pool, 'cli');
    assert.equal(n.metadata.labels['topology.kubernetes.io/zone'], 'z-a');
    assert.deepEqual(n.spec.taints, [{ key: 'gpu', value: 'true', effect: 'NoSchedule' }]);
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  } finally {
    child.kill('SIGKILL');
    await c.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('kubesim nodes rejects bad flags with exit code 2 and a message naming the flag', () => {
  for (const [args, msg] of [
    [['--count', '0'], /--count must be an integer >= 1 \(got "0"\)/],
    [['--cpu', 'lots'], /--cpu must be a quantity/],
    [['--taints', 'gpu=true'], /invalid taint "gpu=true": effect must be NoSchedule, PreferNoSchedule or NoExecute/],
    [['--labels', 'oops'], /invalid label "oops": expected key=value/],
  ] as const) {
    const r = spawnSync(process.execPath, [bin, 'nodes', ...args], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, msg);
  }
});
