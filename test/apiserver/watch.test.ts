// Watch over HTTP: list-then-watch without gaps, resume from a resourceVersion, bookmarks, 410 for
// expired versions, timeoutSeconds, selector filtering (DELETED when an object stops matching),
// Table events, legacy /watch/ paths.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, req, configMap, watch } from './helpers.ts';
import type { RunningApiServer } from '../../src/apiserver/index.ts';
import { eventually } from '../helpers/eventually.ts';

let srv: RunningApiServer;
let base: string;
before(async () => {
  srv = await startTestServer({ watchCacheSize: 50, bookmarkIntervalMs: 100 });
  base = srv.url;
  for (const ns of ['w1', 'w2', 'w3', 'w4', 'w5', 'w6', 'w7']) {
    await req(base, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  }
});
after(() => srv.close());

const cm = (ns: string) => `/api/v1/namespaces/${ns}/configmaps`;

test('list then watch from the list RV: every later write, in order, no gap, no duplicate', async () => {
  await req(base, 'POST', cm('w1'), configMap('before'));
  const list = await req(base, 'GET', cm('w1'));
  const rv = list.body.metadata.resourceVersion;
  // writes racing with the watch's start
  const writes = (async () => {
    for (let i = 0; i < 20; i++) await req(base, 'POST', cm('w1'), configMap(`c${i}`));
  })();
  const w = await watch(base, `${cm('w1')}?watch=true&resourceVersion=${rv}`);
  assert.equal(w.status, 200);
  assert.match(String(w.headers['content-type']), /application\/json/);
  await writes;
  const events = await w.waitFor(20);
  w.close();
  assert.deepEqual(
    events.map((e) => `${e.type}:${e.object.metadata.name}`),
    Array.from({ length: 20 }, (_, i) => `ADDED:c${i}`),
  );
  const rvs = events.map((e) => Number(e.object.metadata.resourceVersion));
  assert.deepEqual(rvs, [...rvs].sort((a, b) => a - b));
  assert.ok(rvs[0] > Number(rv));
});

test('watch without resourceVersion: synthetic ADDED for current objects, then live events', async () => {
  await req(base, 'POST', cm('w2'), configMap('a'));
  await req(base, 'POST', cm('w2'), configMap('b'));
  const w = await watch(base, `${cm('w2')}?watch=1`);
  const initial = await w.waitFor(2);
  assert.deepEqual(initial.map((e) => `${e.type}:${e.object.metadata.name}`).sort(), ['ADDED:a', 'ADDED:b']);
  const a = await req(base, 'GET', `${cm('w2')}/a`);
  await req(base, 'PUT', `${cm('w2')}/a`, { ...a.body, data: { x: '1' } });
  await req(base, 'DELETE', `${cm('w2')}/b`);
  const events = await w.waitFor(4);
  w.close();
  assert.equal(events[2].type, 'MODIFIED');
  assert.equal(events[2].object.data.x, '1');
  assert.equal(events[3].type, 'DELETED');
  assert.equal(events[3].object.metadata.name, 'b');
});

test('resume from a resourceVersion replays what happened after it', async () => {
  const first = await req(base, 'POST', cm('w3'), configMap('r0'));
  const rv = first.body.metadata.resourceVersion;
  await req(base, 'POST', cm('w3'), configMap('r1'));
  await req(base, 'DELETE', `${cm('w3')}/r0`);
  const w = await watch(base, `${cm('w3')}?watch=true&resourceVersion=${rv}`);
  const events = await w.waitFor(2);
  w.close();
  assert.deepEqual(
    events.map((e) => `${e.type}:${e.object.metadata.name}`),
    ['ADDED:r1', 'DELETED:r0'],
  );
});

test('a resourceVersion older than the window → ERROR event with a 410 Expired Status', async () => {
  const first = await req(base, 'POST', cm('w4'), configMap('e0'));
  const rv = first.body.metadata.resourceVersion;
  for (let i = 1; i < 60; i++) await req(base, 'POST', cm('w4'), configMap(`e${i}`));
  const w = await watch(base, `${cm('w4')}?watch=true&resourceVersion=${rv}`);
  const [ev] = await w.waitFor(1);
  await w.waitEnd();
  assert.equal(ev.type, 'ERROR');
  assert.equal(ev.object.kind, 'Status');
  assert.equal(ev.object.code, 410);
  assert.equal(ev.object.reason, 'Expired');
  assert.match(ev.object.message, /too old resource version/);
});

test('bookmarks: only with allowWatchBookmarks, carrying only metadata.resourceVersion', async () => {
  const list = await req(base, 'GET', cm('w5'));
  const w = await watch(base, `${cm('w5')}?watch=true&allowWatchBookmarks=true&resourceVersion=${list.body.metadata.resourceVersion}`);
  const plain = await watch(base, `${cm('w5')}?watch=true&resourceVersion=${list.body.metadata.resourceVersion}`);
  await req(base, 'POST', cm('w6'), configMap('elsewhere')); // advances the revision
  const events = await eventually(() => (w.events.some((e) => e.type === 'BOOKMARK' && Number(e.object.metadata.resourceVersion) > Number(list.body.metadata.resourceVersion)) ? w.events : undefined), 'a bookmark', 3000);
  const bm = events.find((e) => e.type === 'BOOKMARK');
  assert.deepEqual(Object.keys(bm.object.metadata), ['resourceVersion']);
  assert.equal(bm.object.kind, 'ConfigMap');
  w.close();
  await new Promise((r) => setTimeout(r, 300)); // several bookmark periods
  plain.close();
  assert.equal(plain.events.filter((e) => e.type === 'BOOKMARK').length, 0);
});

test('timeoutSeconds ends the stream', async () => {
  const t0 = Date.now();
  const w = await watch(base, `${cm('w5')}?watch=true&timeoutSeconds=1`);
  await w.waitEnd(5000);
  assert.ok(Date.now() - t0 >= 900);
});

test('selectors per event: an object that stops matching is DELETED for the watcher', async () => {
  await req(base, 'POST', cm('w7'), configMap('m', {}, { labels: { app: 'x' } }));
  await req(base, 'POST', cm('w7'), configMap('other', {}, { labels: { app: 'y' } }));
  const list = await req(base, 'GET', `${cm('w7')}?labelSelector=app%3Dx`);
  const w = await watch(base, `${cm('w7')}?watch=true&labelSelector=app%3Dx&resourceVersion=${list.body.metadata.resourceVersion}`);
  const cur = (await req(base, 'GET', `${cm('w7')}/m`)).body;
  await req(base, 'PUT', `${cm('w7')}/other`, { ...(await req(base, 'GET', `${cm('w7')}/other`)).body, data: { ignored: '1' } });
  const moved = await req(base, 'PUT', `${cm('w7')}/m`, { ...cur, metadata: { ...cur.metadata, labels: { app: 'z' } } });
  const back = await req(base, 'PUT', `${cm('w7')}/m`, { ...moved.body, metadata: { ...moved.body.metadata, labels: { app: 'x' } } });
  const events = await w.waitFor(2);
  await new Promise((r) => setTimeout(r, 50));
  w.close();
  assert.deepEqual(
    w.events.map((e) => `${e.type}:${e.object.metadata.name}`),
    ['DELETED:m', 'ADDED:m'],
  );
  assert.equal(events[0].object.metadata.resourceVersion, moved.body.metadata.resourceVersion);
  assert.equal(events[1].object.metadata.resourceVersion, back.body.metadata.resourceVersion);
  const fs = await watch(base, `${cm('w7')}?watch=true&fieldSelector=metadata.name%3Dother`);
  const init = await fs.waitFor(1);
  fs.close();
  assert.deepEqual(init.map((e) => e.object.metadata.name), ['other']);
});

test('legacy /watch/ paths and all-namespace watches', async () => {
  const rv = (await req(base, 'GET', '/api/v1/configmaps')).body.metadata.resourceVersion;
  const all = await watch(base, `/api/v1/watch/configmaps?resourceVersion=${rv}`);
  const one = await watch(base, `/api/v1/watch/namespaces/w6/configmaps?resourceVersion=${rv}`);
  await req(base, 'POST', cm('w1'), configMap('legacy-1'));
  await req(base, 'POST', cm('w6'), configMap('legacy-6'));
  const a = await all.waitFor(2);
  const o = await one.waitFor(1);
  all.close();
  one.close();
  assert.deepEqual(a.map((e) => e.object.metadata.name), ['legacy-1', 'legacy-6']);
  assert.deepEqual(o.map((e) => e.object.metadata.name), ['legacy-6']);
});

test('watch as Table: each event carries a one-row Table', async () => {
  const rv = (await req(base, 'GET', cm('w6'))).body.metadata.resourceVersion;
  const w = await watch(base, `${cm('w6')}?watch=true&resourceVersion=${rv}`, { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' });
  await req(base, 'POST', cm('w6'), configMap('tbl'));
  const [ev] = await w.waitFor(1);
  w.close();
  assert.equal(ev.type, 'ADDED');
  assert.equal(ev.object.kind, 'Table');
  assert.equal(ev.object.rows.length, 1);
  assert.equal(ev.object.rows[0].cells[0], 'tbl');
});

test('a watcher that cannot keep up is cut off; writers are not blocked', async () => {
  const small = await startTestServer({ maxWatchBufferBytes: 64 * 1024 });
  try {
    const http = await import('node:http');
    // a client that never reads: once the kernel's socket buffers are full, the server-side buffer
    // grows until the cut-off
    let closed = false;
    const r = http.get(`${small.url}/api/v1/namespaces/default/configmaps?watch=true`, (res) => {
      res.pause();
      res.socket.pause();
      res.on('close', () => (closed = true));
    });
    r.on('error', () => (closed = true));
    await new Promise((res) => setTimeout(res, 100));
    const blob = 'x'.repeat(64 * 1024);
    const t0 = Date.now();
    for (let i = 0; i < 400 && !closed; i++) {
      const c = await req(small.url, 'POST', '/api/v1/namespaces/default/configmaps', configMap(`slow-${i}`, { blob }));
      assert.equal(c.status, 201);
    }
    await eventually(() => closed, 'the slow watcher to be cut off', 5000);
    assert.ok(Date.now() - t0 < 30_000);
    r.destroy();
  } finally {
    await small.close();
  }
});

test('a client closing its watch unregisters it on the server (watchers gauge)', async () => {
  const gauge = async () => {
    const m = await req(base, 'GET', '/metrics');
    return m.text
      .split('\n')
      .filter((l) => l.startsWith('apiserver_registered_watchers{'))
      .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
  };
  await eventually(async () => (await gauge()) === 0, 'no open watches', 5000);
  const ws = await Promise.all([1, 2, 3].map(() => watch(base, `${cm('w1')}?watch=true`)));
  assert.equal(await gauge(), 3);
  for (const w of ws) w.close();
  await eventually(async () => (await gauge()) === 0, 'watches unregistered', 5000);
});

test('SSE: Accept text/event-stream gets the same events framed for EventSource, resumable via Last-Event-ID', async () => {
  const http = await import('node:http');
  const rv = (await req(base, 'GET', cm('w6'))).body.metadata.resourceVersion;
  const read = (headers: Record<string, string>) =>
    new Promise<{ type: string; chunks: string[]; close: () => void }>((resolve, reject) => {
      const chunks: string[] = [];
      const r = http.get(`${base}${cm('w6')}?watch=true`, { headers: { Accept: 'text/event-stream', ...headers } }, (res) => {
        res.setEncoding('utf8');
        res.on('data', (c: string) => chunks.push(c));
        resolve({ type: String(res.headers['content-type']), chunks, close: () => r.destroy() });
      });
      r.on('error', reject);
    });
  const s = await read({ 'Last-Event-ID': rv });
  assert.equal(s.type, 'text/event-stream');
  const created = await req(base, 'POST', cm('w6'), configMap('sse-1'));
  await eventually(() => s.chunks.join('').includes('\n\n'), 'an SSE message', 5000);
  s.close();
  const msg = s.chunks.join('').split('\n\n')[0];
  const lines = msg.split('\n');
  assert.equal(lines[0], `id: ${created.body.metadata.resourceVersion}`);
  assert.ok(lines[1].startsWith('data: '));
  const ev = JSON.parse(lines[1].slice(6));
  assert.equal(ev.type, 'ADDED');
  assert.equal(ev.object.metadata.name, 'sse-1');
});
