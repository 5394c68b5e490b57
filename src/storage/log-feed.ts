// The ordered event feed of a shared (remote) store instance, and its watchers.
//
// Events reach an instance from several sources — its own commits, the event transport (a Redis
// Stream, or a NOTIFY wake-up), and reads of the database log — possibly late, twice or out of
// order. Revisions are gap-free (postgres.ts), so the feed delivers revision N only after N-1: an
// event that arrives early waits in `buffer`; a gap that is still open after `gapFillMs` (an XADD
// lost with Redis down, or a writer killed between COMMIT and XADD) is filled by reading the log
// from the database. The log is the truth; the transport only makes delivery fast.
// If the log no longer holds the revisions after `delivered` (compacted meanwhile), the feed cannot
// continue: every watcher ends with Compacted (their clients relist: 410) and the feed restarts
// at the current revision.
import type { KubeObject } from '../api/types.ts';
import { StorageError, type StoreEvent, type StoreEventType, type Unsubscribe } from './interface.ts';
import { compactedError, decodeObject, reportCallbackError } from './common.ts';

/** A slice of the log read in one snapshot: events after `after`, oldest first. */
export interface LogSlice {
  events: StoreEvent[];
  /** The compacted revision in that snapshot. */
  compacted: number;
  /** The current revision in that snapshot. */
  revision: number;
}

export type ReadLog = (after: number, limit: number) => Promise<LogSlice>;

const TYPES: StoreEventType[] = ['ADDED', 'MODIFIED', 'DELETED'];

const prevJsons = new WeakMap<StoreEvent, string>();

/** The JSON of an event's prevObject, when logEvent made it (saves a decode and re-encode). */
export function prevJsonOf(ev: StoreEvent): string | undefined {
  return prevJsons.get(ev) ?? (ev.prevObject ? JSON.stringify(ev.prevObject) : undefined);
}

/** An event decoded from a log row or a stream entry; prevObject is decoded only when read. */
export function logEvent(type: StoreEventType | number, key: string, revision: number, json: string, prevJson?: string | null, object?: KubeObject): StoreEvent {
  let prev: KubeObject | undefined;
  const ev: StoreEvent = {
    type: typeof type === 'number' ? TYPES[type] : type,
    key,
    revision,
    object: object ?? decodeObject(json),
    json,
    get prevObject() {
      if (prevJson == null) return undefined;
      return (prev ??= decodeObject(prevJson));
    },
  };
  if (prevJson != null) prevJsons.set(ev, prevJson);
  return ev;
}

export function eventTypeCode(type: StoreEventType): number {
  return TYPES.indexOf(type);
}

interface Watcher {
  prefix: string;
  onEvent: (ev: StoreEvent) => void;
  onError?: (err: StorageError) => void;
  /** The last revision given to this watcher (events at or below it are skipped). */
  last: number;
  active: boolean;
  /** Live events held while the watcher's history is read from the database. */
  pending?: StoreEvent[];
}

export interface LogFeedOptions {
  /** How long an out-of-order event waits for the revisions before it before the log is read. */
  gapFillMs?: number;
  /** Rows read from the log per query. */
  pageSize?: number;
  onError?: (err: unknown) => void;
}

export class LogFeed {
  delivered: number;
  private readonly buffer = new Map<number, StoreEvent>();
  private readonly watchers = new Set<Watcher>();
  private filling: Promise<void> | undefined;
  private refill = false;
  private gapTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly gapFillMs: number;
  private readonly pageSize: number;

  constructor(
    private readonly readLog: ReadLog,
    startRevision: number,
    private readonly opts: LogFeedOptions = {},
  ) {
    this.delivered = startRevision;
    this.gapFillMs = opts.gapFillMs ?? 500;
    this.pageSize = opts.pageSize ?? 1000;
  }

  get size(): number {
    return this.watchers.size;
  }

