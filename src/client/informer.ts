// SharedInformer, after client-go tools/cache: list (paged) then watch from the list's
// resourceVersion; an indexed local cache; handlers fed through per-handler FIFOs; periodic
// resync; reconnect from the last seen resourceVersion; relist on 410 delivering only the
// differences. SharedInformerFactory hands out one informer per resource/options per process.
import type { Registry } from 'prom-client';
import { isStatusError, StatusError } from '../api/errors.ts';
import type { ResourceType } from '../api/resource.ts';
import type { KubeObject, Status, WatchEvent } from '../api/types.ts';
import type { Client, ResourceClient, ResourceRef, WatchStream } from './rest.ts';
import type { Clock, Timer } from '../clock/index.ts';
import { Backoff } from './ratelimit.ts';
import { labelPredicate, type SelectorInput } from './selector.ts';
import { informerMetrics, Tally } from './metrics.ts';
import { DeletedFinalStateUnknown, metaNamespaceKey } from './keys.ts';
import { internStrings } from './intern.ts';

export { DeletedFinalStateUnknown, deletedObject, metaNamespaceKey, splitMetaNamespaceKey } from './keys.ts';

/** Index function: the index values of one object (e.g. [spec.nodeName]). */
export type IndexFunc<T> = (obj: T) => string[];

export const NAMESPACE_INDEX = 'namespace';
export const namespaceIndexFunc: IndexFunc<KubeObject> = (o) => [o.metadata?.namespace ?? ''];

/** The thread-safe store of client-go, single-threaded here: items by key plus secondary indices. */
export class Indexer<T extends KubeObject> {
  private readonly items = new Map<string, T>();
  private readonly indexers = new Map<string, IndexFunc<T>>();
  /** indexName → value → keys */
  private readonly indices = new Map<string, Map<string, Set<string>>>();

  constructor(indexers: Record<string, IndexFunc<T>> = {}) {
    this.addIndexers({ [NAMESPACE_INDEX]: namespaceIndexFunc as IndexFunc<T>, ...indexers });
  }

  /** Adds index functions; existing items are indexed at once. */
  addIndexers(indexers: Record<string, IndexFunc<T>>): void {
    for (const [name, fn] of Object.entries(indexers)) {
      const existing = this.indexers.get(name);
      if (existing) {
        // components sharing an informer may each register the same index (same code)
        if (existing === fn || existing.toString() === fn.toString()) continue;
        throw new Error(`indexer conflict: ${name} is already registered with a different function`);
      }
      this.indexers.set(name, fn);
      const idx = new Map<string, Set<string>>();
      this.indices.set(name, idx);
      for (const [key, obj] of this.items) this.indexOne(name, fn, idx, key, obj);
    }
  }

  private indexOne(_name: string, fn: IndexFunc<T>, idx: Map<string, Set<string>>, key: string, obj: T): void {
    for (const v of fn(obj)) {
      let s = idx.get(v);
      if (!s) idx.set(v, (s = new Set()));
      s.add(key);
    }
  }

  private unindexOne(fn: IndexFunc<T>, idx: Map<string, Set<string>>, key: string, obj: T): void {
    for (const v of fn(obj)) {
      const s = idx.get(v);
      if (!s) continue;
      s.delete(key);
      if (s.size === 0) idx.delete(v);
    }
  }

  /** Adds or replaces. */
  set(key: string, obj: T): void {
    const old = this.items.get(key);
    this.items.set(key, obj);
    for (const [name, fn] of this.indexers) {
      const idx = this.indices.get(name)!;
      if (old) this.unindexOne(fn, idx, key, old);
      this.indexOne(name, fn, idx, key, obj);
    }
  }

  delete(key: string): T | undefined {
    const old = this.items.get(key);
    if (!old) return undefined;
    this.items.delete(key);
    for (const [name, fn] of this.indexers) this.unindexOne(fn, this.indices.get(name)!, key, old);
    return old;
  }

