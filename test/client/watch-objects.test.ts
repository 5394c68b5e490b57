// The watch object channel (api/watchobjects.ts): in process, a watch hands the store's frozen
// objects to its reader instead of JSON lines. What an informer sees must be what it sees over
// HTTP (adds, updates, deletes, bookmarks, 410 relists), its cache frozen, a mutating handler
// failing loudly; a reader of the raw bytes still gets the lines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, SharedInformer, stripManagedFields, type ResourceRef } from '../../src/client/index.ts';
import type { KubeObject } from '../../src/api/types.ts';
import { eventually } from '../helpers/eventually.ts';
import { twoWires } from '../helpers/two-wires.ts';

const CM: ResourceRef = { group: '', version: 'v1', plural: 'configmaps', namespaced: true, kind: 'ConfigMap' };

function deepFrozen(v: unknown): boolean {
  if (v === null || typeof v !== 'object') return true;
  return Object.isFrozen(v) && Object.values(v).every(deepFrozen);
}

const cluster = () => twoWires({ bookmarkIntervalMs: 50 });

/** An informer recording every notification as plain JSON (what it was handed, in order). */
function recording(client: Client, transform?: (o: KubeObject) => KubeObject) {
  const inf = new SharedInformer(client, CM, { namespace: 'default', transform, minWatchTimeoutSeconds: 3600 });
  const seen: unknown[] = [];
  const handed: KubeObject[] = [];
  inf.addEventHandler({
    onAdd: (o, initial) => (handed.push(o), seen.push(['add', initial, o])),
    onUpdate: (a, b) => (handed.push(b), seen.push(['update', a, b])),
    onDelete: (o) => seen.push(['delete', o]),
  });
  return { inf, seen, handed };
}

