// PostgreSQL backend: a kine-style MVCC log shared by any number of store instances (API servers).
//
// Revisions: every write transaction first locks the counter row in kubesim_meta (SELECT … FOR
// UPDATE), checks its preconditions against the keys' latest rows, inserts its log rows with the
// next revisions and stores the new counter. The row lock is held to COMMIT, so revisions are
// gap-free, a failed precondition takes none, and commit order = revision order: a reader that
// sees revision N sees every revision below it, so no watcher can skip one that commits late
// (kine, with a bigserial id, instead fills gaps after a timeout; see README.md).
// Writes queued in one instance while a transaction runs go in the next one (group commit).
//
// Events: the instance offers its own commits to its LogFeed at once; the other instances' come
// through the EventTransport (Redis Stream or LISTEN/NOTIFY) and, as a fallback, from reading the
// log (every `pollMs` and on any gap), so the transport can lose events without losing them.
//
// Failures: while the database is unreachable every call fails with StorageError('Unavailable')
// (HTTP 503); a write's promise resolves only after COMMIT, so an acknowledged write is durable.
import pg from 'pg';
import type { KubeObject } from '../api/types.ts';
import { StorageError, type Store, type StoreEntry, type StoreEvent, type Unsubscribe } from './interface.ts';
import { closedError, compactedError, decodeObject, encodeObject, makeEntry, prefixEnd } from './common.ts';
import { startPeriodicCompaction, type PeriodicCompaction } from './compaction.ts';
import { LogFeed, logEvent, type LogSlice } from './log-feed.ts';
import { NotifyTransport, RedisStreamTransport, type EventTransport } from './pg-events.ts';
import { pgSql, SCHEMA_LOCK, type PgHistoryRow, type PgRow, type PgSql } from './postgres-sql.ts';

export interface PostgresStoreOptions {
  /** postgres://user@host:port/db */
  url: string;
  /** Schema holding the tables (one cluster per schema). Default 'public'. */
  schema?: string;
  /** Connections in the pool. Default 10. */
  poolSize?: number;
  /** `redis://host:port` = Redis Stream events; undefined = LISTEN/NOTIFY. */
  events?: string;
  /** Redis Stream key. Default `kubesim:events:<schema>`. */
  streamKey?: string;
  /** Approximate Redis Stream length. Default 100,000. */
  streamMaxLen?: number;
  /** Log read interval that catches events a transport lost (ms). Default 1000. */
  pollMs?: number;
  /** Wait for a missing revision before reading the log (ms). Default 500. */
  gapFillMs?: number;
  /** Writes per transaction at most. Default 500. */
  maxBatch?: number;
  compactionIntervalMs?: number;
  onError?: (err: unknown) => void;
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

interface Latest {
  modRevision: number;
  createRevision: number;
  value: string;
}

type Outcome = { entry: StoreEntry; event: StoreEvent } | { error: StorageError };

/** Columns of the log insert, one array per column (unnest). */
interface Inserts {
  id: number[];
  name: string[];
  created: boolean[];
  deleted: boolean[];
  create_revision: number[];
  prev_revision: (number | null)[];
  value: string[];
}

function unavailable(key: string, err: unknown): StorageError {
  if (err instanceof StorageError) return err;
  return new StorageError('Unavailable', key, `storage unavailable: ${(err as Error)?.message ?? String(err)}`);
}

export class PostgresStore implements Store {
  readonly shared = true;
  private readonly pool: pg.Pool;
  private readonly sql: PgSql;
  private feed!: LogFeed;
  private transport!: EventTransport;
  private compacted = 0;
  private closed = false;
  private queue: Pending[] = [];
  private committing = false;
  private poll: NodeJS.Timeout | undefined;
  private periodic: PeriodicCompaction | undefined;
  private readonly opts: PostgresStoreOptions;

  private constructor(opts: PostgresStoreOptions) {
    this.opts = { ...opts, onError: throttled(opts.onError) };
    opts = this.opts;
    this.sql = pgSql(opts.schema ?? 'public');
    this.pool = new pg.Pool({ connectionString: opts.url, max: opts.poolSize ?? 10, connectionTimeoutMillis: 5_000 });
    this.pool.on('error', (err) => opts.onError?.(err)); // an idle client lost: the pool replaces it
    // A connection lost while checked out errors its query too; the event must not go unhandled.
    this.pool.on('connect', (client) => client.on('error', (err) => opts.onError?.(err)));
  }

  static async open(opts: PostgresStoreOptions): Promise<PostgresStore> {
    const s = new PostgresStore(opts);
    try {
      await s.init();
    } catch (err) {
      await s.close();
      throw unavailable(opts.url, err);
    }
    return s;
  }