  get(key: string): T | undefined {
    return this.items.get(key);
  }

  has(key: string): boolean {
    return this.items.has(key);
  }

  list(): T[] {
    return [...this.items.values()];
  }

  listKeys(): string[] {
    return [...this.items.keys()];
  }

  get size(): number {
    return this.items.size;
  }

  entries(): IterableIterator<[string, T]> {
    return this.items.entries();
  }

  /** Objects whose index function returned `value`. */
  byIndex(indexName: string, value: string): T[] {
    const idx = this.indices.get(indexName);
    if (!idx) throw new Error(`index with name ${indexName} does not exist`);
    const keys = idx.get(value);
    if (!keys) return [];
    const out: T[] = [];
    for (const k of keys) out.push(this.items.get(k)!);
    return out;
  }

  /** Calls fn with each object whose index function returned `value` (byIndex without the array). */
  forEachByIndex(indexName: string, value: string, fn: (obj: T) => void): void {
    const idx = this.indices.get(indexName);
    if (!idx) throw new Error(`index with name ${indexName} does not exist`);
    const keys = idx.get(value);
    if (keys) for (const k of keys) fn(this.items.get(k)!);
  }

  /** Every object, in insertion order (list() without the copy). */
  values(): IterableIterator<T> {
    return this.items.values();
  }

  indexKeys(indexName: string, value: string): string[] {
    const idx = this.indices.get(indexName);
    if (!idx) throw new Error(`index with name ${indexName} does not exist`);
    return [...(idx.get(value) ?? [])];
  }

  /** The values an index currently holds. */
  listIndexFuncValues(indexName: string): string[] {
    return [...(this.indices.get(indexName)?.keys() ?? [])];
  }
}

/** Read access to an informer's cache (client-go listers). */
export class Lister<T extends KubeObject> {
  constructor(private readonly indexer: Indexer<T>) {}

  /** One object; namespace '' or undefined for cluster-scoped kinds. */
  get(namespace: string | undefined, name: string): T | undefined {
    return this.indexer.get(namespace ? `${namespace}/${name}` : name);
  }

  /** Objects matching the label selector, in one namespace if given. */
  list(selector?: SelectorInput, namespace?: string): T[] {
    const match = labelPredicate(selector);
    if (selector === undefined) return namespace !== undefined ? this.indexer.byIndex(NAMESPACE_INDEX, namespace) : this.indexer.list();
    // One pass, one array: only the matches are copied out.
    const out: T[] = [];
    const add = (o: T) => {
      if (match(o.metadata?.labels)) out.push(o);
    };
    if (namespace !== undefined) this.indexer.forEachByIndex(NAMESPACE_INDEX, namespace, add);
    else for (const o of this.indexer.values()) add(o);
    return out;
  }
}

export interface ResourceEventHandler<T> {
  /** isInInitialList: delivered from the first list (or the synthetic adds of a late handler). */
  onAdd?(obj: T, isInInitialList: boolean): void;
  /** On resync, old === new (same resourceVersion). */
  onUpdate?(oldObj: T, newObj: T): void;
  onDelete?(obj: T | DeletedFinalStateUnknown<T>): void;
}

export interface HandlerRegistration {
  remove(): void;
  /** True once the informer synced and this handler has been handed every initial object. */
  hasSynced(): boolean;
}

export interface InformerLogger {
  debug?(o: object, msg?: string): void;
  info?(o: object, msg?: string): void;
  warn(o: object, msg?: string): void;
  error(o: object, msg?: string): void;
}