for (const transform of [undefined, stripManagedFields]) {
  test(`an in-process informer sees the objects one over HTTP sees, frozen (${transform ? 'stripManagedFields' : 'no transform'})`, async () => {
    const c = await cluster();
    try {
      const cms = c.lean.resource(CM);
      await cms.create({ metadata: { name: 'before', namespace: 'default' }, data: { x: '0' } });
      const inProc = recording(c.lean, transform);
      const overHttp = recording(c.http, transform);
      for (const r of [inProc, overHttp]) r.inf.start();
      await inProc.inf.waitForCacheSync();
      await overHttp.inf.waitForCacheSync();
      const a = await cms.create({ metadata: { name: 'a', namespace: 'default', labels: { l: '1' } }, data: { x: '1' } });
      await cms.update({ ...a, data: { x: '2' } });
      await c.http.resource(CM).patch('b', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b', namespace: 'default' }, data: { y: '1' } }, { namespace: 'default', type: 'apply', fieldManager: 'test' });
      await cms.delete('a', { namespace: 'default' });
      await cms.delete('before', { namespace: 'default' });
      await eventually(() => inProc.seen.length === 6 && overHttp.seen.length === 6, 'both informers saw every change');
      assert.deepEqual(inProc.seen, overHttp.seen);
      assert.deepEqual(inProc.inf.indexer.list(), overHttp.inf.indexer.list());
      // bookmarks move both to the same resourceVersion
      const rv = (await cms.list({ namespace: 'default' })).metadata.resourceVersion;
      await eventually(() => inProc.inf.lastSyncResourceVersion() === rv && overHttp.inf.lastSyncResourceVersion() === rv, 'same resourceVersion');
      // what the watch handed over is frozen, all the way down (the list's objects are the list's)
      const watched = inProc.handed.filter((o) => o.metadata.name !== 'before');
      assert.equal(watched.length, 3);
      for (const o of watched) assert.ok(deepFrozen(o), `${o.metadata.name} is frozen`);
      assert.ok(deepFrozen(inProc.inf.lister.get('default', 'b')));
      if (transform) assert.equal(inProc.inf.lister.get('default', 'b')!.metadata.managedFields, undefined);
      for (const r of [inProc, overHttp]) await r.inf.stop();
    } finally {
      await c.close();
    }
  });
}

test('in process, a handler that mutates an object it was handed throws (the informer logs it and goes on)', async () => {
  const c = await cluster();
  try {
    const errors: unknown[] = [];
    const inf = new SharedInformer(c.lean, CM, { namespace: 'default', transform: stripManagedFields, logger: { warn() {}, error: (o: any) => errors.push(o.err) } });
    const after: string[] = [];
    inf.addEventHandler({
      onAdd: (o) => {
        (o.metadata as any).labels = { changed: 'yes' };
      },
    });
    inf.addEventHandler({ onAdd: (o) => after.push(o.metadata.name!) });
    inf.start();
    await inf.waitForCacheSync();
    await c.lean.resource(CM).create({ metadata: { name: 'm', namespace: 'default' }, data: { x: '1' } });
    await eventually(() => after.length === 1 && errors.length === 1, 'delivered');
    assert.ok(errors[0] instanceof TypeError, String(errors[0]));
    assert.equal(inf.lister.get('default', 'm')!.metadata.labels, undefined);
    assert.equal(((await c.lean.resource(CM).get('m', { namespace: 'default' })) as KubeObject).metadata.labels, undefined);
    await inf.stop();
  } finally {
    await c.close();
  }
});

test('in process, every watcher of an event gets the one stored object; a raw reader of the bytes gets the JSON lines', async () => {
  const c = await cluster();
  try {
    const cms = c.lean.resource(CM);
    const rv = (await cms.list({ namespace: 'default' })).metadata.resourceVersion;
    const w1 = await cms.watch({ namespace: 'default', resourceVersion: rv });
    const w2 = await cms.watch({ namespace: 'default', resourceVersion: rv });
    const raw = await c.lean.raw({ path: `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${rv}` });
    const wire = await c.http.raw({ path: `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${rv}` });
    const first = async (w: AsyncIterable<{ type: string; object: unknown }>) => {
      for await (const ev of w) return ev;
      throw new Error('no event');
    };
    const firstLine = async (body: NodeJS.ReadableStream) => {
      let text = '';
      for await (const chunk of body) {
        text += chunk.toString();
        if (text.includes('\n')) return text.slice(0, text.indexOf('\n') + 1);
      }
      throw new Error('no line');
    };
    const got = Promise.all([first(w1), first(w2), firstLine(raw.body), firstLine(wire.body)]);
    await cms.create({ metadata: { name: 'one', namespace: 'default' }, data: { x: '1' } });
    const [e1, e2, line, httpLine] = await got;
    assert.equal(e1.type, 'ADDED');
    assert.equal(e1.object, e2.object, 'one object for both watchers');
    assert.ok(deepFrozen(e1.object));
    assert.equal(line, httpLine, 'the raw in-process reader gets the line HTTP sends');
    assert.deepEqual(JSON.parse(line), { type: e1.type, object: e1.object });
    w1.close();
    w2.close();
    raw.body.destroy();
    wire.body.destroy();
  } finally {
    await c.close();
  }
});

test('in process, a watch resuming from an older resourceVersion replays the history as over HTTP', async () => {
  const c = await cluster();
  try {
    const cms = c.lean.resource(CM);
    const from = (await cms.list({ namespace: 'default' })).metadata.resourceVersion;
    const a = await cms.create({ metadata: { name: 'h1', namespace: 'default' }, data: { x: '1' } });
    await cms.update({ ...a, data: { x: '2' } });
    await cms.delete('h1', { namespace: 'default' });
    const three = async (client: Client) => {
      const w = await client.resource(CM).watch({ namespace: 'default', resourceVersion: from });
      const out: unknown[] = [];
      for await (const ev of w) if (out.push(ev) === 3) break;
      return out;
    };
    const [inProc, overHttp] = await Promise.all([three(c.lean), three(c.http)]);
    assert.deepEqual(inProc, overHttp);
    assert.deepEqual(inProc.map((e: any) => e.type), ['ADDED', 'MODIFIED', 'DELETED']);
  } finally {
    await c.close();
  }
});

test('stripManagedFields: a frozen object is stripped once for every informer, frozen; a plain one is copied as before', () => {
  const stored = Object.freeze({ kind: 'ConfigMap', metadata: Object.freeze({ name: 'x', managedFields: Object.freeze([]) }), data: Object.freeze({ a: '1' }) }) as unknown as KubeObject;
  const once = stripManagedFields(stored);
  assert.equal(stripManagedFields(stored), once);
  assert.ok(Object.isFrozen(once) && Object.isFrozen(once.metadata));
  assert.deepEqual(once, { kind: 'ConfigMap', metadata: { name: 'x' }, data: { a: '1' } });
  assert.equal((once as any).data, (stored as any).data, 'members shared');
  const plain = { kind: 'ConfigMap', metadata: { name: 'x', managedFields: [] } } as KubeObject;
  const copy = stripManagedFields(plain);
  assert.ok(!Object.isFrozen(copy));
  assert.notEqual(stripManagedFields(plain), copy);
  assert.deepEqual(copy, { kind: 'ConfigMap', metadata: { name: 'x' } });
});
