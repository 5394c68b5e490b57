// The two request-limiting filters, as pipeline RateLimiters: API Priority and Fairness
// (WithPriorityAndFairness) and, with APF off, the plain max-inflight limit (WithMaxInFlightLimit).
import { ServerResponse } from 'node:http';
import { tooManyRequests } from '../../api/errors.ts';
import type { RateLimiter, Release } from '../pipeline/index.ts';
import type { RequestInfo } from '../routing.ts';
import { distinguisherFor, type CompiledSchema } from './classify.ts';
import type { FlowControl, LevelState } from './index.ts';
import type { FlowMetrics, HistogramChild } from './metrics.ts';
import type { Admission, QueueSet, SeatToken } from './queueset.ts';

export const TOO_MANY_REQUESTS = 'Too many requests, please try again later.';
export const RETRY_AFTER_SECONDS = 1;
export const FLOW_SCHEMA_UID_HEADER = 'X-Kubernetes-PF-FlowSchema-UID';
export const PRIORITY_LEVEL_UID_HEADER = 'X-Kubernetes-PF-PriorityLevel-UID';

/** Every rejection is the same 429 Status: built once (an Error captures a stack trace when made). */
const REJECTION = tooManyRequests(TOO_MANY_REQUESTS, RETRY_AFTER_SECONDS);

const CONNECT_SUBRESOURCES = new Set(['exec', 'attach', 'portforward', 'proxy']);
const READ_ONLY_VERBS = new Set(['get', 'list', 'watch']);

/**
 * Long-running requests: a watch holds its seat only until its answer starts; a connection
 * (exec/attach/port-forward/proxy, logs with follow=true) bypasses the limits, as in Kubernetes.
 */
export function longRunning(info: RequestInfo, url: string | undefined): 'watch' | 'connect' | undefined {
  if (info.verb === 'watch') return 'watch';
  if (info.subresource && CONNECT_SUBRESOURCES.has(info.subresource)) return 'connect';
  if (info.subresource === 'log' && /[?&]follow=(true|1)(&|$)/.test(url ?? '')) return 'connect';
  return undefined;
}

function once(f: () => void): Release {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    f();
  };
}

/** Calls release when the answer's headers go out (a watch's seat is for its start only). */
function releaseOnResponseStart(res: ServerResponse, release: Release): void {
  const writeHead = res.writeHead;
  res.writeHead = function (this: ServerResponse, ...args: unknown[]) {
    res.writeHead = writeHead;
    release();
    return (writeHead as (...a: unknown[]) => ServerResponse).apply(this, args);
  } as ServerResponse['writeHead'];
}

interface Pair {
  level: LevelState;
  c: FlowCounters;
  writeHead: ServerResponse['writeHead'];
}

const PLAIN_WRITE_HEAD = ServerResponse.prototype.writeHead as (this: ServerResponse, statusCode: number, reason?: unknown, headers?: unknown) => ServerResponse;

/** The headers of a writeHead call with the two APF headers added (a copy: callers may pass shared objects). */
export function withUidHeaders(headers: unknown, schemaUid: string, levelUid: string): unknown {
  if (headers === undefined || headers === null) return { [FLOW_SCHEMA_UID_HEADER]: schemaUid, [PRIORITY_LEVEL_UID_HEADER]: levelUid };
  if (Array.isArray(headers)) {
    // [[name, value], ...] or [name, value, name, value, ...]
    if (headers.length > 0 && Array.isArray(headers[0])) return [...headers, [FLOW_SCHEMA_UID_HEADER, schemaUid], [PRIORITY_LEVEL_UID_HEADER, levelUid]];
    return [...headers, FLOW_SCHEMA_UID_HEADER, schemaUid, PRIORITY_LEVEL_UID_HEADER, levelUid];
  }
  // A copy by hand: V8 takes a slow runtime path for a spread followed by computed keys (~2 µs).
  const out: Record<string, unknown> = {};
  const given = headers as Record<string, unknown>;
  for (const k in given) if (Object.hasOwn(given, k)) out[k] = given[k];
  out[FLOW_SCHEMA_UID_HEADER] = schemaUid;
  out[PRIORITY_LEVEL_UID_HEADER] = levelUid;
  return out;
}

