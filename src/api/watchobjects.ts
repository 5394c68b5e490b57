// The object channel of an in-process watch: the API server hands the store's frozen object to a
// client in the same process instead of a JSON line the client would parse straight back. Only
// between the lean in-process exchange (src/client/lean.ts) and the watch handler
// (src/apiserver/rest/watch.ts); over HTTP, and to any reader that did not claim the channel,
// every event is its JSON line as before.
//
// An event travels as a token: an empty Buffer standing for it, so it keeps its place among the
// text the watch writes (bookmarks, errors) through the response's ordinary write(), cork and all.
import type { KubeObject, WatchEvent } from './types.ts';

/**
 * On a response: true while its reader takes event objects (the server may then write tokens).
 * On a streaming body: the method its reader calls to claim the channel (see WatchObjectSink).
 */
export const WATCH_OBJECTS: unique symbol = Symbol('kubesim.watchObjects');

/** What a reader that claimed the channel is given: each chunk (text or token, see tokenEvent) in order, then the end. */
export interface WatchObjectSink {
  put(chunk: Buffer | string): void;
  end(): void;
}

interface Carried {
  event: WatchEvent<KubeObject>;
  /** The event's JSON line, for a reader that did not claim the channel (made on demand). */
  line: () => Buffer;
}

/** The event a token carries, under a key of its own (a property: no WeakMap entry for the GC to track per event). */
const CARRIED: unique symbol = Symbol('kubesim.watchEvent');
type Token = Buffer & { [CARRIED]?: Carried };

/** Tokens are empty views of one buffer: a new ArrayBuffer per event would cost ~10x more (and GC). */
const NOTHING = Buffer.alloc(0);

/** A token for an event (frozen: every reader of it gets the same event object). */
export function eventToken(event: WatchEvent<KubeObject>, line: () => Buffer): Buffer {
  const token: Token = NOTHING.subarray(0, 0);
  token[CARRIED] = { event: Object.freeze(event), line };
  return token;
}

/** The event a chunk stands for, or undefined for text. */
export function tokenEvent(chunk: Buffer | string): WatchEvent<KubeObject> | undefined {
  return typeof chunk === 'string' ? undefined : (chunk as Token)[CARRIED]?.event;
}

/** The chunk as text: a token becomes its event's JSON line. */
export function tokenText(chunk: Buffer | string): Buffer | string {
  if (typeof chunk === 'string') return chunk;
  const c = (chunk as Token)[CARRIED];
  return c ? c.line() : chunk;
}
