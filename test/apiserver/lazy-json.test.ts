// On the in-process path (the lean exchange) a write's answer and its watch events travel as values:
// the memory store's JSON text of the object is never made (StoredEntry.hasJson stays false); an
// HTTP reader of the same object gets the text, made then, identical to JSON.stringify of the object.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore } from '../../src/storage/memory.ts';
import { StoredEntry } from '../../src/storage/common.ts';
import { objectKey } from '../../src/storage/interface.ts';
import { eventually } from '../helpers/eventually.ts';
import { twoWires } from '../helpers/two-wires.ts';

const CM = { group: '', version: 'v1', plural: 'configmaps', namespaced: true, kind: 'ConfigMap' };

test('in-process writes, reads and watches make no JSON text; an HTTP get makes it, the same as the value\'s', async () => {
  const backend = new MemoryStore();
  const w = await twoWires({ store: backend });
  try {
    const cms = w.lean.resource(CM);
    const watch = await cms.watch({ namespace: 'default', resourceVersion: '0' });
    const seen: string[] = [];
    const reading = (async () => {
      for await (const ev of watch) seen.push(`${ev.type} ${(ev.object as any).metadata.name} ${(ev.object as any).data?.x}`);
    })();
    const created = await cms.create({ metadata: { name: 'a', namespace: 'default' }, data: { x: '1' } });
    const updated = await cms.update({ ...created, data: { x: '2' } });
    await cms.get('a', { namespace: 'default' });
    await eventually(() => seen.length === 2, 'the watch saw both writes');
    assert.deepEqual(seen, ['ADDED a 1', 'MODIFIED a 2']);
    const entry = await backend.get(objectKey('', 'configmaps', 'default', 'a'));
    assert.ok(entry instanceof StoredEntry);
    assert.equal(entry.hasJson, false, 'no text made in process');
    const text = (await w.http.requestBuffer({ path: '/api/v1/namespaces/default/configmaps/a' })).body.toString();
    assert.equal(entry.hasJson, true, 'the HTTP answer made it');
    assert.equal(text, entry.json);
    assert.equal(text, JSON.stringify(entry.object));
    assert.deepEqual(JSON.parse(text), updated);
    watch.close();
    await reading;
  } finally {
    await w.close();
  }
});