/**
 * ServerResponse.writeHead that sends the APF headers too, built once per (schema, level): no
 * setHeader per request (each validates, lowercases, and sends writeHead down its slow path).
 */
function writeHeadWithUids(schemaUid: string, levelUid: string): ServerResponse['writeHead'] {
  return function (this: ServerResponse, statusCode: number, reason?: unknown, headers?: unknown) {
    if (typeof reason === 'string') return PLAIN_WRITE_HEAD.call(this, statusCode, reason, withUidHeaders(headers, schemaUid, levelUid));
    return PLAIN_WRITE_HEAD.call(this, statusCode, withUidHeaders(reason ?? headers, schemaUid, levelUid));
  } as ServerResponse['writeHead'];
}

/**
 * One (priority level, flow schema) pair's counts. What changes on every request (dispatched,
 * executing) is a plain number, handed to prom-client when the metrics are read (FlowMetrics.flush):
 * prom-client validates and hashes the labels on every call, even through a bound child.
 */
class FlowCounters {
  dispatched = 0;
  executing = 0;
  private flushedDispatched = 0;
  /** Rejections by reason, and how many of them prom-client has seen. */
  readonly rejected = new Map<string, { n: number; flushed: number }>();
  readonly inqueue: { inc(): void; dec(): void };
  readonly waitedExecuted: HistogramChild;
  readonly waitedRejected: HistogramChild;
  private readonly labels: { priority_level: string; flow_schema: string };

  constructor(m: FlowMetrics, level: string, schema: string) {
    this.labels = { priority_level: level, flow_schema: schema };
    this.inqueue = m.inqueue.labels(this.labels);
    this.waitedExecuted = m.waitDuration.labels({ ...this.labels, execute: 'true' });
    this.waitedRejected = m.waitDuration.labels({ ...this.labels, execute: 'false' });
  }

  flush(m: FlowMetrics): void {
    m.executing.set(this.labels, this.executing);
    // every request takes one seat
    m.executingSeats.set(this.labels, this.executing);
    if (this.dispatched !== this.flushedDispatched) {
      m.dispatched.inc(this.labels, this.dispatched - this.flushedDispatched);
      this.flushedDispatched = this.dispatched;
    }
    for (const [reason, r] of this.rejected) {
      if (r.n === r.flushed) continue;
      m.rejected.inc({ flow_schema: this.labels.flow_schema, priority_level: this.labels.priority_level, reason }, r.n - r.flushed);
      r.flushed = r.n;
    }
  }
}

/** Counts one more executing request; the release gives its seat back (once). */
function executing(c: FlowCounters, seat: Release | undefined): Release {
  c.dispatched++;
  c.executing++;
  let done = false;
  return () => {
    if (done) return;
    done = true;
    seat?.();
    c.executing--;
  };
}

/** executing() for a seat of QueueSet.tryStart: one closure gives back both. */
function seated(c: FlowCounters, qs: QueueSet, seat: SeatToken): Release {
  c.dispatched++;
  c.executing++;
  let done = false;
  return () => {
    if (done) return;
    done = true;
    qs.finish(seat);
    c.executing--;
  };
}

function rejected(c: FlowCounters, got: { reason: string; waitedMs: number }): never {
  const r = c.rejected.get(got.reason);
  if (r) r.n++;
  else c.rejected.set(got.reason, { n: 1, flushed: 0 });
  c.waitedRejected.observe(got.waitedMs / 1000);
  throw REJECTION;
}

/** A queued level's answer as the filter's: the seat's release, or a 429. */
function admitted(c: FlowCounters, got: Admission, watchRes: ServerResponse | undefined): Release {
  if (!got.admitted) return rejected(c, got);
  c.waitedExecuted.observe(got.waitedMs / 1000);
  return started(executing(c, got.release), watchRes);
}

