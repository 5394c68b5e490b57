// Watch replay is paced by the socket, not cut: a client resuming from an old resourceVersion with
// more history than the server's watch buffer limit receives every event (it used to be cut on
// every reconnect from the same resourceVersion, forever).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, req, configMap, watch } from './helpers.ts';
import type { RunningApiServer } from '../../src/apiserver/index.ts';

const LIMIT = 64 * 1024;
let srv: RunningApiServer;
before(async () => {
  srv = await startTestServer({ maxWatchBufferBytes: LIMIT, watchCacheSize: 1000 });
  await req(srv.url, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'replay' } });
});
after(() => srv.close());

const cm = '/api/v1/namespaces/replay/configmaps';

test('a watch from an old resourceVersion with more history than the buffer limit receives every event', async () => {
  const first = await req(srv.url, 'POST', cm, configMap('start'));
  const rv = first.body.metadata.resourceVersion;
  const payload = 'x'.repeat(1024);
  const n = 200; // ~200 KiB of history, 3x the limit
  for (let i = 0; i < n; i++) assert.equal((await req(srv.url, 'POST', cm, configMap(`c${i}`, { v: payload }))).status, 201);

  const w = await watch(srv.url, `${cm}?watch=true&resourceVersion=${rv}`);
  const events = await w.waitFor(n, 20_000);
  assert.deepEqual(
    events.map((e) => `${e.type}:${e.object.metadata.name}`),
    Array.from({ length: n }, (_, i) => `ADDED:c${i}`),
  );
  // and the stream stays open for live events after the replay
  await req(srv.url, 'POST', cm, configMap('live'));
  const more = await w.waitFor(n + 1);
  assert.equal(more[n].object.metadata.name, 'live');
  assert.equal(w.ended, false);
  w.close();
});

test('a watch without resourceVersion whose initial state exceeds the limit receives every object', async () => {
  const w = await watch(srv.url, `${cm}?watch=true`);
  const events = await w.waitFor(202, 20_000);
  assert.equal(new Set(events.map((e) => e.object.metadata.name)).size, 202);
  assert.equal(w.ended, false);
  w.close();
});