  private async init(): Promise<void> {
    const c = await this.pool.connect();
    try {
      await c.query('BEGIN');
      await c.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK]);
      await c.query(this.sql.schema);
      await c.query('COMMIT');
    } catch (err) {
      await c.query('ROLLBACK').catch(() => {});
      throw err;
    } finally {
      c.release();
    }
    const schema = this.opts.schema ?? 'public';
    this.transport = this.opts.events
      ? new RedisStreamTransport({ url: this.opts.events, stream: this.opts.streamKey ?? `kubesim:events:${schema}`, maxLen: this.opts.streamMaxLen, onError: this.opts.onError })
      : new NotifyTransport({ connectionString: this.opts.url, channel: this.sql.channel, onError: this.opts.onError });
    const slice = await this.readLog(Number.MAX_SAFE_INTEGER, 1);
    this.compacted = slice.compacted;
    this.feed = new LogFeed((after, limit) => this.readLog(after, limit), slice.revision, { gapFillMs: this.opts.gapFillMs, onError: this.opts.onError });
    await this.transport.start(this.feed);
    this.poll = setInterval(() => void this.feed.fill(), this.opts.pollMs ?? 1_000);
    this.poll.unref();
    if (this.opts.compactionIntervalMs) this.periodic = startPeriodicCompaction(this, { intervalMs: this.opts.compactionIntervalMs, onError: this.opts.onError });
  }

  async get(key: string): Promise<StoreEntry | undefined> {
    this.checkOpen(key);
    const { rows } = await this.query<PgRow>(key, this.sql.get, [key]);
    return rows[0] && !rows[0].deleted ? rowEntry(rows[0]) : undefined;
  }

  async list(prefix: string): Promise<{ items: StoreEntry[]; revision: number }> {
    this.checkOpen(prefix);
    const end = prefixEnd(prefix);
    return this.snapshot(prefix, async (c) => {
      const rev = await c.query<{ value: string }>(this.sql.revision);
      const { rows } = end === undefined ? await c.query<PgRow>(this.sql.listAll) : await c.query<PgRow>(this.sql.listRange, [prefix, end]);
      return { items: rows.map(rowEntry), revision: Number(rev.rows[0].value) };
    });
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
    return this.feed.watch(prefix, fromRevision, onEvent, onError);
  }

  async currentRevision(): Promise<number> {
    this.checkOpen('');
    const { rows } = await this.query<{ value: string }>('', this.sql.revision);
    return Number(rows[0].value);
  }

  /** Raises the compacted revision and deletes the superseded rows below it, in one transaction. */
  async compact(revision: number): Promise<void> {
    this.checkOpen('');
    await this.snapshot('', async (c) => {
      const cur = Number((await c.query<{ value: string }>(this.sql.revision)).rows[0].value);
      const upTo = Math.min(revision, cur);
      await c.query(this.sql.setCompacted, [upTo]);
      await c.query(this.sql.compact, [upTo]);
      this.compacted = Math.max(this.compacted, Number((await c.query<{ value: string }>(this.sql.compacted)).rows[0].value));
    }, 'READ COMMITTED');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.poll) clearInterval(this.poll);
    this.periodic?.stop();
    this.feed?.close(closedError(''));
    for (const p of this.queue.splice(0)) p.reject(closedError(p.op.key));
    await this.transport?.close().catch(() => {});
    await this.pool.end().catch(() => {});
  }

  /** The log after `after` (at most `limit` rows) with the compacted and current revisions, in one snapshot. */
  private readLog(after: number, limit: number): Promise<LogSlice> {
    return this.snapshot('', async (c) => {
      const meta = (await c.query<{ revision: string; compacted: string }>(this.sql.meta)).rows[0];
      const { rows } = await c.query<PgHistoryRow>(this.sql.history, [after, limit]);
      const events = rows.map((r) => logEvent(r.deleted ? 2 : r.created ? 0 : 1, r.name, Number(r.id), r.value, r.prev_value));
      const compacted = Number(meta.compacted);
      this.compacted = Math.max(this.compacted, compacted);
      return { events, revision: Number(meta.revision), compacted };
    });
  }

  private async query<R extends pg.QueryResultRow>(key: string, text: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
    try {
      return await this.pool.query<R>(text, values);
    } catch (err) {
      throw unavailable(key, err);
    }
  }

  /** Runs fn in one transaction (REPEATABLE READ: one snapshot for every statement). */
  private async snapshot<T>(key: string, fn: (c: pg.PoolClient) => Promise<T>, level = 'REPEATABLE READ'): Promise<T> {
    let c: pg.PoolClient;
    try {
      c = await this.pool.connect();
    } catch (err) {
      throw unavailable(key, err);
    }
    try {
      await c.query(`BEGIN ISOLATION LEVEL ${level}`);
      const out = await fn(c);
      await c.query('COMMIT');
      c.release();
      return out;
    } catch (err) {
      await c.query('ROLLBACK').catch(() => {});
      c.release(err as Error);
      throw unavailable(key, err);
    }
  }

  private enqueue(op: Op): Promise<StoreEntry> {
    if (this.closed) return Promise.reject(closedError(op.key));
    return new Promise<StoreEntry>((resolve, reject) => {
      this.queue.push({ op, resolve, reject });
      if (!this.committing) void this.commitLoop();
    });
  }

  /** One transaction at a time per instance; what queued meanwhile goes in the next (group commit). */
  private async commitLoop(): Promise<void> {
    this.committing = true;
    await new Promise((r) => setImmediate(r)); // gather this turn's writes
    try {
      while (this.queue.length && !this.closed) {
        const batch = this.queue.splice(0, this.opts.maxBatch ?? 500);
        await this.commit(batch);
      }
    } finally {
      this.committing = false;
    }
  }

  private async commit(batch: Pending[]): Promise<void> {
    let outcomes: Outcome[];
    try {
      outcomes = await this.snapshot(batch[0].op.key, (c) => this.applyBatch(c, batch), 'READ COMMITTED');
    } catch (err) {
      for (const p of batch) p.reject(unavailable(p.op.key, err));
      return;
    }
    const events = outcomes.flatMap((o) => ('event' in o ? [o.event] : []));
    for (const ev of events) this.feed.offer(ev);
    this.transport.publish(events);
    batch.forEach((p, i) => {
      const o = outcomes[i];
      if ('error' in o) p.reject(o.error);
      else p.resolve(o.entry);
    });
  }

  /** Inside the transaction: lock the counter, check each write against the latest rows, insert. */
  private async applyBatch(c: pg.PoolClient, batch: Pending[]): Promise<Outcome[]> {
    let rev = Number((await c.query<{ value: string }>(this.sql.lockRevision)).rows[0].value);
    const keys = [...new Set(batch.map((p) => p.op.key))];
    const latest = new Map<string, Latest | undefined>();
    for (const r of (await c.query<PgRow>(this.sql.latest, [keys])).rows) {
      latest.set(r.name, r.deleted ? undefined : { modRevision: Number(r.id), createRevision: Number(r.create_revision), value: r.value });
    }
    const ins: Inserts = { id: [], name: [], created: [], deleted: [], create_revision: [], prev_revision: [], value: [] };
    const outcomes = batch.map(({ op }) => {
      const out = decide(op, latest.get(op.key), rev + 1);
      if ('error' in out) return out;
      rev++;
      const ev = out.event;
      ins.id.push(rev);
      ins.name.push(op.key);
      ins.created.push(ev.type === 'ADDED');
      ins.deleted.push(ev.type === 'DELETED');
      ins.create_revision.push(out.entry.createRevision);
      ins.prev_revision.push(ev.type === 'ADDED' ? null : latest.get(op.key)!.modRevision);
      ins.value.push(ev.json!);
      latest.set(op.key, ev.type === 'DELETED' ? undefined : { modRevision: rev, createRevision: out.entry.createRevision, value: ev.json! });
      return out;
    });
    if (ins.id.length) {
      await c.query(this.sql.insert, [ins.id, ins.name, ins.created, ins.deleted, ins.create_revision, ins.prev_revision, ins.value]);
      await c.query(this.sql.setRevision, [rev]);
      if (this.transport.notifies) await c.query(this.sql.notify, [this.sql.channel, String(rev)]);
    }
    return outcomes;
  }

  private checkOpen(key: string): void {
    if (this.closed) throw closedError(key);
  }
}