export interface InformerOptions<T extends KubeObject = KubeObject> {
  /** Only this namespace (default: all). */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Default resync period for handlers added without one, ms (0 = none, the default). */
  resyncPeriodMs?: number;
  /** Page size of the (re)list (default 500, 0 = unpaged). */
  pageSize?: number;
  indexers?: Record<string, IndexFunc<T>>;
  /** Watch timeoutSeconds: a random value in [min, 2*min) (client-go: 5 min). */
  minWatchTimeoutSeconds?: number;
  /** Backoff after errors (ms). */
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  logger?: InformerLogger;
  metricsRegistry?: Registry;
  /** Resync and retry timers (default: the client's clock). */
  clock?: Clock;
  /**
   * Applied to every listed or watched object before it is cached and handed to handlers
   * (client-go's SetTransform), e.g. stripManagedFields: the cache then holds only what it keeps.
   */
  transform?: (obj: T) => T;
  /**
   * Keep one copy of the strings cached objects repeat (images, toleration keys, owner names...;
   * see intern.ts): less memory per cached object for a little CPU per event. Default off.
   */
  internStrings?: boolean;
}

/**
 * Drops metadata.managedFields (as kube-controller-manager's informer factory does with WithTransform):
 * components never read them, and they are often a third of a pod's size; an update sent without
 * them leaves the stored ones as they are.
 */
export function stripManagedFields<T extends KubeObject>(obj: T): T {
  const meta = obj.metadata;
  if (!meta || meta.managedFields === undefined) return obj;
  if (Object.isFrozen(obj)) return strippedFrozen(obj);
  const { managedFields: _drop, ...rest } = meta;
  return { ...obj, metadata: rest };
}

/**
 * A frozen object (the store's own, handed over by an in-process watch) stripped once for every
 * informer that gets it, frozen too: its members are the frozen object's, shared.
 */
const stripped = new WeakMap<object, object>();

function strippedFrozen<T extends KubeObject>(obj: T): T {
  let out = stripped.get(obj) as T | undefined;
  if (out === undefined) {
    const { managedFields: _drop, ...rest } = obj.metadata;
    stripped.set(obj, (out = Object.freeze({ ...obj, metadata: Object.freeze(rest) })));
  }
  return out;
}

/** Interning rewrites an object in place: not one the store shares (frozen; it is one copy already). */
function intern<T>(obj: T, old?: T): void {
  if (!Object.isFrozen(obj)) internStrings(obj, old);
}

type Notification<T> =
  | { kind: 'add'; obj: T; initial: boolean }
  | { kind: 'update'; old: T; obj: T }
  | { kind: 'delete'; obj: T | DeletedFinalStateUnknown<T> }
  | { kind: 'synced' };

const DRAIN_BATCH = 2000;

/** One handler and its FIFO of pending notifications (client-go processorListener). */
class Listener<T extends KubeObject> {
  pending: Notification<T>[] = [];
  head = 0;
  scheduled = false;
  synced = false;
  removed = false;
  nextResync: number;
  private release: () => void = () => {};
  constructor(
    readonly handler: ResourceEventHandler<T>,
    readonly resyncMs: number,
    private readonly onError: (e: unknown) => void,
    private readonly clock: Clock,
  ) {
    this.nextResync = clock.now() + resyncMs;
  }

  push(n: Notification<T>): void {
    if (this.removed) return;
    this.pending.push(n);
    if (!this.scheduled) {
      this.scheduled = true;
      // Undelivered notifications are work in progress (virtual time waits for them).
      this.release = this.clock.hold();
      setImmediate(this.drainNow);
    }
  }

  /** drain() as one function for the listener's life (not a closure a batch). */
  private readonly drainNow = (): void => this.drain();

  private drain(): void {
    const end = Math.min(this.pending.length, this.head + DRAIN_BATCH);
    for (; this.head < end && !this.removed; this.head++) {
      const n = this.pending[this.head];
      try {
        switch (n.kind) {
          case 'add':
            this.handler.onAdd?.(n.obj, n.initial);
            break;
          case 'update':
            this.handler.onUpdate?.(n.old, n.obj);
            break;
          case 'delete':
            this.handler.onDelete?.(n.obj);
            break;
          case 'synced':
            this.synced = true;
            break;
        }
      } catch (e) {
        this.onError(e);
      }
    }
    if (this.head >= this.pending.length || this.removed) {
      this.pending = [];
      this.head = 0;
      this.scheduled = false;
      this.release();
    } else {
      if (this.head > 10_000) {
        this.pending = this.pending.slice(this.head);
        this.head = 0;
      }
      setImmediate(this.drainNow);
    }
  }

