// The two request-limiting filters, as pipeline RateLimiters: API Priority and Fairness
// (WithPriorityAndFairness) and, with APF off, the plain max-inflight limit (WithMaxInFlightLimit).
import type { ServerResponse } from 'node:http';
import { tooManyRequests } from '../../api/errors.ts';
import type { RateLimiter, Release, RequestAttributes } from '../pipeline/index.ts';
import type { RequestInfo } from '../routing.ts';
import { flowDistinguisher, type RequestDigest } from './classify.ts';
import type { FlowControl } from './index.ts';

export const TOO_MANY_REQUESTS = 'Too many requests, please try again later.';
export const RETRY_AFTER_SECONDS = 1;
export const FLOW_SCHEMA_UID_HEADER = 'X-Kubernetes-PF-FlowSchema-UID';
export const PRIORITY_LEVEL_UID_HEADER = 'X-Kubernetes-PF-PriorityLevel-UID';

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

export function digestOf(a: RequestAttributes): RequestDigest {
  return { user: a.user, verb: a.info.verb, resource: { apiGroup: a.info.group, resource: a.info.resource, subresource: a.info.subresource, namespace: a.info.namespace } };
}

/** One (priority level, flow schema) pair's metric children: prom-client validates and hashes a label object on every call; a bound child does not. */
interface FlowCounters {
  dispatched: { inc(): void };
  executing: { inc(): void; dec(): void };
  executingSeats: { inc(): void; dec(): void };
  inqueue: { inc(): void; dec(): void };
  waitedExecuted: { observe(v: number): void };
  waitedRejected: { observe(v: number): void };
}

function flowCounters(m: FlowControl['metrics'], level: string, schema: string): FlowCounters {
  const labels = { priority_level: level, flow_schema: schema };
  return {
    dispatched: m.dispatched.labels(labels),
    executing: m.executing.labels(labels),
    executingSeats: m.executingSeats.labels(labels),
    inqueue: m.inqueue.labels(labels),
    waitedExecuted: m.waitDuration.labels({ ...labels, execute: 'true' }),
    waitedRejected: m.waitDuration.labels({ ...labels, execute: 'false' }),
  };
}

export function priorityAndFairness(fc: FlowControl): RateLimiter {
  const m = fc.metrics;
  const counters = new Map<string, FlowCounters>();
  const countersFor = (level: string, schema: string): FlowCounters => {
    const key = `${level}\u0000${schema}`;
    let c = counters.get(key);
    if (!c) {
      if (counters.size > 1000) counters.clear();
      counters.set(key, (c = flowCounters(m, level, schema)));
    }
    return c;
  };
  return {
    name: 'APIPriorityAndFairness',
    async admit(a) {
      const lr = longRunning(a.info, a.req.url);
      if (lr === 'connect') return;
      const d = digestOf(a);
      const { schema, level } = fc.classify(d);
      a.res?.setHeader(FLOW_SCHEMA_UID_HEADER, schema.uid);
      a.res?.setHeader(PRIORITY_LEVEL_UID_HEADER, level.uid);
      const c = countersFor(level.name, schema.name);
      let release: Release;
      if (!level.queues) {
        // exempt: never queued, only counted
        c.dispatched.inc();
        c.executing.inc();
        c.executingSeats.inc();
        release = once(() => {
          c.executing.dec();
          c.executingSeats.dec();
        });
      } else {
        let got = level.queues.admit(schema.name, flowDistinguisher(schema, d), (cancel) => a.res?.once('close', cancel));
        if (got instanceof Promise) {
          c.inqueue.inc();
          got = await got.finally(() => c.inqueue.dec());
        }
        if (!got.admitted) {
          m.rejected.inc({ flow_schema: schema.name, priority_level: level.name, reason: got.reason });
          c.waitedRejected.observe(got.waitedMs / 1000);
          throw tooManyRequests(TOO_MANY_REQUESTS, RETRY_AFTER_SECONDS);
        }
        c.dispatched.inc();
        c.waitedExecuted.observe(got.waitedMs / 1000);
        c.executing.inc();
        c.executingSeats.inc();
        const seat = got.release;
        release = once(() => {
          seat();
          c.executing.dec();
          c.executingSeats.dec();
        });
      }
      if (lr === 'watch' && a.res) releaseOnResponseStart(a.res, release);
      return release;
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
      if ((isMutating ? mutating : readOnly) >= limit) throw tooManyRequests(TOO_MANY_REQUESTS, RETRY_AFTER_SECONDS);
      if (isMutating) mutating++;
      else readOnly++;
      return once(() => (isMutating ? mutating-- : readOnly--));
    },
  };
}
