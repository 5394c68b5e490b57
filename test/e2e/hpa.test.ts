// The php-apache walkthrough of the Kubernetes docs (HorizontalPodAutoscaler Walkthrough) on
// `kubesim up` with the real kubectl: the Deployment's load annotation plays the load generator;
// the HPA from the docs' manifest scales up until utilization is near its 50% target, and back down
// after the (shortened) downscale stabilization window. The expected replica counts come from
// Kubernetes' formula, computed below from the same inputs.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { hasKubectl, up, type UpCluster } from './harness.ts';
import { eventually } from '../helpers/eventually.ts';

const skip = !hasKubectl;
const FIXTURE = '/work/shared/fixtures/k8s-docs/tutorials/php-apache-hpa.yaml';
let c: UpCluster;

// The docs' php-apache Deployment: 200m requested, 500m limit; kubesim's load annotation instead of a busybox loop.
const deployment = (load: string) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'php-apache', annotations: { 'kubesim.io/load-cpu': load } },
  spec: {
    selector: { matchLabels: { run: 'php-apache' } },
    template: {
      metadata: { labels: { run: 'php-apache' } },
      spec: { containers: [{ name: 'php-apache', image: 'registry.k8s.io/hpa-example', ports: [{ containerPort: 80 }], resources: { limits: { cpu: '500m' }, requests: { cpu: '200m' } } }] },
    },
  },
});

/**
 * What Kubernetes' HPA does with `load` millicores spread over n ready pods (request 200m, limit
 * 500m, target 50%, tolerance 0.1, no spec.behavior: scale up at most max(2n, 4) per sync, min 1,
 * max 10), until the proposal is n. kubesim gives a pod without a share 1m of CPU.
 */
function expectedSequence(n: number, load: number): number[] {
  const out: number[] = [];
  for (;;) {
    const perPod = Math.min(500, Math.max(1, load / n));
    const utilization = Math.trunc((perPod * 100) / 200);
    const ratio = utilization / 50;
    if (Math.abs(ratio - 1) <= 0.1) return out;
    let desired = Math.ceil(ratio * n);
    desired = Math.max(1, Math.min(desired, Math.max(2 * n, 4), 10));
    if (desired === n) return out;
    out.push(desired);
    n = desired;
  }
}

before(async () => {
  if (skip) return;
  c = await up(['--nodes', '3', '--metric-resolution', '1s', '--horizontal-pod-autoscaler-sync-period', '1s', '--horizontal-pod-autoscaler-downscale-stabilization', '8s']);
});
after(async () => {
  await c?.close();
});

async function hpaRow(): Promise<string[]> {
  const out = await c.kubectl(['get', 'hpa', 'php-apache', '--no-headers']);
  return out.trim().split(/\s{2,}/);
}