  /** Notifications not yet delivered. */
  backlog(): number {
    return this.pending.length - this.head;
  }
}

class ExpiredError extends Error {}

/** Informs handlers about one resource (optionally one namespace / selector) from list+watch. */
export class SharedInformer<T extends KubeObject = KubeObject> {
  readonly indexer: Indexer<T>;
  readonly lister: Lister<T>;
  readonly resource: ResourceClient<T>;
  private readonly listeners = new Set<Listener<T>>();
  private lastRV = '';
  private synced = false;
  private started = false;
  private stopped = false;
  private readonly abort = new AbortController();
  private currentWatch?: WatchStream<T>;
  private watchOpened = false;
  private relistReason: 'expired' | 'stalled' = 'expired';
  private loop?: Promise<void>;
  private resyncTimer?: Timer;
  private syncWaiters: (() => void)[] = [];
  private readonly backoff: Backoff;
  private readonly log?: InformerLogger;
  private readonly metrics: ReturnType<typeof informerMetrics>;
  /** informer_events_total of this informer, by event type. */
  private readonly eventCounts: Tally;
  private readonly resName: string;
  private readonly clock: Clock;

  constructor(
    client: Client,
    rt: ResourceType | ResourceRef,
    readonly options: InformerOptions<T> = {},
  ) {
    this.resource = client.resource<T>(rt);
    this.clock = options.clock ?? client.clock;
    this.indexer = new Indexer<T>(options.indexers);
    this.lister = new Lister<T>(this.indexer);
    this.backoff = new Backoff(options.backoffInitialMs ?? 200, options.backoffMaxMs ?? 30_000);
    this.log = options.logger;
    this.metrics = informerMetrics(options.metricsRegistry);
    this.resName = rt.group ? `${rt.plural}.${rt.group}` : rt.plural;
    this.eventCounts = new Tally(this.metrics.events, { resource: this.resName }, 'type');
  }

  /**
   * Adds a handler. Before sync it sees the initial list as adds; after start it first gets synthetic
   * adds for every cached object. resyncPeriodMs (default: the informer's) re-delivers every cached
   * object as onUpdate(obj, obj) periodically.
   */
  addEventHandler(handler: ResourceEventHandler<T>, resyncPeriodMs?: number): HandlerRegistration {
    const l = new Listener<T>(handler, resyncPeriodMs ?? this.options.resyncPeriodMs ?? 0, (e) =>
      this.log ? this.log.error({ err: e, resource: this.resName }, 'informer handler threw') : console.error('informer handler threw', e),
      this.clock,
    );
    this.listeners.add(l);
    if (this.synced) {
      for (const obj of this.indexer.list()) l.push({ kind: 'add', obj, initial: true });
      l.push({ kind: 'synced' });
    }
    this.scheduleResync();
    return {
      remove: () => {
        l.removed = true;
        this.listeners.delete(l);
        this.scheduleResync();
      },
      hasSynced: () => l.synced,
    };
  }

  /** Adds index functions (allowed before or after start). */
  addIndexers(indexers: Record<string, IndexFunc<T>>): void {
    this.indexer.addIndexers(indexers);
  }

