// End to end on `kubesim up` (API server + scheduler + controller-manager + 3 simulated nodes in one
// process) with the real kubectl: Deployments roll out, roll back, heal, drain, survive a dead node,
// and cascade on delete; deleting a namespace empties it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/types.ts';
import pino from 'pino';
import { startNodePool } from '../../src/node/index.ts';
import { hasKubectl, up, type UpCluster } from './harness.ts';
import { eventually } from '../helpers/eventually.ts';

const skip = !hasKubectl;
let c: UpCluster;

before(async () => {
  if (skip) return;
  // Short node-failure settings so the dead-node scenario takes seconds, not minutes. The grace period
  // must stay above the node agents' 10 s Lease renewal, or healthy nodes flap to Unknown.
  c = await up(['--nodes', '3', '--node-monitor-grace-period', '15', '--default-toleration-seconds', '2']);
});
after(async () => {
  await c?.close();
});

const PODS = { group: '', version: 'v1', plural: 'pods', namespaced: true, kind: 'Pod' };
const ready = (p: KubeObject) => !p.metadata.deletionTimestamp && (p.status?.conditions ?? []).some((x: any) => x.type === 'Ready' && x.status === 'True');
const running = async (selector: string, ns = 'default') => (await c.kubectlJson(['get', 'pods', '-n', ns, '-l', selector])).items.filter((p: KubeObject) => p.status?.phase === 'Running' && !p.metadata.deletionTimestamp);

test('a Deployment reaches its replicas Running across nodes and rollout status succeeds', { skip }, async () => {
  assert.match(await c.kubectl(['create', 'deployment', 'web', '--image=nginx:1.25', '--replicas=6']), /deployment.apps\/web created/);
  // maxSurge 1 / maxUnavailable 1 for the rollout test below.
  await c.kubectl(['patch', 'deployment', 'web', '--type=merge', '-p', '{"spec":{"strategy":{"rollingUpdate":{"maxSurge":1,"maxUnavailable":1}}}}']);
  assert.match(await c.kubectl(['rollout', 'status', 'deployment/web', '--timeout=60s']), /deployment "web" successfully rolled out/);
  const pods = await running('app=web');
  assert.equal(pods.length, 6);
  const nodes = new Set(pods.map((p: KubeObject) => p.spec.nodeName));
  assert.ok(nodes.size >= 2, `spread over nodes: ${[...nodes]}`);
  const d = await c.kubectlJson(['get', 'deployment', 'web']);
  assert.deepEqual([d.status.replicas, d.status.updatedReplicas, d.status.readyReplicas, d.status.availableReplicas], [6, 6, 6, 6]);
});

test('set image rolls out with maxUnavailable respected at every observed moment', { skip }, async () => {
  // Watch the pods: after every event, count ready pods (not terminating).
  const state = new Map<string, KubeObject>();
  for (const p of (await c.client.resource(PODS).list({ namespace: 'default', labelSelector: 'app=web' })).items) state.set(p.metadata.name!, p);
  const list = await c.client.resource(PODS).list({ namespace: 'default', labelSelector: 'app=web' });
  const w = await c.client.resource(PODS).watch({ namespace: 'default', labelSelector: 'app=web', resourceVersion: list.metadata.resourceVersion });
  let min = Infinity;
  let events = 0;
  const watching = (async () => {
    for await (const ev of w) {
      const p = ev.object as KubeObject;
      if (ev.type === 'DELETED') state.delete(p.metadata.name!);
      else if (ev.type === 'ADDED' || ev.type === 'MODIFIED') state.set(p.metadata.name!, p);
      else continue;
      events++;
      min = Math.min(min, [...state.values()].filter(ready).length);
    }
  })();
  assert.match(await c.kubectl(['set', 'image', 'deployment/web', 'nginx=nginx:1.26']), /image updated/);
  assert.match(await c.kubectl(['rollout', 'status', 'deployment/web', '--timeout=90s']), /successfully rolled out/);
  await eventually(async () => (await running('app=web')).length === 6 && [...state.values()].filter(ready).length === 6, 'old pods gone', 60000, 200);
  w.close();
  await watching.catch(() => {});
  assert.ok(events > 10, `watched the rollout (${events} events)`);
  assert.ok(min >= 5, `never fewer than replicas - maxUnavailable = 5 ready pods (saw ${min})`);
  const pods = await running('app=web');
  assert.ok(pods.every((p: KubeObject) => p.spec.containers[0].image === 'nginx:1.26'));
});

