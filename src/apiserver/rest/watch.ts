// WATCH: a chunked stream of `{"type":...,"object":...}` lines, exactly as Kubernetes sends them.
// Events come synchronously from the watch cache; each watcher filters them with its selectors
// (an object that stops matching is DELETED for that watcher) and writes to its socket buffer —
// never blocking the writer. Replay of history is paced by the socket ('drain'); a watcher whose
// live output grows past the limit is cut off (it resumes from its last resourceVersion).
import type { KubeObject } from '../../api/types.ts';
import { StorageError, type StoreEntry, type StoreEvent, type Unsubscribe } from '../../storage/interface.ts';
import { selectorFilter } from '../filter.ts';
import { boolParam, intParam, parseResourceVersion, tooOldResourceVersion } from '../listopts.ts';
import { statusOf } from '../respond.ts';
import { negotiateOutput, partialObject } from '../negotiate.ts';
import { toTable } from '../table.ts';
import { remoteConversion, toServed } from './convert.ts';
import { includeObjectOf } from './read.ts';
import { eventToken, WATCH_OBJECTS } from '../../api/watchobjects.ts';
import { IdentityRing } from '../../api/core/identityring.ts';
import { apiVersionOfRt, changesOnTheWayOut, mapStorageError, prefixOf, wireObject, type Scope } from './scope.ts';

type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';
/** The stored object's event or entry, read for its JSON only when a line is made (the store may make it on demand). */
type StoredText = Pick<StoreEntry, 'json'> | undefined;

/**
 * One encoded line per (event, type, served version), shared by every watcher of that event (as
 * Kubernetes' cachingObject serializes once per encoding): plain watchers share the stored JSON,
 * watchers of a converted version (e.g. autoscaling/v1 over v2 storage) share one conversion. A
 * watcher in process that takes event objects shares one token instead (api/watchobjects.ts): the
 * line is then made only if some watcher reads text, once.
 */
/**
 * The encodings of the last events, by identity: a store delivers an event to its watchers one
 * after another, so their emits meet it together (a WeakMap entry per event cost more than the
 * lookups). An event met again after four others (a replay's queued events) gets encodings of its
 * own: the same bytes, made again.
 */
const lineCache = new IdentityRing<object, SharedLine>(4);

/** The encodings of one event: usually one (every watcher sends the same type in the same version). */
interface SharedLine {
  type: EventType;
  variant: string;
  line: Buffer | undefined;
  token: Buffer | undefined;
  next: SharedLine | undefined;
}

function sharedLine(ev: StoreEvent, type: EventType, variant: string): SharedLine {
  const first = lineCache.get(ev);
  for (let l = first; l; l = l.next) if (l.type === type && l.variant === variant) return l;
  const l: SharedLine = { type, variant, line: undefined, token: undefined, next: first };
  lineCache.set(ev, l);
  return l;
}

function lineOf(l: SharedLine, json: () => string): Buffer {
  return (l.line ??= watchLine(l.type, json()));
}

/** The token of a stored object's event: the object itself, frozen as the store keeps it. */
function tokenOf(l: SharedLine, stored: KubeObject, text: StoredText): Buffer {
  return (l.token ??= eventToken({ type: l.type, object: stored }, () => lineOf(l, () => text?.json ?? JSON.stringify(stored))));
}

const LINE_HEADS: Record<EventType, Buffer> = {
  ADDED: Buffer.from('{"type":"ADDED","object":'),
  MODIFIED: Buffer.from('{"type":"MODIFIED","object":'),
  DELETED: Buffer.from('{"type":"DELETED","object":'),
};

/** `{"type":TYPE,"object":JSON}\n` as bytes, the object's JSON encoded straight into them (no joined string first). */
function watchLine(type: EventType, json: string): Buffer {
  const head = LINE_HEADS[type];
  const end = head.length + Buffer.byteLength(json);
  const b = Buffer.allocUnsafe(end + 2);
  head.copy(b, 0);
  b.write(json, head.length);
  b[end] = 0x7d; // }
  b[end + 1] = 0x0a; // \n
  return b;
}

/** The SSE frame of a shared line (its resourceVersion is the line's object's), built once. */
const sseCache = new WeakMap<Buffer, string>();

function sharedSseFrame(line: Buffer, resourceVersion: string | undefined): string {
  let f = sseCache.get(line);
  if (f === undefined) sseCache.set(line, (f = sseFrame(line, resourceVersion)));
  return f;
}

