// The scraper's in-process source (ScraperOptions.source, what `kubesim simulate` wires to its node
// pools): the kubelet servers it answers for are not fetched, the others still are over HTTP, and a
// node the API does not know is dropped either way. A periodic scrape publishes its samples once the
// other work of its instant has run: a reader on the same virtual tick reads the previous scrape.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KubeObject } from '../../src/api/types.ts';
import { VirtualClock } from '../../src/clock/index.ts';
import { silentLogger } from '../../src/log/index.ts';
import { ResourceMetricsScraper } from '../../src/apiserver/resourcemetrics/index.ts';
import { MemoryStore } from '../../src/storage/memory.ts';
import { WatchCacheStore } from '../../src/storage/watch-cache.ts';
import { objectKey } from '../../src/storage/interface.ts';

const node = (name: string, url: string): KubeObject => ({ apiVersion: 'v1', kind: 'Node', metadata: { name, annotations: { 'kubesim.io/kubelet-url': url } } });
const summary = (nodeName: string, milliCpu: number, at = '2026-01-01T00:00:00Z') => ({
  node: { nodeName, cpu: { time: at, usageNanoCores: milliCpu * 1e6 }, memory: { time: at, workingSetBytes: 8192 } },
  pods: [{ podRef: { namespace: 'default', name: `${nodeName}-pod` }, containers: [{ name: 'c', cpu: { time: at, usageNanoCores: milliCpu * 1e6 }, memory: { time: at, workingSetBytes: 4096 } }] }],
});

async function storeWith(nodes: KubeObject[]): Promise<WatchCacheStore> {
  const store = new WatchCacheStore(new MemoryStore());
  await store.start();
  for (const n of nodes) await store.create(objectKey('', 'nodes', undefined, n.metadata.name!), n);
  return store;
}

test('scraper source: in-process servers are not fetched, the others are; unknown nodes are dropped', async () => {
  let fetched = 0;
  const server = http.createServer((req, res) => {
    fetched++;
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(req.url === '/stats/summary' ? { nodes: [summary('http-node', 300)] } : {}));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const httpUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const store = await storeWith([node('local-a', 'in-process://pool'), node('local-b', 'in-process://pool'), node('http-node', httpUrl)]);
  const asked: string[] = [];
  try {
    const scraper = new ResourceMetricsScraper(store, silentLogger, {
      source: (url) => {
        asked.push(url);
        if (url !== 'in-process://pool') return undefined;
        return [summary('local-a', 100), summary('local-b', 200), summary('not-in-the-api', 50)];
      },
    });
    await scraper.scrapeOnce();
    assert.deepEqual(asked.sort(), [httpUrl, 'in-process://pool']);
    assert.equal(fetched, 1, 'only the server the source does not answer for is fetched');
    assert.deepEqual([...scraper.nodes.keys()].sort(), ['http-node', 'local-a', 'local-b']);
    assert.equal(scraper.nodes.get('local-b')!.cpuNanoCores, 200e6);
    assert.equal(scraper.nodes.get('http-node')!.cpuNanoCores, 300e6);
    assert.deepEqual([...scraper.pods.keys()].sort(), ['default/http-node-pod', 'default/local-a-pod', 'default/local-b-pod']);
  } finally {
    server.close();
    await store.close();
  }
});

test('a periodic scrape is published after its instant: a reader on the same tick reads the previous one', async () => {
  const clock = new VirtualClock();
  const store = await storeWith([node('n', 'in-process://pool')]);
  let scrapes = 0;
  const scraper = new ResourceMetricsScraper(store, silentLogger, { clock, resolutionMs: 60_000, source: () => [summary('n', 100 * ++scrapes)] });
  try {
    scraper.start(); // first scrape now, then every minute
    await clock.settle();
    assert.equal(scraper.nodes.size, 0, 'not published while its instant has work left (the publication is a timer due now)');
    await clock.advanceTo(clock.now());
    assert.equal(scraper.nodes.get('n')?.cpuNanoCores, 100e6, 'published once the start instant settled');
    // a reader that syncs on the same minute as the scrape (as an HPA does), a few turns into the tick
    const seen: number[] = [];
    clock.setInterval(() => void Promise.resolve().then(() => seen.push(scraper.nodes.get('n')!.cpuNanoCores)), 60_000);
    await clock.advanceTo(clock.now() + 60_000);
    await clock.advanceTo(clock.now() + 60_000);
    assert.equal(scrapes, 3);
    assert.deepEqual(seen, [100e6, 200e6], 'each tick reads the previous scrape');
    assert.equal(scraper.nodes.get('n')?.cpuNanoCores, 300e6, 'and the latest is there once the tick settled');
    // the pods' samples (by namespace and name, and the `namespace/name` map) are the latest scrape's too
    assert.equal(scraper.podSample('default', 'n-pod')?.containers[0].cpuNanoCores, 300e6);
    assert.equal(scraper.pods.get('default/n-pod'), scraper.podSample('default', 'n-pod'));
    await clock.advanceTo(clock.now() + 60_000);
    assert.equal(scraper.podSample('default', 'n-pod')?.containers[0].cpuNanoCores, 400e6, 'a later scrape replaces the sample');
    assert.equal(scraper.pods.get('default/n-pod')?.containers[0].cpuNanoCores, 400e6, 'and the map made of them');
    assert.equal(scraper.podSample('other', 'n-pod'), undefined);
  } finally {
    await scraper.stop();
    await store.close();
  }
});

test('nodes told twice in a scrape: the first place, the last figures (as a map keeps them)', async () => {
  const store = await storeWith([node('a', 'in-process://pool'), node('b', 'in-process://pool')]);
  const scraper = new ResourceMetricsScraper(store, silentLogger, {
    source: (_url, sink) => {
      for (const [n, m] of [['a', 100], ['b', 200], ['a', 300]] as const) sink.node(n, '2026-01-01T00:00:00Z', m * 1e6, 8192);
      return [];
    },
  });
  try {
    await scraper.scrapeOnce();
    assert.deepEqual([...scraper.nodes].map(([n, s]) => [n, s.name, s.cpuNanoCores / 1e6]), [['a', 'a', 300], ['b', 'b', 200]]);
    assert.equal(scraper.nodes, scraper.nodes, 'made once per scrape');
  } finally {
    await scraper.stop();
    await store.close();
  }
});
