// The watch cache: serves get, list and watch from memory, writes pass through to the backend.
//
// It mirrors the whole backend (one list + one watch of every key from the list's revision) into
// buckets, one per resource prefix (`/registry/<group>/<plural>/`). Each bucket holds the current
// entries (a Map plus the keys kept sorted, for paging) and a bounded window of its recent events.
//
// Contracts for consumers (the HTTP layer):
// - Objects and events handed out are deep-frozen and shared: clone before changing. Each entry and
//   event carries `json`, the serialized object, so responses need no re-stringify (over the memory
//   store it is made when first read, once for the store's entry and the cache's: StoredEntry).
// - Watch callbacks run synchronously in the write path, in revision order, with no gaps or
//   duplicates. They must not block or throw: a consumer that cannot keep up buffers on its own
//   side (HTTP: res.write buffers) and should unsubscribe and end the stream when its buffer grows
//   too large, so a slow watcher never slows writers. Replayed history is delivered synchronously
//   before watch() returns.
// - Read your writes: a write's promise resolves only after the cache reflects it.
// - After a callback has seen revision r, every event ≤ r for its prefix has been delivered, so a
//   BOOKMARK may carry cachedRevision() at any time.
import type { KubeObject } from '../api/types.ts';
import {
  StorageError,
  type CacheListOptions,
  type CacheListResult,
  type Store,
  type StoreEntry,
  type StoreEvent,
  type Unsubscribe,
  type WatchCache,
} from './interface.ts';
import { closedError, compactedError, deepFreeze, jsonSource, StoredEntry, StoredEvent, WatcherSet, type JsonSource } from './common.ts';
import { SortedKeys } from './sorted-keys.ts';
import { listDirect } from './direct-reads.ts';

export interface WatchCacheOptions {
  /** Recent events kept per resource prefix (the window a watch can resume from). Default 10,000. */
  windowSize?: number;
  /** How long a read asking for a revision the cache has not reached waits, in ms. Default 3,000. */
  waitTimeoutMs?: number;
  /** close() also closes the backend. Default true. */
  closeBackend?: boolean;
  /**
   * get, and listPage without a revision, first wait until the cache reached the backend's
   * currentRevision() (Kubernetes' consistent reads from cache), so a write acknowledged by another
   * API server on a shared backend is read here too. Default: the backend's `shared`. If the
   * cache does not get there within waitTimeoutMs (etcd revisions moved by writes outside the
   * prefix, with no progress notification yet), get reads the backend and a list serves the cache; a backend that does not answer: both serve the cache.
   */
  consistentReads?: boolean;
  /**
   * Resource prefixes (`/registry/<group>/<plural>/`) the cache keeps nothing of (Kubernetes' watch
   * cache size 0, events by default): get, list and watch under them go to the backend. A watch
   * spanning several resources still gets their live events, not their history.
   */
  uncached?: Iterable<string>;
}

/** A window event: the StoreEvent handed to watchers plus the entries before and after it; its json is the entry's. */
class CacheEvent extends StoredEvent {
  constructor(
    type: StoreEvent['type'],
    key: string,
    revision: number,
    prevObject: KubeObject | undefined,
    readonly entry: StoreEntry,
    readonly prevEntry: StoreEntry | undefined,
  ) {
    super(type, key, revision, entry.object, prevObject, entry);
  }
}

class Bucket {
  readonly entries = new Map<string, StoreEntry>();
  /** The keys of `entries`, sorted. */
  readonly keys = new SortedKeys();
  /** window[head..] are the retained events, in revision order. */
  window: CacheEvent[] = [];
  head = 0;
  /** Revision of the last event evicted from the window: history at or below it is gone. */
  evicted = 0;
  readonly watchers = new WatcherSet();
  constructor(readonly prefix: string) {}

  /** Index of the first retained event with revision > rev. */
  firstAfter(rev: number): number {
    let lo = this.head;
    let hi = this.window.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.window[mid].revision <= rev) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  push(ev: CacheEvent, windowSize: number): void {
    this.window.push(ev);
    if (this.window.length - this.head > windowSize) {
      this.evicted = this.window[this.head].revision;
      this.window[this.head] = undefined as unknown as CacheEvent;
      this.head++;
      this.trim();
    }
  }

