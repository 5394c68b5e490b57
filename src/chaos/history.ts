// The history a chaos run records: every request a recorder client made (invocation and response
// times on the client's clock, and its outcome) and every watch event each watcher saw, session by
// session. The checkers (lost-writes.ts, linearizability.ts, watch.ts) are pure functions over it.

/** What a request did, as far as the client can tell. */
export type Outcome =
  /** 2xx: the request took effect (a read returned `value`). */
  | 'ok'
  /** A definite refusal that changed nothing (409 Conflict, 404, 422 ...). */
  | 'fail'
  /** No answer, a cut connection, or a 5xx: it may or may not have taken effect. */
  | 'unknown';

export type OpKind = 'create' | 'update' | 'cas' | 'read' | 'delete';

/**
 * One request on one object (`key`, e.g. `namespace/name`).
 * Values are opaque strings; a recorder writes a unique value per write, so a compare-and-set on
 * the resourceVersion it read is a compare-and-set on the value it read.
 */
export interface Operation {
  id: number;
  client: string;
  key: string;
  kind: OpKind;
  /** Client clock (ms) when the request was sent. */
  start: number;
  /** Client clock (ms) when the response arrived; undefined = never answered. */
  end?: number;
  /** The value written (create, update, cas). */
  value?: string;
  /** cas: the value the write expects to replace (the one read with the resourceVersion it sends). */
  expected?: string;
  outcome: Outcome;
  /** HTTP status, when answered. */
  status?: number;
  /** read: the value seen (undefined = not found). */
  read?: string;
  /** The resourceVersion the server answered with (writes: of the new state; delete: of the delete). */
  resourceVersion?: string;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';

export interface SeenEvent {
  type: WatchEventType;
  /** Object key (`namespace/name`); empty for bookmarks. */
  key: string;
  resourceVersion: string;
  /** Client clock (ms) when the event arrived. */
  at: number;
}

/** One watch request of a watcher: from a resourceVersion until it ended. */
export interface WatchSession {
  /** The resourceVersion the watch asked to start after ('' or '0' = from now / from a list). */
  from: string;
  events: SeenEvent[];
  /** How the session ended: 410 Gone (expired), closed (by either side or an error), still open. */
  end: 'gone' | 'closed' | 'open';
  /** After a 410: the list the watcher made before watching again (as a reflector relists). */
  relist?: Relist;
}

/** A list of the watcher's objects: its resourceVersion and each object's key and resourceVersion. */
export interface Relist {
  resourceVersion: string;
  items: { key: string; resourceVersion: string }[];
}

/** A watcher: a sequence of sessions over the keys starting with `prefix`. */
export interface WatcherHistory {
  name: string;
  /** Keys this watcher covers (startsWith); '' = all. */
  prefix: string;
  sessions: WatchSession[];
  /** The watcher waited until it saw the final revision: events its last session misses count as dropped. */
  caughtUp?: boolean;
}

/** An event of the authoritative order (the store's revision order, read after the run). */
export interface ReferenceEvent {
  type: Exclude<WatchEventType, 'BOOKMARK'>;
  key: string;
  resourceVersion: string;
}

export interface History {
  operations: Operation[];
  watchers: WatcherHistory[];
}

/** resourceVersions as numbers (kubesim's are store revisions); NaN when not numeric. */
export function rv(v: string | undefined): number {
  return v === undefined || v === '' ? NaN : Number(v);
}

/** Records a history as it happens; the clock is injectable for tests. */
export class HistoryRecorder {
  readonly operations: Operation[] = [];
  readonly watchers: WatcherHistory[] = [];
  private nextId = 1;
  constructor(private readonly now: () => number = () => performance.now()) {}

  /** A request about to be sent; complete it with `done`. Until then its outcome is unknown. */
  invoke(client: string, key: string, kind: OpKind, input: { value?: string; expected?: string } = {}): Operation {
    const op: Operation = { id: this.nextId++, client, key, kind, start: this.now(), outcome: 'unknown', ...input };
    this.operations.push(op);
    return op;
  }

  /** The answer of a request (status undefined = none: timeout, reset). */
  done(op: Operation, status: number | undefined, result: { read?: string; resourceVersion?: string } = {}): void {
    op.end = this.now();
    op.status = status;
    op.outcome = outcomeOf(status);
    Object.assign(op, result);
  }

  watcher(name: string, prefix = ''): WatcherHistory {
    const w: WatcherHistory = { name, prefix, sessions: [] };
    this.watchers.push(w);
    return w;
  }

  session(w: WatcherHistory, from: string): WatchSession {
    const s: WatchSession = { from, events: [], end: 'open' };
    w.sessions.push(s);
    return s;
  }

  relisted(s: WatchSession, relist: Relist): void {
    s.relist = relist;
  }

  event(s: WatchSession, type: WatchEventType, key: string, resourceVersion: string): void {
    s.events.push({ type, key, resourceVersion, at: this.now() });
  }

  history(): History {
    return { operations: this.operations, watchers: this.watchers };
  }
}

/** 2xx ok; 5xx or no answer unknown; any other status a definite failure. */
export function outcomeOf(status: number | undefined): Outcome {
  if (status === undefined || status >= 500) return 'unknown';
  return status >= 200 && status < 300 ? 'ok' : 'fail';
}
