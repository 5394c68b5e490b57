// Informer correctness under churn against the real API server: thousands of random creates,
// updates and deletes of ConfigMaps while a proxy cuts the informer's connections at random and,
// twice, blocks it long enough for the watch cache window (small here) to move past the
// informer's resourceVersion, so it must relist after 410 Expired. Afterwards the cache equals a
// fresh list exactly, and every handler's call sequence per key is consistent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { Registry } from 'prom-client';
import { startApiServer } from '../../src/apiserver/index.ts';
import { registry } from '../../src/api/registry.ts';
import { isStatusError } from '../../src/api/errors.ts';
import type { KubeObject } from '../../src/api/types.ts';
import { Client, SharedInformer, DeletedFinalStateUnknown, metaNamespaceKey, type ResourceEventHandler } from '../../src/client/index.ts';
import { ChaosProxy } from './proxy.ts';
import { eventually } from '../helpers/eventually.ts';

const CONFIGMAPS = registry.byResource('', 'v1', 'configmaps')!;
const NS = 'churn';
const KEYS = 150;
const OPS = 3000;
const WINDOW = 50;

/** Checks one handler's call sequence per key; `state` mirrors what the handler was told. */
function checker(name: string) {
  const state = new Map<string, string>(); // key → resourceVersion last delivered
  const violations: string[] = [];
  const rv = (o: KubeObject) => o.metadata.resourceVersion!;
  const handler: ResourceEventHandler<KubeObject> = {
    onAdd(o) {
      const k = metaNamespaceKey(o);
      if (state.has(k)) violations.push(`${name}: add of ${k}@${rv(o)} while present @${state.get(k)}`);
      state.set(k, rv(o));
    },
    onUpdate(old, o) {
      const k = metaNamespaceKey(o);
      if (!state.has(k)) violations.push(`${name}: update of ${k} before add (or after delete)`);
      else if (state.get(k) !== rv(old)) violations.push(`${name}: update of ${k}: old rv ${rv(old)} != previous new ${state.get(k)}`);
      if (Number(rv(o)) <= Number(rv(old))) violations.push(`${name}: update of ${k} goes back ${rv(old)} -> ${rv(o)}`);
      state.set(k, rv(o));
    },
    onDelete(d) {
      const k = metaNamespaceKey(d);
      if (!state.has(k)) violations.push(`${name}: delete of ${k} that is not present`);
      if (d instanceof DeletedFinalStateUnknown && rv(d.obj) !== state.get(k)) violations.push(`${name}: DeletedFinalStateUnknown of ${k} carries ${rv(d.obj)}, last delivered ${state.get(k)}`);
      state.delete(k);
    },
  };
  return { state, violations, handler };
}

test('informer under churn, random connection cuts and 410 relists converges to a fresh list with consistent handler sequences', async () => {
  const server = await startApiServer({ port: 0, watchCacheSize: WINDOW, bookmarkIntervalMs: 100, logger: pino({ level: 'silent' }) });
  const proxy = await new ChaosProxy(server.port).start();
  const writer = new Client({ server: server.url, qps: 0 });
  const watcherClient = new Client({ server: proxy.url, qps: 0 });
  const metrics = new Registry();
  const informer = new SharedInformer(watcherClient, CONFIGMAPS, { namespace: NS, pageSize: 40, backoffInitialMs: 20, backoffMaxMs: 500, metricsRegistry: metrics, logger: process.env.CHURN_DEBUG ? { info: (o, m) => console.log('INFO', m, JSON.stringify(o)), warn: (o, m) => console.log('WARN', m, JSON.stringify(o)), error: (o, m) => console.log('ERR', m, JSON.stringify(o)) } : undefined });
  const early = checker('early');
  const late = checker('late');
  const cms = writer.resource(CONFIGMAPS);
  let stopChaos = false;
  try {
    await writer.resource(registry.byResource('', 'v1', 'namespaces')!).create({ metadata: { name: NS } });
    for (let i = 0; i < 60; i++) await cms.create({ metadata: { name: `cm-${i}`, namespace: NS }, data: { v: '0' } });
    informer.addEventHandler(early.handler);
    informer.start();
    assert.equal(await informer.waitForCacheSync(AbortSignal.timeout(20_000)), true);

    // chaos: cut all connections every 20..200 ms
    let cuts = 0;
    const chaos = (async () => {
      while (!stopChaos) {
        await new Promise((r) => setTimeout(r, 20 + Math.random() * 180));
        if (proxy.cut() > 0) cuts++;
      }
    })();

    // writers: random create/update/delete over KEYS names, 8 at a time
    let done = 0;
    const known = new Map<string, KubeObject>();
    const blockAt = new Set([Math.floor(OPS * 0.3), Math.floor(OPS * 0.7)]);
    let blockedUntil = -1;
    const worker = async () => {
      while (done < OPS) {
        const n = done++;
        if (blockAt.has(n)) {
          proxy.block();
          blockedUntil = n + WINDOW * 3; // far past the watch cache window
        }
        if (blockedUntil >= 0 && n >= blockedUntil) {
          proxy.unblock();
          blockedUntil = -1;
        }
        if (n === Math.floor(OPS / 2)) informer.addEventHandler(late.handler); // a handler joining mid-churn
        const name = `cm-${Math.floor(Math.random() * KEYS)}`;
        const cur = known.get(name);
        try {
          if (!cur) {
            known.set(name, await cms.create({ metadata: { name, namespace: NS }, data: { v: String(n) } }));
          } else if (Math.random() < 0.65) {
            known.set(name, await cms.update({ ...cur, data: { v: String(n) } }));
          } else {
            known.delete(name);
            await cms.delete(name, { namespace: NS });
          }
        } catch (e) {
          if (!isStatusError(e)) throw e;
          // 409 (lost race with another worker), 404: re-read the truth for this name
          try {
            known.set(name, await cms.get(name, { namespace: NS }));
          } catch (e2) {
            if (!isStatusError(e2, 404)) throw e2;
            known.delete(name);
          }
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    proxy.unblock();
    stopChaos = true;
    await chaos;

    // converge: the cache equals a fresh list (same keys, same resourceVersions)
    const snapshot = (objs: KubeObject[]) => new Map(objs.map((o) => [metaNamespaceKey(o), o.metadata.resourceVersion]));
    let fresh = new Map<string, string | undefined>();
    await eventually(async () => {
      fresh = snapshot((await cms.list({ namespace: NS })).items);
      const cached = snapshot(informer.indexer.list());
      return cached.size === fresh.size && [...fresh].every(([k, v]) => cached.get(k) === v);
    }, 'cache == fresh list', 30000);
    await eventually(() => informer.pendingNotifications() === 0, 'handlers drained', 30000);

    assert.deepEqual(early.violations, [], 'early handler sequence consistent');
    assert.deepEqual(late.violations, [], 'late handler sequence consistent');
    assert.deepEqual(new Map([...early.state].sort()), new Map([...fresh].sort()), 'early handler saw the final state');
    assert.deepEqual(new Map([...late.state].sort()), new Map([...fresh].sort()), 'late handler saw the final state');
    const relists = (await metrics.getSingleMetric('informer_relists_total')!.get()).values;
    const expired = relists.find((v) => v.labels.reason === 'expired')?.value ?? 0;
    assert.ok(expired >= 1, `a relist after 410 Expired happened (${JSON.stringify(relists.map((v) => v.labels))})`);
    assert.ok(cuts >= 5, `connections were cut (${cuts})`);
  } finally {
    stopChaos = true;
    await informer.stop();
    writer.close();
    watcherClient.close();
    await proxy.close();
    await server.close();
  }
});