  /** Starts list+watch in the background (idempotent). */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.loop = this.run();
  }

  /** Stops watching; cached objects stay readable. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.abort.abort();
    this.currentWatch?.close();
    if (this.resyncTimer) this.clock.clearInterval(this.resyncTimer);
    for (const w of this.syncWaiters.splice(0)) w();
    await this.loop;
    this.eventCounts.close();
  }

  /** The cache holds a complete list (the first list was applied). */
  hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves true once synced, false if the signal aborts or the informer stops first. */
  waitForCacheSync(signal?: AbortSignal): Promise<boolean> {
    if (this.synced) return Promise.resolve(true);
    if (this.stopped || signal?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const onAbort = () => resolve(false);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.syncWaiters.push(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve(this.synced);
      });
    });
  }

  /** The resourceVersion the cache reflects. */
  lastSyncResourceVersion(): string {
    return this.lastRV;
  }

  /** Notifications queued for handlers but not yet delivered (all handlers). */
  pendingNotifications(): number {
    let n = 0;
    for (const l of this.listeners) n += l.backlog();
    return n;
  }

  private distribute(n: Notification<T>): void {
    for (const l of this.listeners) l.push(n);
  }

  private async run(): Promise<void> {
    let needList = true;
    // Watches the server accepted that end without moving lastRV (e.g. a server that cuts a watcher
    // whose replay is too large, every time): after a few in a row, relist instead of resuming from
    // the same version forever (client-go relists after a "very short watch" too).
    let noProgress = 0;
    const STALLED_AFTER = 5;
    while (!this.stopped) {
      const rvBefore = this.lastRV;
      this.watchOpened = false;
      try {
        if (needList) {
          await this.listAndReplace();
          needList = false;
          noProgress = 0;
        }
        await this.watchOnce();
        noProgress = this.lastRV === rvBefore ? noProgress + 1 : 0;
        if (noProgress >= STALLED_AFTER) {
          this.relistFor('stalled');
          needList = true;
        }
      } catch (e) {
        if (this.stopped) break;
        if (e instanceof ExpiredError || isStatusError(e, 410)) {
          // 410 during the watch (or an expired continue token during the list): relist now
          if (!needList) this.relistFor('expired');
          needList = true;
          continue;
        }
        if (!needList && this.watchOpened) {
          noProgress = this.lastRV === rvBefore ? noProgress + 1 : 0;
          if (noProgress >= STALLED_AFTER) {
            this.relistFor('stalled');
            needList = true;
          }
        }
        const delay = this.backoff.next();
        this.log?.warn({ resource: this.resName, err: String(e), delayMs: Math.round(delay) }, 'list/watch failed; retrying');
        try {
          await this.clock.sleep(delay, this.abort.signal);
        } catch {
          break;
        }
      }
    }
  }

  private relistFor(reason: 'expired' | 'stalled'): void {
    this.relistReason = reason;
    if (reason === 'expired') this.log?.info?.({ resource: this.resName, rv: this.lastRV }, 'watch expired; relisting');
    else this.log?.warn({ resource: this.resName, rv: this.lastRV }, 'watches make no progress; relisting');
  }

  private listQuery() {
    return {
      namespace: this.options.namespace,
      labelSelector: this.options.labelSelector,
      fieldSelector: this.options.fieldSelector,
      signal: this.abort.signal,
    };
  }

  /** Paged list of everything; a continue token that expired mid-way falls back to one unpaged list. */
  private async listAll(): Promise<{ items: T[]; rv: string }> {
    const limit = this.options.pageSize ?? 500;
    const items: T[] = [];
    let page = await this.resource.list({ ...this.listQuery(), limit: limit || undefined });
    const rv = page.metadata?.resourceVersion ?? '';
    items.push(...page.items);
    while (page.metadata?.continue) {
      try {
        page = await this.resource.list({ ...this.listQuery(), limit, continue: page.metadata.continue });
      } catch (e) {
        if (!isStatusError(e, 410)) throw e;
        const all = await this.resource.list(this.listQuery());
        return { items: all.items, rv: all.metadata?.resourceVersion ?? '' };
      }
      items.push(...page.items);
    }
    return { items, rv };
  }

  /** Lists and replaces the cache, delivering the differences (adds, updates, deletes) as events. */
  private async listAndReplace(): Promise<void> {
    const { items, rv } = await this.listAll();
    if (this.stopped) return;
    const initial = !this.synced;
    this.metrics.relists.inc({ resource: this.resName, reason: initial ? 'initial' : this.relistReason });
    const fresh = new Map<string, T>();
    const transform = this.options.transform;
    for (const o of items) fresh.set(metaNamespaceKey(o), transform ? transform(o) : o);
    for (const [key, old] of [...this.indexer.entries()]) {
      if (!fresh.has(key)) {
        this.indexer.delete(key);
        this.distribute({ kind: 'delete', obj: new DeletedFinalStateUnknown(key, old) });
      }
    }
    const internOn = this.options.internStrings;
    for (const [key, obj] of fresh) {
      const old = this.indexer.get(key);
      if (!old) {
        if (internOn) intern(obj);
        this.indexer.set(key, obj);
        this.distribute({ kind: 'add', obj, initial });
      } else if (old.metadata.resourceVersion !== obj.metadata.resourceVersion) {
        if (internOn) intern(obj, old);
        this.indexer.set(key, obj);
        this.distribute({ kind: 'update', old, obj });
      }
    }
    this.lastRV = rv;
    if (initial) {
      this.synced = true;
      this.distribute({ kind: 'synced' });
      for (const w of this.syncWaiters.splice(0)) w();
    }
  }

  private async watchOnce(): Promise<void> {
    const min = this.options.minWatchTimeoutSeconds ?? 300;
    const w = await this.resource.watch({
      ...this.listQuery(),
      resourceVersion: this.lastRV,
      allowWatchBookmarks: true,
      timeoutSeconds: Math.floor(min * (1 + Math.random())),
    });
    this.currentWatch = w;
    this.watchOpened = true;
    if (this.stopped) w.close();
    let events = 0;
    /** One event into the cache; false = stop reading (the informer stopped). */
    const onEvent = (ev: WatchEvent<T | Status>): boolean => {
      if (this.stopped) return false;
      events++;
      if (events === 1) this.backoff.reset();
      this.eventCounts.add(ev.type);
      if (ev.type === 'ERROR') {
        const s = ev.object as Status;
        if (s.code === 410) throw new ExpiredError(s.message ?? 'expired');
        throw StatusError.fromStatus(s);
      }
      const obj = ev.object as T;
      const rv = obj.metadata?.resourceVersion;
      if (ev.type === 'BOOKMARK') {
        if (rv) this.lastRV = rv;
        return true;
      }
      this.apply(ev.type, this.options.transform ? this.options.transform(obj) : obj);
      if (rv) this.lastRV = rv;
      return true;
    };
    try {
      for await (const ev of w) if (!onEvent(ev)) break;
    } finally {
      w.close();
      this.currentWatch = undefined;
    }
    if (!this.stopped) this.metrics.watchRestarts.inc({ resource: this.resName });
  }

  /** One watch event into the cache and out to the handlers; repeats of what the cache has are dropped. */
  private apply(type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: T): void {
    const key = metaNamespaceKey(obj);
    const old = this.indexer.get(key);
    if (type === 'DELETED') {
      if (!old) return;
      this.indexer.delete(key);
      this.distribute({ kind: 'delete', obj });
      return;
    }
    if (old && old.metadata.resourceVersion === obj.metadata.resourceVersion) return;
    if (this.options.internStrings) intern(obj, old);
    this.indexer.set(key, obj);
    if (old) this.distribute({ kind: 'update', old, obj });
    else this.distribute({ kind: 'add', obj, initial: false });
  }

  private scheduleResync(): void {
    if (this.resyncTimer) this.clock.clearInterval(this.resyncTimer);
    this.resyncTimer = undefined;
    if (this.stopped) return;
    let min = Infinity;
    for (const l of this.listeners) if (l.resyncMs > 0) min = Math.min(min, l.resyncMs);
    if (min === Infinity) return;
    this.resyncTimer = this.clock.setInterval(() => this.resync(), Math.max(50, Math.min(min, 1000)));
    this.resyncTimer.unref?.();
  }

  private resync(): void {
    if (!this.synced) return;
    const now = this.clock.now();
    for (const l of this.listeners) {
      if (l.resyncMs <= 0 || now < l.nextResync) continue;
      l.nextResync = now + l.resyncMs;
      for (const obj of this.indexer.list()) l.push({ kind: 'update', old: obj, obj });
    }
  }
}

