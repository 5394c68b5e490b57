// The scraper groups the Nodes by kubelet server once and reuses that grouping while the Nodes keep
// their names and kubelet URLs (sameKubelets); a Node added, removed, renamed or moved to another
// server is grouped again at the next scrape.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/types.ts';
import { silentLogger } from '../../src/log/index.ts';
import { ResourceMetricsScraper } from '../../src/apiserver/resourcemetrics/index.ts';
import { sameKubelets } from '../../src/apiserver/resourcemetrics/scraper.ts';
import { MemoryStore } from '../../src/storage/memory.ts';
import { WatchCacheStore } from '../../src/storage/watch-cache.ts';
import { objectKey } from '../../src/storage/interface.ts';

const node = (name: string, url: string, extra: Record<string, string> = {}): KubeObject => ({ apiVersion: 'v1', kind: 'Node', metadata: { name, labels: extra, annotations: { 'kubesim.io/kubelet-url': url } } });

test('sameKubelets: the same objects, or the same names and URLs in the same order', () => {
  const a = [node('a', 'u1'), node('b', 'u1')];
  assert.equal(sameKubelets(a, a), true);
  assert.equal(sameKubelets(a, [a[0], node('b', 'u1', { changed: 'yes' })]), true, 'another version of a node, same name and URL');
  assert.equal(sameKubelets(a, [a[0], node('b', 'u2')]), false, 'moved to another server');
  assert.equal(sameKubelets(a, [a[0], node('c', 'u1')]), false, 'another node');
  assert.equal(sameKubelets(a, [a[0]]), false, 'one fewer');
  assert.equal(sameKubelets(a, [...a, node('c', 'u1')]), false, 'one more');
  assert.equal(sameKubelets(a, [a[0], { ...a[1], metadata: { name: 'b' } }]), false, 'the URL annotation removed');
});

test('scraper: the grouping follows nodes that move between servers, appear and disappear', async () => {
  const store = new WatchCacheStore(new MemoryStore());
  await store.start();
  const put = async (n: KubeObject, create = false) => {
    const key = objectKey('', 'nodes', undefined, n.metadata.name!);
    if (create) await store.create(key, n);
    else await store.update(key, n);
  };
  await put(node('a', 'in-process://one'), true);
  await put(node('b', 'in-process://one'), true);
  const served: Record<string, string[]> = { 'in-process://one': ['a', 'b'], 'in-process://two': ['a', 'b', 'c'] };
  const scraper = new ResourceMetricsScraper(store, silentLogger, {
    source: (url, sink) => {
      for (const n of served[url] ?? []) sink.node(n, '2026-01-01T00:00:00Z', (url.endsWith('one') ? 100 : 200) * 1e6, 8192);
      return [];
    },
  });
  const cpu = () => Object.fromEntries([...scraper.nodes].map(([n, s]) => [n, s.cpuNanoCores / 1e6]));
  await scraper.scrapeOnce();
  assert.deepEqual(cpu(), { a: 100, b: 100 });
  await put(node('b', 'in-process://one', { other: 'label' }));
  await scraper.scrapeOnce();
  assert.deepEqual(cpu(), { a: 100, b: 100 }, 'a new version of b, same server');
  await put(node('b', 'in-process://two'));
  await scraper.scrapeOnce();
  assert.deepEqual(cpu(), { a: 100, b: 200 }, 'b moved to server two');
  await put(node('c', 'in-process://two'), true);
  await scraper.scrapeOnce();
  assert.deepEqual(cpu(), { a: 100, b: 200, c: 200 }, 'c added');
  await store.delete(objectKey('', 'nodes', undefined, 'a'));
  await scraper.scrapeOnce();
  assert.deepEqual(cpu(), { b: 200, c: 200 }, 'a removed');
  await scraper.stop();
});
