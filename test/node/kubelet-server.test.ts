// The pool's kubelet server and Node registration as seen through the API.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startNodePool, type NodePool } from '../../src/node/index.ts';
import { cluster, NODES, pod, PODS, quiet } from './helpers.ts';
import { eventually } from '../helpers/eventually.ts';

let c: Awaited<ReturnType<typeof cluster>>;
let pool: NodePool;

before(async () => {
  c = await cluster();
  pool = await startNodePool({
    client: c.client,
    count: 2,
    logger: quiet,
    zones: ['eu-west-1a', 'eu-west-1b'],
    labels: { team: 'sim' },
    taints: [{ key: 'dedicated', value: 'sim', effect: 'NoSchedule' }],
    timings: { pullMs: 50, createMs: 10, startMs: 10 },
  });
});

after(async () => {
  await pool.stop();
  await c.close();
});

test('Nodes carry capacity, addresses, nodeInfo, labels, taints, conditions and the kubelet endpoint', async () => {
  const n: any = await c.client.resource(NODES).get('node-1');
  assert.deepEqual(n.status.capacity, { cpu: '4', memory: '16Gi', pods: '110', 'ephemeral-storage': '100Gi' });
  assert.deepEqual(n.status.allocatable, n.status.capacity);
  assert.deepEqual(n.status.addresses, [
    { type: 'InternalIP', address: '10.0.0.3' },
    { type: 'Hostname', address: 'node-1' },
  ]);
  assert.equal(n.status.nodeInfo.kubeletVersion, 'v1.32.0');
  assert.equal(n.status.nodeInfo.containerRuntimeVersion, 'kubesim://0.1');
  assert.equal(n.status.nodeInfo.operatingSystem, 'linux');
  assert.equal(n.status.nodeInfo.architecture, 'amd64');
  assert.equal(n.spec.podCIDR, '10.128.1.0/24');
  assert.deepEqual(n.spec.taints, [{ key: 'dedicated', value: 'sim', effect: 'NoSchedule' }]);
  for (const [k, v] of Object.entries({
    'kubernetes.io/hostname': 'node-1',
    'kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'node.kubernetes.io/instance-type': 'kubesim.standard',
    'topology.kubernetes.io/zone': 'eu-west-1b',
    'topology.kubernetes.io/region': 'eu-west-1',
    team: 'sim',
  }))
    assert.equal(n.metadata.labels[k], v, k);
  const cond = Object.fromEntries(n.status.conditions.map((x: any) => [x.type, `${x.status}/${x.reason}`]));
  assert.deepEqual(cond, {
    MemoryPressure: 'False/KubeletHasSufficientMemory',
    DiskPressure: 'False/KubeletHasNoDiskPressure',
    PIDPressure: 'False/KubeletHasSufficientPID',
    Ready: 'True/KubeletReady',
  });
  assert.equal(n.status.daemonEndpoints.kubeletEndpoint.Port, pool.kubeletPort);
  assert.equal(n.metadata.annotations['kubesim.io/kubelet-url'], pool.kubeletUrl);
});

test('a Ready condition changed by someone else is put back by the agent', async () => {
  const nodes = c.client.resource(NODES);
  const n: any = await nodes.get('node-0');
  n.status.conditions = n.status.conditions.map((x: any) => (x.type === 'Ready' ? { ...x, status: 'Unknown', reason: 'NodeStatusUnknown' } : x));
  await nodes.updateStatus(n);
  await eventually(async () => ((await nodes.get('node-0')) as any).status.conditions.find((x: any) => x.type === 'Ready').status === 'True', 'Ready again');
});

test('a deleted Node is registered again by its agent', async () => {
  const nodes = c.client.resource(NODES);
  const old = await nodes.get('node-1');
  await nodes.delete('node-1');
  const again: any = await eventually(async () => {
    const n = await nodes.get('node-1').catch(() => undefined);
    return n && n.metadata.uid !== old.metadata.uid ? n : undefined;
  }, 'node-1 back');
  assert.equal(again.status.conditions.find((x: any) => x.type === 'Ready').status, 'True');
  assert.equal(again.spec.podCIDR, '10.128.1.0/24');
});

