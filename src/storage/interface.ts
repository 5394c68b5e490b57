// The MVCC store contract every backend (SQLite, PostgreSQL, etcd) implements.
// One monotonic revision counter for the whole store; an object's resourceVersion is the
// revision of its last write. The store writes metadata.resourceVersion into what it returns.
import type { KubeObject } from '../api/types.ts';

export interface StoreEntry {
  key: string;
  object: KubeObject;
  /** Revision of the last write of this key (= metadata.resourceVersion). */
  modRevision: number;
  /** Revision at which this key was created. */
  createRevision: number;
  /**
   * The object serialized as JSON (with metadata.resourceVersion), when the backend has it at hand
   * (SQLite always sets it; memory and the watch cache over it make it when first read, StoredEntry):
   * the HTTP layer writes it as is instead of re-stringifying; in-process answers, which take the
   * object, pass the entry along without reading it. Objects handed out by the stores are
   * deep-frozen: clone before changing them.
   */
  json?: string;
}

export type StoreEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: StoreEventType;
  key: string;
  /** The revision of this write. For DELETED, the revision of the delete. */
  revision: number;
  /** The object after the write; for DELETED, the last state with resourceVersion = revision of the delete. */
  object: KubeObject;
  /** The object before the write (MODIFIED, DELETED). */
  prevObject?: KubeObject;
  /** `object` serialized as JSON, when the backend has it (see StoreEntry.json). */
  json?: string;
}

/**
 * TooLargeResourceVersion: a read asked for a revision the cache has not reached within its wait
 * (Kubernetes answers 504 Timeout with cause ResourceVersionTooLarge); `revision` = the current one.
 */
export type StorageErrorCode =
  | 'KeyExists'
  | 'KeyNotFound'
  | 'Conflict'
  | 'Compacted'
  | 'Unavailable'
  | 'TooLargeResourceVersion';

/** Errors of the storage layer; the API server maps them to Status errors naming the resource. */
export class StorageError extends Error {
  readonly code: StorageErrorCode;
  readonly key: string;
  /** For Compacted: the oldest revision still available. For Conflict: the current revision of the key. */
  readonly revision?: number;
  constructor(code: StorageErrorCode, key: string, message?: string, revision?: number) {
    super(message ?? `${code}: ${key}`);
    this.name = 'StorageError';
    this.code = code;
    this.key = key;
    this.revision = revision;
  }
}

export interface Unsubscribe {
  (): void;
}

export interface Store {
  /**
   * Several store instances (API servers) write the same data (PostgreSQL, etcd): writes reach an
   * instance's watch only after they commit elsewhere, so a cache over it confirms reads against
   * currentRevision() (see WatchCacheOptions.consistentReads). Wrappers pass their inner store's on.
   */
  readonly shared?: boolean;
  get(key: string): Promise<StoreEntry | undefined>;
  /** All live keys under the prefix, sorted by key, with the revision the list was read at. */
  list(prefix: string): Promise<{ items: StoreEntry[]; revision: number }>;
  /** Fails with KeyExists if the key is live. */
  create(key: string, object: KubeObject): Promise<StoreEntry>;
  /**
   * Compare-and-swap: with expectedRevision, fails with Conflict unless the key's modRevision equals it.
   * Without it, an unconditional update. Fails with KeyNotFound if the key is absent.
   */
  update(key: string, object: KubeObject, expectedRevision?: number): Promise<StoreEntry>;
  /** Deletes (optionally CAS) and returns the deleted entry, modRevision = revision of the delete. */
  delete(key: string, expectedRevision?: number): Promise<StoreEntry>;
  /**
   * Calls onEvent, in revision order, for every write under prefix with revision > fromRevision,
   * then for every later write, until unsubscribed. Fails with Compacted if fromRevision is older
   * than the compacted history: thrown synchronously when the backend knows it at once (memory,
   * SQLite, the watch cache), else through onError.
   * Callbacks run synchronously and must not block or throw; history is replayed before watch()
   * returns in the local backends.
   * onError: the watch ended without being unsubscribed (store closed: Unavailable; a remote
   * stream lost or compacted: Unavailable/Compacted). No event follows it.
   * onProgress (optional; remote backends, e.g. etcd's progress notifications): every event under
   * prefix at or below `revision` has been delivered, though the store's counter moved on without
   * one (writes elsewhere in a shared database). Local backends never call it.
   */
  watch(
    prefix: string,
    fromRevision: number,
    onEvent: (ev: StoreEvent) => void,
    onError?: (err: StorageError) => void,
    onProgress?: (revision: number) => void,
  ): Unsubscribe;
  currentRevision(): Promise<number>;
  /** Forgets history at or below revision (watch from there → Compacted). */
  compact(revision: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Storage keys: `/registry/<group|core>/<plural>/<namespace>/<name>` for namespaced kinds and
 * `/registry/<group|core>/<plural>/<name>` for cluster-scoped ones.
 */
export function resourcePrefix(group: string, plural: string): string {
  return `/registry/${group === '' ? 'core' : group}/${plural}/`;
}

export function objectKey(group: string, plural: string, namespace: string | undefined, name: string): string {
  return namespace ? `${resourcePrefix(group, plural)}${namespace}/${name}` : `${resourcePrefix(group, plural)}${name}`;
}

/** Options of a LIST served by the watch cache. */
export interface CacheListOptions {
  /** Serve exactly this revision's snapshot (resourceVersionMatch=Exact, and continue tokens). Expired → Compacted. */
  exactRevision?: number;
  /** Serve a snapshot at least this new (resourceVersionMatch=NotOlderThan / resourceVersion=N). */
  minRevision?: number;
  /** Only items whose key is > afterKey (continue tokens). */
  afterKey?: string;
  /** Max items after filtering; 0/undefined = all. */
  limit?: number;
  /** Label/field selector, applied before limit. */
  filter?: (obj: KubeObject) => boolean;
}

export interface CacheListResult {
  items: KubeObject[];
  /** The snapshot's revision (ListMeta.resourceVersion). */
  revision: number;
  /** Set when limit cut the list: the last returned key (for the continue token). */
  lastKey?: string;
  /** Matching items left after this page, when known (not with a filter, as in Kubernetes). */
  remaining?: number;
  /** The entries behind `items`, index for index (each with `json` for writing the response as is). */
  entries?: StoreEntry[];
}

/**
 * The watch cache: a Store whose reads (get, list, watch) are served from memory — current objects
 * plus a window of recent events per resource prefix — while writes go through to the backend.
 * A watch from a revision older than the window fails with StorageError('Compacted').
 */
export interface WatchCache extends Store {
  /** Starts mirroring the backend (list + watch); resolves once the mirror is current. */
  start(): Promise<void>;
  listPage(prefix: string, opts: CacheListOptions): Promise<CacheListResult>;
  /** The revision the cache has caught up to. */
  cachedRevision(): number;
  /**
   * The revision a BOOKMARK of a watch on prefix may carry beyond the last event it delivered: every
   * event of the prefix up to it has been handed to the watch. cachedRevision() for cached prefixes;
   * for an uncached one on a shared backend (its own backend stream, behind the cache) 0: such a
   * watch bookmarks only the revisions it delivered.
   */
  bookmarkRevision(prefix: string): number;
}