  /** An event from any source; delivered in revision order, once. */
  offer(ev: StoreEvent): void {
    if (this.closed || ev.revision <= this.delivered) return;
    this.buffer.set(ev.revision, ev);
    this.drain();
    if (this.buffer.size && !this.gapTimer) {
      this.gapTimer = setTimeout(() => {
        this.gapTimer = undefined;
        void this.fill();
      }, this.gapFillMs);
      this.gapTimer.unref();
    }
  }

  /** Reads the log after `delivered` and delivers it (one read at a time; a call meanwhile reads again). */
  fill(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.filling) {
      this.refill = true;
      return this.filling;
    }
    this.filling = (async () => {
      try {
        do {
          this.refill = false;
          for (;;) {
            const slice = await this.readLog(this.delivered, this.pageSize);
            if (this.closed) return;
            if (slice.compacted > this.delivered) {
              this.resync(slice.revision, compactedError('', this.delivered, slice.compacted));
              break;
            }
            for (const ev of slice.events) this.offer(ev);
            if (slice.events.length < this.pageSize) break;
          }
        } while (this.refill && !this.closed);
      } catch (err) {
        this.opts.onError?.(err);
      } finally {
        this.filling = undefined;
      }
    })();
    return this.filling;
  }

  /**
   * A watcher of every event under prefix after `from`. If the feed is past `from`, the history in
   * between is read from the log first (Compacted through onError when it is gone).
   */
  watch(prefix: string, from: number, onEvent: (ev: StoreEvent) => void, onError?: (err: StorageError) => void): Unsubscribe {
    const w: Watcher = { prefix, onEvent, onError, last: from, active: true };
    this.watchers.add(w);
    if (from < this.delivered) {
      w.pending = [];
      void this.replay(w, from);
    }
    return () => {
      w.active = false;
      this.watchers.delete(w);
    };
  }

  /** Ends every watcher (store closed). */
  close(err: StorageError): void {
    this.closed = true;
    if (this.gapTimer) clearTimeout(this.gapTimer);
    this.endAll(err);
  }

  private async replay(w: Watcher, from: number): Promise<void> {
    try {
      for (let after = from; w.active; ) {
        const slice = await this.readLog(after, this.pageSize);
        if (!w.active) return;
        if (slice.compacted > from) return this.end(w, compactedError(w.prefix, from, slice.compacted));
        for (const ev of slice.events) this.give(w, ev);
        if (slice.events.length < this.pageSize) break;
        after = slice.events[slice.events.length - 1].revision;
      }
      while (w.active && w.pending!.length) this.give(w, w.pending!.shift()!);
      w.pending = undefined;
    } catch (err) {
      this.end(w, new StorageError('Unavailable', w.prefix, `cannot read the storage log: ${(err as Error).message}`));
    }
  }

  private drain(): void {
    for (let ev = this.buffer.get(this.delivered + 1); ev; ev = this.buffer.get(this.delivered + 1)) {
      this.buffer.delete(ev.revision);
      this.delivered = ev.revision;
      for (const w of this.watchers) {
        if (w.pending) w.pending.push(ev);
        else this.give(w, ev);
      }
    }
    if (!this.buffer.size && this.gapTimer) {
      clearTimeout(this.gapTimer);
      this.gapTimer = undefined;
    }
  }

  private give(w: Watcher, ev: StoreEvent): void {
    if (!w.active || ev.revision <= w.last) return;
    w.last = ev.revision;
    if (!ev.key.startsWith(w.prefix)) return;
    try {
      w.onEvent(ev);
    } catch (err) {
      reportCallbackError(err);
    }
  }

  private resync(revision: number, err: StorageError): void {
    this.buffer.clear();
    this.delivered = revision;
    this.endAll(err);
  }

  private endAll(err: StorageError): void {
    for (const w of [...this.watchers]) this.end(w, err);
  }

  private end(w: Watcher, err: StorageError): void {
    if (!w.active) return;
    w.active = false;
    this.watchers.delete(w);
    try {
      w.onError?.(err);
    } catch (e) {
      reportCallbackError(e);
    }
  }
}
