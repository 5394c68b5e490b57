// Pieces shared by the backends and the watch cache: encoding objects with their revision,
// deep freezing, prefix ranges, and the synchronous watcher fan-out.
import type { KubeObject } from '../api/types.ts';
import { StorageError, type StoreEntry, type StoreEvent, type Unsubscribe } from './interface.ts';

/** Freezes a JSON value and everything in it, so a consumer cannot corrupt what the store shares. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as object)) deepFreeze(v);
  }
  return value;
}

/** The object with metadata.resourceVersion = revision, as JSON plus a frozen copy the caller cannot reach. */
export function encodeObject(object: KubeObject, revision: number): { json: string; object: KubeObject } {
  const withRv = { ...object, metadata: { ...object.metadata, resourceVersion: String(revision) } };
  const json = JSON.stringify(withRv);
  return { json, object: freezeParsed(JSON.parse(json)) as KubeObject };
}

/** Decodes a stored JSON value into a frozen object. */
export function decodeObject(json: string): KubeObject {
  return freezeParsed(JSON.parse(json)) as KubeObject;
}

/**
 * deepFreeze for a value JSON.parse just made: nothing in it is frozen or shared yet, so no
 * isFrozen checks, and no Object.values arrays (plain objects have only own enumerable members).
 */
function freezeParsed(v: unknown): unknown {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) freezeParsed(v[i]);
  } else {
    const o = v as Record<string, unknown>;
    for (const k in o) freezeParsed(o[k]);
  }
  return Object.freeze(v);
}

/** The first string greater than every string with this prefix ('' → undefined = no bound). */
export function prefixEnd(prefix: string): string | undefined {
  if (prefix === '') return undefined;
  const last = prefix.charCodeAt(prefix.length - 1);
  return prefix.slice(0, -1) + String.fromCharCode(last + 1);
}

export function compactedError(key: string, fromRevision: number, oldest: number): StorageError {
  return new StorageError('Compacted', key, `too old resource version: ${fromRevision} (${oldest})`, oldest);
}

export function closedError(key: string): StorageError {
  return new StorageError('Unavailable', key, 'storage is closed');
}

/** Reports a throwing watch callback without breaking delivery to the others. */
export function reportCallbackError(err: unknown): void {
  process.emitWarning(`kubesim storage: a watch callback threw: ${(err as Error)?.stack ?? String(err)}`);
}

interface Watcher {
  prefix: string;
  onEvent: (ev: StoreEvent) => void;
  onError: ((err: StorageError) => void) | undefined;
  active: boolean;
  /** Events that arrived while the replay was being delivered. */
  pending: StoreEvent[] | undefined;
}

/**
 * Synchronous fan-out of events to prefix watchers. A new watcher is registered before its replay
 * is delivered, and live events arriving meanwhile (a callback may write) are queued behind the
 * replay, so each watcher sees every revision once, in order.
 */
export class WatcherSet {
  private watchers = new Set<Watcher>();

  get size(): number {
    return this.watchers.size;
  }

  add(prefix: string, onEvent: (ev: StoreEvent) => void, replay: Iterable<StoreEvent>, onError?: (err: StorageError) => void): Unsubscribe {
    // Materialized before registering: a lazy replay could also yield an event queued as live.
    const events = Array.from(replay);
    const w: Watcher = { prefix, onEvent, onError, active: true, pending: [] };
    this.watchers.add(w);
    for (const ev of events) {
      if (!w.active) break;
      deliver(w, ev);
    }
    while (w.active && w.pending!.length) deliver(w, w.pending!.shift()!);
    w.pending = undefined;
    return () => {
      w.active = false;
      this.watchers.delete(w);
    };
  }

  dispatch(ev: StoreEvent): void {
    for (const w of this.watchers) {
      if (!ev.key.startsWith(w.prefix)) continue;
      if (w.pending) w.pending.push(ev);
      else deliver(w, ev);
    }
  }

  /** Ends every watch, telling each (onError) why. */
  end(err: StorageError): void {
    const ending = [...this.watchers];
    this.watchers.clear();
    for (const w of ending) {
      w.active = false;
      try {
        w.onError?.(err);
      } catch (e) {
        reportCallbackError(e);
      }
    }
  }
}

function deliver(w: Watcher, ev: StoreEvent): void {
  try {
    w.onEvent(ev);
  } catch (err) {
    reportCallbackError(err);
  }
}

/** An entry for the key after a write. */
export function makeEntry(key: string, enc: { json: string; object: KubeObject }, modRevision: number, createRevision: number): StoreEntry {
  return { key, object: enc.object, json: enc.json, modRevision, createRevision };
}
