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
