// The pod lifecycle paths against the real API server, observed as a client would: by watching
// the pod's status sequence and reading its Events. On virtual time: the server, the client and the
// pool share one VirtualClock that the tests move (eventuallyVirtual), so pulls, back-offs and
// grace periods take no real time and every duration in an event is exact.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startNodePool, type NodePool } from '../../src/node/index.ts';
import { inOrder, virtualCluster, whileVirtual, pod, podEvents, PODS, quiet, recordPod } from './helpers.ts';
import { eventuallyVirtual } from '../helpers/eventually.ts';

let c: Awaited<ReturnType<typeof virtualCluster>>;
let pool: NodePool;

before(async () => {
  c = await virtualCluster();
  pool = await startNodePool({
    client: c.client,
    count: 2,
    logger: quiet,
    clock: c.clock,
    timings: { pullMs: 300, createMs: 50, startMs: 50, commandRunMs: 300, stopMs: 200, backoffBaseMs: 400 },
  });
});

after(async () => {
  await whileVirtual(c.clock, pool.stop());
  await c.close();
});

test('success: Pending/ContainerCreating → Running+Ready → Succeeded, with Pulling/Pulled/Created/Started events', async () => {
  const rec = await recordPod(c.client, 'ok');
  await c.client.resource(PODS).create(pod('ok', 'node-0', { restartPolicy: 'Never', containers: [{ name: 'app', image: 'busybox', command: ['sh', '-c', 'sleep 1; exit 0'] }] }));
  const done = await eventuallyVirtual(c.clock, async () => {
    const p = await c.client.resource(PODS).get('ok', { namespace: 'default' });
    return p.status?.phase === 'Succeeded' ? p : undefined;
  }, 'ok Succeeded');
  // A GET can see Succeeded before the recorder's watch delivers it: wait for the watch too.
  await eventuallyVirtual(c.clock, () => rec.seq.some((s) => s.startsWith('Succeeded/')), 'the watch delivered Succeeded');
  await rec.stop();
  assert.ok(
    inOrder(rec.seq, ['Pending/waiting:ContainerCreating/ready=false/restarts=0', 'Running/running/ready=true/restarts=0', 'Succeeded/terminated:Completed/ready=false/restarts=0']),
    rec.seq.join('\n'),
  );
  const cs = done.status.containerStatuses[0];
  assert.equal(cs.state.terminated.exitCode, 0);
  assert.match(cs.containerID, /^kubesim:\/\/[0-9a-f]{64}$/);
  assert.match(cs.imageID, /^docker\.io\/library\/busybox@sha256:[0-9a-f]{64}$/);
  assert.match(done.status.podIP, /^10\.128\.0\.\d+$/);
  assert.equal(done.status.hostIP, '10.0.0.2');
  assert.equal(done.status.qosClass, 'BestEffort');
  for (const t of ['PodScheduled', 'Initialized', 'ContainersReady', 'Ready']) assert.ok(done.status.conditions.some((x: any) => x.type === t), t);
  const events = await eventuallyVirtual(c.clock, async () => {
    const e = await podEvents(c.client, 'ok');
    return e.length >= 4 ? e : undefined;
  }, '4 events');
  assert.deepEqual(
    events.map((e: any) => e.reason),
    ['Pulling', 'Pulled', 'Created', 'Started'],
  );
  const pulled: any = events[1];
  assert.match(pulled.message, /^Successfully pulled image "busybox" in 300ms \(300ms including waiting\)\. Image size: \d+ bytes\.$/);
  assert.deepEqual(pulled.source, { component: 'kubelet', host: 'node-0' });
  assert.equal(pulled.involvedObject.fieldPath, 'spec.containers{app}');
});

test('failure: exit annotation with code 2 and restartPolicy Never → Failed, terminated Error exitCode 2', async () => {
  const rec = await recordPod(c.client, 'bad');
  await c.client
    .resource(PODS)
    .create(pod('bad', 'node-1', { restartPolicy: 'Never' }, { 'kubesim.io/exit-after': '500ms', 'kubesim.io/exit-code': '2' }));
  const p = await eventuallyVirtual(c.clock, async () => {
    const x = await c.client.resource(PODS).get('bad', { namespace: 'default' });
    return x.status?.phase === 'Failed' ? x : undefined;
  }, 'bad Failed');
  await eventuallyVirtual(c.clock, () => rec.seq.some((s) => s.startsWith('Failed/')), 'the watch delivered Failed');
  await rec.stop();
  assert.ok(inOrder(rec.seq, [/^Pending\/waiting:ContainerCreating/, /^Running\/running/, 'Failed/terminated:Error/ready=false/restarts=0']), rec.seq.join('\n'));
  assert.equal(p.status.containerStatuses[0].state.terminated.exitCode, 2);
});

