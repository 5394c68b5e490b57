// Consistent reads of the watch cache over a shared backend (Store.shared): a write committed by
// another instance is read once the cache reached the backend's revision; the fallbacks when it
// does not get there or the backend does not answer; revision reads shared by concurrent callers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/types.ts';
import { StorageError, type Store, type StoreEvent, type Unsubscribe } from '../../src/storage/interface.ts';
import { MemoryStore } from '../../src/storage/memory.ts';
import { WatchCacheStore } from '../../src/storage/watch-cache.ts';

/** A MemoryStore seen as a shared backend whose events reach this instance late (held until released). */
class LaggingStore implements Store {
  readonly shared: boolean;
  readonly inner = new MemoryStore();
  lagging = false;
  down = false;
  revisionReads = 0;
  private held: (() => void)[] = [];
  constructor(shared = true) {
    this.shared = shared;
  }
  release(): void {
    this.lagging = false;
    for (const f of this.held.splice(0)) f();
  }
  get = (k: string) => this.inner.get(k);
  list = (p: string) => this.inner.list(p);
  create = (k: string, o: KubeObject) => this.inner.create(k, o);
  update = (k: string, o: KubeObject, r?: number) => this.inner.update(k, o, r);
  delete = (k: string, r?: number) => this.inner.delete(k, r);
  compact = (r: number) => this.inner.compact(r);
  close = () => this.inner.close();
  async currentRevision(): Promise<number> {
    this.revisionReads++;
    await new Promise((r) => setTimeout(r, 5));
    if (this.down) throw new StorageError('Unavailable', '', 'connection refused');
    return this.inner.currentRevision();
  }
  watch(prefix: string, from: number, onEvent: (ev: StoreEvent) => void, onError?: (err: StorageError) => void): Unsubscribe {
    return this.inner.watch(prefix, from, (ev) => (this.lagging ? this.held.push(() => onEvent(ev)) : onEvent(ev)), onError);
  }
}

const K = '/registry/core/configmaps/ns/a';
const cm = (): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'ns' } });

async function setup(o: { shared?: boolean; waitTimeoutMs?: number } = {}) {
  const backend = new LaggingStore(o.shared ?? true);
  const cache = new WatchCacheStore(backend, { waitTimeoutMs: o.waitTimeoutMs ?? 3_000 });
  await cache.start();
  // "Another API server" commits straight to the backend; this cache hears of it only on release().
  backend.lagging = true;
  const written = await backend.inner.create(K, cm());
  return { backend, cache, written };
}

test('a write committed elsewhere: get and list wait until the cache has it', async () => {
  const { backend, cache, written } = await setup();
  try {
    setTimeout(() => backend.release(), 50);
    const [got, listed] = await Promise.all([cache.get(K), cache.listPage('/registry/core/configmaps/', {})]);
    assert.equal(got?.modRevision, written.modRevision);
    assert.deepEqual(listed.entries!.map((e) => e.key), [K]);
    assert.ok(listed.revision >= written.modRevision);
  } finally {
    await cache.close();
  }
});

for (const [name, o, get, list] of [
  ['the cache does not get there within waitTimeoutMs: get reads the backend, a list serves the cache', { waitTimeoutMs: 100 }, true, 0],
  ['the backend does not answer: both serve the cache', { down: true }, false, 0],
  ['a backend that is not shared: reads come from the cache at once', { shared: false }, false, 0],
] as const) {
  test(name, async () => {
    const { backend, cache } = await setup({ shared: 'shared' in o ? o.shared : true, waitTimeoutMs: 'waitTimeoutMs' in o ? o.waitTimeoutMs : 3_000 });
    backend.down = 'down' in o;
    try {
      const t0 = performance.now();
      assert.equal((await cache.get(K)) !== undefined, get);
      assert.equal((await cache.listPage('/registry/core/configmaps/', {})).entries!.length, list);
      if (!('shared' in o)) assert.ok(backend.revisionReads > 0);
      else assert.equal(backend.revisionReads, 0, 'no revision read');
      if ('down' in o || 'shared' in o) assert.ok(performance.now() - t0 < 1_000, 'no wait');
    } finally {
      backend.release();
      await cache.close();
    }
  });
}

test('concurrent reads share backend revision reads', async () => {
  const { backend, cache } = await setup();
  backend.release();
  try {
    backend.revisionReads = 0;
    await Promise.all(Array.from({ length: 50 }, () => cache.get(K)));
    assert.ok(backend.revisionReads <= 2, `${backend.revisionReads} revision reads for 50 gets`);
    // Each read still sees a revision read that started after it came.
    backend.lagging = true;
    const second = await backend.inner.update(K, { ...cm(), data: { v: '2' } });
    setTimeout(() => backend.release(), 30);
    assert.equal((await cache.get(K))?.modRevision, second.modRevision);
  } finally {
    await cache.close();
  }
});