test('php-apache: scale up on load until near the target, down after the stabilization window', { skip, timeout: 180_000 }, async () => {
  await c.kubectl(['apply', '-f', '-'], { stdin: JSON.stringify(deployment('0')) });
  assert.match(await c.kubectl(['rollout', 'status', 'deployment/php-apache', '--timeout=60s']), /successfully rolled out/);
  assert.match(await c.kubectl(['apply', '-f', FIXTURE]), /horizontalpodautoscaler.autoscaling\/php-apache created/);
  await eventually(async () => ((await hpaRow())[2] === 'cpu: 0%/50%' ? true : undefined), 'TARGETS cpu: 0%/50%', 30_000);

  const seen: number[] = [1];
  const record = async () => {
    const d = await c.kubectlJson(['get', 'deployment', 'php-apache']);
    if (seen[seen.length - 1] !== d.spec.replicas) seen.push(d.spec.replicas);
    return d;
  };
  const converge = async (replicas: number, targets: string) =>
    eventually(
      async () => {
        const d = await record();
        const row = await hpaRow();
        return d.spec.replicas === replicas && d.status.readyReplicas === replicas && row[2] === targets ? row : undefined;
      },
      `${replicas} replicas at ${targets}`,
      60_000,
      250,
    );

  // Load 400m: one pod at 200% → 4 pods at 50%.
  const up1 = expectedSequence(1, 400);
  assert.deepEqual(up1, [4]);
  await c.kubectl(['annotate', 'deployment', 'php-apache', 'kubesim.io/load-cpu=400m', '--overwrite']);
  await converge(4, 'cpu: 50%/50%');
  // Load 800m: four pods at 100% → 8 pods at 50%.
  const up2 = expectedSequence(4, 800);
  assert.deepEqual(up2, [8]);
  await c.kubectl(['annotate', 'deployment', 'php-apache', 'kubesim.io/load-cpu=800m', '--overwrite']);
  const row = await converge(8, 'cpu: 50%/50%');
  assert.deepEqual(row.slice(0, 6), ['php-apache', 'Deployment/php-apache', 'cpu: 50%/50%', '1', '10', '8']);
  // Load stops: after the 8 s window of recommendations at 8, straight down to minReplicas.
  const down = expectedSequence(8, 0);
  assert.deepEqual(down, [1]);
  const stoppedAt = Date.now();
  await c.kubectl(['annotate', 'deployment', 'php-apache', 'kubesim.io/load-cpu=0', '--overwrite']);
  await eventually(async () => ((await record()).spec.replicas === 1 ? true : undefined), 'scaled down to 1', 60_000, 250);
  assert.ok(Date.now() - stoppedAt >= 7_000, `scaled down only after the stabilization window (${Date.now() - stoppedAt} ms)`);
  assert.deepEqual(seen, [1, ...up1, ...up2, ...down]);

  const hpa = await c.kubectlJson(['get', 'hpa', 'php-apache']);
  const conds = Object.fromEntries(hpa.status.conditions.map((x: any) => [x.type, `${x.status}/${x.reason}`]));
  assert.equal(conds.AbleToScale.split('/')[0], 'True');
  assert.equal(conds.ScalingActive, 'True/ValidMetricFound');
  assert.equal(hpa.status.desiredReplicas, 1);
  const events = (await c.kubectlJson(['get', 'events', '--field-selector', 'involvedObject.kind=HorizontalPodAutoscaler,reason=SuccessfulRescale'])).items
    .sort((a: any, b: any) => a.metadata.creationTimestamp.localeCompare(b.metadata.creationTimestamp) || a.metadata.name.localeCompare(b.metadata.name))
    .map((e: any) => e.message);
  assert.deepEqual(events, [
    'New size: 4; reason: cpu resource utilization (percentage of request) above target',
    'New size: 8; reason: cpu resource utilization (percentage of request) above target',
    'New size: 1; reason: All metrics below target',
  ]);
  const top = await c.kubectl(['top', 'pods', '-l', 'run=php-apache']);
  assert.match(top, /^NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)/);
});

test('kubectl autoscale creates an HPA that reads the metrics API; an edit takes effect on the next sync', { skip, timeout: 90_000 }, async () => {
  await c.kubectl(['create', 'deployment', 'web', '--image=nginx']);
  await c.kubectl(['set', 'resources', 'deployment', 'web', '--requests=cpu=100m']);
  await c.kubectl(['annotate', 'deployment', 'web', 'kubesim.io/load-cpu=30m']);
  assert.match(await c.kubectl(['autoscale', 'deployment', 'web', '--cpu-percent=60', '--min=1', '--max=3']), /horizontalpodautoscaler.autoscaling\/web autoscaled/);
  const row = await eventually(async () => {
    const r = (await c.kubectl(['get', 'hpa', 'web', '--no-headers'])).trim().split(/\s{2,}/);
    return r[2] === 'cpu: 30%/60%' ? r : undefined;
  }, 'web TARGETS cpu: 30%/60%', 30_000);
  assert.deepEqual(row.slice(0, 6), ['web', 'Deployment/web', 'cpu: 30%/60%', '1', '3', '1']);
  // Target 20%: 30% → ratio 1.5 → 2 pods at 15% (ratio 0.75 proposes ceil(1.5) = 2: stays).
  await c.kubectl(['patch', 'hpa', 'web', '--type=json', '-p', '[{"op":"replace","path":"/spec/metrics/0/resource/target/averageUtilization","value":20}]']);
  const after = await eventually(async () => {
    const r = (await c.kubectl(['get', 'hpa', 'web', '--no-headers'])).trim().split(/\s{2,}/);
    return r[2] === 'cpu: 15%/20%' && r[5] === '2' ? r : undefined;
  }, 'web at 2 replicas, cpu: 15%/20%', 45_000);
  assert.equal(after[0], 'web');
});
