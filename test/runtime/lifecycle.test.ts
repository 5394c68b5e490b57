// postStart and preStop hooks of real containers: postStart exec runs in the container's context
// beside the program, and until it returns the container is Waiting (ContainerCreating), not started,
// not ready, the pod Pending; a failing postStart kills the container (137, a FailedPostStartHook
// event, the text in its log) that was never reported running; preStop httpGet reaches the program
// before its SIGTERM.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, getPod, kubeletLog, nodePod, PODS, runtimeCluster } from './helpers.ts';

let c: Awaited<ReturnType<typeof runtimeCluster>>;
let dir: string;
before(async () => {
  c = await runtimeCluster();
  dir = mkdtempSync(join(tmpdir(), 'kubesim-hooks-'));
});
after(async () => {
  await c.close();
  rmSync(dir, { recursive: true, force: true });
});

test('postStart exec runs in the container context (its volumes) beside the program', async () => {
  const script = `const fs = require('fs'); const t = setInterval(() => { if (fs.existsSync('/data/started')) { console.log('hook wrote ' + fs.readFileSync('/data/started', 'utf8')); clearInterval(t); setInterval(() => {}, 1000); } }, 50);`;
  await c.client.resource(PODS).create(
    nodePod('post-start', script, { volumes: [{ name: 'data', emptyDir: {} }] }, {
      volumeMounts: [{ name: 'data', mountPath: '/data' }],
      lifecycle: { postStart: { exec: { command: ['node', '-e', "require('fs').writeFileSync('/data/started', 'yes')"] } } },
    }),
  );
  await eventually(async () => ((await kubeletLog(c.pool, 'post-start')).includes('hook wrote yes') ? true : undefined), 'the hook wrote into the volume', 30_000);
});

test('a container is not running, started or ready before its postStart hook returns', async () => {
  const gate = join(dir, 'gate');
  const hook = `const fs = require('fs'); const t = setInterval(() => { if (fs.existsSync(${JSON.stringify(gate)})) { clearInterval(t); } }, 50);`;
  await c.client.resource(PODS).create(nodePod('post-start-waits', 'setInterval(() => {}, 1000)', {}, { lifecycle: { postStart: { exec: { command: ['node', '-e', hook] } } } }));
  // the program runs (its Started event) while the hook does not return
  await eventually(async () => {
    const list: any = await c.client.request({ path: '/api/v1/namespaces/default/events' });
    return list.items.some((e: any) => e.reason === 'Started' && e.involvedObject.name === 'post-start-waits') || undefined;
  }, 'Started', 30_000);
  const pending = await eventually(async () => {
    const p = await getPod(c.client, 'post-start-waits');
    return p.status?.containerStatuses?.[0]?.containerID ? p : undefined;
  }, 'a container status', 30_000);
  const cs = pending.status.containerStatuses[0];
  assert.deepEqual(cs.state, { waiting: { reason: 'ContainerCreating' } });
  assert.equal(cs.started, false);
  assert.equal(cs.ready, false);
  assert.equal(pending.status.phase, 'Pending');
  assert.equal(pending.status.conditions.find((x: any) => x.type === 'Ready').status, 'False');
  writeFileSync(gate, '');
  const running = await eventually(async () => {
    const p = await getPod(c.client, 'post-start-waits');
    return p.status?.containerStatuses?.[0]?.ready ? p : undefined;
  }, 'running and ready once the hook returned', 30_000);
  assert.ok(running.status.containerStatuses[0].state.running);
  assert.equal(running.status.containerStatuses[0].started, true);
  assert.equal(running.status.phase, 'Running');
});

test('a failing postStart hook kills the container', async () => {
  const w = await c.client.resource(PODS).watch({ namespace: 'default', fieldSelector: 'metadata.name=post-start-fails' });
  const seen: any[] = [];
  void (async () => {
    for await (const ev of w) if (ev.type !== 'BOOKMARK') seen.push((ev.object as any).status?.containerStatuses?.[0]);
  })();
  await c.client.resource(PODS).create(
    nodePod('post-start-fails', 'setInterval(() => {}, 1000)', {}, { lifecycle: { postStart: { exec: { command: ['node', '-e', 'console.log("no"); setTimeout(() => process.exit(3), 300)'] } } } }),
  );
  const cs = await eventually(async () => {
    const cs = (await getPod(c.client, 'post-start-fails')).status?.containerStatuses?.[0];
    return cs?.restartCount >= 1 ? cs : undefined;
  }, 'killed and restarted', 30_000);
  assert.equal(cs.lastState.terminated.exitCode, 137);
  w.close();
  // the first instance was never reported running: Waiting until its kill, then Terminated
  const first = seen.filter((x) => x && x.restartCount === 0);
  assert.ok(first.some((x) => x.state.waiting?.reason === 'ContainerCreating' && x.containerID), JSON.stringify(first));
  assert.ok(!first.some((x) => x.state.running || x.started), JSON.stringify(first));
  const previous = await eventually(async () => {
    const t = await kubeletLog(c.pool, 'post-start-fails', 'previous=true');
    return t.includes('FailedPostStartHook') ? t : undefined;
  }, 'the hook failure in the previous log', 30_000);
  const ev = await eventually(async () => {
    const list: any = await c.client.request({ path: '/api/v1/namespaces/default/events' });
    return list.items.find((e: any) => e.reason === 'FailedPostStartHook' && e.involvedObject.name === 'post-start-fails');
  }, 'the FailedPostStartHook event', 30_000);
  assert.equal(ev.type, 'Warning');
  assert.match(ev.message, /^Exec lifecycle hook .* failed - error: no/);
  assert.match(previous, /FailedPostStartHook: Exec lifecycle hook \(\["node","-e",.*\]\) for Container "app" in Pod "post-start-fails_default" failed - error: no/);
});

test('preStop httpGet reaches the program before SIGTERM', async () => {
  const file = join(dir, 'order');
  const script = `
    const fs = require('fs');
    require('http').createServer((q, s) => { fs.appendFileSync(${JSON.stringify(file)}, 'preStop ' + q.url + '\\n'); s.end('ok'); }).listen(8080, () => console.log('listening'));
    process.on('SIGTERM', () => { fs.appendFileSync(${JSON.stringify(file)}, 'SIGTERM\\n'); process.exit(0); });`;
  await c.client.resource(PODS).create(
    nodePod('pre-stop', script, { terminationGracePeriodSeconds: 20 }, { ports: [{ name: 'http', containerPort: 8080 }], lifecycle: { preStop: { httpGet: { path: '/drain', port: 'http' } } } }),
  );
  await eventually(async () => ((await kubeletLog(c.pool, 'pre-stop')) === 'listening\n' ? true : undefined), 'listening', 30_000);
  await c.client.resource(PODS).delete('pre-stop', { namespace: 'default' });
  const text = await eventually(async () => {
    try {
      const t = readFileSync(file, 'utf8');
      return t.includes('SIGTERM') ? t : undefined;
    } catch {
      return undefined;
    }
  }, 'preStop, then SIGTERM', 30_000);
  assert.equal(text, 'preStop /drain\nSIGTERM\n');
});
