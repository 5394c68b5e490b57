// End to end on `kubesim up` with the real kubectl, for issue 11's kinds: every docs manifest
// applies and the guestbook becomes available; `kubectl drain` is held by a PodDisruptionBudget
// until a replacement pod is Ready; a pod of a system PriorityClass gets its priority.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '../../src/api/types.ts';
import { hasKubectl, up, KUBECTL, type UpCluster } from './harness.ts';
import { eventually } from '../helpers/eventually.ts';

const skip = !hasKubectl;
let c: UpCluster;
const FIXTURES = '/work/shared/fixtures/k8s-docs';

before(async () => {
  if (skip) return;
  c = await up(['--nodes', '3']);
});
after(async () => {
  await c?.close();
});

test('every docs manifest applies, and the guestbook Deployments become available', { skip }, async () => {
  for (const dir of ['guestbook', 'tutorials']) assert.match(await c.kubectl(['apply', '-f', join(FIXTURES, dir)]), / created/);
  const out = await c.kubectl(['wait', '--for=condition=available', '--timeout=120s', 'deployment/frontend', 'deployment/redis-leader', 'deployment/redis-follower'], { timeoutMs: 130_000 });
  for (const d of ['frontend', 'redis-leader', 'redis-follower']) assert.match(out, new RegExp(`deployment.apps/${d} condition met`));
  const fe = await c.kubectlJson(['get', 'deployment', 'frontend']);
  assert.equal(fe.status.availableReplicas, 3);
  // The ZooKeeper PDB is kept by the disruption controller (no StatefulSet controller yet, so no pods).
  const zk = await eventually(async () => {
    const p = await c.kubectlJson(['get', 'pdb', 'zk-pdb']);
    return p.status?.observedGeneration === 1 && p;
  }, 'zk-pdb observed', 60000, 200);
  assert.equal(zk.status.disruptionsAllowed, 0);
});

test('a pod with priorityClassName system-cluster-critical gets priority 2000000000', { skip }, async () => {
  await c.kubectl(['run', 'critical', '--image=nginx', '--overrides={"spec":{"priorityClassName":"system-cluster-critical"}}']);
  const p = await c.kubectlJson(['get', 'pod', 'critical']);
  assert.equal(p.spec.priority, 2000000000);
  assert.equal(p.spec.preemptionPolicy, 'PreemptLowerPriority');
  await c.kubectl(['delete', 'pod', 'critical', '--wait=false']);
});

/** kubectl with its stderr (drain reports the refused evictions there). */
function kubectlFull(args: string[], timeoutMs: number): Promise<{ code: number; stdout: string; stderr: string }> {
  const home = mkdtempSync(join(tmpdir(), 'kubesim-home-'));
  return new Promise((resolve) => {
    const child = execFile(KUBECTL, ['--kubeconfig', c.kubeconfig, ...args], { env: { ...process.env, HOME: home, KUBECONFIG: c.kubeconfig }, timeout: timeoutMs, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof (err as any).code === 'number' ? (err as any).code : 124) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
    child.stdin?.end();
  });
}

test('kubectl drain waits on a PodDisruptionBudget and completes once a replacement is Ready', { skip }, async () => {
  const nodes = ['node-0', 'node-1', 'node-2'];
  // Both replicas on node-0: the others cordoned while they start.
  for (const n of nodes.slice(1)) await c.kubectl(['cordon', n]);
  await c.kubectl(['create', 'deployment', 'quorum', '--image=busybox', '--replicas=2']);
  await c.kubectl(['rollout', 'status', 'deployment/quorum', '--timeout=60s']);
  for (const n of nodes.slice(1)) await c.kubectl(['uncordon', n]);
  await c.kubectl(['create', 'pdb', 'quorum', '--selector=app=quorum', '--min-available=1']);
  await eventually(async () => (await c.kubectlJson(['get', 'pdb', 'quorum'])).status?.disruptionsAllowed === 1, 'quorum pdb allows one disruption', 60000, 200);
  const pdbRow = (await c.kubectl(['get', 'pdb', 'quorum'])).split('\n')[1];
  assert.match(pdbRow, /^quorum\s+1\s+N\/A\s+1\s+/);

  const drained = await kubectlFull(['drain', 'node-0', '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=120s'], 130_000);
  assert.equal(drained.code, 0, drained.stderr);
  assert.match(drained.stderr, /error when evicting pods\/"quorum-[^"]+" -n "default" \(will retry after 5s\): Cannot evict pod as it would violate the pod's disruption budget\./);
  assert.match(drained.stdout, /node\/node-0 drained/);
  const pods = (await c.kubectlJson(['get', 'pods', '-l', 'app=quorum'])).items.filter((p: KubeObject) => !p.metadata.deletionTimestamp);
  assert.equal(pods.length, 2);
  assert.ok(pods.every((p: KubeObject) => p.spec.nodeName !== 'node-0'), 'replacements run elsewhere');
  await eventually(async () => (await c.kubectlJson(['get', 'pdb', 'quorum'])).status?.currentHealthy === 2, 'both healthy again', 60000, 200);
  await c.kubectl(['uncordon', 'node-0']);
});
