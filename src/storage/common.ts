// Pieces shared by the backends and the watch cache: encoding objects with their revision,
// deep freezing, prefix ranges, and the synchronous watcher fan-out.
import type { KubeObject } from '../api/types.ts';
import { jsonCopy } from '../api/core/jsoncopy.ts';
import { StorageError, type StoreEntry, type StoreEvent, type StoreEventType, type Unsubscribe } from './interface.ts';

/** Freezes a JSON value and everything in it, so a consumer cannot corrupt what the store shares. */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as object)) deepFreeze(v);
  }
  return value;
}

/**
 * Top-level members (spec, status, ...) of objects the store handed out: deep-frozen JSON values
 * it made. A later revision that carries one over unchanged (a status write keeps the stored spec)
 * shares it instead of a re-parsed copy; their JSON is kept once such a member is carried over.
 */
const storedParts = new WeakSet<object>();
const partJson = new WeakMap<object, string>();

function jsonOfPart(v: object): string {
  let j = partJson.get(v);
  if (j === undefined) partJson.set(v, (j = JSON.stringify(v)));
  return j;
}

/**
 * The object its writer gave up to the store (handOver), until its encoding: one at a time (the
 * write path calls the store right after; another hand-over first only means a copy is made).
 */
let handedOver: object | undefined;

/**
 * The writer gives `object` up to the store write it is passed to next: neither it nor anything
 * else changes the object or anything in it afterwards (a request's own decoded body, changed by
 * the write path only before the store call). The store may then keep the members as its stored
 * copy, frozen in place, instead of parsing its own JSON of them back (when they are JSON values
 * as JSON.parse makes them; otherwise it copies them as for any object).
 */
export function handOver<T extends object>(object: T): T {
  handedOver = object;
  return object;
}

/**
 * The object with metadata.resourceVersion = revision, as JSON plus a frozen copy the caller cannot
 * reach (what JSON.parse of that JSON gives, with the members carried over from a stored object
 * shared; for an object handed over, its own members frozen, when they are such values already).
 */
export function encodeObject(object: KubeObject, revision: number): { json: string; object: KubeObject } {
  const metadata = { ...object.metadata, resourceVersion: String(revision) };
  const owned = handedOver === object;
  if (owned) handedOver = undefined;
  if (!plainTop(object) || !carriesStoredPart(object)) {
    const top = { ...object, metadata };
    const json = JSON.stringify(top);
    if (owned && plainTop(object) && keepAsStored(top)) return { json, object: markParts(Object.freeze(top) as KubeObject) };
    return { json, object: markParts(freezeParsed(JSON.parse(json)) as KubeObject) };
  }
  // JSON.stringify's own walk of the top level (own keys in order; undefined and functions left
  // out), with the members to copy parsed back one by one and the stored ones reused as they are.
  const out: Record<string, unknown> = {};
  let json = '{';
  for (const k of Object.keys(object)) {
    const v = k === 'metadata' ? metadata : object[k];
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
    const shared = typeof v === 'object' && v !== null && storedParts.has(v);
    const part = shared ? jsonOfPart(v) : JSON.stringify(v);
    if (json.length > 1) json += ',';
    json += `${JSON.stringify(k)}:${part}`;
    out[k] = shared || typeof v === 'string' || typeof v === 'boolean' || v === null || (owned && typeof v === 'object' && frozenJsonValue(v)) ? v : freezeParsed(JSON.parse(part));
    if (!shared && k !== 'metadata' && typeof out[k] === 'object' && out[k] !== null) storedParts.add(out[k] as object);
  }
  json += '}';
  return { json, object: Object.freeze(out) as KubeObject };
}

/**
 * A stored object (deep-frozen, as encodeObject made it) with metadata.resourceVersion = revision,
 * from its JSON `json` — a delete's last state: the JSON is the stored one with the resourceVersion
 * written anew (only the members before it are serialized, to find it), the members shared. Falls
 * back to encodeObject when the JSON does not read as the object's.
 */
