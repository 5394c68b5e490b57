// EtcdStore: the Store contract on etcd v3, as kube-apiserver keeps its objects.
//
// - Keys: the store key as is (`/registry/<group|core>/<plural>/[<namespace>/]<name>`), behind an
//   optional `prefix` (like --etcd-prefix; lets several clusters or tests share one etcd).
// - Revisions: etcd's revision is the store's counter and resourceVersion (header.revision of a
//   write = its revision; an object's modRevision = etcd's mod_revision). Failed transactions
//   take no revision. Values are the object's JSON without resourceVersion (the revision is only
//   known once etcd commits), as Kubernetes stores them; reads set it from mod_revision.
// - create = txn(create_revision(key) == 0 → put); update/delete = txn(mod_revision(key) == expected
//   (or create_revision > 0 when unconditional) → put/delete with prev_kv, else range(key)): the
//   failure branch tells KeyNotFound from Conflict and carries the current revision.
// - watch = etcd watch from fromRevision+1 with prev_kv and progress_notify; a lost stream resumes
//   from the last revision seen on the next endpoint; etcd's compact_revision C → Compacted with
//   revision C-1 (the store's "oldest revision one can watch from").
// - compact(rev) = etcd compaction at rev+1 (etcd keeps watches from its compaction revision,
//   the store forgets history *at or below* rev); capped at the current revision.
import type { KubeObject } from '../api/types.ts';
import { startPeriodicCompaction, type PeriodicCompaction } from './compaction.ts';
import { closedError, compactedError, decodeObject, encodeObject, makeEntry, reportCallbackError } from './common.ts';
import { b64, decodeKv, EtcdClient, headerRevision, prefixRangeEnd, type WireHeader, type WireKeyValue, type WireWatchResult } from './etcd-client.ts';
import { StorageError, type Store, type StoreEntry, type StoreEvent, type Unsubscribe } from './interface.ts';

export interface EtcdStoreOptions {
  endpoints: string[];
  /** Prepended to every store key in etcd. Default '' (keys are `/registry/...`, as Kubernetes'). */
  prefix?: string;
  requestTimeoutMs?: number;
  /** Range page size of list(). Default 500 (kube-apiserver pages its etcd lists too). */
  listPageSize?: number;
  /** How long a lost watch stream keeps trying the endpoints before onError(Unavailable). Default 30 s. */
  watchRetryMs?: number;
  /**
   * Periodic compaction (ms), as kube-apiserver's --etcd-compaction-interval; 0/undefined = off.
   * Several API servers each compacting is harmless: an older compaction is a no-op.
   */
  compactionIntervalMs?: number;
}

/** `etcd://host:port[,host:port...][/prefix]` → endpoints and key prefix. */
export function parseEtcdUrl(url: string): { endpoints: string[]; prefix: string } {
  const m = /^etcd:\/\/([^/]+)(\/.*)?$/.exec(url);
  if (!m) throw new Error(`invalid etcd storage URL ${JSON.stringify(url)}: want etcd://host:port[,host:port...][/prefix]`);
  const endpoints = m[1].split(',').filter(Boolean).map((hp) => `http://${hp}`);
  return { endpoints, prefix: (m[2] ?? '').replace(/\/+$/, '') };
}

interface RangeResponse {
  header?: WireHeader;
  kvs?: WireKeyValue[];
  more?: boolean;
}
interface TxnResponse {
  header?: WireHeader;
  succeeded?: boolean;
  responses?: {
    response_range?: RangeResponse;
    response_put?: { prev_kv?: WireKeyValue };
    response_delete_range?: { prev_kvs?: WireKeyValue[] };
  }[];
}

/** Stored value: the object without resourceVersion. */
function storedValue(object: KubeObject): string {
  const { resourceVersion: _rv, ...metadata } = object.metadata ?? {};
  return b64(JSON.stringify({ ...object, metadata }));
}

export class EtcdStore implements Store {
  readonly shared = true;
  readonly client: EtcdClient;
  private readonly prefix: string;
  private readonly pageSize: number;
  private readonly watchRetryMs: number;
  private readonly watches = new Set<{ end(err: StorageError): void }>();
  private closed = false;
  private readonly periodic: PeriodicCompaction | undefined;

  constructor(opts: EtcdStoreOptions) {
    this.client = new EtcdClient({ endpoints: opts.endpoints, requestTimeoutMs: opts.requestTimeoutMs });
    this.prefix = opts.prefix ?? '';
    this.pageSize = opts.listPageSize ?? 500;
    this.watchRetryMs = opts.watchRetryMs ?? 30_000;
    if (opts.compactionIntervalMs) this.periodic = startPeriodicCompaction(this, { intervalMs: opts.compactionIntervalMs });
  }