test('rollout history lists the revisions and rollout undo goes back', { skip }, async () => {
  const hist = await c.kubectl(['rollout', 'history', 'deployment/web']);
  assert.match(hist, /REVISION\s+CHANGE-CAUSE/);
  assert.match(hist, /^1\s/m);
  assert.match(hist, /^2\s/m);
  assert.match(await c.kubectl(['rollout', 'undo', 'deployment/web']), /deployment.apps\/web rolled back/);
  assert.match(await c.kubectl(['rollout', 'status', 'deployment/web', '--timeout=90s']), /successfully rolled out/);
  const d = await c.kubectlJson(['get', 'deployment', 'web']);
  assert.equal(d.spec.template.spec.containers[0].image, 'nginx:1.25');
  assert.equal(d.metadata.annotations['deployment.kubernetes.io/revision'], '3');
  const hist2 = await c.kubectl(['rollout', 'history', 'deployment/web']);
  assert.match(hist2, /^2\s/m);
  assert.match(hist2, /^3\s/m);
  assert.doesNotMatch(hist2, /^1\s/m, 'revision 1 became revision 3');
  const rev2 = await c.kubectl(['rollout', 'history', 'deployment/web', '--revision=2']);
  assert.match(rev2, /nginx:1\.26/);
});

test('a deleted pod is replaced', { skip }, async () => {
  const [victim] = await running('app=web');
  await c.kubectl(['delete', 'pod', victim.metadata.name, '--wait=false']);
  await eventually(async () => {
    const pods = await running('app=web');
    return pods.length === 6 && !pods.some((p: KubeObject) => p.metadata.name === victim.metadata.name);
  }, 'a replacement pod Running', 60000, 200);
});

test('drain moves the pods off a node', { skip }, async () => {
  const pods = await running('app=web');
  const node = pods[0].spec.nodeName as string;
  await c.kubectl(['drain', node, '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=90s'], { timeoutMs: 100_000 });
  await eventually(async () => {
    const now = await running('app=web');
    return now.length === 6 && now.every((p: KubeObject) => p.spec.nodeName !== node);
  }, `6 web pods Running off ${node}`, 60000, 200);
  const n = await c.kubectlJson(['get', 'node', node]);
  assert.equal(n.spec.unschedulable, true);
  await c.kubectl(['uncordon', node]);
});

test('a node whose agent stops is marked NotReady and its pods are recreated elsewhere', { skip }, async () => {
  const nodes = ['node-0', 'node-1', 'node-2'];
  const pool = await startNodePool({ client: c.client, count: 1, prefix: 'doomed', logger: pino({ level: 'silent' }) });
  let stopped = false;
  try {
    await eventually(async () => (await c.kubectl(['get', 'node', 'doomed-0'])).includes(' Ready '), 'doomed-0 Ready', 60000, 200);
    for (const n of nodes) await c.kubectl(['cordon', n]);
    await c.kubectl(['create', 'deployment', 'moving', '--image=busybox', '--replicas=2']);
    await c.kubectl(['rollout', 'status', 'deployment/moving', '--timeout=60s']);
    const before = await running('app=moving');
    assert.ok(before.every((p: KubeObject) => p.spec.nodeName === 'doomed-0'));
    for (const n of nodes) await c.kubectl(['uncordon', n]);
    await pool.stop();
    stopped = true;
    // Grace period 15 s → Unknown (NotReady); toleration 2 s → evicted; replacements elsewhere.
    await eventually(async () => /doomed-0\s+NotReady/.test(await c.kubectl(['get', 'node', 'doomed-0'])), 'doomed-0 NotReady', 45_000, 200);
    const node = await c.kubectlJson(['get', 'node', 'doomed-0']);
    const readyCond = node.status.conditions.find((x: any) => x.type === 'Ready');
    assert.equal(readyCond.status, 'Unknown');
    assert.equal(readyCond.reason, 'NodeStatusUnknown');
    assert.ok(node.spec.taints.some((t: any) => t.key === 'node.kubernetes.io/unreachable' && t.effect === 'NoExecute'));
    await eventually(async () => {
      const now = await running('app=moving');
      return now.length === 2 && now.every((p: KubeObject) => nodes.includes(p.spec.nodeName));
    }, 'moving pods Running on the other nodes', 60_000, 200);
    const events = await c.kubectl(['get', 'events', '--field-selector', 'reason=TaintManagerEviction']);
    assert.match(events, /Marking for deletion Pod default\/moving-/);
  } finally {
    if (!stopped) await pool.stop();
    for (const n of nodes) await c.kubectl(['uncordon', n]).catch(() => {});
  }
});

