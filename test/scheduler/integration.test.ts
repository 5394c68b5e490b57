// The scheduler against the real API server, with Node objects created directly (no node agent).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { startScheduler } from '../../src/scheduler/index.ts';
import { podRequests } from '../../src/api/core/requests.ts';
import { cluster, createAll, EVENTS, NODES, PODS } from './helpers.ts';
import { node, pod } from './fixtures.ts';
import type { KubeObject } from '../../src/api/types.ts';
import { eventually } from '../helpers/eventually.ts';

const silent = pino({ level: 'silent' });

test('no overcommit when 1,000 pods arrive at once on 10 nodes', async () => {
  const c = await cluster();
  const s = await startScheduler({ client: c.client, logger: silent });
  try {
    // 10 nodes × 5 cpu; pods of 60m → 83 fit per node (830), the other 170 must stay pending.
    await createAll(c.client, NODES, Array.from({ length: 10 }, (_, i) => node(`node-${i}`, { cpu: '5', memory: '64Gi', pods: '110' })));
    await createAll(c.client, PODS, Array.from({ length: 1000 }, (_, i) => pod(`p-${i}`, { cpu: '60m', memory: '10Mi' })), 64);
    const pods = c.client.resource(PODS);
    const settled = await eventually(async () => {
      const list = (await pods.list({ namespace: 'default' })).items;
      const bound = list.filter((p) => p.spec?.nodeName);
      const failed = list.filter((p) => p.status?.conditions?.some((x: any) => x.type === 'PodScheduled' && x.status === 'False'));
      return bound.length === 830 && failed.length === 170 ? list : undefined;
    }, '830 bound and 170 unschedulable pods', 50_000, 200);
    const perNode = new Map<string, number>();
    for (const p of settled) if (p.spec?.nodeName) perNode.set(p.spec.nodeName, (perNode.get(p.spec.nodeName) ?? 0) + podRequests(p).milliCPU);
    for (const [n, milli] of perNode) assert.ok(milli <= 5000, `${n} overcommitted: ${milli}m of 5000m`);
    assert.equal(perNode.size, 10);
    const pending = settled.find((p) => !p.spec?.nodeName)!;
    const cond = pending.status.conditions.find((x: any) => x.type === 'PodScheduled');
    assert.equal(cond.reason, 'Unschedulable');
    assert.match(cond.message, /^0\/10 nodes are available: 10 Insufficient cpu\./);
  } finally {
    await s.stop();
    await c.close();
  }
});

