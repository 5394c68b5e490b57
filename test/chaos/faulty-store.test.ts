// The fault-injecting store: with no faults it is any backend (the conformance suite); failing
// commits change nothing and reach a client as a 503 Status; faults switch on and off at run time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore } from '../../src/storage/memory.ts';
import { StorageError } from '../../src/storage/interface.ts';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FaultyStore, commitFails, followFaultsFile, parseStoreFaults } from '../../src/storage/faulty.ts';
import { eventually } from '../helpers/eventually.ts';
import { runStoreConformance } from '../storage/conformance.ts';
import { configMap, req, startTestServer } from '../apiserver/helpers.ts';

runStoreConformance('faulty(memory) without faults', async () => {
  const store = new FaultyStore(new MemoryStore());
  return { store, cleanup: () => store.close() };
});

const K = '/registry/core/configmaps/ns/a';
const obj = (v: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'ns' }, data: { v } });

test('commitFails: error set, prefix, rate', () => {
  const cases: [Parameters<typeof commitFails>[0], string, number, boolean][] = [
    [{}, K, 0, false],
    [{ failCommits: 'EIO' }, K, 0.99, true],
    [{ failCommits: 'EIO', prefix: '/registry/core/pods/' }, K, 0, false],
    [{ failCommits: 'ENOSPC', prefix: '/registry/core/' }, K, 0, true],
    [{ failCommits: 'EIO', failRate: 0.3 }, K, 0.29, true],
    [{ failCommits: 'EIO', failRate: 0.3 }, K, 0.3, false],
    [{ failCommits: 'EIO', failRate: 0 }, K, 0, false],
  ];
  for (const [f, key, draw, want] of cases) assert.equal(commitFails(f, key, draw), want, JSON.stringify([f, draw]));
});

test('failing commits: Unavailable with EIO / ENOSPC, nothing written, no revision taken; then cleared', async () => {
  const s = new FaultyStore(new MemoryStore());
  const a = await s.create(K, obj('1'));
  const rev = await s.currentRevision();
  const events: number[] = [];
  const stop = s.watch('/', rev, (ev) => events.push(ev.revision));
  s.set({ failCommits: 'EIO' });
  for (const write of [() => s.create(`${K}2`, obj('x')), () => s.update(K, obj('2'), a.modRevision), () => s.update(K, obj('2')), () => s.delete(K)]) {
    await assert.rejects(write(), (e: unknown) => e instanceof StorageError && e.code === 'Unavailable' && /EIO: input\/output error/.test(e.message));
  }
  s.set({ failCommits: 'ENOSPC' });
  await assert.rejects(s.update(K, obj('2')), /ENOSPC: no space left on device/);
  assert.equal(await s.currentRevision(), rev);
  assert.deepEqual((await s.get(K))?.object.data, { v: '1' });
  assert.equal(await s.get(`${K}2`), undefined);
  assert.deepEqual(events, []);
  assert.deepEqual(s.counts, { commits: 6, failedCommits: 5, delayedCommits: 0 });
  s.clear();
  const b = await s.update(K, obj('2'), a.modRevision);
  assert.equal(b.modRevision, rev + 1);
  assert.deepEqual(events, [rev + 1]);
  stop();
  await s.close();
});

test('slow commits: each commit waits commitLatencyMs; reads are not slowed unless asked', async () => {
  const s = new FaultyStore(new MemoryStore(), { commitLatencyMs: 60 });
  let t = performance.now();
  await s.create(K, obj('1'));
  assert.ok(performance.now() - t >= 55, 'commit delayed');
  t = performance.now();
  await s.get(K);
  assert.ok(performance.now() - t < 50, 'read not delayed');
  s.set({ commitLatencyMs: 0, readLatencyMs: 60 });
  t = performance.now();
  await s.get(K);
  assert.ok(performance.now() - t >= 55, 'read delayed');
  assert.equal(s.counts.delayedCommits, 1);
  await s.close();
});

test('partial failure: failRate with a fixed draw sequence fails exactly the drawn commits', async () => {
  const draws = [0.1, 0.9, 0.1, 0.9];
  const s = new FaultyStore(new MemoryStore(), { failCommits: 'EIO', failRate: 0.5 }, () => draws.shift() ?? 0.9);
  const results = [];
  for (let i = 0; i < 4; i++) results.push(await s.create(`${K}${i}`, obj(String(i))).then(() => 'ok', () => 'EIO'));
  assert.deepEqual(results, ['EIO', 'ok', 'EIO', 'ok']);
  assert.deepEqual((await s.list('/registry/core/configmaps/ns/')).items.map((e) => e.key), [`${K}1`, `${K}3`]);
  await s.close();
});

