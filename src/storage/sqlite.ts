// SQLite backend (better-sqlite3, WAL): the default, embedded store in the data dir.
//
// Schema (kine-like): `log` holds every write (the history watches replay, trimmed by compaction),
// `current` the live value of each key, `meta` the compacted revision. The revision counter is the
// log's primary key, restored on open as max(log revision, compacted revision).
//
// Values at rest (sqlite-codec.ts): written as JSON text; compaction seals the live values it has
// passed (deflated against a preset dictionary, ~10x smaller for a pod), so the file's size follows
// the live objects and a compaction interval of history rather than their JSON.
//
// Durability: a write's promise resolves only after its transaction committed. With the default
// synchronous=FULL the WAL is fsynced at each commit, so an acknowledged write survives kill -9 and
// also an OS crash or power loss. synchronous=NORMAL (option) skips that fsync: a commit has still
// been written into the WAL file (the kernel's page cache) before the promise resolves, so it
// survives kill -9 of the process, but the last commits may be lost if the machine itself crashes.
//
// Group commit: writes arriving in the same event-loop turn are applied in one transaction (one
// fsync) at setImmediate; each is checked in order against the state the earlier ones left, and
// each caller gets its own result or error. Events reach watchers after the commit, in revision
// order, before any write's promise resolves.
//
// One process owns the database (locking_mode=EXCLUSIVE): a second opener gets 'Unavailable'.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { KubeObject } from '../api/types.ts';
import { StorageError, type Store, type StoreEntry, type StoreEvent, type StoreEventType, type Unsubscribe } from './interface.ts';
import { closedError, compactedError, decodeObject, encodeObject, makeEntry, prefixEnd, WatcherSet } from './common.ts';
import { startPeriodicCompaction, type PeriodicCompaction } from './compaction.ts';
import { configureSpace, returnFreeSpace } from './sqlite-space.ts';
import { sealValue, valueJson, type StoredValue } from './sqlite-codec.ts';

export interface SqliteStoreOptions {
  /** Directory holding `kubesim.db` (created if missing). One of dataDir / file is required. */
  dataDir?: string;
  /** Explicit database file path (overrides dataDir). */
  file?: string;
  /** 'FULL' (default): fsync per commit. 'NORMAL': durable against process kill, not OS crash. */
  synchronous?: 'FULL' | 'NORMAL';
  /** Batch writes of one event-loop turn into one transaction. Default true. */
  groupCommit?: boolean;
  /** Compact history periodically (ms; keeps the last interval's history). 0/undefined = off. */
  compactionIntervalMs?: number;
}

/** Log rows deleted per compaction transaction. */
const COMPACT_CHUNK = 5_000;
/** Live values sealed per transaction after a compaction (~40 µs each: a few tens of ms a step). */
const SEAL_CHUNK = 500;

const TYPES: StoreEventType[] = ['ADDED', 'MODIFIED', 'DELETED'];

interface Row {
  key: string;
  mod_revision: number;
  create_revision: number;
  value: StoredValue;
}

interface LogRow {
  revision: number;
  key: string;
  type: number;
  value: StoredValue;
  prev_value: StoredValue | null;
}

type Op =
  | { kind: 'create'; key: string; object: KubeObject }
  | { kind: 'update'; key: string; object: KubeObject; expected?: number }
  | { kind: 'delete'; key: string; expected?: number };

interface Pending {
  op: Op;
  resolve: (e: StoreEntry) => void;
  reject: (err: Error) => void;
}

type Outcome = { entry: StoreEntry; event: StoreEvent } | { error: StorageError };

/** A live or replayed event; prevObject is decoded only if someone reads it. */
function sqlEvent(type: StoreEventType, key: string, revision: number, object: KubeObject, json: string, prevValue?: StoredValue | null): StoreEvent {
  let prev: KubeObject | undefined;
  return {
    type,
    key,
    revision,
    object,
    json,
    get prevObject() {
      if (prevValue == null) return undefined;
      return (prev ??= decodeObject(valueJson(prevValue)));
    },
  };
}

