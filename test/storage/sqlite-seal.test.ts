// Values at rest in SQLite: compaction seals (deflates) the live values it has passed; every read
// (get, list, an update's prevObject, a delete's last state, a reopened file) gives
// back exactly the JSON that was written, and a value written after the compaction stays as text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../src/storage/sqlite.ts';
import { sealValue, valueJson, DEFLATE_DICT_V1 } from '../../src/storage/sqlite-codec.ts';
import type { StoreEvent } from '../../src/storage/interface.ts';
import { tempDir } from './helpers.ts';

const sizeOf = (f: string) => (fs.existsSync(f) ? fs.statSync(f).size : 0);
const dbBytes = (dir: string) => sizeOf(path.join(dir, 'kubesim.db')) + sizeOf(path.join(dir, 'kubesim.db-wal'));

/** A pod as the API server stores it (~2 KB of JSON), with a per-pod name, uid and node. */
function pod(i: number) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `web-7d9f8c6b5-${i}`, namespace: 'default', uid: `0f1cae71-b58d-4d4f-bb36-${String(i).padStart(12, '0')}`, labels: { app: 'web', 'pod-template-hash': '7d9f8c6b5' } },
    spec: {
      nodeName: `node-${i % 50}`,
      containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.9', resources: { requests: { cpu: '10m', memory: '16Mi' } }, terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', imagePullPolicy: 'IfNotPresent' }],
      restartPolicy: 'Always',
      tolerations: [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
    },
    status: {
      phase: 'Running',
      conditions: ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'].map((type) => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: '2026-12-01T20:46:56Z' })),
      podIP: `10.128.${i % 250}.${i % 200}`,
      message: 'ünïcödé ✓',
    },
  };
}

const storedTypes = (dir: string) => {
  const db = new Database(path.join(dir, 'kubesim.db'), { readonly: true });
  try {
    return new Map((db.prepare('SELECT key, typeof(value) AS t FROM current').all() as { key: string; t: string }[]).map((r) => [r.key, r.t]));
  } finally {
    db.close();
  }
};

test('sqlite-codec: a sealed value reads back as the same JSON; an unknown format byte is an error', () => {
  for (const json of ['{}', JSON.stringify(pod(7)), '{"a":"ü€😀\\u0000"}']) {
    const sealed = sealValue(json);
    assert.equal(sealed[0], DEFLATE_DICT_V1);
    assert.equal(valueJson(sealed), json);
  }
  assert.ok(sealValue(JSON.stringify(pod(7))).length * 5 < JSON.stringify(pod(7)).length, 'a pod is at least 5x smaller');
  assert.equal(valueJson('{"text":1}'), '{"text":1}');
  assert.throws(() => valueJson(Buffer.from([9, 1, 2])), /unknown stored value format 9/);
});

test('sqlite: compaction seals the values it passed; reads, writes and a reopen see the same objects', async () => {
  const tmp = tempDir();
  let s = new SqliteStore({ dataDir: tmp.dir, synchronous: 'NORMAL' });
  try {
    const key = (i: number) => `/registry/core/pods/default/web-${String(i).padStart(4, '0')}`;
    // More than one seal chunk (500), so the chunked walk and its restarts are covered.
    for (let i = 0; i < 1200; i++) await s.create(key(i), pod(i));
    const upTo = await s.currentRevision();
    const late = await s.update(key(5), { ...pod(5), status: { phase: 'Succeeded' } }); // after upTo: stays text
    const before = await s.list('/registry/');
    const compaction = s.compact(upTo);
    // Writes while the seal is under way (between its chunks): not lost, not overwritten.
    const during = await s.update(key(1100), { ...pod(1100), status: { phase: 'Failed' } });
    await compaction;
    assert.ok(s.stats().sealed >= 1198, `values sealed: ${s.stats().sealed}`);
    await s.close(); // the store holds the file's lock
    const types = storedTypes(tmp.dir);
    s = new SqliteStore({ dataDir: tmp.dir, synchronous: 'NORMAL' });
    assert.equal(types.get(key(0)), 'blob');
    assert.equal(types.get(key(1199)), 'blob');
    assert.equal(types.get(key(5)), 'text', 'written after the compacted revision');
    assert.equal(types.get(key(1100)), 'text', 'written during the compaction');

    const after = await s.list('/registry/');
    assert.equal(after.items.length, 1200);
    for (const [i, e] of after.items.entries()) {
      const b = before.items[i];
      assert.equal(e.key, b.key);
      assert.equal(e.modRevision, e.key === key(1100) ? during.modRevision : b.modRevision);
      assert.equal(e.createRevision, b.createRevision);
      if (e.key !== key(1100)) assert.equal(e.json, b.json);
      assert.deepEqual(e.object, JSON.parse(e.json!));
    }
    assert.equal((await s.get(key(5)))?.json, late.json);
    assert.equal((await s.get(key(1100)))?.object.status?.phase, 'Failed');

    // An update of a sealed object: its prevObject is the sealed value; a delete's event carries the last state.
    const events: StoreEvent[] = [];
    const stop = s.watch('/registry/core/pods/', await s.currentRevision(), (ev) => events.push(ev));
    const u = await s.update(key(10), { ...pod(10), status: { phase: 'Pending' } }, before.items[10].modRevision);
    const d = await s.delete(key(11));
    stop();
    assert.deepEqual(events[0].prevObject, before.items[10].object);
    assert.equal(events[0].json, u.json);
    assert.equal(events[1].type, 'DELETED');
    assert.equal(events[1].object.metadata.uid, pod(11).metadata.uid);
    assert.equal(d.object.metadata.resourceVersion, String(d.modRevision));
    assert.deepEqual(d.object.status, pod(11).status);

    // Reopened again: sealed and text values are read as written.
    await s.close();
    s = new SqliteStore({ dataDir: tmp.dir, synchronous: 'NORMAL' });
    assert.equal((await s.get(key(0)))?.json, before.items[0].json);
    assert.equal((await s.get(key(10)))?.json, u.json);
    assert.equal(await s.get(key(11)), undefined);
    assert.equal((await s.list('/registry/')).items.length, 1199);
  } finally {
    await s.close();
    tmp.remove();
  }
});

test('sqlite: after compaction the file holds sealed pods in a fraction of their JSON', async () => {
  const tmp = tempDir();
  const s = new SqliteStore({ dataDir: tmp.dir, synchronous: 'NORMAL' });
  try {
    const n = 3000;
    let json = 0;
    for (let i = 0; i < n; i += 100) {
      const batch = await Promise.all(Array.from({ length: 100 }, (_, k) => s.create(`/registry/core/pods/default/p-${i + k}`, pod(i + k))));
      // Each pod written three more times (bind, status), as during a rollout.
      for (let w = 0; w < 3; w++) await Promise.all(batch.map((e) => s.update(e.key, { ...e.object, metadata: { ...e.object.metadata, annotations: { w: String(w) } } })));
      json += batch.reduce((sum, e) => sum + e.json!.length, 0);
    }
    const peak = dbBytes(tmp.dir);
    assert.ok(peak > 4 * json, `history and text: ${peak} bytes for ${json} bytes of live JSON`);
    await s.compact(await s.currentRevision());
    const after = dbBytes(tmp.dir);
    assert.ok(after < json / 3, `sealed and vacuumed: ${after} bytes for ${json} bytes of live JSON (peak ${peak})`);
    assert.equal((await s.list('/registry/core/pods/')).items.length, n);
  } finally {
    await s.close();
    tmp.remove();
  }
});