test('API server over a failing store: 503 Status on writes, nothing half-written, reads still served; recovers', async () => {
  const faulty = new FaultyStore(new MemoryStore());
  const srv = await startTestServer({ store: faulty });
  try {
    const base = `${srv.url}/api/v1/namespaces/default/configmaps`;
    const created = await req(srv.url, 'POST', '/api/v1/namespaces/default/configmaps', configMap('cm', { v: '1' }));
    assert.equal(created.status, 201);
    faulty.set({ failCommits: 'EIO' });
    const bad = [
      await req(srv.url, 'POST', '/api/v1/namespaces/default/configmaps', configMap('other')),
      await req(srv.url, 'PUT', '/api/v1/namespaces/default/configmaps/cm', { ...configMap('cm', { v: '2' }), metadata: { name: 'cm', resourceVersion: created.body.metadata.resourceVersion } }),
      await req(srv.url, 'PATCH', '/api/v1/namespaces/default/configmaps/cm', { data: { v: '3' } }, { 'Content-Type': 'application/merge-patch+json' }),
      await req(srv.url, 'DELETE', '/api/v1/namespaces/default/configmaps/cm'),
    ];
    for (const r of bad) {
      assert.ok(r.status >= 500 && r.status < 600, `5xx, got ${r.status} ${r.text}`);
      assert.equal(r.body?.kind, 'Status');
      assert.equal(r.body?.status, 'Failure');
      assert.match(r.body?.message, /EIO/);
    }
    const got = (await fetch(`${base}/cm`).then((r) => r.json())) as any;
    assert.deepEqual([got.data, got.metadata.resourceVersion], [{ v: '1' }, created.body.metadata.resourceVersion]);
    assert.equal((await fetch(`${base}/other`)).status, 404);
    faulty.clear();
    const ok = await req(srv.url, 'PATCH', '/api/v1/namespaces/default/configmaps/cm', { data: { v: '4' } }, { 'Content-Type': 'application/merge-patch+json' });
    assert.equal(ok.status, 200, ok.text);
    assert.deepEqual(ok.body.data, { v: '4' });
  } finally {
    await srv.close();
  }
});

const faultsFileCases: [string, object | RegExp][] = [
  ['', {}],
  ['{}', {}],
  ['{"failCommits":"EIO","failRate":0.3,"prefix":"/registry/core/configmaps/"}', { failCommits: 'EIO', failRate: 0.3, prefix: '/registry/core/configmaps/' }],
  ['{"commitLatencyMs":50}', { commitLatencyMs: 50 }],
  ['[]', /must be a JSON object/],
  ['{"slow":1}', /slow: unknown field/],
  ['{"failCommits":"EPERM"}', /failCommits: invalid value "EPERM"/],
  ['{"failRate":2}', /failRate: invalid value 2/],
  ['{', /JSON/],
];
for (const [text, want] of faultsFileCases) {
  test(`parseStoreFaults ${JSON.stringify(text)}`, () => {
    if (want instanceof RegExp) assert.throws(() => parseStoreFaults(text), want);
    else assert.deepEqual(parseStoreFaults(text), want);
  });
}

test('followFaultsFile: the faults follow the file (atomically replaced); an invalid file means none, and says why', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kubesim-faults-'));
  const file = join(dir, 'storage-faults.json');
  const store = new FaultyStore(new MemoryStore());
  const errors: string[] = [];
  const stop = followFaultsFile(store, file, (m) => errors.push(m), 20);
  const write = (text: string) => {
    writeFileSync(`${file}.tmp`, text);
    renameSync(`${file}.tmp`, file);
  };
  try {
    assert.deepEqual(store.current(), {}, 'no file: no faults');
    write('{"failCommits":"ENOSPC"}');
    await eventually(() => store.current().failCommits === 'ENOSPC', 'the fault from the file');
    await assert.rejects(store.create('/registry/core/configmaps/ns/a', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'ns' } }), /ENOSPC/);
    write('{"failCommits":"nope"}');
    await eventually(() => errors.length === 1 && !store.current().failCommits, 'an invalid file clears the faults');
    assert.match(errors[0], /failCommits: invalid value "nope"/);
    write('{"commitLatencyMs":5}');
    await eventually(() => store.current().commitLatencyMs === 5 && store.current().failCommits === undefined, 'the file replaces the faults');
    write('{}');
    await eventually(() => Object.keys(store.current()).length === 0, 'cleared');
  } finally {
    stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