/** The object a DELETED sent for "stopped matching" carries: the old state at the event's revision. */
function atRevision(obj: KubeObject, revision: number): KubeObject {
  return { ...obj, metadata: { ...obj.metadata, resourceVersion: String(revision) } };
}

/** The type of an encoded watch line (every line starts `{"type":"<TYPE>"`). */
function typeOfLine(text: string): string | undefined {
  return /^\{"type":"([A-Z]+)"/.exec(text)?.[1];
}

/**
 * One watch line as an SSE message: `id: <resourceVersion>` (the browser sends it back as
 * Last-Event-ID when it reconnects), `data: <the watch event as JSON>` and `event: <type>` (for
 * EventSource.addEventListener; SSE takes a message's fields in any order). An ERROR carries no id:
 * resuming must not skip past it.
 */
export function sseFrame(line: Buffer | string, resourceVersion?: string): string {
  const text = (typeof line === 'string' ? line : line.toString('utf8')).replace(/\n$/, '');
  const type = typeOfLine(text);
  const id = type !== 'ERROR' && resourceVersion ? `id: ${resourceVersion}\n` : '';
  return `${id}data: ${text}\n${type ? `event: ${type}\n` : ''}\n`;
}

/** The SSE comment that keeps an idle stream open through proxies; EventSource ignores it. */
export const SSE_KEEPALIVE = ': keepalive\n\n';

/**
 * The resourceVersion a watch starts from. For an SSE stream, a Last-Event-ID is the browser
 * reconnecting after the events up to it, so it wins over the URL's (original) resourceVersion.
 */
export function startVersion(query: URLSearchParams | undefined, sse: boolean, lastEventId: string | string[] | undefined): string | undefined {
  if (sse && typeof lastEventId === 'string' && lastEventId !== '') return lastEventId;
  return query?.get('resourceVersion') ?? undefined;
}

export async function handleWatch(s: Scope): Promise<number> {
  const { core, rt, query, res, req } = s;
  const filter = selectorFilter(rt, query, s.info.name);
  // Server-sent events for browsers (EventSource): same events, SSE framing, resumable with Last-Event-ID.
  const sse = /text\/event-stream/.test(req.headers.accept ?? '');
  const rv = parseResourceVersion(startVersion(query, sse, req.headers['last-event-id']));
  const bookmarks = boolParam(query, 'allowWatchBookmarks') === true;
  const sendInitialEvents = boolParam(query, 'sendInitialEvents') === true;
  const timeoutParam = intParam(query, 'timeoutSeconds');
  const timeoutSeconds = timeoutParam !== undefined ? Math.max(0, timeoutParam) : core.watch.defaultTimeoutSeconds;
  // A watch's events are single objects: as=PartialObjectMetadataList cannot apply to them and,
  // as in Kubernetes, leaves them whole.
  const target = negotiateOutput(req.headers.accept);
  const table = target.as === 'Table';
  const partial = target.as === 'PartialObjectMetadata' ? target.version : undefined;
  const includeObject = includeObjectOf(query);
  const prefix = prefixOf(rt, s.info.namespace);
  const store = core.store;

  res.writeHead(200, { 'Content-Type': sse ? 'text/event-stream' : 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();

  let closed = false;
  let unsubscribe: Unsubscribe | undefined;
  let lastRevision = 0;
  const timers: NodeJS.Timeout[] = [];
  const resource = rt.plural;
  core.metrics.watchers.inc({ resource });
  const finish = () => {
    if (closed) return;
    closed = true;
    unsubscribe?.();
    for (const t of timers) clearTimeout(t), clearInterval(t);
    core.longRunning.delete(finish);
    core.metrics.watchers.dec({ resource });
    if (!res.writableEnded) res.end();
  };
  core.longRunning.add(finish);
  // the response's 'close' = the client went away (or we ended the stream)
  res.on('close', finish);

  // Events of one event-loop turn (a group commit, several requests' writes) leave in one writev:
  // cork at the first, uncork once the turn's I/O callbacks are done.
  let corked = false;
  const uncork = () => {
    corked = false;
    if (!closed) res.uncork();
  };
  const cut = () => {
    core.logger.warn({ resource, buffered: res.writableLength + liveQueued }, 'watcher too slow, closing');
    closed = true;
    unsubscribe?.();
    for (const t of timers) clearTimeout(t), clearInterval(t);
    core.longRunning.delete(finish);
    core.metrics.watchers.dec({ resource });
    res.destroy();
  };
  // Replay (history and initial state) is written at the socket's pace: once the socket pushes back,
  // chunks wait in `pending` and go out on 'drain'. Only live output counts against the limit, so a
  // client resuming from an old resourceVersion always gets through its history.
  let replaying = true;
  let waiting = false;
  const pending: { chunk: Buffer | string; live: boolean }[] = [];
  let pendingHead = 0;
  let liveQueued = 0;
  const sizeOf = (c: Buffer | string) => (typeof c === 'string' ? Buffer.byteLength(c) : c.length);
  const pump = () => {
    while (!closed && pendingHead < pending.length) {
      const { chunk, live } = pending[pendingHead];
      pending[pendingHead++] = undefined as never;
      if (live) liveQueued -= sizeOf(chunk);
      if (!res.write(chunk)) return; // more on the next 'drain'
    }
    waiting = false;
    pending.length = 0;
    pendingHead = 0;
  };
  res.on('drain', pump);
  const write = (chunk: Buffer | string, resourceVersion?: string, shared = false) => {
    if (closed) return;
    const framed = !sse ? chunk : shared ? sharedSseFrame(chunk as Buffer, resourceVersion) : sseFrame(chunk, resourceVersion);
    if (waiting) {
      pending.push({ chunk: framed, live: !replaying });
      if (!replaying) {
        liveQueued += sizeOf(framed);
        if (res.writableLength + liveQueued > core.watch.maxBufferedBytes) cut();
      }
      return;
    }
    if (!corked) {
      corked = true;
      res.cork();
      setImmediate(uncork);
    }
    const ok = res.write(framed);
    if (replaying) {
      if (!ok) waiting = true; // queue what follows until the socket drains
    } else if (res.writableLength > core.watch.maxBufferedBytes) {
      // Too far behind: stop buffering; the client resumes from its last resourceVersion.
      cut();
    }
  };

  // metadata-only watches (the garbage collector's) need no conversion: metadata is the same in every version
  const remote = remoteConversion(rt) !== undefined && !partial;
  const transform = changesOnTheWayOut(rt) && !(partial && remoteConversion(rt));
  const variant = transform ? `${rt.group}/${rt.version}/${rt.plural}` : '';
  // The reader takes event objects (in process, lean exchange): asked at each event, as it claims
  // the channel once it has the response. Only for objects sent as stored (no conversion or decoding).
  const objects = !sse && !transform && WATCH_OBJECTS in res;
  const emit = (ev: StoreEvent | undefined, type: EventType, stored: KubeObject, text: StoredText) => {
    if (ev && !table && !partial && !remote) {
      // Live events: one serialization (and conversion) per event, type and served version.
      const shared = sharedLine(ev, type, variant);
      // (frozen, as the store hands out its objects: a reader can share it with every other one)
      if (objects && Object.isFrozen(stored) && (res as unknown as Record<typeof WATCH_OBJECTS, boolean>)[WATCH_OBJECTS] === true) return write(tokenOf(shared, stored, text));
      const line = lineOf(shared, () => (transform ? JSON.stringify(wireObject(rt, stored)) : (text?.json ?? JSON.stringify(stored))));
      write(line, stored.metadata?.resourceVersion, true);
      return;
    }
    const obj = transform ? wireObject(rt, stored) : stored;
    const json = transform ? undefined : text?.json;
    const version = obj.metadata?.resourceVersion;
    if (table) {
      write(JSON.stringify({ type, object: toTable(rt, [obj], { includeObject, listMeta: { resourceVersion: obj.metadata.resourceVersion } }) }) + '\n', version);
    } else if (partial) {
      write(JSON.stringify({ type, object: partialObject(obj, partial) }) + '\n', version);
    } else {
      write(`{"type":"${type}","object":${json ?? JSON.stringify(obj)}}\n`, version);
    }
  };

  // A conversion webhook: each event's object is converted before it leaves (the initial state in
  // one batch), one after another so the order stays; a failed conversion ends the watch with an ERROR.
  let converted: Promise<void> = Promise.resolve();
  const inOrder = (objs: KubeObject[], then: (served: KubeObject[]) => void) => {
    if (!remote) return then(objs);
    converted = converted.then(async () => {
      if (closed) return;
      let served: KubeObject[];
      try {
        served = await toServed(rt, objs);
      } catch (err) {
        if (closed) return;
        write(JSON.stringify({ type: 'ERROR', object: statusOf(err) }) + '\n');
        return finish();
      }
      if (!closed) then(served);
    });
  };
  const send = (ev: StoreEvent | undefined, type: EventType, stored: KubeObject, text: StoredText) => {
    if (remote) inOrder([stored], ([obj]) => emit(undefined, type, obj, undefined));
    else emit(ev, type, stored, text);
  };

  const bookmark = (revision: number, annotations?: Record<string, string>) => {
    const metadata: Record<string, unknown> = { resourceVersion: String(revision) };
    if (annotations) metadata.annotations = annotations;
    const object = partial ? { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${partial}`, metadata } : { kind: rt.kind, apiVersion: apiVersionOfRt(rt), metadata };
    write(JSON.stringify({ type: 'BOOKMARK', object }) + '\n', String(revision));
  };

  const onEvent = (ev: StoreEvent) => {
    if (closed) return;
    lastRevision = ev.revision;
    if (!filter) {
      send(ev, ev.type, ev.object, ev);
      return;
    }
    const now = filter(ev.object);
    const before = ev.prevObject ? filter(ev.prevObject) : false;
    if (ev.type === 'ADDED') {
      if (now) send(ev, 'ADDED', ev.object, ev);
    } else if (ev.type === 'DELETED') {
      if (before || now) send(ev, 'DELETED', ev.object, ev);
    } else if (now && before) send(ev, 'MODIFIED', ev.object, ev);
    else if (now) send(ev, 'ADDED', ev.object, ev);
    else if (before) send(undefined, 'DELETED', atRevision(ev.prevObject!, ev.revision), undefined);
  };

  try {
    let from: number;
    if (rv === undefined || rv === 0 || sendInitialEvents) {
      // Start from the current state: a synthetic ADDED per object, then everything after it.
      const page = await store.listPage(prefix, filter ? { filter, minRevision: rv === undefined ? store.cachedRevision() : undefined } : {});
      if (remote) inOrder(page.items, (objs) => objs.forEach((o) => emit(undefined, 'ADDED', o, undefined)));
      else for (let i = 0; i < page.items.length; i++) send(undefined, 'ADDED', page.items[i], page.entries?.[i]);
      from = page.revision;
      const end = from;
      if (sendInitialEvents && bookmarks) inOrder([], () => bookmark(end, { 'k8s.io/initial-events-end': 'true' }));
    } else {
      from = rv;
    }
    lastRevision = from;
    if (closed) return 200;
    // The store ended the watch (a remote backend's stream lost or compacted, a cache resync): an
    // ERROR for a compacted history (the client relists), else the stream ends (it watches again).
    const onError = (err: StorageError) => {
      if (closed) return;
      if (err.code === 'Compacted') write(JSON.stringify({ type: 'ERROR', object: statusOf(tooOldResourceVersion(lastRevision, err.revision ?? 0)) }) + '\n');
      finish();
    };
    unsubscribe = store.watch(prefix, from, onEvent, onError);
    replaying = false;
  } catch (err) {
    if (err instanceof StorageError && err.code === 'Compacted') {
      const oldest = err.revision ?? 0;
      write(JSON.stringify({ type: 'ERROR', object: statusOf(tooOldResourceVersion(rv ?? 0, oldest)) }) + '\n');
    } else {
      write(JSON.stringify({ type: 'ERROR', object: statusOf(mapStorageError(err, rt, '')) }) + '\n');
    }
    finish();
    return 200;
  }
  if (closed) {
    unsubscribe?.();
    return 200;
  }
  if (timeoutSeconds > 0) {
    const t = setTimeout(finish, timeoutSeconds * 1000);
    t.unref();
    timers.push(t);
  }
  if (bookmarks) {
    const t = setInterval(() => {
      const revision = Math.max(lastRevision, store.bookmarkRevision(prefix));
      inOrder([], () => bookmark(revision));
    }, core.watch.bookmarkIntervalMs);
    t.unref();
    timers.push(t);
  }
  if (sse) {
    // A comment line on an idle stream, so proxies and browsers keep it open; only while nothing is queued.
    const t = setInterval(() => {
      if (!closed && !waiting) res.write(SSE_KEEPALIVE);
    }, core.watch.keepaliveMs ?? 15_000);
    t.unref();
    timers.push(t);
  }
  return 200;
}
