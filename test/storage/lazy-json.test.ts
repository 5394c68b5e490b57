// The in-memory store makes an entry's JSON text only when something reads it (StoredEntry): the
// text then is exactly what the eager encoding (encodeObject, encodeStoredAt) gives, and the watch
// cache passes the laziness on (its entries and events read the backend's text, once for all).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeObject, encodeStoredAt, handOver, StoredEntry } from '../../src/storage/common.ts';
import { MemoryStore } from '../../src/storage/memory.ts';
import { WatchCacheStore } from '../../src/storage/watch-cache.ts';
import type { KubeObject } from '../../src/api/types.ts';
import type { StoreEvent } from '../../src/storage/interface.ts';

const isDeepFrozen = (v: unknown): boolean =>
  v === null || typeof v !== 'object' || (Object.isFrozen(v) && Object.values(v as object).every(isDeepFrozen));

const CASES = (): [string, KubeObject][] => [
  ['plain', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', resourceVersion: '3' }, data: { k: 'v' } }],
  ['undefined members left out', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a', labels: undefined as any }, spec: undefined, status: { phase: 'Pending', x: undefined } } as any],
  ['numbers JSON cannot hold', { metadata: { name: 'n' }, count: NaN, a: -0, b: Infinity, c: [NaN, 1, -0] } as any],
  ['strings, booleans, null at the top', { metadata: { name: 's' }, reason: 'x\u2028"y"', ok: true, eventTime: null, note: '\ud800' } as any],
  ['a Date member (toJSON)', { metadata: { name: 'd', creationTimestamp: new Date(0) }, when: new Date(Date.UTC(2026, 0, 1)) } as any],
  ['integer-like keys first, as JSON orders them', { metadata: { name: 'k' }, b: 1, '1': 'one', a: 2, spec: { z: 1, '2': 2 } } as any],
  ['a hole and undefined in arrays', { metadata: { name: 'h' }, spec: { a: [1, , 3], b: [undefined, () => 1] } } as any], // eslint-disable-line no-sparse-arrays
  ['a class instance, a toJSON member, a null-prototype object', { metadata: { name: 'c' }, spec: { m: new Map(), t: { toJSON: () => 'x' }, n: Object.assign(Object.create(null), { a: 1 }) } } as any],
  ['a "__proto__" member', { metadata: { name: 'p' }, spec: JSON.parse('{"__proto__":{"x":1},"b":2}') } as any],
  ['functions and symbols at the top', { metadata: { name: 'f' }, f() {}, s: Symbol('s'), t: 1 } as any],
  ['a frozen member that is no JSON value', { metadata: { name: 'z' }, spec: Object.freeze({ a: undefined, b: 1 }) } as any],
  ['a top level with toJSON (not plain)', { metadata: { name: 'j' }, toJSON: () => ({ metadata: { name: 'j2' } }) } as any],
  ['a pod as a client sends it', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { app: 'web' }, ownerReferences: [{ kind: 'ReplicaSet', name: 'r', uid: 'u', controller: true }] }, spec: { containers: [{ name: 'c', image: 'i', resources: { requests: { cpu: '100m' } } }], priority: 0 }, status: { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'True', lastProbeTime: null }] } }],
];

/** Counts JSON.stringify calls while fn runs. */
async function stringifies(fn: () => Promise<void> | void): Promise<number> {
  const real = JSON.stringify;
  let n = 0;
  JSON.stringify = ((...a: Parameters<typeof JSON.stringify>) => (n++, real(...a))) as typeof JSON.stringify;
  try {
    await fn();
  } finally {
    JSON.stringify = real;
  }
  return n;
}

test('a create: the text made when read is encodeObject\'s, and the stored copy what JSON.parse of it gives', async () => {
  for (const [name, obj] of CASES()) {
    const s = new MemoryStore();
    const seen: StoreEvent[] = [];
    s.watch('', 0, (ev) => seen.push(ev));
    const e = await s.create('/registry/x/' + name, obj);
    assert.ok(e instanceof StoredEntry);
    const want = encodeObject(obj, e.modRevision).json;
    assert.equal(e.json, want, name);
    assert.equal(seen[0].json, want, `${name}: the event's text is the entry's`);
    assert.deepEqual(e.object, JSON.parse(want), name);
    assert.ok(isDeepFrozen(e.object), `${name}: deep-frozen`);
  }
});

test('an update carrying stored members: they are shared, the text is encodeObject\'s', async () => {
  const s = new MemoryStore();
  const first = await s.create('/registry/pods/p', CASES().at(-1)![1]);
  const cur = first.object;
  const next = { ...cur, metadata: { ...cur.metadata, labels: { app: 'db' } }, status: { phase: 'Running', n: NaN } } as KubeObject;
  const want = encodeObject(next, first.modRevision + 1).json;
  const e = (await s.update('/registry/pods/p', next)) as StoredEntry;
  assert.equal(e.hasJson, false, 'no text until asked');
  assert.equal(e.object.spec, cur.spec, 'the stored spec is shared');
  assert.notEqual(e.object.status, next.status, 'the new status is a copy');
  assert.notEqual(e.object.metadata.labels, next.metadata.labels, 'the new metadata is a copy');
  assert.equal(e.json, want);
  assert.deepEqual(e.object, JSON.parse(want));
  assert.ok(isDeepFrozen(e.object));
  // members JSON cannot hold, next to a stored one
  const odd = { ...e.object, metadata: { ...e.object.metadata }, extra: { d: new Date(0), u: undefined, a: [undefined] }, n: -0 } as KubeObject;
  const wantOdd = encodeObject(odd, e.modRevision + 1).json;
  const o = await s.update('/registry/pods/p', odd);
  assert.equal(o.object.spec, cur.spec);
  assert.equal(o.json, wantOdd);
  assert.deepEqual(o.object, JSON.parse(wantOdd));
});

