// Request timeouts (kube-apiserver's --request-timeout, WithRequestDeadline + WithTimeoutForNonLongRunningRequests):
// a request that is not long-running gets 504 `Timeout: request did not complete within the allotted
// timeout` once its deadline passes, and whatever its handler writes afterwards is dropped. The
// client's ?timeout= (a Go duration) shortens the deadline, never lengthens it; a malformed one is 400.
import type { ServerResponse } from 'node:http';
import { StatusError } from '../api/errors.ts';
import { parseGoDuration } from '../api/core/cron.ts';
import type { ResourceType } from '../api/resource.ts';
import type { RequestInfo } from './routing.ts';
import { ownSubresource } from './rest/storage.ts';

/** Kubernetes' default --request-timeout. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;

/**
 * Kubernetes' long-running check, without naming kinds: a watch, a connect-style subresource (its
 * storage serves every verb: exec, attach, portforward, proxy), or a subresource the kind's storage
 * declares streaming (`rest.longRunning`: pods/log).
 */
export function isLongRunning(info: Pick<RequestInfo, 'verb' | 'subresource'>, rt: ResourceType | undefined): boolean {
  if (info.verb === 'watch') return true;
  if (!info.subresource || !rt) return false;
  const handlers = ownSubresource(rt, info.subresource);
  return handlers !== undefined && (handlers['*'] !== undefined || (rt.rest?.longRunning?.includes(info.subresource) ?? false));
}

export function timeoutError(): StatusError {
  return new StatusError(504, 'Timeout', 'Timeout: request did not complete within the allotted timeout', {});
}

/** The request's deadline in ms: the server's, or the client's ?timeout= when shorter. Throws 400 for a malformed one. */
export function requestDeadlineMs(query: URLSearchParams | undefined, serverMs: number): number {
  const value = query?.get('timeout');
  if (!value) return serverMs;
  const negative = value.startsWith('-');
  const ms = parseGoDuration(value.replace(/^[-+]/, ''));
  if (ms === undefined) throw new StatusError(400, 'BadRequest', `invalid timeout specified in the request URL - ${goDurationError(value)}`);
  return !negative && ms > 0 && ms < serverMs ? ms : serverMs;
}

/** Go's time.ParseDuration error text for a malformed value. */
function goDurationError(value: string): string {
  const q = JSON.stringify(value);
  const m = /^[-+]?(\d+(?:\.\d*)?|\.\d+)([^\d.]*)/.exec(value);
  if (m && m[2] === '' && m[0] === value) return `time: missing unit in duration ${q}`;
  if (m && m[2] !== '' && !/^(ns|us|µs|μs|ms|s|m|h)/.test(m[2])) return `time: unknown unit ${JSON.stringify(m[2])} in duration ${q}`;
  return `time: invalid duration ${q}`;
}

/**
 * Arms the deadline of a resource request unless it is long-running (or an upgraded connection);
 * onTimeout answers 504. Throws 400 for a malformed ?timeout=.
 */
export function armRequestTimeout(res: ServerResponse, info: RequestInfo, rt: ResourceType | undefined, query: URLSearchParams | undefined, serverMs: number | undefined, upgraded: boolean, onTimeout: () => void): void {
  if (!serverMs || upgraded || isLongRunning(info, rt)) return;
  startDeadline(res, requestDeadlineMs(query, serverMs), onTimeout);
}

/**
 * Starts the deadline of one answer: at expiry, onTimeout answers (when nothing was written yet) and
 * the response is sealed so the handler's late writes go nowhere; a response already streaming is
 * cut (Kubernetes aborts the connection). Returns `cancel` and whether the deadline hit.
 * Deadlines are checked by one sweep every SWEEP_MS while any is pending (no timer or listeners per
 * request: an answered response is dropped at the next sweep), so one fires up to SWEEP_MS late.
 */
export function startDeadline(res: ServerResponse, ms: number, onTimeout: () => void): { cancel(): void; readonly expired: boolean } {
  const d = new Deadline(res, Date.now() + ms, onTimeout);
  pending.push(d);
  if (!sweeper) {
    sweeper = setInterval(sweep, SWEEP_MS);
    sweeper.unref();
  }
  return d;
}

const SWEEP_MS = 100;
const pending: Deadline[] = [];
let sweeper: ReturnType<typeof setInterval> | undefined;

class Deadline {
  expired = false;
  private cancelled = false;
  constructor(
    private readonly res: ServerResponse,
    readonly at: number,
    private readonly onTimeout: () => void,
  ) {}

  cancel(): void {
    this.cancelled = true;
  }

  /** Answered, cut or cancelled: nothing left to time out. */
  get settled(): boolean {
    return this.cancelled || this.res.writableFinished || this.res.destroyed;
  }

  expire(): void {
    this.expired = true;
    if (this.res.headersSent) {
      seal(this.res);
      this.res.destroy();
      return;
    }
    this.onTimeout();
    seal(this.res);
  }
}

function sweep(): void {
  const now = Date.now();
  let kept = 0;
  for (let i = 0; i < pending.length; i++) {
    const d = pending[i];
    if (d.settled) continue;
    if (d.at <= now) {
      d.expire();
      continue;
    }
    pending[kept++] = d;
  }
  pending.length = kept;
  if (kept === 0 && sweeper) {
    clearInterval(sweeper);
    sweeper = undefined;
  }
}

/** Turns every later write on res into a no-op. */
function seal(res: ServerResponse): void {
  const r = res as unknown as Record<string, unknown>;
  const self = () => res;
  r.writeHead = self;
  r.setHeader = self;
  r.appendHeader = self;
  r.removeHeader = () => undefined;
  r.flushHeaders = () => undefined;
  r.write = (_chunk: unknown, enc?: unknown, cb?: unknown) => {
    const done = typeof enc === 'function' ? enc : cb;
    if (typeof done === 'function') queueMicrotask(() => (done as () => void)());
    return true;
  };
  r.end = (chunk?: unknown, enc?: unknown, cb?: unknown) => {
    const done = [chunk, enc, cb].find((x) => typeof x === 'function');
    if (done) queueMicrotask(() => (done as () => void)());
    return res;
  };
}