  dropUpTo(rev: number): void {
    const first = this.firstAfter(rev);
    for (let i = this.head; i < first; i++) this.window[i] = undefined as unknown as CacheEvent;
    this.head = first;
    this.trim();
  }

  private trim(): void {
    if (this.head > 1024 && this.head * 2 > this.window.length) {
      this.window = this.window.slice(this.head);
      this.head = 0;
    }
  }
}

/** `/registry/<group>/<plural>/` for registry keys; otherwise the key up to its 4th or last '/'. */
export function bucketPrefix(key: string): string {
  let idx = -1;
  for (let i = 0; i < 4; i++) {
    const n = key.indexOf('/', idx + 1);
    if (n < 0) break;
    idx = n;
  }
  return key.slice(0, idx + 1);
}

function slashes(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) === 47) n++;
  return n;
}

interface Waiter {
  revision: number;
  resolve: () => void;
}

export class WatchCacheStore implements WatchCache {
  private readonly buckets = new Map<string, Bucket>();
  /** Watchers whose prefix spans several buckets (shorter than a resource prefix). */
  private readonly wideWatchers = new WatcherSet();
  private revision = 0;
  /** History at or below this is unavailable in every bucket (cache start, compaction). */
  private floor = 0;
  private waiters: Waiter[] = [];
  private unwatch: Unsubscribe | undefined;
  private started: Promise<void> | undefined;
  private closed = false;
  private readonly windowSize: number;
  private readonly waitTimeoutMs: number;
  private readonly closeBackend: boolean;
  private readonly consistentReads: boolean;
  /** The backend revision read in flight, and the one queued behind it (callers arriving meanwhile). */
  private revisionRead: Promise<number> | undefined;
  private nextRevisionRead: Promise<number> | undefined;
  private readonly uncached: Set<string>;

  constructor(
    readonly backend: Store,
    opts: WatchCacheOptions = {},
  ) {
    this.windowSize = opts.windowSize ?? 10_000;
    this.waitTimeoutMs = opts.waitTimeoutMs ?? 3_000;
    this.closeBackend = opts.closeBackend ?? true;
    this.consistentReads = opts.consistentReads ?? backend.shared === true;
    this.uncached = new Set(opts.uncached ?? []);
  }

  /** Whether a key or prefix lies in a resource the cache does not keep (its reads go to the backend). */
  private direct(keyOrPrefix: string): boolean {
    return this.uncached.size > 0 && this.uncached.has(bucketPrefix(keyOrPrefix));
  }

  start(): Promise<void> {
    this.started ??= this.load();
    return this.started;
  }

  /** Lists the backend and watches it from the list's revision: the cache's whole state. */
  private async load(): Promise<void> {
    const { items, revision } = await this.backend.list('');
    if (this.closed) return;
    // A resync replaces everything; watchers that came while it ran saw no events: end them.
    const old = [...this.buckets.values()];
    this.buckets.clear();
    const stale = new StorageError('Unavailable', '', 'watch cache resynchronized: watch again');
    this.wideWatchers.end(stale);
    for (const b of old) b.watchers.end(stale);
    for (const e of items) {
      if (this.direct(e.key)) continue;
      const entry = this.ownEntry(e.key, e.object, e.modRevision, e.createRevision, e);
      const b = this.bucketFor(e.key);
      b.entries.set(e.key, entry);
      b.keys.insert(e.key); // list is sorted by key: each insert appends to the last block
    }
    this.revision = revision;
    this.floor = revision;
    if (this.waiters.length) this.wake();
    this.unwatch = this.backend.watch('', revision, (ev) => this.apply(ev), (err) => this.lost(err), (rev) => this.progress(rev));
  }

  /** The backend reports every event up to rev delivered (etcd progress notify): the cache is at rev. */
  private progress(rev: number): void {
    if (this.closed || rev <= this.revision) return;
    this.revision = rev;
    if (this.waiters.length) this.wake();
  }