test('a handed-over object: its JSON members kept (frozen), the rest copied; the text is encodeObject\'s', async () => {
  for (const [name, obj] of CASES()) {
    const want = encodeObject(obj, 1).json;
    const s = new MemoryStore();
    const e = await s.create('/registry/x/a', handOver(obj));
    assert.equal(e.json, want, name);
    assert.deepEqual(e.object, JSON.parse(want), name);
    assert.ok(isDeepFrozen(e.object), `${name}: deep-frozen`);
  }
  const o: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', labels: { x: 'y' } }, data: { k: 'v' }, bad: { n: NaN } } as KubeObject;
  const want = JSON.stringify({ ...o, metadata: { ...o.metadata, resourceVersion: '1' } });
  const e = await new MemoryStore().create('/registry/configmaps/a', handOver(o));
  assert.equal(e.object.data, o.data, 'a JSON member is kept');
  assert.equal(e.object.metadata.labels, o.metadata.labels, 'and the metadata\'s');
  assert.notEqual(e.object.bad, (o as any).bad, 'one JSON would change is copied');
  assert.throws(() => ((o.data as any).k = 'changed'), TypeError, 'what the store keeps cannot change');
  assert.equal(e.json, want);
});

test('a delete: the last state at the delete\'s revision, members shared, the text encodeStoredAt\'s', async () => {
  const s = new MemoryStore();
  const seen: StoreEvent[] = [];
  s.watch('', 0, (ev) => seen.push(ev));
  const made = await s.create('/registry/pods/p', CASES().at(-1)![1]);
  const prevJson = encodeObject(made.object, made.modRevision).json; // = made.json, without reading it
  const d = await s.delete('/registry/pods/p');
  assert.equal((made as StoredEntry).hasJson, false);
  assert.equal(d.object.metadata.resourceVersion, String(d.modRevision));
  assert.equal(d.object.spec, made.object.spec, 'members shared');
  assert.ok(isDeepFrozen(d.object));
  assert.equal(d.json, encodeStoredAt(made.object, prevJson, d.modRevision).json);
  assert.equal(seen.at(-1)!.type, 'DELETED');
  assert.equal(seen.at(-1)!.json, d.json);
  assert.equal(made.json, prevJson);
});

test('writes through the watch cache over the memory store stringify nothing; the text, once made, is one for all', async () => {
  const backend = new MemoryStore();
  const cache = new WatchCacheStore(backend);
  await backend.create('/registry/configmaps/ns/before', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'before' }, data: { a: '1' } });
  await cache.start();
  const events: StoreEvent[] = [];
  const from = await cache.currentRevision();
  cache.watch('/registry/configmaps/', from, (ev) => events.push(ev));
  const key = '/registry/configmaps/ns/a';
  const n = await stringifies(async () => {
    const c = await cache.create(key, handOver({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, data: { k: 'v' } }));
    const u = await cache.update(key, { ...c.object, metadata: { ...c.object.metadata, labels: { l: 'x' } } }, c.modRevision);
    await cache.update(key, handOver({ ...u.object, metadata: { ...u.object.metadata }, data: { k: 'w' } }));
    await cache.get(key);
    await cache.list('/registry/configmaps/');
    await cache.delete('/registry/configmaps/ns/before');
  });
  assert.equal(n, 0, 'no text made');
  assert.equal(events.length, 4);
  const entry = (await cache.get(key))!;
  const inner = (await backend.get(key))!;
  assert.notEqual(entry, inner);
  let text = '';
  assert.equal(await stringifies(() => void (text = entry.json!)), 1);
  assert.equal(await stringifies(() => void assert.equal(inner.json, text)), 0, 'the backend\'s entry has it now too');
  assert.equal(await stringifies(() => void assert.equal(events[2].json, text)), 0, 'and the event');
  assert.equal(text, JSON.stringify(entry.object));
  assert.equal(text, `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","resourceVersion":"${entry.modRevision}","labels":{"l":"x"}},"data":{"k":"w"}}`);
  assert.equal(events[3].json, `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"before","resourceVersion":"${events[3].revision}"},"data":{"a":"1"}}`);
  // a watch from the window: the replayed events carry the same text
  const replay: StoreEvent[] = [];
  cache.watch('/registry/configmaps/', from, (ev) => replay.push(ev));
  assert.deepEqual(replay.map((e) => e.json), events.map((e) => e.json));
  await cache.close();
});
