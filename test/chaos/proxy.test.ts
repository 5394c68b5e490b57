// The fault proxy on loopback in front of an API server: passes requests, adds latency, resets
// connections, blackholes (a request hangs) and heals; refuses a non-loopback upstream.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startApiServer } from '../../src/apiserver/index.ts';
import { MemoryStore } from '../../src/storage/memory.ts';
import { FaultProxy } from '../../src/chaos/proxy.ts';
import { Client } from '../../src/client/index.ts';
import { eventually } from '../helpers/eventually.ts';

test('FaultProxy: pass, latency, reset, blackhole and heal', async () => {
  const srv = await startApiServer({ store: new MemoryStore() });
  const u = new URL(srv.url);
  const proxy = await new FaultProxy({ host: '127.0.0.1', port: Number(u.port) }).start();
  const client = new Client({ server: `http://${proxy.url}`, qps: Infinity, timeoutMs: 2000 });
  const readyz = async () => (await client.requestBuffer({ path: '/readyz' })).status;
  try {
    assert.equal(await readyz(), 200);

    proxy.latency(300);
    const t0 = performance.now();
    assert.equal(await readyz(), 200);
    assert.ok(performance.now() - t0 >= 300, 'delayed by the latency');
    proxy.heal();

    proxy.reset();
    await assert.rejects(readyz());
    assert.ok(proxy.counts.reset >= 1);
    proxy.heal();
    await eventually(async () => (await readyz()) === 200, 'through again after the reset', 10_000, 100);

    // A watch stream is open; the blackhole stalls it and new requests hang until the client gives up.
    const w = await client.resource({ group: '', version: 'v1', plural: 'configmaps', namespaced: true, kind: 'ConfigMap' }).inNamespace('default').watch({});
    proxy.blackhole();
    const t1 = performance.now();
    await assert.rejects(readyz());
    assert.ok(performance.now() - t1 >= 1500, 'hung until the client timeout');
    proxy.heal();
    assert.ok(proxy.counts.cut >= 1, 'held connections are cut on heal');
    w.close();
    await eventually(async () => (await readyz()) === 200, 'through again after the blackhole', 10_000, 100);
    assert.equal(proxy.current().mode, 'pass');
  } finally {
    client.close();
    await proxy.close();
    await srv.close();
  }
  assert.throws(() => new FaultProxy({ host: '10.0.0.1', port: 80 }), /only forwards to loopback/);
});