  /**
   * The backend's stream ended (a remote store disconnected or compacted): like the Kubernetes
   * cacher on relist, every watcher ends (its client watches again, or relists on Compacted), and
   * the cache relists and rewatches, retrying every second until it succeeds or is closed.
   */
  private lost(err: StorageError): void {
    if (this.closed) return;
    this.unwatch = undefined;
    const ended = new StorageError('Unavailable', '', `watch cache lost its backend stream: ${err.message}`);
    this.wideWatchers.end(ended);
    for (const b of this.buckets.values()) b.watchers.end(ended);
    const attempt = () => {
      if (this.closed) return;
      this.load().catch((e: unknown) => {
        process.emitWarning(`kubesim watch cache: resync failed, retrying: ${(e as Error).message}`);
        setTimeout(attempt, 1000).unref();
      });
    };
    attempt();
  }

  cachedRevision(): number {
    return this.revision;
  }

  bookmarkRevision(prefix: string): number {
    // Memory and SQLite deliver an uncached prefix's events synchronously in the write, as the cache's own.
    if (this.direct(prefix) && this.backend.shared === true) return 0;
    return this.revision;
  }

  /** Per resource prefix: live objects, events in the window, watchers (for /metrics). */
  stats(): { revision: number; resources: { prefix: string; objects: number; windowEvents: number; watchers: number }[]; wideWatchers: number } {
    return {
      revision: this.revision,
      resources: [...this.buckets.values()].map((b) => ({
        prefix: b.prefix,
        objects: b.entries.size,
        windowEvents: b.window.length - b.head,
        watchers: b.watchers.size,
      })),
      wideWatchers: this.wideWatchers.size,
    };
  }

  async currentRevision(): Promise<number> {
    this.checkOpen('');
    return this.revision;
  }

  async get(key: string): Promise<StoreEntry | undefined> {
    this.checkOpen(key);
    if (this.direct(key)) return this.backend.get(key);
    if (this.consistentReads && !(await this.caughtUp(key))) return this.backend.get(key);
    return this.buckets.get(bucketPrefix(key))?.entries.get(key);
  }

  /**
   * Waits until the cache holds every write the backend committed before this call; false if it did
   * not get there within waitTimeoutMs (true when the backend does not answer). Concurrent callers share backend reads: one that arrives
   * while a read is in flight waits for the next one, which starts after it (so it is still a
   * revision read after the caller came).
   */
  private async caughtUp(key: string): Promise<boolean> {
    // Backend unreachable: nothing commits through it meanwhile, so the cache is as current as can be.
    const target = await this.backendRevision().catch(() => 0);
    if (target <= this.revision) return true;
    return this.waitFor(target, this.waitTimeoutMs, key).then(
      () => true,
      (err) => {
        if (err instanceof StorageError && err.code === 'TooLargeResourceVersion') return false;
        throw err;
      },
    );
  }

  private backendRevision(): Promise<number> {
    if (!this.revisionRead) {
      const read = this.backend.currentRevision().finally(() => {
        if (this.revisionRead === read) this.revisionRead = undefined;
      });
      this.revisionRead = read;
      return read;
    }
    this.nextRevisionRead ??= this.revisionRead
      .catch(() => undefined)
      .then(() => {
        this.nextRevisionRead = undefined;
        return this.backendRevision();
      });
    return this.nextRevisionRead;
  }

  async list(prefix: string): Promise<{ items: StoreEntry[]; revision: number }> {
    const page = await this.listPage(prefix, {});
    return { items: page.entries!, revision: page.revision };
  }