test('restart: restartPolicy Always restarts a failing container with a doubling CrashLoopBackOff; BackOff events aggregate', async () => {
  const rec = await recordPod(c.client, 'crash');
  await c.client.resource(PODS).create(pod('crash', 'node-0', { containers: [{ name: 'app', image: 'busybox', command: ['false'] }] }));
  const p = await eventuallyVirtual(c.clock, async () => {
      const x = await c.client.resource(PODS).get('crash', { namespace: 'default' });
      return (x.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 3 ? x : undefined;
    }, 'restartCount >= 3', 30_000);
  await eventuallyVirtual(c.clock, () => rec.seq.some((s) => /restarts=[3-9]/.test(s)), 'the watch delivered restartCount 3');
  await rec.stop();
  assert.ok(
    inOrder(rec.seq, [
      /^Running\/running\/ready=true\/restarts=0$/,
      /^Running\/running\/ready=true\/restarts=1$/,
      /^Running\/waiting:CrashLoopBackOff\/ready=false\/restarts=1$/,
      /^Running\/running\/ready=true\/restarts=2$/,
      /^Running\/waiting:CrashLoopBackOff\/ready=false\/restarts=2$/,
    ]),
    rec.seq.join('\n'),
  );
  const backoffs = rec.objects
    .map((o: any) => o.status?.containerStatuses?.[0]?.state?.waiting?.message)
    .filter((m: string | undefined) => m?.startsWith('back-off'));
  assert.ok(backoffs.includes(`back-off 400ms restarting failed container=app pod=crash_default(${p.metadata.uid})`), backoffs.join('\n'));
  assert.ok(backoffs.includes(`back-off 800ms restarting failed container=app pod=crash_default(${p.metadata.uid})`), backoffs.join('\n'));
  assert.equal(p.status.containerStatuses[0].lastState.terminated.exitCode, 1);
  assert.equal(p.status.containerStatuses[0].lastState.terminated.reason, 'Error');
  const backOff = await eventuallyVirtual(c.clock, async () => {
    const e = (await podEvents(c.client, 'crash')).filter((x: any) => x.reason === 'BackOff');
    return e.length === 1 && (e[0] as any).count >= 2 ? e : undefined;
  }, 'aggregated BackOff event');
  assert.equal((backOff[0] as any).message, `Back-off restarting failed container app in pod crash_default(${p.metadata.uid})`);
  assert.equal((backOff[0] as any).type, 'Warning');
});

test('graceful delete: Killing, containers stop, the agent removes the pod long before the grace period', async () => {
  await c.client.resource(PODS).create(pod('gone', 'node-1'));
  await eventuallyVirtual(c.clock, async () => (await c.client.resource(PODS).get('gone', { namespace: 'default' })).status?.phase === 'Running', 'gone Running');
  const rec = await recordPod(c.client, 'gone');
  const t0 = c.clock.now();
  await c.client.resource(PODS).delete('gone', { namespace: 'default', gracePeriodSeconds: 30 });
  await eventuallyVirtual(c.clock, async () => rec.seq.includes('DELETED'), 'gone deleted');
  const took = c.clock.now() - t0;
  await rec.stop();
  assert.ok(took < 10_000, `took ${took} ms`);
  assert.ok(inOrder(rec.seq, [/^Running\/running\/ready=true\/restarts=0\/deleting$/, /^Succeeded\/terminated:Completed\/ready=false\/restarts=0\/deleting$/, 'DELETED']), rec.seq.join('\n'));
  const killing = (await podEvents(c.client, 'gone')).find((e: any) => e.reason === 'Killing') as any;
  assert.equal(killing?.message, 'Stopping container app');
});

test('init containers run first; the app container waits with PodInitializing', async () => {
  const rec = await recordPod(c.client, 'init');
  await c.client.resource(PODS).create(pod('init', 'node-0', { initContainers: [{ name: 'setup', image: 'busybox', command: ['sh', '-c', 'echo ready'] }] }));
  const p = await eventuallyVirtual(c.clock, async () => {
    const x = await c.client.resource(PODS).get('init', { namespace: 'default' });
    return x.status?.phase === 'Running' ? x : undefined;
  }, 'init Running');
  await eventuallyVirtual(c.clock, () => rec.seq.some((s) => s.startsWith('Running/')), 'the watch delivered Running');
  await rec.stop();
  assert.ok(inOrder(rec.seq, ['Pending/waiting:PodInitializing/ready=false/restarts=0', /^Running\/running/]), rec.seq.join('\n'));
  assert.equal(p.status.initContainerStatuses[0].state.terminated.reason, 'Completed');
});
