// An informer-style cache for admission plugins: mirrors the objects under one store prefix (list,
// then watch from the list's revision) and keeps each compiled once, so a request never reads the
// store for them. With the watch cache as the store, events arrive synchronously in the write path:
// a configuration written is in effect for the next request.
import type { Logger } from 'pino';
import type { KubeObject } from '../../api/types.ts';
import type { Store, Unsubscribe } from '../../storage/interface.ts';

export class PrefixInformer<T> {
  private readonly byKey = new Map<string, T>();
  private sorted: T[] | undefined = [];
  private unwatch: Unsubscribe | undefined;
  private synced = false;
  private changes = 0;

  constructor(
    private readonly store: Store,
    private readonly prefix: string,
    /** Turns a stored object into what the plugin works with; a throw leaves the object out (logged). */
    private readonly compile: (obj: KubeObject) => T,
    private readonly logger?: Logger,
  ) {}

  async start(): Promise<void> {
    if (this.unwatch) return;
    const { items, revision } = await this.store.list(this.prefix);
    for (const e of items) this.put(e.key, e.object);
    this.unwatch = this.store.watch(
      this.prefix,
      revision,
      (ev) => (ev.type === 'DELETED' ? this.remove(ev.key) : this.put(ev.key, ev.object)),
      (err) => {
        this.logger?.warn({ err, prefix: this.prefix }, 'admission informer stopped');
        this.unwatch = undefined;
      },
    );
    this.synced = true;
  }

  stop(): void {
    this.unwatch?.();
    this.unwatch = undefined;
  }

  /** Counts every change of the contents (caches of decisions over them start over when it moves). */
  get revision(): number {
    return this.changes;
  }

  hasSynced(): boolean {
    return this.synced;
  }

  /** Every compiled object, in key (= name) order. */
  list(): readonly T[] {
    this.sorted ??= [...this.byKey.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([, v]) => v);
    return this.sorted;
  }

  private put(key: string, obj: KubeObject): void {
    try {
      this.byKey.set(key, this.compile(obj));
    } catch (err) {
      this.logger?.warn({ err, key }, 'admission informer: object left out');
      this.byKey.delete(key);
    }
    this.sorted = undefined;
    this.changes++;
  }

  private remove(key: string): void {
    this.byKey.delete(key);
    this.sorted = undefined;
    this.changes++;
  }
}
