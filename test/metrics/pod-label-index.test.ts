// PodLabelIndex (src/apiserver/kinds/podlabelindex.ts) answers exactly what a filtered walk of the
// watch cache answers: before and after its watch starts, after creates, relabels (a pod moving
// between values, losing or gaining a key), deletes and re-creates, in one namespace and across
// namespaces, for `=`/`==`/`in` selectors (indexed) and the others (walked), with field filters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/types.ts';
import { matches, parseSelector } from '../../src/api/labels.ts';
import { PodLabelIndex } from '../../src/apiserver/kinds/podlabelindex.ts';
import { MemoryStore } from '../../src/storage/memory.ts';
import { WatchCacheStore } from '../../src/storage/watch-cache.ts';

const ROOT = '/registry/pods/';
const key = (ns: string, name: string) => `${ROOT}${ns}/${name}`;
const pod = (ns: string, name: string, labels: Record<string, string> | undefined): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns, ...(labels ? { labels } : {}) } });
const filterOf = (sel: string | null, name?: string) => (o: KubeObject) => (sel === null || matches(parseSelector(sel), o.metadata.labels)) && (name === undefined || o.metadata.name === name);
const names = (xs: KubeObject[]) => xs.map((o) => `${o.metadata.namespace}/${o.metadata.name}`).sort();

const prefixes = [ROOT, `${ROOT}default/`, `${ROOT}other/`, `${ROOT}def/`];
const cases: { selector: string | null; name?: string }[] = [
  { selector: 'app=web-1' },
  { selector: 'app==web-2' },
  { selector: 'app in (web-1,web-2)' },
  { selector: 'app in (web-2,web-1,web-2)' },
  { selector: 'app=web-1,tier=front' },
  { selector: 'tier=front,app in (web-0,web-1)' },
  { selector: 'app=web-1,tier!=front' },
  { selector: 'app=nope' },
  { selector: 'constructor=x' },
  { selector: 'tier' },
  { selector: '!tier' },
  { selector: 'app notin (web-1)' },
  { selector: null, name: 'p3' },
  { selector: 'app=web-2', name: 'p4' },
];

type Step = [string, (s: WatchCacheStore) => Promise<unknown>];
const update = async (s: WatchCacheStore, ns: string, name: string, labels: Record<string, string> | undefined) => {
  const cur = await s.get(key(ns, name));
  return s.update(key(ns, name), pod(ns, name, labels), cur!.modRevision);
};
const steps: Step[] = [
  ['initial', async () => {}],
  ['a create', (s) => s.create(key('default', 'p8'), pod('default', 'p8', { app: 'web-1', tier: 'front' }))],
  ['a relabel to another value', (s) => update(s, 'default', 'p1', { app: 'web-2' })],
  ['a pod losing its app label', (s) => update(s, 'default', 'p2', { tier: 'front' })],
  ['a pod gaining labels', (s) => update(s, 'default', 'p2', { app: 'web-1', tier: 'front' })],
  ['a pod losing all labels', (s) => update(s, 'default', 'p5', undefined)],
  ['an update with the same labels', (s) => update(s, 'default', 'p6', { app: 'web-0' })],
  ['a delete', (s) => s.delete(key('default', 'p4'))],
  ['a re-create of the deleted name with other labels', (s) => s.create(key('default', 'p4'), pod('default', 'p4', { app: 'web-2' }))],
  ['a pod in another namespace', (s) => s.create(key('other', 'p3'), pod('other', 'p3', { app: 'web-2' }))],
  ['a delete in another namespace', (s) => s.delete(key('other', 'q'))],
  ['a namespace whose name prefixes another', (s) => s.create(key('def', 'p1'), pod('def', 'p1', { app: 'web-1' }))],
];

test('PodLabelIndex: same pods as the filtered walk, through creates, relabels and deletes', async () => {
  const store = new WatchCacheStore(new MemoryStore());
  await store.start();
  try {
    for (let i = 0; i < 8; i++) await store.create(key('default', `p${i}`), pod('default', `p${i}`, { app: `web-${i % 3}`, ...(i % 2 ? { tier: 'front' } : {}) }));
    await store.create(key('other', 'q'), pod('other', 'q', { app: 'web-1' }));
    const index = new PodLabelIndex(ROOT);
    for (const [what, step] of steps) {
      await step(store);
      // two rounds: the first one of a step reads what its write left, the second the same again
      for (let round = 0; round < 2; round++) {
        for (const prefix of prefixes) {
          for (const c of cases) {
            const f = filterOf(c.selector, c.name);
            const want = names((await store.listPage(prefix, { filter: f })).items);
            const got = names(await index.select(store, prefix, c.selector, f));
            assert.deepEqual(got, want, `after ${what}, round ${round}, ${prefix}: ${c.selector} ${c.name ?? ''}`);
            // a label-only filter (no field selector): a selector that is its pin alone skips it
            if (c.name === undefined) assert.deepEqual(names(await index.select(store, prefix, c.selector, f, true)), want, `labels only, after ${what}: ${c.selector}`);
          }
        }
      }
    }
    assert.deepEqual(names(await index.select(store, ROOT, null, undefined)), names((await store.listPage(ROOT, {})).items));
    index.stop();
  } finally {
    await store.close();
  }
});

test('PodLabelIndex: a key first pinned after the index started, and a write between the walk and the watch', async () => {
  const store = new WatchCacheStore(new MemoryStore());
  await store.start();
  try {
    for (let i = 0; i < 4; i++) await store.create(key('default', `p${i}`), pod('default', `p${i}`, { app: `web-${i % 2}`, zone: `z${i % 2}` }));
    const index = new PodLabelIndex(ROOT);
    const sel = async (s: string) => names(await index.select(store, ROOT, s, filterOf(s)));
    // the index's first walk is in flight while a write lands: the watch replays it
    const first = index.select(store, ROOT, 'app=web-0', filterOf('app=web-0'));
    const write = update(store, 'default', 'p1', { app: 'web-0', zone: 'z1' });
    await Promise.all([first, write]);
    assert.deepEqual(await sel('app=web-0'), ['default/p0', 'default/p1', 'default/p2']);
    await store.create(key('default', 'p9'), pod('default', 'p9', { app: 'web-1', zone: 'z0' }));
    // zone was never pinned: its dimension is built from the live pods, then kept current
    assert.deepEqual(await sel('zone=z0'), ['default/p0', 'default/p2', 'default/p9']);
    await update(store, 'default', 'p0', { app: 'web-0', zone: 'z1' });
    assert.deepEqual(await sel('zone=z0'), ['default/p2', 'default/p9']);
    assert.deepEqual(await sel('zone in (z1)'), ['default/p0', 'default/p1', 'default/p3']);
    index.stop();
  } finally {
    await store.close();
  }
});

test('PodLabelIndex: a closed store ends its watch; a new store gets a new walk', async () => {
  const index = new PodLabelIndex(ROOT);
  for (const app of ['web-a', 'web-b']) {
    const store = new WatchCacheStore(new MemoryStore());
    await store.start();
    await store.create(key('default', 'p'), pod('default', 'p', { app }));
    assert.deepEqual(names(await index.select(store, ROOT, `app=${app}`, filterOf(`app=${app}`))), ['default/p']);
    await store.close();
  }
});
