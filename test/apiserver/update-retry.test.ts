// An update that loses a race in the store (another write lands between its read and its write):
// with the body's resourceVersion pinned, 409 Conflict; without one, the server starts again from
// the body as sent and the write lands. Both wires: over HTTP the body is bytes, in process it is
// a value the first attempt may take as its own (src/apiserver/rest/handlers.ts handleUpdate).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore } from '../../src/storage/memory.ts';
import type { KubeObject } from '../../src/api/types.ts';
import { objectKey, type StoreEntry } from '../../src/storage/interface.ts';
import { StatusError } from '../../src/api/errors.ts';
import { twoWires } from '../helpers/two-wires.ts';

const CM = { group: '', version: 'v1', plural: 'configmaps', namespaced: true, kind: 'ConfigMap' };

/** A store whose next update of `key` first lets another write of it land (from the same stale revision). */
class RacingStore extends MemoryStore {
  armed: string | undefined;
  override async update(key: string, object: KubeObject, expectedRevision?: number): Promise<StoreEntry> {
    if (this.armed === key && expectedRevision !== undefined) {
      this.armed = undefined;
      const cur = await this.get(key);
      await super.update(key, { ...cur!.object, data: { x: 'other' } } as KubeObject, expectedRevision);
    }
    return super.update(key, object, expectedRevision);
  }
}

for (const wire of ['lean', 'http'] as const) {
  test(`${wire}: an update that loses a race: 409 with a pinned resourceVersion, the body applied again without one`, async () => {
    const store = new RacingStore();
    const w = await twoWires({ store });
    const key = objectKey('', 'configmaps', 'default', 'a');
    try {
      const cms = w[wire].resource(CM);
      const created = await cms.create({ metadata: { name: 'a', namespace: 'default' }, data: { x: '1' } });
      assert.ok(await store.get(key), `the store key is ${key}`);

      store.armed = key;
      const pinned = { ...created, data: { x: '2' } };
      await assert.rejects(cms.update(pinned), (e: unknown) => {
        assert.ok(e instanceof StatusError);
        assert.equal(e.code, 409);
        assert.equal(e.reason, 'Conflict');
        assert.match(e.message, /the object has been modified; please apply your changes to the latest version and try again/);
        return true;
      });
      assert.equal(store.armed, undefined, 'the race happened');
      const afterConflict = await cms.get('a', { namespace: 'default' });
      assert.equal((afterConflict as any).data.x, 'other', 'the conflicting write did not land');

      store.armed = key;
      const unpinned = { metadata: { name: 'a', namespace: 'default', labels: { l: 'v' } }, data: { x: '3' } };
      const landed = await cms.update(unpinned);
      assert.equal(store.armed, undefined, 'the race happened');
      assert.equal((landed as any).data.x, '3');
      assert.deepEqual(landed.metadata.labels, { l: 'v' });
      assert.notEqual(landed.metadata.resourceVersion, afterConflict.metadata.resourceVersion);
      assert.deepEqual(unpinned, { metadata: { name: 'a', namespace: 'default', labels: { l: 'v' } }, data: { x: '3' } }, "the caller's object is untouched");
      const final = await cms.get('a', { namespace: 'default' });
      assert.equal((final as any).data.x, '3');
    } finally {
      await w.close();
    }
  });
}
