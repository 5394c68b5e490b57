// Probes against the real program: a failing readiness probe flips Ready (and emits Unhealthy),
// a failing liveness probe kills and restarts the container, tcpSocket and exec probes work; CPU and
// memory are measured from the process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, getPod, kubeletLog, nodePod, PODS, runtimeCluster } from './helpers.ts';
import { podEvents } from '../node/helpers.ts';

// Healthy for the first `ms`, then /healthz answers 500.
const server = (ms: number) =>
  `const t0 = Date.now(); require('http').createServer((q, s) => { s.statusCode = q.url === '/healthz' && Date.now() - t0 > ${ms} ? 500 : 200; s.end('ok'); }).listen(8080, () => console.log('listening'))`;

const fastProbe = { periodSeconds: 1, failureThreshold: 1, timeoutSeconds: 1 };

test('a failing readiness probe flips Ready: True while /healthz answers 200, False after', async () => {
  const c = await runtimeCluster();
  try {
    await c.client.resource(PODS).create(
      nodePod('ready', server(2500), {}, { ports: [{ name: 'http', containerPort: 8080 }], readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, ...fastProbe } }),
    );
    const cond = (p: any) => p.status?.conditions?.find((x: any) => x.type === 'Ready')?.status;
    const first = await getPod(c.client, 'ready');
    assert.notEqual(cond(first), 'True', 'not ready before the probe passed');
    await eventually(async () => (cond(await getPod(c.client, 'ready')) === 'True' ? true : undefined), 'Ready=True', 10_000);
    const p = await eventually(async () => {
      const p = await getPod(c.client, 'ready');
      return cond(p) === 'False' ? p : undefined;
    }, 'Ready=False', 10_000);
    assert.ok(p.status.containerStatuses[0].state.running, 'still running');
    assert.equal(p.status.containerStatuses[0].ready, false);
    const unhealthy = await eventually(async () => {
      const ev = (await podEvents(c.client, 'ready')).filter((e: any) => e.reason === 'Unhealthy').map((e: any) => e.message);
      return ev.includes('Readiness probe failed: HTTP probe failed with statuscode: 500') ? ev : undefined;
    }, 'Unhealthy event');
    // Before the program listened, the first attempts were refused (initialDelaySeconds 0), as with a real kubelet.
    for (const m of unhealthy) assert.match(m, /^Readiness probe failed: (HTTP probe failed with statuscode: 500|Get "http:\/\/10\.128\.0\.2:8080\/healthz": dial tcp 10\.128\.0\.2:8080: connect: connection refused)$/);
  } finally {
    await c.close();
  }
});

test('a failing liveness probe stops the program (SIGTERM) and the container restarts', async () => {
  const c = await runtimeCluster();
  try {
    await c.client.resource(PODS).create(nodePod('live', server(500), {}, { livenessProbe: { httpGet: { path: '/healthz', port: 8080 }, ...fastProbe, initialDelaySeconds: 1 } }));
    const cs = await eventually(async () => {
      const cs = (await getPod(c.client, 'live')).status?.containerStatuses?.[0];
      return cs?.restartCount >= 1 ? cs : undefined;
    }, 'restarted', 15_000);
    assert.equal(cs.lastState.terminated.exitCode, 143, 'SIGTERM (the program has no handler)');
    const events = await podEvents(c.client, 'live');
    assert.ok(events.some((e: any) => e.reason === 'Unhealthy' && e.message === 'Liveness probe failed: HTTP probe failed with statuscode: 500'), JSON.stringify(events.map((e: any) => e.message)));
    assert.ok(events.some((e: any) => e.reason === 'Killing' && /failed liveness probe, will be restarted/.test(e.message)));
  } finally {
    await c.close();
  }
});

test('tcpSocket and exec readiness probes; two pods listen on the same port', async () => {
  const c = await runtimeCluster();
  try {
    const listen = 'require("net").createServer((s) => s.end()).listen(9000, () => { require("fs").writeFileSync("ready", "1"); console.log("up"); })';
    await c.client.resource(PODS).create(nodePod('tcp-a', listen, {}, { readinessProbe: { tcpSocket: { port: 9000 }, ...fastProbe } }));
    await c.client.resource(PODS).create(nodePod('tcp-b', listen, {}, { readinessProbe: { tcpSocket: { port: 9000 }, ...fastProbe } }));
    await c.client.resource(PODS).create(
      nodePod('exec', listen, {}, { readinessProbe: { exec: { command: ['node', '-e', 'process.exit(require("fs").existsSync("ready") ? 0 : 1)'] }, ...fastProbe } }),
    );
    for (const name of ['tcp-a', 'tcp-b', 'exec']) {
      await eventually(async () => ((await getPod(c.client, name)).status?.containerStatuses?.[0]?.ready ? true : undefined), `${name} ready`, 10_000);
      assert.equal(await kubeletLog(c.pool, name), 'up\n');
    }
  } finally {
    await c.close();
  }
});

test('usage is measured from the process: a busy program uses CPU, its memory is its resident set', async () => {
  const c = await runtimeCluster();
  try {
    await c.client.resource(PODS).create(nodePod('busy', 'const keep = Buffer.alloc(64 * 2 ** 20, 1); console.log("spinning"); for (;;) {}'));
    const summary = async () => (await (await fetch(`${c.pool.kubeletUrl}/stats/summary?node=node-0`)).json() as any).pods.find((p: any) => p.podRef.name === 'busy')?.containers?.[0];
    await eventually(async () => ((await kubeletLog(c.pool, 'busy')) === 'spinning\n' ? true : undefined), 'spinning');
    const u = await eventually(async () => {
      const u = await summary();
      // a busy loop gets a share of a core: most of one on a quiet machine, less on a loaded one;
      // an idle program measures ~0 (20 millicores is far above it and below any fair share)
      return u && u.cpu.usageNanoCores > 20e6 ? u : undefined;
    }, 'cpu measured', 20_000, 300);
    assert.ok(u.memory.workingSetBytes > 64 * 2 ** 20, `memory ${u.memory.workingSetBytes}`);
    assert.ok(u.cpu.usageCoreNanoSeconds > 0);
  } finally {
    await c.close();
  }
});