  async listPage(prefix: string, opts: CacheListOptions): Promise<CacheListResult> {
    this.checkOpen(prefix);
    const exact = opts.exactRevision !== undefined && opts.exactRevision > 0 ? opts.exactRevision : undefined;
    const wanted = exact ?? opts.minRevision ?? 0;
    if (wanted > this.revision) await this.waitFor(wanted, this.waitTimeoutMs, prefix);
    else if (this.consistentReads && exact === undefined && opts.minRevision === undefined) await this.caughtUp(prefix);
    if (this.direct(prefix)) return listDirect(this.backend, prefix, opts, page);
    const buckets = this.bucketsOf(prefix);
    const revision = exact ?? this.revision;
    if (exact !== undefined) {
      let oldest = this.floor;
      for (const b of buckets) oldest = Math.max(oldest, b.evicted);
      if (exact < oldest) throw compactedError(prefix, exact, oldest);
    }
    // Keys the page may hold: under prefix and after afterKey.
    const after = opts.afterKey !== undefined && opts.afterKey >= prefix ? opts.afterKey : undefined;
    const overlay = exact !== undefined ? this.overlay(buckets, prefix, exact) : undefined;
    const inRange = (k: string) => k.startsWith(prefix) && (after === undefined || k > after);
    if (buckets.length === 1) {
      const b = buckets[0];
      const lo = after !== undefined ? b.keys.rank(after, false) : b.keys.rank(prefix, true);
      const hi = prefix === b.prefix ? b.keys.size : b.keys.rank(prefix + '\uffff', false);
      const count = Math.max(0, hi - lo);
      if (!overlay?.size) return page(b.keys.from(lo), count, (k) => b.entries.get(k), opts, revision);
      // A past snapshot: the live keys merged with the keys written since, each as it was then.
      const changed = [...overlay.keys()].filter(inRange).sort();
      let total = count;
      for (const k of changed) total += (overlay.get(k) ? 1 : 0) - (b.entries.has(k) ? 1 : 0);
      const lookup = (k: string) => (overlay.has(k) ? overlay.get(k) : b.entries.get(k));
      return page(mergeSorted(b.keys.from(lo), count, changed, (k) => lookup(k) !== undefined), total, lookup, opts, revision);
    }
    // Several buckets, or a past snapshot: merge the candidate keys, keep those live at the revision.
    const current = (k: string) => this.buckets.get(bucketPrefix(k))?.entries.get(k);
    const lookup = overlay ? (k: string) => (overlay.has(k) ? overlay.get(k) : current(k)) : current;
    const set = new Set<string>();
    for (const b of buckets) for (const k of b.keys) if (inRange(k)) set.add(k);
    if (overlay) for (const k of overlay.keys()) if (inRange(k)) set.add(k);
    const keys = [...set].filter((k) => lookup(k) !== undefined).sort();
    return page(keys[Symbol.iterator](), keys.length, lookup, opts, revision);
  }

  watch(prefix: string, fromRevision: number, onEvent: (ev: StoreEvent) => void, onError?: (err: StorageError) => void): Unsubscribe {
    this.checkOpen(prefix);
    if (this.direct(prefix)) {
      const from = fromRevision;
      return this.backend.watch(prefix, from, from > this.revision ? (ev) => void (ev.revision > from && onEvent(ev)) : onEvent, onError);
    }
    const wide = slashes(prefix) < 4;
    const buckets = this.bucketsOf(prefix, !wide);
    let oldest = this.floor;
    for (const b of buckets) oldest = Math.max(oldest, b.evicted);
    if (fromRevision < oldest) throw compactedError(prefix, fromRevision, oldest);
    const replay: CacheEvent[] = [];
    for (const b of buckets) {
      for (let i = b.firstAfter(fromRevision); i < b.window.length; i++) {
        if (b.window[i].key.startsWith(prefix)) replay.push(b.window[i]);
      }
    }
    if (buckets.length > 1) replay.sort((a, b) => a.revision - b.revision);
    // A revision this cache has not reached yet (seen on another API server over a shared backend):
    // the events up to it are still to come here, and are not the watcher's.
    const deliver = fromRevision > this.revision ? (ev: StoreEvent) => void (ev.revision > fromRevision && onEvent(ev)) : onEvent;
    return wide ? this.wideWatchers.add(prefix, deliver, replay, onError) : buckets[0].watchers.add(prefix, deliver, replay, onError);
  }

