// PodLabelIndex (src/apiserver/kinds/podlabelindex.ts) answers exactly what a filtered walk of the
// watch cache answers, at the first, second and later lists of a revision and after writes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/types.ts';
import { matches, parseSelector } from '../../src/api/labels.ts';
import { PodLabelIndex } from '../../src/apiserver/kinds/podlabelindex.ts';
import { MemoryStore } from '../../src/storage/memory.ts';
import { WatchCacheStore } from '../../src/storage/watch-cache.ts';

const PREFIX = '/registry/pods/default/';
const pod = (name: string, labels: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', labels } });
const filterOf = (sel: string | null, name?: string) => (o: KubeObject) => (sel === null || matches(parseSelector(sel), o.metadata.labels)) && (name === undefined || o.metadata.name === name);
const names = (xs: KubeObject[]) => xs.map((o) => o.metadata.name!).sort();

const cases: { selector: string | null; name?: string }[] = [
  { selector: 'app=web-1' },
  { selector: 'app==web-2' },
  { selector: 'app in (web-1,web-2)' },
  { selector: 'app=web-1,tier=front' },
  { selector: 'app=web-1,tier!=front' },
  { selector: 'app=nope' },
  { selector: 'tier' },
  { selector: '!tier' },
  { selector: 'app notin (web-1)' },
  { selector: null, name: 'p3' },
  { selector: 'app=web-2', name: 'p4' },
];

test('PodLabelIndex: same pods as the filtered walk, across revisions', async () => {
  const store = new WatchCacheStore(new MemoryStore());
  await store.start();
  try {
    for (let i = 0; i < 8; i++) await store.create(`${PREFIX}p${i}`, pod(`p${i}`, { app: `web-${i % 3}`, ...(i % 2 ? { tier: 'front' } : {}) }));
    await store.create('/registry/pods/other/q', { ...pod('q', { app: 'web-1' }), metadata: { name: 'q', namespace: 'other', labels: { app: 'web-1' } } });
    const index = new PodLabelIndex();
    const check = async (when: string) => {
      // three rounds at one revision: the walk, the index build, the index
      for (let round = 0; round < 3; round++) {
        for (const c of cases) {
          const f = filterOf(c.selector, c.name);
          const want = names((await store.listPage(PREFIX, { filter: f })).items);
          const got = names(await index.select(store, PREFIX, c.selector, f));
          assert.deepEqual(got, want, `${when}, round ${round}: ${c.selector} ${c.name ?? ''}`);
        }
      }
    };
    await check('initial');
    await store.create(`${PREFIX}p8`, pod('p8', { app: 'web-1', tier: 'front' }));
    await check('after a create');
    const cur = await store.get(`${PREFIX}p1`);
    await store.update(`${PREFIX}p1`, pod('p1', { app: 'web-2' }), cur!.modRevision);
    await check('after a relabel');
    await store.delete(`${PREFIX}p4`);
    await check('after a delete');
    assert.deepEqual(names(await index.select(store, PREFIX, null, undefined)), names((await store.listPage(PREFIX, {})).items));
  } finally {
    await store.close();
  }
});