test('a DaemonSet covers every node (rollout status), a Job completes (kubectl wait), a Service gets endpoints', { skip }, async () => {
  const manifest = `apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec: {containers: [{name: agent, image: agent:1}]}
---
apiVersion: batch/v1
kind: Job
metadata: {name: once}
spec:
  completions: 2
  template:
    metadata: {annotations: {kubesim.io/exit-after: 500ms}}
    spec: {restartPolicy: Never, containers: [{name: c, image: busybox}]}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
`;
  await c.kubectl(['apply', '-f', '-'], { stdin: manifest });
  assert.match(await c.kubectl(['rollout', 'status', 'daemonset/agent', '--timeout=60s']), /daemon set "agent" successfully rolled out/);
  const agents = await running('app=agent');
  assert.deepEqual(agents.map((p: KubeObject) => p.spec.nodeName).sort(), ['node-0', 'node-1', 'node-2']);
  assert.match(await c.kubectl(['wait', '--for=condition=complete', 'job/once', '--timeout=60s']), /job.batch\/once condition met/);
  const job = await c.kubectlJson(['get', 'job', 'once']);
  assert.equal(job.status.succeeded, 2);
  const ep = await eventually(async () => {
    const e = await c.kubectlJson(['get', 'endpoints', 'web']);
    if ((e.subsets?.[0]?.addresses?.length ?? 0) !== 6) throw new Error(`endpoints: ${JSON.stringify(e.subsets)}`);
    return e;
  }, 'endpoints of the 6 web pods', 60000, 200);
  assert.deepEqual(ep.subsets[0].ports, [{ port: 8080, protocol: 'TCP' }]);
  await c.kubectl(['delete', 'daemonset/agent', 'job/once', 'service/web']);
});

test('rollout status fails once a rollout exceeds its progress deadline (pods never ready)', { skip }, async () => {
  const manifest = `apiVersion: apps/v1
kind: Deployment
metadata: {name: crashy}
spec:
  replicas: 1
  progressDeadlineSeconds: 3
  selector: {matchLabels: {app: crashy}}
  template:
    metadata: {labels: {app: crashy}, annotations: {kubesim.io/ready-after: 1h}}
    spec: {containers: [{name: c, image: busybox}]}
`;
  await c.kubectl(['apply', '-f', '-'], { stdin: manifest });
  const err = await c.kubectl(['rollout', 'status', 'deployment/crashy', '--timeout=60s']).then(
    () => '',
    (e) => String(e),
  );
  assert.match(err, /deployment "crashy" exceeded its progress deadline/);
  const d = await c.kubectlJson(['get', 'deployment', 'crashy']);
  const p = d.status.conditions.find((x: any) => x.type === 'Progressing');
  assert.deepEqual([p.status, p.reason], ['False', 'ProgressDeadlineExceeded']);
  await c.kubectl(['delete', 'deployment', 'crashy']);
});

test('deleting a Deployment removes its ReplicaSets and pods', { skip }, async () => {
  await c.kubectl(['delete', 'deployment', 'web']);
  await eventually(async () => {
    const rs = (await c.kubectlJson(['get', 'rs', '-l', 'app=web'])).items;
    const pods = (await c.kubectlJson(['get', 'pods', '-l', 'app=web'])).items;
    return rs.length === 0 && pods.length === 0;
  }, 'web ReplicaSets and pods gone', 60000, 200);
});

test('deleting a namespace empties it', { skip }, async () => {
  await c.kubectl(['create', 'namespace', 'scratch']);
  await c.kubectl(['-n', 'scratch', 'create', 'deployment', 'tmp', '--image=busybox', '--replicas=2']);
  await c.kubectl(['-n', 'scratch', 'create', 'configmap', 'cfg', '--from-literal=a=b']);
  await eventually(async () => (await running('app=tmp', 'scratch')).length === 2, 'scratch pods Running', 60000, 200);
  await c.kubectl(['delete', 'namespace', 'scratch', '--timeout=60s']);
  await eventually(async () => {
    const left = await c.client.resource(PODS).list({ namespace: 'scratch' });
    const cms = await c.client.resource({ group: '', version: 'v1', plural: 'configmaps', namespaced: true }).list({ namespace: 'scratch' });
    const rss = await c.client.resource({ group: 'apps', version: 'v1', plural: 'replicasets', namespaced: true }).list({ namespace: 'scratch' });
    return left.items.length === 0 && cms.items.length === 0 && rss.items.length === 0;
  }, 'scratch emptied', 60000, 200);
  await eventually(async () => c.kubectl(['get', 'namespace', 'scratch']).then(() => false, (e) => /NotFound/.test(String(e))), 'namespace scratch gone', 60000, 200);
});