export function encodeStoredAt(object: KubeObject, json: string, revision: number): { json: string; object: KubeObject } {
  const m = object.metadata;
  if (!Object.isFrozen(object) || !plainTop(object) || typeof m.resourceVersion !== 'string') return encodeObject(object, revision);
  const head = membersBefore(object, 'metadata') + '"metadata":' + membersBefore(m, 'resourceVersion') + '"resourceVersion":' + JSON.stringify(m.resourceVersion);
  const next = json.charCodeAt(head.length);
  if (!json.startsWith(head) || (next !== 44 && next !== 125)) return encodeObject(object, revision); // ',' or '}'
  const rv = String(revision);
  // the stored metadata's members are frozen with it: the copy shares them
  const metadata = Object.freeze({ ...m, resourceVersion: rv });
  const at = head.length - JSON.stringify(m.resourceVersion).length;
  return { json: json.slice(0, at) + JSON.stringify(rv) + json.slice(head.length), object: Object.freeze({ ...object, metadata }) as KubeObject };
}

/**
 * encodeObject's frozen stored copy without the text (the in-memory store: its readers take the
 * value; the text is made when one asks, StoredEntry): members carried over from a stored object
 * shared, a handed-over object's members kept (frozen) when they are JSON values already, the rest
 * copied as a JSON round trip would (jsonCopy) and frozen. An object that is not plain at the top
 * takes the round trip, and its text comes along.
 */
export function storedCopy(object: KubeObject, revision: number): { json?: string; object: KubeObject } {
  if (!plainTop(object)) return encodeObject(object, revision);
  const owned = handedOver === object;
  if (owned) handedOver = undefined;
  const metadata = { ...object.metadata, resourceVersion: String(revision) };
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(object)) {
    const v = k === 'metadata' ? metadata : object[k];
    if (typeof v !== 'object' || v === null) {
      const c = typeof v === 'string' || typeof v === 'boolean' || v === null ? v : jsonCopy(v).value;
      if (c !== undefined) out[k] = c;
      continue;
    }
    if (k !== 'metadata' && storedParts.has(v)) {
      out[k] = v;
      continue;
    }
    const c = owned && frozenJsonValue(v) ? v : freezeParsed(jsonCopy(v).value);
    out[k] = c;
    if (k !== 'metadata' && typeof c === 'object' && c !== null) storedParts.add(c);
  }
  return { object: Object.freeze(out) as KubeObject };
}

/**
 * A stored object (deep-frozen, as storedCopy made it) with metadata.resourceVersion = revision,
 * without the text — a delete's last state: the members shared, the metadata's too. Falls back to
 * storedCopy for an object the store did not make so.
 */
export function storedAt(object: KubeObject, revision: number): { json?: string; object: KubeObject } {
  const m = object.metadata;
  if (!Object.isFrozen(object) || !plainTop(object) || typeof m.resourceVersion !== 'string') return storedCopy(object, revision);
  const metadata = Object.freeze({ ...m, resourceVersion: String(revision) });
  return { object: Object.freeze({ ...object, metadata }) as KubeObject };
}

/** JSON.stringify's text of an object up to member `key`: `{` and the members before it, each with its comma. */
function membersBefore(o: object, key: string): string {
  let text = '{';
  for (const k in o) {
    if (k === key) break;
    const v = (o as Record<string, unknown>)[k];
    if (v === undefined) continue;
    text += `${JSON.stringify(k)}:${JSON.stringify(v)},`;
  }
  return text;
}

/**
 * Whether every member of a handed-over object's copy (top level) is what JSON.parse of its JSON
 * would give (stored members as they are), freezing them; false when one is not (the caller
 * parses the JSON then: what is frozen meanwhile was the writer's, given up).
 */
function keepAsStored(top: Record<string, unknown>): boolean {
  for (const k in top) {
    const v = top[k];
    if (typeof v === 'object' && v !== null && storedParts.has(v)) continue;
    if (!frozenJsonValue(v)) return false;
  }
  return true;
}

/**
 * Whether v is a JSON value as JSON.parse makes it: strings, booleans, null, finite numbers other
 * than -0, arrays (no holes) and plain objects (no toJSON) of such values, nothing undefined or
 * a function. Freezes each object and array found so (a stored copy must not change).
 */