  async create(key: string, object: KubeObject): Promise<StoreEntry> {
    this.checkOpen(key);
    const e = await this.backend.create(key, object);
    // a backend that delivers its events in the write (memory, SQLite): the cache has it already
    return this.revision >= e.modRevision ? this.cachedEntry(key, e) : this.reflect(key, e);
  }

  async update(key: string, object: KubeObject, expectedRevision?: number): Promise<StoreEntry> {
    this.checkOpen(key);
    const e = await this.backend.update(key, object, expectedRevision);
    return this.revision >= e.modRevision ? this.cachedEntry(key, e) : this.reflect(key, e);
  }

  async delete(key: string, expectedRevision?: number): Promise<StoreEntry> {
    this.checkOpen(key);
    const e = await this.backend.delete(key, expectedRevision);
    await this.waitFor(e.modRevision);
    return e;
  }

  /** Compacts the backend and forgets the cache's own history at or below revision. */
  async compact(revision: number): Promise<void> {
    this.checkOpen('');
    await this.backend.compact(revision);
    const upTo = Math.min(revision, this.revision);
    if (upTo <= this.floor) return;
    this.floor = upTo;
    for (const b of this.buckets.values()) b.dropUpTo(upTo);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.unwatch?.();
    this.wideWatchers.end(closedError(''));
    for (const b of this.buckets.values()) b.watchers.end(closedError(''));
    for (const w of this.waiters) w.resolve();
    this.waiters = [];
    if (this.closeBackend) await this.backend.close();
  }

  /** Applies one backend event: entries, sorted keys, window, then fan-out. */
  private apply(ev: StoreEvent): void {
    if (ev.revision <= this.revision) return; // already seen (a backend re-delivery)
    if (this.direct(ev.key)) return this.passThrough(ev);
    const b = this.bucketFor(ev.key);
    const prevEntry = b.entries.get(ev.key);
    const entry = this.ownEntry(ev.key, ev.object, ev.revision, ev.type === 'ADDED' ? ev.revision : prevEntry?.createRevision ?? ev.revision, ev);
    if (ev.type === 'DELETED') {
      if (prevEntry) {
        b.entries.delete(ev.key);
        b.keys.remove(ev.key);
      }
    } else {
      if (!prevEntry) b.keys.insert(ev.key);
      b.entries.set(ev.key, entry);
    }
    const cev = new CacheEvent(ev.type, ev.key, ev.revision, prevEntry?.object ?? ev.prevObject, entry, prevEntry);
    Object.freeze(cev);
    b.push(cev, this.windowSize);
    this.revision = ev.revision;
    if (this.waiters.length) this.wake();
    b.watchers.dispatch(cev);
    if (this.wideWatchers.size) this.wideWatchers.dispatch(cev);
  }

  /** An event of a resource the cache does not keep: only the revision moves (and wide watchers see it). */
  private passThrough(ev: StoreEvent): void {
    this.revision = ev.revision;
    if (this.waiters.length) this.wake();
    if (this.wideWatchers.size) this.wideWatchers.dispatch(ev);
  }

  /** The entry as the cache keeps it: frozen object, its JSON the backend's (made when first read, if the backend makes it so) or made when first read. */
  private ownEntry(key: string, object: KubeObject, modRevision: number, createRevision: number, from: JsonSource): StoreEntry {
    return Object.freeze(new StoredEntry(key, deepFreeze(object), modRevision, createRevision, jsonSource(from)));
  }

  /** Waits until the cache has applied a write, then answers with the cache's entry for it. */
  private async reflect(key: string, e: StoreEntry): Promise<StoreEntry> {
    await this.waitFor(e.modRevision);
    return this.cachedEntry(key, e);
  }

  /** The cache's entry for a write it has applied (the backend's, if a later write replaced it). */
  private cachedEntry(key: string, e: StoreEntry): StoreEntry {
    const cached = this.buckets.get(bucketPrefix(key))?.entries.get(key);
    return cached && cached.modRevision === e.modRevision ? cached : e;
  }