/** The outcome of one write given the key's latest state and the revision it would take (pure). */
export function decide(op: Op, cur: Latest | undefined, rev: number): Outcome {
  if (op.kind === 'create') {
    if (cur) return { error: new StorageError('KeyExists', op.key, `key exists: ${op.key}`) };
    const enc = encodeObject(op.object, rev);
    return { entry: makeEntry(op.key, enc, rev, rev), event: logEvent('ADDED', op.key, rev, enc.json, null, enc.object) };
  }
  if (!cur) return { error: new StorageError('KeyNotFound', op.key, `key not found: ${op.key}`) };
  if (op.expected !== undefined && cur.modRevision !== op.expected) {
    return { error: new StorageError('Conflict', op.key, `revision mismatch on ${op.key}: expected ${op.expected}, current ${cur.modRevision}`, cur.modRevision) };
  }
  const enc = encodeObject(op.kind === 'update' ? op.object : (JSON.parse(cur.value) as KubeObject), rev);
  const type = op.kind === 'update' ? 'MODIFIED' : 'DELETED';
  return { entry: makeEntry(op.key, enc, rev, cur.createRevision), event: logEvent(type, op.key, rev, enc.json, cur.value, enc.object) };
}

/** At most one report per message every 10 s (a database outage would otherwise flood the log). */
function throttled(onError: ((err: unknown) => void) | undefined): ((err: unknown) => void) | undefined {
  if (!onError) return undefined;
  const last = new Map<string, number>();
  return (err) => {
    const msg = (err as Error)?.message ?? String(err);
    const now = Date.now();
    if ((last.get(msg) ?? 0) > now - 10_000) return;
    if (last.size > 100) last.clear();
    last.set(msg, now);
    onError(err);
  };
}

function rowEntry(r: PgRow): StoreEntry {
  return { key: r.name, object: decodeObject(r.value), json: r.value, modRevision: Number(r.id), createRevision: Number(r.create_revision) };
}
