// The label index the HPA selects its target's pods with: the same pods, in the same order, as a
// lister walk over the namespace, for every shape of selector (pinned labels, set-based, none).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Indexer, Lister, type SharedInformer } from '../../src/client/index.ts';
import type { KubeObject } from '../../src/api/types.ts';
import { BY_LABEL, labelIndex, listBySelector } from '../../src/controllers/util/labelindex.ts';

const pod = (ns: string, name: string, labels?: Record<string, string>): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { namespace: ns, name, labels } });

test('listBySelector returns what lister.list(selector, namespace) returns, in order', () => {
  const indexer = new Indexer<KubeObject>({ [BY_LABEL]: labelIndex });
  const inf = { indexer, lister: new Lister(indexer) } as unknown as SharedInformer<KubeObject>;
  const pods = [
    pod('default', 'a', { app: 'web', tier: 'front' }),
    pod('default', 'b', { app: 'web', tier: 'back' }),
    pod('default', 'c', { app: 'db' }),
    pod('other', 'd', { app: 'web' }),
    pod('default', 'e'),
    pod('default', 'f', { 'app.kubernetes.io/name': 'web', app: 'web' }),
  ];
  for (const p of pods) indexer.set(`${p.metadata.namespace}/${p.metadata.name}`, p);
  // an update re-inserts: b moves behind f in both orders
  indexer.set('default/b', pod('default', 'b', { app: 'web', tier: 'back', v: '2' }));
  const selectors = ['', 'app=web', 'app==web', 'app in (web)', 'app in (web,db)', 'app=web,tier=back', 'tier=front,app=web', 'app=web,tier!=front', 'app', '!app', 'app=none', 'app.kubernetes.io/name=web', 'app=web,v notin (1)'];
  for (const ns of ['default', 'other', undefined]) {
    for (const sel of selectors) {
      const want = inf.lister.list(sel, ns).map((p) => p.metadata.name);
      assert.deepEqual(listBySelector(inf, sel, ns).map((p) => p.metadata.name), want, `${sel} in ${ns}`);
    }
  }
  assert.deepEqual(listBySelector(inf, 'app=web', 'default').map((p) => p.metadata.name), ['a', 'f', 'b']);
  assert.throws(() => listBySelector(inf, 'app=(', 'default'));
});

test('listBySelector: a one-requirement selector answers the same frozen array until its entry changes (update, add, delete, relabel)', () => {
  const indexer = new Indexer<KubeObject>({ [BY_LABEL]: labelIndex });
  const inf = { indexer, lister: new Lister(indexer) } as unknown as SharedInformer<KubeObject>;
  const set = (p: KubeObject) => indexer.set(`${p.metadata.namespace}/${p.metadata.name}`, p);
  for (const n of ['a', 'b', 'c']) set(pod('default', n, { app: 'web' }));
  set(pod('default', 'x', { app: 'db' }));
  const first = listBySelector(inf, 'app=web', 'default');
  assert.ok(Object.isFrozen(first));
  assert.equal(listBySelector(inf, 'app=web', 'default'), first, 'nothing changed: the same array');
  assert.equal(listBySelector(inf, 'app==web', 'default'), first, 'the same entry under another spelling');
  set(pod('default', 'x', { app: 'db', v: '2' }));
  assert.equal(listBySelector(inf, 'app=web', 'default'), first, 'a change elsewhere keeps it');
  const changes: [string, () => void][] = [
    ['an update replaces an object', () => set(pod('default', 'b', { app: 'web', v: '2' }))],
    ['an add', () => set(pod('default', 'd', { app: 'web' }))],
    ['a delete', () => indexer.delete('default/a')],
    ['a relabel away', () => set(pod('default', 'c', { app: 'db' }))],
    ['a relabel in', () => set(pod('default', 'x', { app: 'web' }))],
  ];
  let last = first;
  for (const [what, change] of changes) {
    change();
    const now = listBySelector(inf, 'app=web', 'default');
    assert.notEqual(now, last, what);
    assert.deepEqual(now, inf.lister.list('app=web', 'default'), what);
    assert.equal(listBySelector(inf, 'app=web', 'default'), now, `${what}: then kept`);
    last = now;
  }
  assert.deepEqual(last.map((p) => p.metadata.name), ['b', 'd', 'x']);
});
