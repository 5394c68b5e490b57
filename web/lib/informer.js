// List, then watch from the list's resourceVersion, like every Kubernetes client: the cache of one
// resource, kept current by an SSE watch; on 410 Expired it relists, when the server ends the
// stream it resumes from the last resourceVersion seen. Like client-go's reflector, each watch asks
// the server to end it after 5-10 minutes (timeoutSeconds), so a stuck connection never lasts.
import { request, watchSse } from './api.js';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const keyOf = (o) => (o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name);

/**
 * The copy an informer keeps: without metadata.managedFields (often a third of an object), as
 * client-go's informers are told to with SetTransform. Listeners still get the watch event's full
 * object (the timeline reads who wrote it from there). Listed items are trimmed in place.
 */
export function withoutManagedFields(o, inPlace = false) {
  if (!o.metadata?.managedFields) return o;
  if (inPlace) {
    delete o.metadata.managedFields;
    return o;
  }
  const { managedFields, ...metadata } = o.metadata;
  return { ...o, metadata };
}

export class Informer {
  /** path: the collection (all namespaces); kind/apiVersion are set on listed items, which lack them. */
  constructor(path, { kind, apiVersion, timeoutSeconds }, onChange) {
    this.path = path;
    this.timeoutSeconds = timeoutSeconds;
    this.lists = 0;
    this.kind = kind;
    this.apiVersion = apiVersion;
    this.onChange = onChange;
    this.items = new Map();
    /** Counts the lists that replaced items (a cache built from items is stale when it changes). */
    this.generation = 0;
    this.rv = '';
    this.synced = false;
    this.error = null;
    this.listeners = new Set();
    this.ctrl = new AbortController();
  }

  async run() {
    while (!this.ctrl.signal.aborted) {
      try {
        if (!this.rv) await this.list();
        await this.watch();
      } catch (err) {
        if (this.ctrl.signal.aborted) return;
        if (err.status === 410) this.rv = ''; // expired: relist
        else {
          this.error = err;
          this.onChange();
          await sleep(1000);
        }
      }
    }
  }

  stop() {
    this.ctrl.abort();
  }

  async list() {
    this.lists++;
    const items = new Map();
    let cont = '';
    let rv = '';
    do {
      const page = await request('GET', `${this.path}?limit=500${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`);
      for (const o of page.items) {
        o.kind ??= this.kind;
        o.apiVersion ??= this.apiVersion;
        items.set(keyOf(o), withoutManagedFields(o, true));
      }
      cont = page.metadata.continue;
      rv ||= page.metadata.resourceVersion;
    } while (cont);
    this.items = items;
    this.generation++;
    this.rv = rv;
    this.synced = true;
    this.error = null;
    this.onChange();
  }

  watch() {
    const timeout = this.timeoutSeconds ?? 300 + Math.floor(Math.random() * 300);
    const url = `${this.path}?watch=1&allowWatchBookmarks=true&resourceVersion=${this.rv}&timeoutSeconds=${timeout}`;
    return watchSse(url, {
      signal: this.ctrl.signal,
      onOpen: () => {
        this.error = null;
      },
      onEvent: (ev, id) => {
        if (ev.type === 'ERROR') throw Object.assign(new Error(ev.object.message), { status: ev.object.code });
        if (id) this.rv = id;
        if (ev.type === 'BOOKMARK') return;
        const key = keyOf(ev.object);
        const old = this.items.get(key);
        const kept = withoutManagedFields(ev.object);
        if (ev.type === 'DELETED') this.items.delete(key);
        else this.items.set(key, kept);
        for (const l of this.listeners) l(ev, old, kept);
        this.onChange();
      },
    });
  }
}