test('an unschedulable pod waits (condition and event) and is placed when a node appears', async () => {
  const c = await cluster();
  const s = await startScheduler({ client: c.client, logger: silent, port: 0 });
  try {
    await createAll(c.client, NODES, [
      node('small', { cpu: '1' }),
      node('tainted', { cpu: '8', taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' }] }),
    ]);
    await c.client.resource(PODS).create(pod('big', { cpu: '2', annotations: { 'kubesim.io/explain-scheduling': 'true' } }), { namespace: 'default' });
    const want =
      '0/2 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }. ' +
      'preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.';
    const p = await eventually(async () => {
      const p = await c.client.resource(PODS).get('big', { namespace: 'default' });
      return p.status?.conditions?.find((x: any) => x.type === 'PodScheduled' && x.status === 'False') ? p : undefined;
    }, 'PodScheduled=False');
    const cond = p.status.conditions.find((x: any) => x.type === 'PodScheduled');
    assert.equal(cond.reason, 'Unschedulable');
    assert.equal(cond.message, want);
    const ev = await eventually(async () => {
      const evs = (await c.client.resource(EVENTS).list({ namespace: 'default' })).items as any[];
      return evs.find((e) => e.reason === 'FailedScheduling' && e.involvedObject.name === 'big');
    }, 'FailedScheduling event');
    assert.equal(ev.type, 'Warning');
    assert.equal(ev.message, want);
    assert.equal(ev.reportingComponent, 'default-scheduler');
    assert.equal(ev.source.component, 'default-scheduler');

    // The explanation: per node, the plugin that rejected it.
    const explained = await eventually(async () => {
      const p = await c.client.resource(PODS).get('big', { namespace: 'default' });
      return p.metadata.annotations?.['kubesim.io/scheduling-result'];
    }, 'explanation annotation');
    const r = JSON.parse(explained);
    assert.equal(r.filter.small, 'NodeResourcesFit: Insufficient cpu');
    assert.equal(r.filter.tainted, 'TaintToleration: node(s) had untolerated taint {node.kubernetes.io/unreachable: }');
    assert.equal(r.selected, undefined);

    // A relevant node change retries the pod; the identical failure bumps the same event's count.
    await c.client.resource(NODES).patch('small', { metadata: { labels: { touched: 'yes' } } }, { type: 'merge' });
    const bumped = await eventually(async () => {
      const evs = ((await c.client.resource(EVENTS).list({ namespace: 'default' })).items as any[]).filter(
        (e) => e.reason === 'FailedScheduling' && e.involvedObject.name === 'big',
      );
      return evs.length === 1 && evs[0].count >= 2 ? evs[0] : undefined;
    }, 'one FailedScheduling event with count 2');
    assert.equal(bumped.message, want);

    // A node that fits appears → the pod is bound there, with a Scheduled event.
    await c.client.resource(NODES).create(node('large', { cpu: '4' }));
    await eventually(async () => (await c.client.resource(PODS).get('big', { namespace: 'default' })).spec?.nodeName === 'large', 'pod bound to large');
    const scheduled = await eventually(async () => {
      const evs = (await c.client.resource(EVENTS).list({ namespace: 'default' })).items as any[];
      return evs.find((e) => e.reason === 'Scheduled' && e.involvedObject.name === 'big');
    }, 'Scheduled event');
    assert.equal(scheduled.message, 'Successfully assigned default/big to large');
    assert.equal(scheduled.type, 'Normal');

    // The debug endpoint returns the last decision, with scores for the feasible node.
    const d = await eventually(async () => {
      const res = await fetch(`${s.url}/debug/explain/default/big`);
      const body: any = await res.json();
      return body.selected === 'large' ? body : undefined;
    }, 'decision with selected=large');
    assert.equal(d.filter.large, 'passed');
    assert.equal(d.filter.small, 'NodeResourcesFit: Insufficient cpu');
    assert.ok(typeof d.score.large.NodeResourcesFit === 'number');
    const missing = await fetch(`${s.url}/debug/explain/default/nope`);
    assert.equal(missing.status, 404);
    const metrics = await (await fetch(`${s.url}/metrics`)).text();
    assert.match(metrics, /scheduler_schedule_attempts_total\{result="scheduled",profile="default-scheduler"\} 1/);
    assert.match(metrics, /scheduler_schedule_attempts_total\{result="unschedulable",profile="default-scheduler"\} [1-9]/);
    assert.match(metrics, /scheduler_pending_pods\{queue="unschedulable"\} 0/);
  } finally {
    await s.stop();
    await c.close();
  }
});

test('pods for another schedulerName are ignored; spec.schedulerName selects the profile; gated pods wait', async () => {
  const c = await cluster();
  const s = await startScheduler({ client: c.client, logger: silent });
  try {
    await c.client.resource(NODES).create(node('n1'));
    await createAll(c.client, PODS, [pod('mine'), pod('theirs', { schedulerName: 'other-scheduler' })]);
    await eventually(async () => (await c.client.resource(PODS).get('mine', { namespace: 'default' })).spec?.nodeName === 'n1', 'mine bound');
    await s.scheduler.drain();
    const theirs: KubeObject = await c.client.resource(PODS).get('theirs', { namespace: 'default' });
    assert.equal(theirs.spec?.nodeName, undefined);
    assert.equal(theirs.status?.conditions, undefined);
    assert.equal(s.scheduler.queue.where('default/theirs'), undefined);

    // A pod with scheduling gates waits until the gates are removed.
    await c.client.resource(PODS).create(pod('gated', { spec: { schedulingGates: [{ name: 'example.com/wait' }] } }), { namespace: 'default' });
    await c.client.resource(PODS).create(pod('after-gated'), { namespace: 'default' });
    await eventually(async () => (await c.client.resource(PODS).get('after-gated', { namespace: 'default' })).spec?.nodeName === 'n1', 'after-gated bound');
    assert.equal((await c.client.resource(PODS).get('gated', { namespace: 'default' })).spec?.nodeName, undefined);
    assert.ok(s.scheduler.gatedPods.has('default/gated'));
    await c.client.resource(PODS).patch('gated', { spec: { schedulingGates: null } }, { namespace: 'default', type: 'merge' });
    await eventually(async () => (await c.client.resource(PODS).get('gated', { namespace: 'default' })).spec?.nodeName === 'n1', 'gated pod bound once ungated');
    assert.equal(s.scheduler.gatedPods.size, 0);
  } finally {
    await s.stop();
    await c.close();
  }
});
