// The scheduling queue (priority order, backoff 1 s → 10 s, unschedulable parking and moves) and
// the cache's assume / confirm / forget / expire cycle, on an injected clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Events, SchedulingQueue } from '../../src/scheduler/queue.ts';
import { SchedulerCache } from '../../src/scheduler/cache.ts';
import { newPodInfo } from '../../src/scheduler/podinfo.ts';
import { node, pod } from './fixtures.ts';

function clock() {
  let t = 1_000_000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

test('activeQ pops by priority, then creation time, then arrival', () => {
  const q = new SchedulingQueue();
  q.add(pod('low-old', { priority: 0, created: '2026-01-01T00:00:00Z' }));
  q.add(pod('high', { priority: 1000, created: '2026-01-01T00:00:05Z' }));
  q.add(pod('low-new', { priority: 0, created: '2026-01-01T00:00:03Z' }));
  q.add(pod('low-new-2', { priority: 0, created: '2026-01-01T00:00:03Z' }));
  q.add(pod('mid', { priority: 10, created: '2026-01-01T00:00:09Z' }));
  const order = [];
  for (let x = q.tryPop(); x; x = q.tryPop()) order.push(x.pod.metadata.name);
  assert.deepEqual(order, ['high', 'mid', 'low-old', 'low-new', 'low-new-2']);
});

test('backoff per pod doubles from 1 s to a 10 s cap', () => {
  const q = new SchedulingQueue();
  const info = { attempts: 0 } as any;
  const got = [1, 2, 3, 4, 5, 6].map((a) => q.backoffDuration({ ...info, attempts: a }));
  assert.deepEqual(got, [1000, 2000, 4000, 8000, 10000, 10000]);
});

test('an unschedulable pod is parked, moved by a relevant event, and waits out its backoff', () => {
  const c = clock();
  const q = new SchedulingQueue({ now: c.now });
  q.add(pod('p'));
  const a = q.tryPop()!;
  assert.equal(a.attempts, 1);
  q.requeue(a, { unschedulablePlugins: new Set(['NodeResourcesFit']) });
  assert.equal(q.where('default/p'), 'unschedulable');
  // An event that cannot help NodeResourcesFit leaves it parked.
  assert.equal(q.moveAllToActiveOrBackoff(Events.AssignedPodAdd), 0);
  assert.equal(q.where('default/p'), 'unschedulable');
  // A pod deletion may free resources → backoffQ (its 1 s backoff is not over).
  assert.equal(q.moveAllToActiveOrBackoff(Events.AssignedPodDelete), 1);
  assert.equal(q.where('default/p'), 'backoff');
  assert.equal(q.flushBackoffCompleted(), 0);
  c.advance(1000);
  assert.equal(q.flushBackoffCompleted(), 1);
  assert.equal(q.where('default/p'), 'active');
  const b = q.tryPop()!;
  assert.equal(b.attempts, 2);
  q.requeue(b, { unschedulablePlugins: new Set(['NodeResourcesFit']) });
  c.advance(5000); // past its 2 s backoff: a node event moves it straight to active
  q.moveAllToActiveOrBackoff(Events.NodeAdd);
  assert.equal(q.where('default/p'), 'active');
});

test('a move request during the attempt sends the failed pod to backoff, not unschedulable', () => {
  const c = clock();
  const q = new SchedulingQueue({ now: c.now });
  q.add(pod('p'));
  const a = q.tryPop()!;
  q.moveAllToActiveOrBackoff(Events.NodeAdd); // a node appeared while p was being scheduled
  q.requeue(a, { unschedulablePlugins: new Set(['NodeResourcesFit']) });
  assert.equal(q.where('default/p'), 'backoff');
});

test('the periodic flush retries pods unschedulable for too long', () => {
  const c = clock();
  const q = new SchedulingQueue({ now: c.now, maxUnschedulableMs: 60_000 });
  q.add(pod('p'));
  q.requeue(q.tryPop()!, {});
  c.advance(59_000);
  assert.equal(q.flushUnschedulableLeftover(), 0);
  c.advance(1_000);
  assert.equal(q.flushUnschedulableLeftover(), 1);
  assert.equal(q.where('default/p'), 'active');
});

test('updates: spec changes retry an unschedulable pod, status-only changes do not; deletes remove it', () => {
  const c = clock();
  const q = new SchedulingQueue({ now: c.now });
  const p = pod('p', { cpu: '8' });
  q.add(p);
  q.requeue(q.tryPop()!, {});
  q.update({ ...p, status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False' }] } });
  assert.equal(q.where('default/p'), 'unschedulable');
  c.advance(2000);
  q.update(pod('p', { cpu: '1' }));
  assert.equal(q.where('default/p'), 'active');
  q.delete(p);
  assert.equal(q.where('default/p'), undefined);
  // Deleted while in flight: the failed attempt does not bring it back.
  q.add(p);
  const a = q.tryPop()!;
  q.delete(p);
  q.requeue(a, {});
  assert.equal(q.where('default/p'), undefined);
  assert.deepEqual(q.lengths(), { active: 0, backoff: 0, unschedulable: 0, inFlight: 0 });
});

test('pop waits for a pod and close releases waiters', async () => {
  const q = new SchedulingQueue();
  const waiting = q.pop();
  q.add(pod('late'));
  assert.equal((await waiting)?.pod.metadata.name, 'late');
  const w2 = q.pop();
  q.close();
  assert.equal(await w2, undefined);
});

test('cache: an assumed pod counts at once, is confirmed by the informer, forgotten on failure, expires if never confirmed', () => {
  const cache = new SchedulerCache(30_000);
  cache.addNode(node('n1', { cpu: '2' }));
  const p = pod('p', { cpu: '1500m' });
  cache.assumePod(newPodInfo(p), 'n1');
  assert.equal(cache.getNode('n1')!.requested.milliCPU, 1500);
  assert.ok(cache.isAssumed('default/p'));
  // Confirmed by the informer: stays counted once.
  cache.addOrUpdatePod({ ...p, spec: { ...p.spec, nodeName: 'n1' } });
  assert.ok(!cache.isAssumed('default/p'));
  assert.equal(cache.getNode('n1')!.requested.milliCPU, 1500);
  cache.removePod(p);
  assert.equal(cache.getNode('n1')!.requested.milliCPU, 0);
  // Binding failed → forgotten.
  cache.assumePod(newPodInfo(p), 'n1');
  cache.forgetPod('default/p');
  assert.equal(cache.getNode('n1')!.pods.size, 0);
  // Binding returned but no informer confirmation within the TTL → expires.
  cache.assumePod(newPodInfo(p), 'n1');
  cache.finishBinding('default/p', 1000);
  assert.deepEqual(cache.cleanupAssumedPods(20_000), []);
  assert.deepEqual(cache.cleanupAssumedPods(31_001), ['default/p']);
  assert.equal(cache.getNode('n1')!.requested.milliCPU, 0);
  // A pod bound to a node the cache has not seen yet is kept and counted when the node arrives.
  cache.addOrUpdatePod(pod('early', { cpu: '1', nodeName: 'n2' }));
  assert.equal(cache.getNode('n2'), undefined);
  cache.addNode(node('n2', { cpu: '2' }));
  assert.equal(cache.getNode('n2')!.requested.milliCPU, 1000);
  assert.deepEqual(cache.nodeList().map((n) => n.name), ['n1', 'n2']);
});

test('only a move request relevant to the failing plugins sends an in-flight pod to backoff', () => {
  const c = clock();
  const q = new SchedulingQueue({ now: c.now });
  q.add(pod('p'));
  const a = q.tryPop()!;
  q.moveAllToActiveOrBackoff(Events.AssignedPodAdd); // helps affinity/spread only
  q.requeue(a, { unschedulablePlugins: new Set(['NodeResourcesFit']) });
  assert.equal(q.where('default/p'), 'unschedulable');
  c.advance(5000);
  q.moveAllToActiveOrBackoff(Events.NodeAdd);
  const b = q.tryPop()!;
  q.moveAllToActiveOrBackoff(Events.AssignedPodDelete); // may free resources
  q.requeue(b, { unschedulablePlugins: new Set(['NodeResourcesFit']) });
  assert.equal(q.where('default/p'), 'backoff');
});

test('an aborted pop leaves no waiter behind: the next pod stays in activeQ', async () => {
  const q = new SchedulingQueue();
  const ac = new AbortController();
  const waiting = q.pop(ac.signal);
  ac.abort();
  assert.equal(await waiting, undefined);
  q.add(pod('p'));
  assert.equal(q.where('default/p'), 'active');
});