function started(release: Release, watchRes: ServerResponse | undefined): Release {
  if (watchRes) releaseOnResponseStart(watchRes, release);
  return release;
}

export function priorityAndFairness(fc: FlowControl): RateLimiter {
  const m = fc.metrics;
  const counters = new Map<string, FlowCounters>();
  m.flush.add(() => {
    for (const c of counters.values()) c.flush(m);
  });
  // Compiled schemas and level states live until the configuration changes: their pair's counts and
  // header writer, without a key.
  const bySchema = new WeakMap<CompiledSchema, Pair>();
  const pairOf = (level: LevelState, schema: CompiledSchema): Pair => {
    const hit = bySchema.get(schema);
    if (hit && hit.level === level) return hit;
    const key = `${level.name}\u0000${schema.name}`;
    let c = counters.get(key);
    if (!c) counters.set(key, (c = new FlowCounters(m, level.name, schema.name)));
    const pair = { level, c, writeHead: writeHeadWithUids(schema.uid, level.uid) };
    bySchema.set(schema, pair);
    return pair;
  };
  return {
    name: 'APIPriorityAndFairness',
    // Synchronous unless the request has to wait in a queue: a free seat is taken at once.
    admit(a) {
      const lr = longRunning(a.info, a.req.url);
      if (lr === 'connect') return;
      const { schema, level } = fc.classifyRequest(a.user, a.info);
      const pair = pairOf(level, schema);
      const res = a.res;
      if (res) {
        // The UIDs go with every answer: added by writeHead when nobody else wrapped it (one copy of
        // the headers the answer writes), else set here.
        if ((res.writeHead as unknown) === PLAIN_WRITE_HEAD) res.writeHead = pair.writeHead;
        else {
          res.setHeader(FLOW_SCHEMA_UID_HEADER, schema.uid);
          res.setHeader(PRIORITY_LEVEL_UID_HEADER, level.uid);
        }
      }
      const c = pair.c;
      const watchRes = lr === 'watch' ? a.res : undefined;
      // exempt: never queued, only counted
      const qs = level.queues;
      if (!qs) return started(executing(c, undefined), watchRes);
      const flow = distinguisherFor(schema, a.user.username, a.info.namespace);
      // A free seat and nobody waiting: taken at once, without a promise; it waited no time at all.
      const seat = qs.tryStart(schema.name, flow);
      if (seat !== false) {
        c.waitedExecuted.observe(0);
        return started(seated(c, qs, seat), watchRes);
      }
      const got = qs.admit(schema.name, flow, res ? (cancel) => res.once('close', cancel) : undefined);
      if (!(got instanceof Promise)) return admitted(c, got, watchRes);
      c.inqueue.inc();
      return got.then((g) => {
        c.inqueue.dec();
        return admitted(c, g, watchRes);
      });
    },
  };
}

/**
 * The max-inflight filter (APF off): read-only requests (get, list, watch) count against
 * maxRequestsInflight, the rest against maxMutatingRequestsInflight; 0 = no limit. Long-running
 * requests and system:masters are not limited, as in Kubernetes.
 */
export function maxInFlight(maxRequestsInflight: number, maxMutatingRequestsInflight: number): RateLimiter & { inFlight(): { readOnly: number; mutating: number } } {
  let readOnly = 0;
  let mutating = 0;
  return {
    name: 'MaxInFlightLimit',
    inFlight: () => ({ readOnly, mutating }),
    admit({ user, info, req }) {
      if (longRunning(info, req.url)) return;
      if (user.groups.includes('system:masters')) return;
      const isMutating = !READ_ONLY_VERBS.has(info.verb);
      const limit = isMutating ? maxMutatingRequestsInflight : maxRequestsInflight;
      if (limit <= 0) return;
      if ((isMutating ? mutating : readOnly) >= limit) throw REJECTION;
      if (isMutating) mutating++;
      else readOnly++;
      return once(() => (isMutating ? mutating-- : readOnly--));
    },
  };
}