export class SqliteStore implements Store {
  readonly file: string;
  private readonly db: Database.Database;
  private revision: number;
  private compacted: number;
  private closed = false;
  private queue: Pending[] = [];
  private counters = { commits: 0, writes: 0, maxBatch: 0, sealed: 0 };
  private scheduled = false;
  private readonly groupCommit: boolean;
  private readonly watchers = new WatcherSet();
  private readonly periodic: PeriodicCompaction | undefined;
  private readonly stmt: {
    get: Database.Statement<[string], Row>;
    listAll: Database.Statement<[], Row>;
    listFrom: Database.Statement<[string], Row>;
    listRange: Database.Statement<[string, string], Row>;
    insertLog: Database.Statement<[number, string, number, number, number | null, string]>;
    upsert: Database.Statement<[string, number, number, string]>;
    remove: Database.Statement<[string]>;
    history: Database.Statement<[number], LogRow>;
    compact: Database.Statement<[number]>;
    minLog: Database.Statement<[]>;
    setCompacted: Database.Statement<[number]>;
    unsealed: Database.Statement<[string, number], { key: string; mod_revision: number; create_revision: number; value: string }>;
    unseal: Database.Statement<[string, number]>;
    seal: Database.Statement<[string, number, number, Buffer]>;
  };

  constructor(opts: SqliteStoreOptions) {
    if (!opts.file && !opts.dataDir) throw new Error('SqliteStore needs dataDir or file');
    this.file = opts.file ?? path.join(opts.dataDir!, 'kubesim.db');
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    this.groupCommit = opts.groupCommit ?? true;
    this.db = new Database(this.file);
    try {
      this.db.pragma('locking_mode = EXCLUSIVE');
      this.db.pragma('journal_mode = WAL');
      this.db.pragma(`synchronous = ${opts.synchronous ?? 'FULL'}`);
      configureSpace(this.db);
      // Take the exclusive lock now, so a second process fails at open rather than mid-write.
      this.db.exec('BEGIN EXCLUSIVE; COMMIT');
    } catch (err) {
      this.db.close();
      throw new StorageError('Unavailable', this.file, `cannot open ${this.file} (in use by another process?): ${(err as Error).message}`);
    }
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS log (
        revision INTEGER PRIMARY KEY,
        key TEXT NOT NULL,
        type INTEGER NOT NULL,              -- 0 ADDED, 1 MODIFIED, 2 DELETED
        create_revision INTEGER NOT NULL,
        prev_revision INTEGER,              -- the key's previous write (MODIFIED, DELETED)
        value TEXT NOT NULL                 -- the object after the write (DELETED: last state)
      );
      CREATE TABLE IF NOT EXISTS current (
        key TEXT PRIMARY KEY,
        mod_revision INTEGER NOT NULL,
        create_revision INTEGER NOT NULL,
        value TEXT NOT NULL
      ) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
    `);
    this.stmt = {
      get: this.db.prepare('SELECT key, mod_revision, create_revision, value FROM current WHERE key = ?'),
      listAll: this.db.prepare('SELECT key, mod_revision, create_revision, value FROM current ORDER BY key'),
      listFrom: this.db.prepare('SELECT key, mod_revision, create_revision, value FROM current WHERE key >= ? ORDER BY key'),
      listRange: this.db.prepare('SELECT key, mod_revision, create_revision, value FROM current WHERE key >= ? AND key < ? ORDER BY key'),
      insertLog: this.db.prepare('INSERT INTO log (revision, key, type, create_revision, prev_revision, value) VALUES (?, ?, ?, ?, ?, ?)'),
      upsert: this.db.prepare(
        'INSERT INTO current (key, mod_revision, create_revision, value) VALUES (?, ?, ?, ?) ' +
          'ON CONFLICT(key) DO UPDATE SET mod_revision = excluded.mod_revision, create_revision = excluded.create_revision, value = excluded.value',
      ),
      remove: this.db.prepare('DELETE FROM current WHERE key = ?'),
      history: this.db.prepare(
        'SELECT l.revision, l.key, l.type, l.value, p.value AS prev_value FROM log l LEFT JOIN log p ON p.revision = l.prev_revision ' +
          'WHERE l.revision > ? ORDER BY l.revision',
      ),
      compact: this.db.prepare('DELETE FROM log WHERE revision <= ?'),
      minLog: this.db.prepare('SELECT MIN(revision) AS r FROM log'),
      setCompacted: this.db.prepare("INSERT INTO meta (name, value) VALUES ('compacted', ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value"),
      unsealed: this.db.prepare(
        `SELECT key, mod_revision, create_revision, value FROM current WHERE key > ? AND mod_revision <= ? AND typeof(value) = 'text' ORDER BY key LIMIT ${SEAL_CHUNK}`,
      ),
      unseal: this.db.prepare('DELETE FROM current WHERE key = ? AND mod_revision = ?'),
      seal: this.db.prepare('INSERT INTO current (key, mod_revision, create_revision, value) VALUES (?, ?, ?, ?)'),
    };
    const meta = this.db.prepare("SELECT value FROM meta WHERE name = 'compacted'").get() as { value: number } | undefined;
    this.compacted = meta?.value ?? 0;
    const maxLog = (this.db.prepare('SELECT MAX(revision) AS r FROM log').get() as { r: number | null }).r ?? 0;
    const maxCur = (this.db.prepare('SELECT MAX(mod_revision) AS r FROM current').get() as { r: number | null }).r ?? 0;
    this.revision = Math.max(maxLog, maxCur, this.compacted);
    if (opts.compactionIntervalMs) this.periodic = startPeriodicCompaction(this, { intervalMs: opts.compactionIntervalMs });
  }

  async get(key: string): Promise<StoreEntry | undefined> {
    this.checkOpen(key);
    const row = this.stmt.get.get(key);
    return row && rowEntry(row);
  }

  async list(prefix: string): Promise<{ items: StoreEntry[]; revision: number }> {
    this.checkOpen(prefix);
    const end = prefixEnd(prefix);
    const rows = prefix === '' ? this.stmt.listAll.all() : end === undefined ? this.stmt.listFrom.all(prefix) : this.stmt.listRange.all(prefix, end);
    return { items: rows.map(rowEntry), revision: this.revision };
  }

  create(key: string, object: KubeObject): Promise<StoreEntry> {
    return this.enqueue({ kind: 'create', key, object });
  }

  update(key: string, object: KubeObject, expectedRevision?: number): Promise<StoreEntry> {
    return this.enqueue({ kind: 'update', key, object, expected: expectedRevision });
  }

  delete(key: string, expectedRevision?: number): Promise<StoreEntry> {
    return this.enqueue({ kind: 'delete', key, expected: expectedRevision });
  }

  watch(prefix: string, fromRevision: number, onEvent: (ev: StoreEvent) => void, onError?: (err: StorageError) => void): Unsubscribe {
    this.checkOpen(prefix);
    if (fromRevision < this.compacted) throw compactedError(prefix, fromRevision, this.compacted);
    const replay: StoreEvent[] = [];
    if (fromRevision < this.revision) {
      for (const r of this.stmt.history.iterate(fromRevision)) {
        if (!r.key.startsWith(prefix)) continue;
        const json = valueJson(r.value);
        replay.push(sqlEvent(TYPES[r.type], r.key, r.revision, decodeObject(json), json, r.prev_value));
      }
    }
    return this.watchers.add(prefix, onEvent, replay, onError);
  }

  /** Transactions committed, writes in them, largest batch (group commit at work), values sealed by compaction, for /metrics. */
  stats(): { commits: number; writes: number; maxBatch: number; sealed: number; revision: number; compacted: number } {
    return { ...this.counters, revision: this.revision, compacted: this.compacted };
  }

  async currentRevision(): Promise<number> {
    this.checkOpen('');
    return this.revision;
  }

  /**
   * Raises the compacted revision first (so no watch can start inside the range being deleted),
   * then deletes the history in chunks, yielding between them so a large compaction does not
   * stall the event loop; then seals the live values it passed, and returns the freed pages.
   */
  async compact(revision: number): Promise<void> {
    this.checkOpen('');
    this.flush(); // queued writes first, so the compacted revision is one they were assigned
    const upTo = Math.min(revision, this.revision);
    if (upTo <= this.compacted) return;
    this.stmt.setCompacted.run(upTo);
    this.compacted = upTo;
    for (;;) {
      if (this.closed) return;
      const min = (this.stmt.minLog.get() as { r: number | null }).r;
      if (min === null || min > upTo) break;
      this.stmt.compact.run(Math.min(upTo, min + COMPACT_CHUNK - 1));
      await new Promise((r) => setImmediate(r));
    }
    await this.sealUpTo(upTo);
    // The deleted history's pages go back to the file system (the file does not keep its peak size).
    await returnFreeSpace(this.db, () => !this.closed);
  }

  /**
   * Seals (compresses) the live values last written at or before `upTo`, a chunk per transaction
   * with a yield between: their history is gone, and most will not be written again (a pod once
   * Ready, an Event). A value rewritten meanwhile keeps its newer text (the update matches the
   * revision read). Values are read back as the same JSON, so nothing served changes.
   */
  private async sealUpTo(upTo: number): Promise<void> {
    let after = '';
    for (;;) {
      if (this.closed) return;
      const rows = this.stmt.unsealed.all(after, upTo);
      if (!rows.length) return;
      const sealed = rows.map((r) => sealValue(r.value));
      // Deleted, then inserted again in key order (not updated in place): the b-tree pages the
      // large text rows spread over are freed and the small rows packed, instead of each page
      // keeping the same few rows at a third of its size.
      this.db.transaction(() => {
        const gone = rows.map((r) => this.stmt.unseal.run(r.key, r.mod_revision).changes === 1);
        rows.forEach((r, i) => gone[i] && this.stmt.seal.run(r.key, r.mod_revision, r.create_revision, sealed[i]));
      })();
      this.counters.sealed += rows.length;
      after = rows[rows.length - 1].key;
      await new Promise((r) => setImmediate(r));
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.periodic?.stop();
    this.watchers.end(closedError(''));
    this.db.close();
  }

  private enqueue(op: Op): Promise<StoreEntry> {
    if (this.closed) return Promise.reject(closedError(op.key));
    return new Promise<StoreEntry>((resolve, reject) => {
      this.queue.push({ op, resolve, reject });
      if (!this.groupCommit) this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Applies the queued writes in one transaction, then publishes events, then settles callers. */
  private flush(): void {
    this.scheduled = false;
    const batch = this.queue;
    if (!batch.length || this.closed) return;
    this.queue = [];
    const base = this.revision;
    let outcomes: Outcome[];
    try {
      outcomes = this.db.transaction(() => batch.map((p) => this.apply(p.op)))();
    } catch (err) {
      this.revision = base; // the transaction rolled back: its revisions were never written
      for (const p of batch) p.reject(new StorageError('Unavailable', p.op.key, `storage write failed: ${(err as Error).message}`));
      return;
    }
    this.counters.commits++;
    this.counters.writes += batch.length;
    this.counters.maxBatch = Math.max(this.counters.maxBatch, batch.length);
    for (const o of outcomes) if ('event' in o) this.watchers.dispatch(o.event);
    batch.forEach((p, i) => {
      const o = outcomes[i];
      if ('error' in o) p.reject(o.error);
      else p.resolve(o.entry);
    });
  }

  /** One write inside the batch's transaction; a failed precondition consumes no revision. */
  private apply(op: Op): Outcome {
    try {
      return this.applyChecked(op);
    } catch (err) {
      if ((err as { code?: string }).code?.startsWith('SQLITE')) throw err; // aborts the batch
      return { error: new StorageError('Unavailable', op.key, `cannot store ${op.key}: ${(err as Error).message}`) };
    }
  }

  private applyChecked(op: Op): Outcome {
    const cur = this.stmt.get.get(op.key);
    if (op.kind === 'create') {
      if (cur) return { error: new StorageError('KeyExists', op.key, `key exists: ${op.key}`) };
      const rev = this.revision + 1;
      const enc = encodeObject(op.object, rev);
      this.stmt.insertLog.run(rev, op.key, 0, rev, null, enc.json);
      this.stmt.upsert.run(op.key, rev, rev, enc.json);
      this.revision = rev;
      return { entry: makeEntry(op.key, enc, rev, rev), event: sqlEvent('ADDED', op.key, rev, enc.object, enc.json) };
    }
    if (!cur) return { error: new StorageError('KeyNotFound', op.key, `key not found: ${op.key}`) };
    if (op.expected !== undefined && cur.mod_revision !== op.expected) {
      return {
        error: new StorageError('Conflict', op.key, `revision mismatch on ${op.key}: expected ${op.expected}, current ${cur.mod_revision}`, cur.mod_revision),
      };
    }
    const rev = this.revision + 1;
    if (op.kind === 'update') {
      const enc = encodeObject(op.object, rev);
      this.stmt.insertLog.run(rev, op.key, 1, cur.create_revision, cur.mod_revision, enc.json);
      this.stmt.upsert.run(op.key, rev, cur.create_revision, enc.json);
      this.revision = rev;
      return {
        entry: makeEntry(op.key, enc, rev, cur.create_revision),
        event: sqlEvent('MODIFIED', op.key, rev, enc.object, enc.json, cur.value),
      };
    }
    const enc = encodeObject(JSON.parse(valueJson(cur.value)) as KubeObject, rev);
    this.stmt.insertLog.run(rev, op.key, 2, cur.create_revision, cur.mod_revision, enc.json);
    this.stmt.remove.run(op.key);
    this.revision = rev;
    return {
      entry: makeEntry(op.key, enc, rev, cur.create_revision),
      event: sqlEvent('DELETED', op.key, rev, enc.object, enc.json, cur.value),
    };
  }

  private checkOpen(key: string): void {
    if (this.closed) throw closedError(key);
  }
}

function rowEntry(r: Row): StoreEntry {
  const json = valueJson(r.value);
  return { key: r.key, object: decodeObject(json), json, modRevision: r.mod_revision, createRevision: r.create_revision };
}
