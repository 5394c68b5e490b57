// Every acknowledged SQLite write survives kill -9 of the writing process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SqliteStore } from '../../src/storage/sqlite.ts';
import type { StoreEvent } from '../../src/storage/interface.ts';

import { tempDir } from './helpers.ts';
import { eventually } from '../helpers/eventually.ts';

const fixture = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'sqlite-writer.ts');

for (const synchronous of ['FULL', 'NORMAL'] as const) {
  test(`acknowledged writes survive kill -9 (synchronous=${synchronous})`, async () => {
    const tmp = tempDir();
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, tmp.dir, synchronous], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      let out = '';
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (d: string) => (out += d));
      const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
      const acks = () => out.split('\n').filter((l) => l.startsWith('ACK ')).length;
      await eventually(() => acks() >= 400, '400 acknowledged writes', 30_000, 2);
      child.kill('SIGKILL');
      await exited;
      assert.equal(child.signalCode, 'SIGKILL', 'the writer was killed mid-stream, not finished');

      const acked = out
        .split('\n')
        .filter((l) => l.startsWith('ACK '))
        .map((l) => {
          const [, key, rev] = l.split(' ');
          return { key, rev: Number(rev) };
        });
      const store = new SqliteStore({ dataDir: tmp.dir });
      try {
        const history = new Map<number, StoreEvent>();
        store.watch('', 0, (ev) => history.set(ev.revision, ev));
        const current = await store.currentRevision();
        assert.ok(current >= Math.max(...acked.map((a) => a.rev)), 'the revision counter covers every acknowledged write');
        for (const { key, rev } of acked) {
          const ev = history.get(rev);
          assert.ok(ev, `acknowledged revision ${rev} of ${key} is in the log`);
          assert.equal(ev.key, key);
          assert.equal(ev.object.metadata.resourceVersion, String(rev));
          const now = await store.get(key);
          assert.ok(now && now.modRevision >= rev, `${key} is at ${now?.modRevision}, acknowledged ${rev}`);
          assert.equal(now.object.metadata.resourceVersion, String(now.modRevision));
        }
        const next = await store.update(acked[0].key, { metadata: { name: 'after-restart' } });
        assert.equal(next.modRevision, current + 1);
      } finally {
        await store.close();
      }
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      tmp.remove();
    }
  });
}
