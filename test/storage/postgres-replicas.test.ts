// Three `kubesim apiserver --storage postgres://... --events redis://...` processes serve one
// cluster: an object written through one is read and watched through the others with the same
// resourceVersions, a watch resumes on another replica, and optimistic concurrency holds across them.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { eventually } from '../helpers/eventually.ts';
import { sharedPki } from '../helpers/shared-pki.ts';
import { freePort, startPostgres, startRedis } from '../helpers/services.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const pgServer = await startPostgres();
const redis = pgServer ? await startRedis() : undefined;
const children: ChildProcess[] = [];
const outputs: string[] = [];
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kubesim-replicas-'));
// One PKI for the replicas (the secure default serves HTTPS with client certificates).
const pki = await sharedPki(dir);
after(async () => {
  await Promise.all(
    children.map((c) => (c.exitCode === null ? new Promise((r) => (c.once('exit', r), c.kill('SIGTERM'))) : undefined)),
  );
  await redis?.stop();
  await pgServer?.stop();
  pki.fetch.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function startReplica(i: number, storage: string, events: string): Promise<string> {
  const port = await freePort();
  const args = [path.join(root, 'bin/kubesim.js'), 'apiserver', '--port', String(port), '--data-dir', path.join(dir, `r${i}`), ...pki.args, '--storage', storage, '--events', events];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, KUBESIM_LOG_LEVEL: 'warn' } });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  child.on('exit', () => (outputs[i] = out));
  setInterval(() => (outputs[i] = out), 200).unref();
  await eventually(() => out.includes('listening on') || child.exitCode !== null, `replica ${i} listening`, 30_000, 50);
  assert.equal(child.exitCode, null, `replica ${i} exited: ${out}`);
  return `https://127.0.0.1:${port}`;
}

async function call(base: string, method: string, p: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await pki.fetch(base + p, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

/** A watch over HTTP: the events as they arrive. */
function watch(base: string, p: string): { events: any[]; stop(): void } {
  const events: any[] = [];
  let buf = '';
  const req = https.get(base + p, pki.tls, (res) => {
    res.setEncoding('utf8');
    res.on('data', (d: string) => {
      buf += d;
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i).trim();
        buf = buf.slice(i + 1);
        if (line) events.push(JSON.parse(line));
      }
    });
    res.on('error', () => {});
  });
  req.on('error', () => {});
  return { events, stop: () => req.destroy() };
}

test('three API servers on one PostgreSQL + Redis serve one cluster', { skip: (!pgServer || !redis) && 'postgres or redis-server not found' }, async () => {
  const storage = `${pgServer!.url}?schema=replicas&pool_size=4`;
  const urls = await Promise.all([0, 1, 2].map((i) => startReplica(i, storage, redis!.url)));
  const [a, b, c] = urls;
  const P = '/api/v1/namespaces/default/configmaps';
  const created = await call(a, 'POST', P, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'shared' }, data: { v: '1' } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const rv = created.body.metadata.resourceVersion;
  const wc = watch(c, `${P}?watch=1&resourceVersion=${rv}`);
  for (const u of [b, c]) {
    const got = await eventually(async () => {
      const r = await call(u, 'GET', `${P}/shared`);
      return r.status === 200 && r.body;
    }, `the object on ${u}`, 10_000, 20);
    assert.equal(got.metadata.resourceVersion, rv, 'the same resourceVersion on every replica');
    assert.equal(got.metadata.uid, created.body.metadata.uid);
  }
  const updated = await call(b, 'PUT', `${P}/shared`, { ...created.body, data: { v: '2' } });
  assert.equal(updated.status, 200, JSON.stringify(updated.body));
  const stale = await call(c, 'PUT', `${P}/shared`, { ...created.body, data: { v: '3' } });
  assert.equal(stale.status, 409, 'optimistic concurrency holds across replicas');
  await eventually(() => wc.events.some((e) => e.object?.metadata?.resourceVersion === updated.body.metadata.resourceVersion), 'the update watched on the third replica', 10_000, 20);
  wc.stop();
  // A watch started on C resumes on A from the last version it saw.
  const last = wc.events[wc.events.length - 1].object.metadata.resourceVersion;
  const wa = watch(a, `${P}?watch=1&resourceVersion=${last}`);
  const del = await call(c, 'DELETE', `${P}/shared`);
  assert.equal(del.status, 200, JSON.stringify(del.body));
  await eventually(() => wa.events.some((e) => e.type === 'DELETED'), 'the delete watched on the first replica', 10_000, 20);
  wa.stop();
  assert.deepEqual(wa.events.map((e) => e.type), ['DELETED'], 'resumed without repeating what the other replica delivered');

  // PostgreSQL down: writes answer 503 with a Status; back up, the replicas carry on, watches included.
  const deletedRv = wa.events[0].object.metadata.resourceVersion;
  const wb = watch(b, `${P}?watch=1&resourceVersion=${deletedRv}`);
  pgServer!.pgStop();
  try {
    const down = await call(a, 'POST', P, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'while-down' } });
    assert.equal(down.status, 503, JSON.stringify(down.body));
    assert.equal(down.body.kind, 'Status');
  } finally {
    pgServer!.pgStart();
  }
  await redis!.restart(); // and the event stream starts empty
  const afterRestarts = await eventually(async () => {
    const r = await call(a, 'POST', P, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'after' } });
    return r.status === 201 && r.body;
  }, 'a write once PostgreSQL is back', 20_000, 200);
  await eventually(() => wb.events.some((e) => e.object?.metadata?.name === 'after'), 'the write watched on another replica after both restarts', 20_000, 20).catch((err) => {
    throw new Error(`${err.message}\nwatch: ${JSON.stringify(wb.events).slice(0, 2000)}\n${outputs.join('\n---\n').slice(-6000)}`);
  });
  wb.stop();
  assert.deepEqual(wb.events.map((e) => [e.type, e.object.metadata.name]), [['ADDED', 'after']], 'nothing lost, nothing repeated');
  assert.equal(wb.events[0].object.metadata.resourceVersion, afterRestarts.metadata.resourceVersion);

  const lists = await Promise.all(urls.map((u) => call(u, 'GET', '/api/v1/namespaces')));
  const names = lists.map((l) => l.body.items.map((n: any) => `${n.metadata.name}@${n.metadata.resourceVersion}`).sort().join(','));
  assert.equal(new Set(names).size, 1, `one set of namespaces: ${names.join(' | ')}`);
});
