// kubectl against a whole kubesim cluster (API server, scheduler, controller-manager, simulated
// nodes): the workflows that need controllers and node agents — rollout status, logs from a node
// agent, rollout history/undo, drain.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster, type RunningCluster } from '../../src/cluster/index.ts';
import { KUBECTL, hasKubectl, rows, type Run } from './harness.ts';

let cluster: RunningCluster;
let dir: string;
const skip = !hasKubectl;

function kubectl(args: string[], timeoutMs = 60_000): Promise<Run> {
  return new Promise((resolve) => {
    execFile(KUBECTL, args, { env: { PATH: process.env.PATH, HOME: join(dir, 'home'), KUBECONFIG: cluster.kubeconfigPath }, timeout: timeoutMs, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof (err as any).code === 'number' ? (err as any).code : 124) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}
async function ok(args: string[]): Promise<string> {
  const r = await kubectl(args);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'kubesim-'));
  cluster = await startCluster({ port: 0, dataDir: join(dir, 'data'), nodes: 2, policy: 'spread' });
});
after(async () => {
  await cluster?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('create deployment, rollout status, pods Running on nodes, logs from the node agent', { skip }, async () => {
  await ok(['wait', '--for=condition=Ready', 'node', '--all', '--timeout=30s']);
  await ok(['create', 'deployment', 'web', '--image=nginx', '--replicas=2']);
  assert.match(await ok(['rollout', 'status', 'deployment/web', '--timeout=50s']), /deployment "web" successfully rolled out/);
  const pods = rows(await ok(['get', 'pods', '-o', 'wide'])).slice(1);
  assert.equal(pods.length, 2);
  for (const p of pods) {
    assert.deepEqual(p.slice(1, 3), ['1/1', 'Running']);
    assert.match(p[6], /^node-\d$/);
  }
  const logs = await ok(['logs', `pod/${pods[0][0]}`, '--tail=5']);
  assert.ok(logs.trim().length > 0, 'the node agent serves logs');
  const described = await ok(['describe', 'pod', pods[0][0]]);
  assert.match(described, /Normal\s+Scheduled\s+.*default-scheduler\s+Successfully assigned default\//);
});

test('set image rolls out a new ReplicaSet; rollout history and undo', { skip }, async () => {
  await ok(['set', 'image', 'deployment/web', 'nginx=nginx:1.27']);
  await ok(['rollout', 'status', 'deployment/web', '--timeout=50s']);
  const history = await ok(['rollout', 'history', 'deployment/web']);
  assert.match(history, /^1\s/m);
  assert.match(history, /^2\s/m);
  assert.match(await ok(['rollout', 'undo', 'deployment/web']), /rolled back/);
  await ok(['rollout', 'status', 'deployment/web', '--timeout=50s']);
  assert.equal(await ok(['get', 'deployment', 'web', '-o', 'jsonpath={.spec.template.spec.containers[0].image}']), 'nginx');
});

test('drain evicts the pods of a node and cordons it', { skip }, async () => {
  const node = rows(await ok(['get', 'pods', '-o', 'wide'])).slice(1)[0][6];
  assert.match(await ok(['drain', node, '--ignore-daemonsets', '--timeout=50s']), new RegExp(`node/${node} drained`));
  assert.match(await ok(['get', 'node', node]), /SchedulingDisabled/);
  await ok(['rollout', 'status', 'deployment/web', '--timeout=50s']);
  const onNode = rows(await ok(['get', 'pods', '-o', 'wide', '--field-selector', `spec.nodeName=${node},status.phase=Running`]));
  assert.equal(onNode.length, 0, 'no running pod left on the drained node');
});
