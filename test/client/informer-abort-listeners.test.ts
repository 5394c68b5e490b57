// SharedInformerFactory.waitForCacheSync on a signal shared by many informers adds one abort
// listener for the whole wait (not one per informer, which tripped Node's
// MaxListenersExceededWarning in `kubesim up`) and removes it when the wait ends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { Client, SharedInformerFactory, type ResourceRef } from './helpers.ts';

test('factory.waitForCacheSync with 20 informers: one abort listener, none after abort, no warning', async () => {
  const warnings: Error[] = [];
  const onWarning = (w: Error) => warnings.push(w);
  process.on('warning', onWarning);
  const client = new Client({ server: 'http://127.0.0.1:1', qps: 0 });
  const factory = new SharedInformerFactory(client);
  try {
    // never started: every informer stays unsynced, so the wait only ends by the signal
    for (let i = 0; i < 20; i++) {
      const rt: ResourceRef = { group: 'example.com', version: 'v1', plural: `things${i}`, namespaced: true, kind: `Thing${i}` };
      factory.informerFor(rt);
    }
    const ac = new AbortController();
    const wait = factory.waitForCacheSync(ac.signal);
    assert.equal(getEventListeners(ac.signal, 'abort').length, 1);
    ac.abort();
    assert.equal(await wait, false);
    assert.equal(getEventListeners(ac.signal, 'abort').length, 0);
    await new Promise((r) => setImmediate(r)); // warnings are emitted on the next tick
    assert.deepEqual(warnings.filter((w) => w.name === 'MaxListenersExceededWarning'), []);
  } finally {
    process.off('warning', onWarning);
    await factory.shutdown();
    client.close();
  }
});