  private k(key: string): string {
    return b64(this.prefix + key);
  }

  /** A stored kv as the store's entry (resourceVersion = mod_revision). */
  private entry(kv: WireKeyValue): StoreEntry {
    const d = decodeKv(kv);
    const enc = encodeObject(decodeObject(d.value), d.modRevision);
    return makeEntry(d.key.slice(this.prefix.length), enc, d.modRevision, d.createRevision);
  }

  private check(key: string): void {
    if (this.closed) throw closedError(key);
  }

  async get(key: string): Promise<StoreEntry | undefined> {
    this.check(key);
    const r = await this.client.post<RangeResponse>('/v3/kv/range', { key: this.k(key) }, { idempotent: true, key });
    return r.kvs?.length ? this.entry(r.kvs[0]) : undefined;
  }

  async list(prefix: string): Promise<{ items: StoreEntry[]; revision: number }> {
    this.check(prefix);
    const full = this.prefix + prefix;
    const rangeEnd = prefixRangeEnd(full);
    const items: StoreEntry[] = [];
    let from = full === '' ? 'AA==' : b64(full);
    let revision = 0;
    for (;;) {
      const r = await this.client.post<RangeResponse>(
        '/v3/kv/range',
        { key: from, range_end: rangeEnd, limit: this.pageSize, revision },
        { idempotent: true, key: prefix },
      );
      if (revision === 0) revision = headerRevision(r.header); // later pages read the same snapshot
      for (const kv of r.kvs ?? []) items.push(this.entry(kv));
      if (!r.more || !r.kvs?.length) break;
      from = Buffer.concat([Buffer.from(r.kvs[r.kvs.length - 1].key!, 'base64'), Buffer.from([0])]).toString('base64');
    }
    return { items, revision };
  }

  private async txn(key: string, compare: Record<string, unknown>, success: Record<string, unknown>, idempotent = false): Promise<TxnResponse> {
    this.check(key);
    return this.client.post<TxnResponse>(
      '/v3/kv/txn',
      { compare: [{ key: this.k(key), ...compare }], success: [success], failure: [{ request_range: { key: this.k(key) } }] },
      { key, idempotent },
    );
  }

  /** The failure branch of a CAS txn: KeyNotFound, or Conflict with the key's current revision. */
  private failure(key: string, r: TxnResponse): StorageError {
    const cur = r.responses?.[0]?.response_range?.kvs?.[0];
    if (!cur) return new StorageError('KeyNotFound', key);
    const rev = Number(cur.mod_revision);
    return new StorageError('Conflict', key, `the object has been modified (revision ${rev})`, rev);
  }

  async create(key: string, object: KubeObject): Promise<StoreEntry> {
    // Writes go to another member only when the first could not be reached (never sent).
    const r = await this.txn(key, { target: 'CREATE', result: 'EQUAL', create_revision: '0' }, { request_put: { key: this.k(key), value: storedValue(object) } });
    if (!r.succeeded) throw new StorageError('KeyExists', key);
    const rev = headerRevision(r.header);
    return makeEntry(key, encodeObject(object, rev), rev, rev);
  }

  private exists(expectedRevision?: number): Record<string, unknown> {
    return expectedRevision === undefined
      ? { target: 'CREATE', result: 'GREATER', create_revision: '0' }
      : { target: 'MOD', result: 'EQUAL', mod_revision: String(expectedRevision) };
  }

  async update(key: string, object: KubeObject, expectedRevision?: number): Promise<StoreEntry> {
    const r = await this.txn(key, this.exists(expectedRevision), { request_put: { key: this.k(key), value: storedValue(object), prev_kv: true } });
    if (!r.succeeded) throw this.failure(key, r);
    const rev = headerRevision(r.header);
    const prev = r.responses?.[0]?.response_put?.prev_kv;
    return makeEntry(key, encodeObject(object, rev), rev, Number(prev?.create_revision ?? rev));
  }

  async delete(key: string, expectedRevision?: number): Promise<StoreEntry> {
    const r = await this.txn(key, this.exists(expectedRevision), { request_delete_range: { key: this.k(key), prev_kv: true } });
    if (!r.succeeded) throw this.failure(key, r);
    const rev = headerRevision(r.header);
    const prev = r.responses?.[0]?.response_delete_range?.prev_kvs?.[0];
    if (!prev) throw new StorageError('KeyNotFound', key);
    const d = decodeKv(prev);
    return makeEntry(key, encodeObject(decodeObject(d.value), rev), rev, d.createRevision);
  }

  async currentRevision(): Promise<number> {
    this.check('');
    const r = await this.client.post<RangeResponse>('/v3/kv/range', { key: this.k('/'), count_only: true }, { idempotent: true });
    return headerRevision(r.header);
  }

