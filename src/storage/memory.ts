// In-memory MVCC store: the same semantics as the SQLite backend, without durability.
// Used by tests and by the API server when it runs without a data dir.
import type { KubeObject } from '../api/types.ts';
import { StorageError, type Store, type StoreEntry, type StoreEvent, type Unsubscribe } from './interface.ts';
import { closedError, compactedError, storedAt, storedCopy, StoredEntry, StoredEvent, WatcherSet } from './common.ts';

export interface MemoryStoreOptions {
  /**
   * Events of history kept for watches from old revisions; older ones are compacted away
   * automatically (default 10,000) so memory stays bounded without periodic compaction. Under the
   * watch cache this history is barely used (the cache keeps its own window per resource).
   */
  historyLimit?: number;
}

export class MemoryStore implements Store {
  private readonly entries = new Map<string, StoreEntry>();
  /** history[historyHead..] are the retained events, in revision order. */
  private history: StoreEvent[] = [];
  private historyHead = 0;
  private revision = 0;
  private compacted = 0;
  private closed = false;
  private readonly watchers = new WatcherSet();
  private readonly historyLimit: number;

  constructor(opts: MemoryStoreOptions = {}) {
    this.historyLimit = opts.historyLimit ?? 10_000;
  }

  async get(key: string): Promise<StoreEntry | undefined> {
    this.checkOpen(key);
    return this.entries.get(key);
  }

  async list(prefix: string): Promise<{ items: StoreEntry[]; revision: number }> {
    this.checkOpen(prefix);
    const items: StoreEntry[] = [];
    for (const [key, e] of this.entries) if (key.startsWith(prefix)) items.push(e);
    items.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return { items, revision: this.revision };
  }

  async create(key: string, object: KubeObject): Promise<StoreEntry> {
    this.checkOpen(key);
    if (this.entries.has(key)) throw new StorageError('KeyExists', key, `key exists: ${key}`);
    const rev = ++this.revision;
    const enc = storedCopy(object, rev);
    const entry = new StoredEntry(key, enc.object, rev, rev, enc.json);
    this.entries.set(key, entry);
    this.record(new StoredEvent('ADDED', key, rev, entry.object, undefined, entry));
    return entry;
  }

  async update(key: string, object: KubeObject, expectedRevision?: number): Promise<StoreEntry> {
    this.checkOpen(key);
    const prev = this.entries.get(key);
    if (!prev) throw new StorageError('KeyNotFound', key, `key not found: ${key}`);
    if (expectedRevision !== undefined && prev.modRevision !== expectedRevision) {
      throw new StorageError('Conflict', key, `revision mismatch on ${key}: expected ${expectedRevision}, current ${prev.modRevision}`, prev.modRevision);
    }
    const rev = ++this.revision;
    const enc = storedCopy(object, rev);
    const entry = new StoredEntry(key, enc.object, rev, prev.createRevision, enc.json);
    this.entries.set(key, entry);
    this.record(new StoredEvent('MODIFIED', key, rev, entry.object, prev.object, entry));
    return entry;
  }

  async delete(key: string, expectedRevision?: number): Promise<StoreEntry> {
    this.checkOpen(key);
    const prev = this.entries.get(key);
    if (!prev) throw new StorageError('KeyNotFound', key, `key not found: ${key}`);
    if (expectedRevision !== undefined && prev.modRevision !== expectedRevision) {
      throw new StorageError('Conflict', key, `revision mismatch on ${key}: expected ${expectedRevision}, current ${prev.modRevision}`, prev.modRevision);
    }
    const rev = ++this.revision;
    const enc = storedAt(prev.object, rev);
    const entry = new StoredEntry(key, enc.object, rev, prev.createRevision, enc.json);
    this.entries.delete(key);
    this.record(new StoredEvent('DELETED', key, rev, entry.object, prev.object, entry));
    return entry;
  }

  watch(prefix: string, fromRevision: number, onEvent: (ev: StoreEvent) => void, onError?: (err: StorageError) => void): Unsubscribe {
    this.checkOpen(prefix);
    if (fromRevision < this.compacted) throw compactedError(prefix, fromRevision, this.compacted);
    const replay: StoreEvent[] = [];
    for (let i = this.firstAfter(fromRevision); i < this.history.length; i++) {
      const ev = this.history[i];
      if (ev.key.startsWith(prefix)) replay.push(ev);
    }
    return this.watchers.add(prefix, onEvent, replay, onError);
  }

  async currentRevision(): Promise<number> {
    this.checkOpen('');
    return this.revision;
  }

  async compact(revision: number): Promise<void> {
    this.checkOpen('');
    const upTo = Math.min(revision, this.revision);
    if (upTo <= this.compacted) return;
    this.historyHead = this.firstAfter(upTo);
    this.compacted = upTo;
    this.trimHistory();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.watchers.end(closedError(''));
  }

  private record(ev: StoreEvent): void {
    Object.freeze(ev);
    this.history.push(ev);
    if (this.history.length - this.historyHead > this.historyLimit) {
      this.compacted = this.history[this.historyHead].revision;
      this.historyHead++;
      this.trimHistory();
    }
    this.watchers.dispatch(ev);
  }

  /** Drops the forgotten prefix of the array once it is large, keeping trims amortized O(1). */
  private trimHistory(): void {
    if (this.historyHead > 1024 && this.historyHead * 2 > this.history.length) {
      this.history = this.history.slice(this.historyHead);
      this.historyHead = 0;
    }
  }

  /** Index of the first retained event with revision > rev. */
  private firstAfter(rev: number): number {
    let lo = this.historyHead;
    let hi = this.history.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.history[mid].revision <= rev) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private checkOpen(key: string): void {
    if (this.closed) throw closedError(key);
  }
}
