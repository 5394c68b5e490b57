// Real Node.js programs as containers: they run, their output is the container's log, their exit
// drives the lifecycle (Completed, CrashLoopBackOff with growing back-off), a memory limit ends
// them as OOMKilled, deletion sends SIGTERM, and none outlives the pool.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alive, eventually, getPod, kubeletLog, nodePod, PODS, runtimeCluster } from './helpers.ts';
import { ProcessRuntime, type DispatchingRuntime } from '../../src/node/index.ts';

test('a node -e program runs for real: its output is the log, exit 0 completes the pod', async () => {
  const c = await runtimeCluster();
  try {
    await c.client.resource(PODS).create(nodePod('hello', 'console.log("hello from", process.pid, process.version); console.error("on stderr")', { restartPolicy: 'Never' }));
    const p = await eventually(async () => {
      const p = await getPod(c.client, 'hello');
      return p.status?.phase === 'Succeeded' ? p : undefined;
    }, 'pod Succeeded');
    const t = p.status.containerStatuses[0].state.terminated;
    assert.equal(t.exitCode, 0);
    assert.equal(t.reason, 'Completed');
    const log = await kubeletLog(c.pool, 'hello');
    assert.match(log, new RegExp(`^hello from \\d+ ${process.version.replace(/\./g, '\\.')}\\non stderr\\n$`));
    assert.match(await kubeletLog(c.pool, 'hello', 'timestamps=true&tailLines=1'), /^\d{4}-\d\d-\d\dT\S+Z on stderr\n$/);
  } finally {
    await c.close();
  }
});

test('exit 1 with restartPolicy Always: CrashLoopBackOff with a growing back-off, previous log kept', async () => {
  const c = await runtimeCluster();
  try {
    await c.client.resource(PODS).create(nodePod('crash', 'console.log("crashing"); process.exit(1)'));
    const messages = new Set<string>();
    await eventually(async () => {
      const cs = (await getPod(c.client, 'crash')).status?.containerStatuses?.[0];
      if (cs?.state?.waiting?.reason === 'CrashLoopBackOff') messages.add(cs.state.waiting.message.replace(/ restarting.*/, ''));
      return cs?.restartCount >= 3 ? cs : undefined;
    }, 'restarted three times', 15_000, 50);
    const cs = (await getPod(c.client, 'crash')).status.containerStatuses[0];
    assert.equal(cs.lastState.terminated.exitCode, 1);
    assert.equal(cs.lastState.terminated.reason, 'Error');
    assert.ok(messages.has('back-off 300ms') && messages.has('back-off 600ms'), [...messages].join(', '));
    assert.equal(await kubeletLog(c.pool, 'crash', 'previous=true'), 'crashing\n');
  } finally {
    await c.close();
  }
});

test('a program allocating past its memory limit is OOMKilled (137)', async () => {
  const c = await runtimeCluster();
  try {
    const script = 'const keep = []; setInterval(() => { keep.push(Buffer.alloc(16 * 2 ** 20, 1)); console.log("allocated", keep.length * 16, "MiB"); }, 100)';
    await c.client.resource(PODS).create(nodePod('hog', script, { restartPolicy: 'Never' }, { resources: { limits: { memory: '128Mi' } } }));
    const p = await eventually(async () => {
      const p = await getPod(c.client, 'hog');
      return p.status?.phase === 'Failed' ? p : undefined;
    }, 'pod Failed', 15_000);
    const t = p.status.containerStatuses[0].state.terminated;
    assert.equal(t.exitCode, 137);
    assert.equal(t.reason, 'OOMKilled');
    const mib = Math.max(...[...(await kubeletLog(c.pool, 'hog')).matchAll(/allocated (\d+) MiB/g)].map((m) => Number(m[1])));
    // the resident set is polled every 250 ms: 16 MiB a 100 ms allows a few allocations past the limit (a busy machine delays the poll)
    assert.ok(mib <= 192, `killed near the limit, not at ${mib} MiB`);
  } finally {
    await c.close();
  }
});

test('deletion sends SIGTERM: the program logs it and exits within the grace period', async () => {
  const c = await runtimeCluster();
  try {
    const script = 'process.on("SIGTERM", () => { console.log("got SIGTERM"); setTimeout(() => process.exit(0), 200); }); console.log("up"); setInterval(() => {}, 1000)';
    await c.client.resource(PODS).create(nodePod('term', script, { terminationGracePeriodSeconds: 20 }));
    await eventually(async () => ((await kubeletLog(c.pool, 'term')) === 'up\n' ? true : undefined), 'running');
    const follow = fetch(`${c.pool.kubeletUrl}/containerLogs/default/term/app?follow=true`).then((r) => r.text());
    await new Promise((r) => setTimeout(r, 300));
    const t0 = Date.now();
    await c.client.resource(PODS).delete('term', { namespace: 'default' });
    assert.equal(await follow, 'up\ngot SIGTERM\n');
    await eventually(async () => {
      try {
        await getPod(c.client, 'term');
        return undefined;
      } catch {
        return true;
      }
    }, 'pod gone');
    assert.ok(Date.now() - t0 < 5000, 'stopped when the program exited, not at the end of the grace period');
  } finally {
    await c.close();
  }
});

test('a program ignoring SIGTERM is killed when the grace period ends (137)', async () => {
  const c = await runtimeCluster();
  try {
    const script = 'process.on("SIGTERM", () => console.log("ignoring SIGTERM")); console.log("up"); setInterval(() => {}, 1000)';
    await c.client.resource(PODS).create(nodePod('stubborn', script, { terminationGracePeriodSeconds: 1 }));
    const runtime = (c.pool.state.containers as DispatchingRuntime).processes;
    const pid = await eventually(async () => runtime.pids()[0], 'process started');
    await eventually(async () => ((await kubeletLog(c.pool, 'stubborn')) === 'up\n' ? true : undefined), 'handler installed');
    const w = await c.client.resource(PODS).watch({ namespace: 'default', fieldSelector: 'metadata.name=stubborn' });
    await c.client.resource(PODS).delete('stubborn', { namespace: 'default' });
    let terminated: any;
    for await (const ev of w) {
      const t = (ev.object as any)?.status?.containerStatuses?.[0]?.state?.terminated;
      if (t) terminated = t;
      if (ev.type === 'DELETED') break;
    }
    w.close();
    assert.equal(terminated.exitCode, 137);
    await eventually(async () => (alive(pid) ? undefined : true), 'killed');
  } finally {
    await c.close();
  }
});

test('no orphans: pool.stop() ends every program', async () => {
  const c = await runtimeCluster();
  let pid: number | undefined;
  try {
    await c.client.resource(PODS).create(nodePod('forever', 'setInterval(() => {}, 1000)'));
    const runtime = (c.pool.state.containers as DispatchingRuntime).processes;
    assert.ok(runtime instanceof ProcessRuntime);
    pid = await eventually(async () => runtime.pids()[0], 'process started');
    assert.equal(alive(pid), true);
  } finally {
    await c.close();
  }
  assert.equal(alive(pid!), false, `pid ${pid} outlived the pool`);
});