function frozenJsonValue(v: unknown): boolean {
  if (typeof v !== 'object') return typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v) && !Object.is(v, -0));
  if (v === null) return true;
  if (Array.isArray(v)) {
    if (Object.getPrototypeOf(v) !== Array.prototype) return false;
    for (let i = 0; i < v.length; i++) if (!frozenJsonValue(v[i])) return false;
  } else {
    if (Object.getPrototypeOf(v) !== Object.prototype || typeof (v as { toJSON?: unknown }).toJSON === 'function') return false;
    const o = v as Record<string, unknown>;
    for (const k in o) if (!frozenJsonValue(o[k])) return false;
  }
  Object.freeze(v);
  return true;
}

/** Whether a member of the object is one a stored object handed out (a create has none: one stringify and parse then). */
function carriesStoredPart(o: KubeObject): boolean {
  for (const k in o) {
    const v = o[k];
    if (typeof v === 'object' && v !== null && k !== 'metadata' && storedParts.has(v)) return true;
  }
  return false;
}

/** A plain object with metadata, no toJSON and no key JSON.parse would treat as a prototype. */
function plainTop(o: KubeObject): boolean {
  const proto = Object.getPrototypeOf(o);
  return (proto === Object.prototype || proto === null) && typeof o.metadata === 'object' && o.metadata !== null && !('toJSON' in o) && !Object.hasOwn(o, '__proto__');
}

/** Records the members a later write may carry over; never metadata (every write makes its own: a new resourceVersion). */
function markParts(o: KubeObject): KubeObject {
  for (const k in o) {
    const v = o[k];
    if (typeof v === 'object' && v !== null && k !== 'metadata') storedParts.add(v);
  }
  return o;
}

/** Decodes a stored JSON value into a frozen object. */
export function decodeObject(json: string): KubeObject {
  const o = freezeParsed(JSON.parse(json));
  return o !== null && typeof o === 'object' && !Array.isArray(o) ? markParts(o as KubeObject) : (o as KubeObject);
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

/** Where a stored object's text comes from when it is first read: an entry or event that has it or makes it. */
export type JsonSource = { readonly json?: string };

/**
 * A store entry whose `json` is made when first read and then kept: the source's text (an entry of
 * the backend: one text for both), else JSON.stringify of the deep-frozen object — the text the
 * eager encoding gives, as the object is what JSON.parse of that text gives (key order included).
 * Frozen or not, it keeps the text (a private field).
 */
export class StoredEntry implements StoreEntry {
  #json: string | undefined;
  #source: JsonSource | undefined;
  constructor(
    readonly key: string,
    readonly object: KubeObject,
    readonly modRevision: number,
    readonly createRevision: number,
    text?: string | JsonSource,
  ) {
    if (typeof text === 'string') this.#json = text;
    else this.#source = text;
  }
  get json(): string {
    if (this.#json === undefined) {
      this.#json = this.#source?.json ?? JSON.stringify(this.object);
      this.#source = undefined;
    }
    return this.#json;
  }
  /** Whether the text is made already. */
  get hasJson(): boolean {
    return this.#json !== undefined;
  }
}

/** A store event whose `json` is its entry's (made when first read, once for both). */
export class StoredEvent implements StoreEvent {
  readonly #text: JsonSource;
  constructor(
    readonly type: StoreEventType,
    readonly key: string,
    readonly revision: number,
    readonly object: KubeObject,
    readonly prevObject: KubeObject | undefined,
    text: JsonSource,
  ) {
    this.#text = text;
  }
  get json(): string | undefined {
    return this.#text.json;
  }
  /** Where its text comes from (its entry). */
  get source(): JsonSource {
    return this.#text;
  }
}

/**
 * What a cache keeps as the text of a backend's entry or event: the text when it is at hand; for a
 * lazy one whose text is not made yet, the entry to read it from when asked (not the event: it
 * would keep prevObject alive).
 */
export function jsonSource(src: JsonSource): string | JsonSource | undefined {
  const from = src instanceof StoredEvent ? src.source : src;
  return from instanceof StoredEntry && !from.hasJson ? from : from.json;
}

/** An entry for the key after a write. */
export function makeEntry(key: string, enc: { json: string; object: KubeObject }, modRevision: number, createRevision: number): StoreEntry {
  return { key, object: enc.object, json: enc.json, modRevision, createRevision };
}
