// A pod's programs listen on its own loopback alias (10.a.b.c → 127.a.b.c): another pod reaches
// them at podIP:port. And a pool restart: the program did not survive, the container restarts
// (lastState 255, Unknown, as after a node reboot).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startNodePool } from '../../src/node/index.ts';
import { eventually, getPod, kubeletLog, nodePod, PODS, quiet, fast } from './helpers.ts';
import { cluster } from '../node/helpers.ts';

test('a program reaches another pod at podIP:port', async () => {
  const c = await cluster();
  const pool = await startNodePool({ client: c.client, count: 1, logger: quiet, timings: fast });
  try {
    const server = 'require("http").createServer((q, s) => s.end("hello from " + process.env.HOSTNAME)).listen(8080, () => console.log("listening"))';
    await c.client.resource(PODS).create(nodePod('server', server));
    await eventually(async () => ((await kubeletLog(pool, 'server')) === 'listening\n' ? true : undefined), 'listening');
    const ip = (await getPod(c.client, 'server')).status.podIP;
    assert.match(ip, /^10\.128\.0\.\d+$/);
    const client = 'require("http").get("http://" + process.env.TARGET + ":8080/", (r) => { let b = ""; r.on("data", (d) => (b += d)); r.on("end", () => console.log(b)); })';
    await c.client.resource(PODS).create(nodePod('client', client, { restartPolicy: 'Never' }, { env: [{ name: 'TARGET', value: ip }] }));
    await eventually(async () => ((await getPod(c.client, 'client')).status?.phase === 'Succeeded' ? true : undefined), 'client done');
    assert.equal(await kubeletLog(pool, 'client'), 'hello from server\n');
  } finally {
    await pool.stop();
    await c.close();
  }
});

test('after a pool restart the program is gone: the container restarts (255, Unknown)', async () => {
  const c = await cluster();
  let pool = await startNodePool({ client: c.client, count: 1, logger: quiet, timings: fast });
  try {
    await c.client.resource(PODS).create(nodePod('survivor', 'console.log("up"); setInterval(() => {}, 1000)'));
    await eventually(async () => ((await getPod(c.client, 'survivor')).status?.containerStatuses?.[0]?.state?.running ? true : undefined), 'running');
    await pool.stop();
    pool = await startNodePool({ client: c.client, count: 1, logger: quiet, timings: fast });
    const cs = await eventually(async () => {
      const cs = (await getPod(c.client, 'survivor')).status?.containerStatuses?.[0];
      return cs?.restartCount === 1 && cs.state?.running ? cs : undefined;
    }, 'restarted');
    assert.equal(cs.lastState.terminated.exitCode, 255);
    assert.equal(cs.lastState.terminated.reason, 'Unknown');
    await eventually(async () => ((await kubeletLog(pool, 'survivor')) === 'up\n' ? true : undefined), 'running again');
  } finally {
    await pool.stop();
    await c.close();
  }
});
