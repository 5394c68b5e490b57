// SQLite space: history deleted by compaction goes back to the file system (auto_vacuum=INCREMENTAL
// + incremental_vacuum after each compaction), so an object updated many times does not leave the
// file at its peak size; an older small database without auto_vacuum is converted at open.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../src/storage/sqlite.ts';
import { tempDir } from './helpers.ts';

const sizeOf = (f: string) => (fs.existsSync(f) ? fs.statSync(f).size : 0);
const dbBytes = (dir: string) => sizeOf(path.join(dir, 'kubesim.db')) + sizeOf(path.join(dir, 'kubesim.db-wal'));

test('sqlite: 10,000 updates of one object do not grow the file beyond a bound after compaction', async () => {
  const tmp = tempDir();
  const s = new SqliteStore({ dataDir: tmp.dir, synchronous: 'NORMAL' });
  try {
    const key = '/registry/core/configmaps/ns/one';
    const data = { blob: 'x'.repeat(1000) };
    let e = await s.create(key, { metadata: { name: 'one' }, data: { ...data, v: '0' } });
    for (let i = 1; i <= 10_000; i++) e = await s.update(key, { metadata: { name: 'one' }, data: { ...data, v: String(i) } }, e.modRevision);
    const before = dbBytes(tmp.dir);
    assert.ok(before > 8 * 2 ** 20, `10,000 versions of ~1 KB take room before compaction (${before} bytes)`);
    await s.compact(await s.currentRevision());
    const after = dbBytes(tmp.dir);
    assert.ok(after < 1 * 2 ** 20, `after compaction the file returns the space: ${after} bytes (was ${before})`);
    assert.equal(((await s.get(key))?.object as any)?.data.v, '10000');
    // and again: the bound holds over repeated rounds
    for (let i = 1; i <= 5_000; i++) e = await s.update(key, { metadata: { name: 'one' }, data: { ...data, v: `r${i}` } }, e.modRevision);
    await s.compact(await s.currentRevision());
    assert.ok(dbBytes(tmp.dir) < 1 * 2 ** 20, `second round: ${dbBytes(tmp.dir)} bytes`);
  } finally {
    await s.close();
    tmp.remove();
  }
});

test('sqlite: a small database made without auto_vacuum is converted to incremental at open; data kept', async () => {
  const tmp = tempDir();
  const file = path.join(tmp.dir, 'kubesim.db');
  const s1 = new SqliteStore({ dataDir: tmp.dir });
  await s1.create('/registry/core/configmaps/ns/a', { metadata: { name: 'a' } });
  await s1.close();
  // Make it an "old" database: auto_vacuum off (needs a VACUUM to apply).
  const raw = new Database(file);
  raw.pragma('journal_mode = DELETE');
  raw.pragma('auto_vacuum = NONE');
  raw.exec('VACUUM');
  assert.equal(raw.pragma('auto_vacuum', { simple: true }), 0);
  raw.close();
  const s2 = new SqliteStore({ dataDir: tmp.dir });
  try {
    assert.equal((await s2.get('/registry/core/configmaps/ns/a'))?.object.metadata.name, 'a');
  } finally {
    await s2.close();
  }
  const check = new Database(file, { readonly: true });
  try {
    assert.equal(check.pragma('auto_vacuum', { simple: true }), 2);
  } finally {
    check.close();
    tmp.remove();
  }
});