function informerKey(rt: ResourceType | ResourceRef, o: InformerOptions<any>): string {
  return [rt.group, rt.version, rt.plural, o.namespace ?? '', o.labelSelector ?? '', o.fieldSelector ?? ''].join('|');
}

export interface FactoryOptions {
  /** Default resync for informers made by this factory, ms (0 = none). */
  defaultResyncMs?: number;
  /** Restrict every informer to one namespace. */
  namespace?: string;
  logger?: InformerLogger;
  metricsRegistry?: Registry;
  pageSize?: number;
  /** Default: the client's clock. */
  clock?: Clock;
  /** Default transform of every informer made by this factory (client-go's WithTransform). */
  transform?: (obj: KubeObject) => KubeObject;
  /** Default internStrings of every informer made by this factory. */
  internStrings?: boolean;
}

/** One informer per resource (and namespace/selector) per process, shared by every controller. */
export class SharedInformerFactory {
  private readonly informers = new Map<string, SharedInformer<any>>();
  private started = false;

  constructor(
    readonly client: Client,
    readonly options: FactoryOptions = {},
  ) {}

  /**
   * The informer for a resource; created on first request (and started at once if the factory
   * already started). Indexers passed here are added to the shared informer.
   */
  informerFor<T extends KubeObject = KubeObject>(rt: ResourceType | ResourceRef, opts: InformerOptions<T> = {}): SharedInformer<T> {
    const merged: InformerOptions<T> = {
      namespace: this.options.namespace,
      resyncPeriodMs: this.options.defaultResyncMs,
      logger: this.options.logger,
      metricsRegistry: this.options.metricsRegistry,
      pageSize: this.options.pageSize,
      clock: this.options.clock,
      transform: this.options.transform as InformerOptions<T>['transform'],
      internStrings: this.options.internStrings,
      ...opts,
    };
    const key = informerKey(rt, merged);
    let inf = this.informers.get(key) as SharedInformer<T> | undefined;
    if (!inf) {
      inf = new SharedInformer<T>(this.client, rt, { ...merged, indexers: undefined });
      this.informers.set(key, inf);
      if (this.started) inf.start();
    }
    if (opts.indexers) inf.addIndexers(opts.indexers);
    return inf;
  }

  /** Starts every informer made so far (and, from now on, each new one). */
  start(): void {
    this.started = true;
    for (const i of this.informers.values()) i.start();
  }

  /** Waits until every informer synced; false if the signal aborted first. */
  async waitForCacheSync(signal?: AbortSignal): Promise<boolean> {
    if (signal?.aborted) return false;
    // One abort listener for the whole wait (not one per informer: a signal shared by many
    // informers would trip Node's MaxListenersExceededWarning), removed when the wait ends.
    let onAbort = () => {};
    const aborted = new Promise<boolean>((resolve) => {
      onAbort = () => resolve(false);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    try {
      const synced = Promise.all([...this.informers.values()].map((i) => i.waitForCacheSync())).then((r) => r.every(Boolean));
      return await Promise.race([synced, aborted]);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  async shutdown(): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.stop()));
  }
}

/** Waits for several informers (or handler registrations) to sync. */
export async function waitForCacheSync(signal: AbortSignal | undefined, ...syncs: { hasSynced(): boolean }[]): Promise<boolean> {
  while (!syncs.every((s) => s.hasSynced())) {
    if (signal?.aborted) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}