test('/healthz, /metrics, /stats/summary and /metrics/resource', async () => {
  await c.client.resource(PODS).create(
    pod('busy', 'node-0', { containers: [{ name: 'app', image: 'nginx', resources: { requests: { cpu: '200m', memory: '64Mi' }, limits: { cpu: '200m', memory: '64Mi' } } }] }, {
      'kubesim.io/usage': 'cpu=150m,memory=32Mi',
    }),
  );
  await eventually(async () => (await c.client.resource(PODS).get('busy', { namespace: 'default' })).status?.phase === 'Running', 'busy Running');
  const get = async (p: string) => {
    const r = await fetch(pool.kubeletUrl + p);
    return { status: r.status, type: r.headers.get('content-type'), text: await r.text() };
  };
  assert.equal((await get('/healthz')).text, 'ok');
  const m = await get('/metrics');
  assert.match(m.text, /kubesim_nodes 2/);
  assert.match(m.text, /kubesim_node_lease_renewals_total \d+/);
  const s = JSON.parse((await get('/stats/summary?node=node-0')).text);
  assert.equal(s.node.nodeName, 'node-0');
  const busy = s.pods.find((p: any) => p.podRef.name === 'busy');
  const cpu = busy.containers[0].cpu.usageNanoCores / 1e6;
  assert.ok(cpu > 100 && cpu <= 180, `cpu ${cpu}m`);
  assert.ok(Math.abs(busy.containers[0].memory.workingSetBytes - 32 * 2 ** 20) < 3 * 2 ** 20);
  // the pool-wide summary (what the API server's scraper fetches) is streamed: every node, one JSON document
  const whole = await get('/stats/summary');
  assert.equal(whole.status, 200);
  assert.equal(whole.type, 'application/json');
  assert.deepEqual(JSON.parse(whole.text).nodes.map((n: any) => n.node.nodeName).sort(), ['node-0', 'node-1']);
  const prefixed = JSON.parse((await get('/nodes/node-0/stats/summary')).text);
  assert.equal(prefixed.node.nodeName, 'node-0');
  const res = await get('/metrics/resource?node=node-0');
  assert.match(res.text, /^container_cpu_usage_seconds_total\{container="app",namespace="default",pod="busy"\} [\d.e-]+ \d+$/m);
  assert.match(res.text, /^container_memory_working_set_bytes\{container="app",namespace="default",pod="busy"\} \d+ \d+$/m);
  assert.match(res.text, /^node_cpu_usage_seconds_total [\d.e+-]+ \d+$/m);
  assert.equal((await get('/stats/summary?node=nope')).status, 404);
  assert.equal((await get('/nothing-here')).status, 404);
  const bad = await get('/containerLogs/default/busy/nope');
  assert.equal(bad.status, 400);
  assert.equal(JSON.parse(bad.text).message, 'container nope is not valid for pod busy');
  assert.equal((await get('/containerLogs/default/ghost/app')).status, 404);
});

test('node condition annotations: memory pressure is reported, and BestEffort pods are then rejected (Evicted)', async () => {
  const nodes = c.client.resource(NODES);
  const pods = c.client.resource(PODS);
  await nodes.patch('node-0', { metadata: { annotations: { 'kubesim.io/memory-pressure': 'true' } } }, { type: 'merge' });
  const cond = await eventually(async () => {
    const n: any = await nodes.get('node-0');
    const m = n.status.conditions.find((x: any) => x.type === 'MemoryPressure');
    return m.status === 'True' ? m : undefined;
  }, 'MemoryPressure True');
  assert.equal(cond.reason, 'KubeletHasInsufficientMemory');
  await pods.create(pod('be', 'node-0'));
  const be = await eventually(async () => {
    const p = await pods.get('be', { namespace: 'default' });
    return p.status?.phase === 'Failed' ? p : undefined;
  }, 'be rejected');
  assert.equal(be.status.reason, 'Evicted');
  assert.equal(be.status.message, 'Pod was rejected: The node had condition: [MemoryPressure]. ');
  await pods.create(pod('burstable', 'node-0', { containers: [{ name: 'app', image: 'nginx', resources: { requests: { memory: '10Mi' } } }] }));
  await eventually(async () => (await pods.get('burstable', { namespace: 'default' })).status?.phase === 'Running', 'burstable Running');
  await nodes.patch('node-0', { metadata: { annotations: { 'kubesim.io/memory-pressure': null } } }, { type: 'merge' });
  await eventually(async () => ((await nodes.get('node-0')) as any).status.conditions.find((x: any) => x.type === 'MemoryPressure').status === 'False', 'MemoryPressure False');
});

test('a pod bound later through pods/binding (as the scheduler does) is picked up and run', async () => {
  const pods = c.client.resource(PODS);
  const p = pod('late', 'node-1');
  delete p.spec.nodeName;
  await pods.create(p);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal((await pods.get('late', { namespace: 'default' })).status?.phase ?? 'Pending', 'Pending');
  await pods.createSubresource('late', 'binding', { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'late', namespace: 'default' }, target: { apiVersion: 'v1', kind: 'Node', name: 'node-1' } }, { namespace: 'default' });
  const running = await eventually(async () => {
    const x = await pods.get('late', { namespace: 'default' });
    return x.status?.phase === 'Running' ? x : undefined;
  }, 'late Running');
  assert.equal(running.status.hostIP, '10.0.0.3');
});