  async compact(revision: number): Promise<void> {
    const target = Math.min(revision + 1, await this.currentRevision());
    if (target <= 1) return;
    try {
      await this.client.post('/v3/kv/compaction', { revision: String(target) });
    } catch (err) {
      if (err instanceof StorageError && err.code === 'Compacted') return; // an older compaction: nothing to do
      throw err;
    }
  }

  /** One watch event of etcd as the store's event. */
  private event(e: NonNullable<WireWatchResult['events']>[number]): StoreEvent {
    const kv = decodeKv(e.kv ?? {});
    const key = kv.key.slice(this.prefix.length);
    const prevObject = e.prev_kv ? encodeObject(decodeObject(decodeKv(e.prev_kv).value), Number(e.prev_kv.mod_revision)).object : undefined;
    if (e.type === 'DELETE') {
      const enc = prevObject ? encodeObject(prevObject, kv.modRevision) : encodeObject({ metadata: {} } as KubeObject, kv.modRevision);
      return { type: 'DELETED', key, revision: kv.modRevision, object: enc.object, json: enc.json, prevObject };
    }
    const enc = encodeObject(decodeObject(kv.value), kv.modRevision);
    const type = kv.createRevision === kv.modRevision ? 'ADDED' : 'MODIFIED';
    return { type, key, revision: kv.modRevision, object: enc.object, json: enc.json, prevObject };
  }

  /**
   * Watches etcd from fromRevision+1. onProgress (optional, beyond the Store contract) receives
   * etcd's progress notifications: every event at or below that revision has been delivered.
   */
  watch(
    prefix: string,
    fromRevision: number,
    onEvent: (ev: StoreEvent) => void,
    onError?: (err: StorageError) => void,
    onProgress?: (revision: number) => void,
  ): Unsubscribe {
    this.check(prefix);
    const full = this.prefix + prefix;
    let last = fromRevision;
    let active = true;
    let abort = new AbortController();
    const w = {
      end: (err: StorageError) => {
        if (!active) return;
        active = false;
        abort.abort();
        this.watches.delete(w);
        try {
          onError?.(err);
        } catch (e) {
          reportCallbackError(e);
        }
      },
    };
    this.watches.add(w);
    const onResult = (r: WireWatchResult): void => {
      if (!active) return;
      const compacted = Number(r.compact_revision ?? 0);
      if (compacted > 0) return w.end(compactedError(prefix, last, compacted - 1));
      if (r.canceled) return w.end(new StorageError('Unavailable', prefix, `etcd canceled the watch: ${r.cancel_reason ?? ''}`));
      if (r.created) return;
      if (!r.events?.length) {
        const rev = headerRevision(r.header);
        if (rev > last) {
          last = rev;
          onProgress?.(rev);
        }
        return;
      }
      for (const e of r.events) {
        if (!active) return;
        const ev = this.event(e);
        if (ev.revision <= last) continue; // re-delivered after a resume
        last = ev.revision;
        try {
          onEvent(ev);
        } catch (err) {
          reportCallbackError(err);
        }
      }
    };
    const run = async (): Promise<void> => {
      let failingSince: number | undefined;
      let delay = 50;
      while (active) {
        const create = { key: full === '' ? 'AA==' : b64(full), range_end: prefixRangeEnd(full), start_revision: String(last + 1), prev_kv: true, progress_notify: true };
        let sawResult = false;
        let failure: unknown;
        try {
          await this.client.watchStream(create, abort.signal, (r) => {
            sawResult = true;
            onResult(r);
          });
        } catch (err) {
          failure = err;
        }
        if (!active) return;
        // A stream that delivered something was healthy: the retry clock starts again.
        if (sawResult) failingSince = undefined;
        else {
          failingSince ??= Date.now();
          if (Date.now() - failingSince > this.watchRetryMs) {
            const why = failure ? (failure as Error).message : 'the stream ended at once';
            return w.end(new StorageError('Unavailable', prefix, `etcd watch lost: ${why}`));
          }
        }
        if (sawResult) delay = 50;
        await new Promise((r) => setTimeout(r, delay).unref());
        delay = Math.min(delay * 2, 1000);
        abort = new AbortController();
      }
    };
    void run();
    return () => {
      active = false;
      abort.abort();
      this.watches.delete(w);
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.periodic?.stop();
    for (const w of [...this.watches]) w.end(closedError(''));
    this.client.close();
  }
}

/** Opens the etcd store of an `etcd://` URL (see parseEtcdUrl). */
export function openEtcd(url: string, opts: Omit<EtcdStoreOptions, 'endpoints' | 'prefix'> = {}): EtcdStore {
  return new EtcdStore({ ...parseEtcdUrl(url), ...opts });
}