  /**
   * The state at `revision` of every key written after it, undoing the window's events newest
   * first (undefined = the key did not exist then).
   */
  private overlay(buckets: Bucket[], prefix: string, revision: number): Map<string, StoreEntry | undefined> {
    const overlay = new Map<string, StoreEntry | undefined>();
    for (const b of buckets) {
      const first = b.firstAfter(revision);
      for (let i = b.window.length - 1; i >= first; i--) {
        const ev = b.window[i];
        if (ev.key.startsWith(prefix)) overlay.set(ev.key, ev.type === 'ADDED' ? undefined : ev.prevEntry);
      }
    }
    return overlay;
  }

  private bucketFor(key: string): Bucket {
    const p = bucketPrefix(key);
    let b = this.buckets.get(p);
    if (!b) {
      b = new Bucket(p);
      this.buckets.set(p, b);
    }
    return b;
  }

  /** The buckets holding keys under prefix; `create` makes the one bucket of a resource-level prefix. */
  private bucketsOf(prefix: string, create = false): Bucket[] {
    if (slashes(prefix) >= 4) {
      const p = bucketPrefix(prefix);
      const b = create ? this.bucketFor(p) : this.buckets.get(p);
      return b ? [b] : [];
    }
    const out: Bucket[] = [];
    for (const b of this.buckets.values()) if (b.prefix.startsWith(prefix) || prefix.startsWith(b.prefix)) out.push(b);
    return out;
  }

  private waitFor(revision: number, timeoutMs?: number, key = ''): Promise<void> {
    if (this.revision >= revision || this.closed) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const w: Waiter = {
        revision,
        resolve() {
          if (timer) clearTimeout(timer);
          resolve();
        },
      };
      this.waiters.push(w);
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          this.waiters = this.waiters.filter((x) => x !== w);
          reject(new StorageError('TooLargeResourceVersion', key, `Too large resource version: ${revision}, current: ${this.revision}`, this.revision));
        }, timeoutMs);
      }
    });
  }

  private wake(): void {
    const ready = this.waiters.filter((w) => w.revision <= this.revision);
    if (!ready.length) return;
    this.waiters = this.waiters.filter((w) => w.revision > this.revision);
    for (const w of ready) w.resolve();
  }

  private checkOpen(key: string): void {
    if (this.closed) throw closedError(key);
  }
}

/** The union of `count` keys from `base` and the sorted `extra`, ascending, keeping those `keep` accepts. */
function* mergeSorted(base: Iterator<string>, count: number, extra: string[], keep: (k: string) => boolean): Generator<string> {
  let taken = 0;
  const advance = () => (taken < count ? (taken++, base.next().value as string) : undefined);
  let b = advance();
  let i = 0;
  while (b !== undefined || i < extra.length) {
    let k: string;
    if (b !== undefined && (i >= extra.length || b <= extra[i])) {
      if (b === extra[i]) i++;
      k = b;
      b = advance();
    } else {
      k = extra[i++];
    }
    if (keep(k)) yield k;
  }
}

/**
 * One page from `total` keys (each with an entry at the snapshot): filter before limit; lastKey
 * only when a further match exists; remaining only without a filter.
 */
export function page(
  keys: Iterator<string>,
  total: number,
  lookup: (key: string) => StoreEntry | undefined,
  opts: CacheListOptions,
  revision: number,
): CacheListResult {
  const limit = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
  const filter = opts.filter;
  const entries: StoreEntry[] = [];
  const items: KubeObject[] = [];
  let n = 0;
  for (; n < total && entries.length < limit; n++) {
    const e = lookup(keys.next().value as string);
    if (!e || (filter && !filter(e.object))) continue;
    entries.push(e);
    items.push(e.object);
  }
  const result: CacheListResult = { items, entries, revision };
  if (n < total) {
    if (!filter) {
      result.lastKey = entries[entries.length - 1].key;
      result.remaining = total - n;
    } else {
      for (; n < total; n++) {
        const e = lookup(keys.next().value as string);
        if (e && filter(e.object)) {
          result.lastKey = entries[entries.length - 1].key;
          break;
        }
      }
    }
  }
  return result;
}
