// Rate limiters, after client-go's flowcontrol and workqueue packages: a token bucket (used by the
// REST client and the workqueue's overall limit), a per-item exponential backoff, and their max.

import { realClock, type Clock } from '../clock/index.ts';

export { realClock, type Clock };

/** What a token bucket reads: now(), and sleep() for take() (the real clock's when absent). */
export type BucketClock = Pick<Clock, 'now'> & Partial<Pick<Clock, 'sleep'>>;

/**
 * Token bucket (golang.org/x/time/rate semantics): `burst` tokens, refilled at `qps` per second.
 * reserve() always succeeds and returns how long the caller must wait for its token (tokens may go
 * negative, so waiters are served in order). qps <= 0 or Infinity = unlimited.
 */
export class TokenBucket {
  readonly qps: number;
  readonly burst: number;
  private tokens: number;
  private last: number;

  constructor(qps: number, burst: number, private readonly clock: BucketClock = realClock) {
    this.qps = qps;
    this.burst = Math.max(1, burst);
    this.tokens = this.burst;
    this.last = clock.now();
  }

  get unlimited(): boolean {
    return !(this.qps > 0) || this.qps === Infinity;
  }

  private refill(now: number): void {
    const elapsed = Math.max(0, now - this.last) / 1000;
    this.tokens = Math.min(this.burst, this.tokens + elapsed * this.qps);
    this.last = now;
  }

  /** Takes a token; returns the delay in ms before it may be used (0 = now). */
  reserve(): number {
    if (this.unlimited) return 0;
    this.refill(this.clock.now());
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.qps) * 1000;
  }

  /** Takes a token only if one is available now. */
  tryTake(): boolean {
    if (this.unlimited) return true;
    this.refill(this.clock.now());
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Waits (on the clock's timers) until a token is available, then takes it. */
  async take(signal?: AbortSignal): Promise<void> {
    const delay = this.reserve();
    if (delay > 0) await (this.clock.sleep ?? realClock.sleep)(delay, signal);
  }
}

/** The workqueue's view of a rate limiter (client-go workqueue.RateLimiter). */
export interface RateLimiter<T> {
  /** How long to wait before this item may be processed again (counts a failure). */
  when(item: T): number;
  /** Stop tracking the item (it succeeded). */
  forget(item: T): void;
  /** How many times the item has been requeued since the last forget. */
  numRequeues(item: T): number;
}

/** Per-item exponential backoff: base * 2^failures, capped (client-go ItemExponentialFailureRateLimiter). */
export class ItemExponentialFailureRateLimiter<T> implements RateLimiter<T> {
  private readonly failures = new Map<T, number>();
  constructor(
    readonly baseDelayMs = 5,
    readonly maxDelayMs = 1000 * 1000,
  ) {}

  when(item: T): number {
    const n = this.failures.get(item) ?? 0;
    this.failures.set(item, n + 1);
    const backoff = this.baseDelayMs * Math.pow(2, n);
    return Math.min(backoff, this.maxDelayMs);
  }
  forget(item: T): void {
    this.failures.delete(item);
  }
  numRequeues(item: T): number {
    return this.failures.get(item) ?? 0;
  }
}

/** An overall token bucket for all items (client-go BucketRateLimiter). */
export class BucketRateLimiter<T> implements RateLimiter<T> {
  constructor(readonly bucket: TokenBucket) {}
  when(_item: T): number {
    return this.bucket.reserve();
  }
  forget(_item: T): void {}
  numRequeues(_item: T): number {
    return 0;
  }
}

/** The worst (longest) delay of several limiters (client-go MaxOfRateLimiter). */
export class MaxOfRateLimiter<T> implements RateLimiter<T> {
  readonly limiters: RateLimiter<T>[];
  constructor(...limiters: RateLimiter<T>[]) {
    this.limiters = limiters;
  }
  when(item: T): number {
    let max = 0;
    for (const l of this.limiters) max = Math.max(max, l.when(item));
    return max;
  }
  forget(item: T): void {
    for (const l of this.limiters) l.forget(item);
  }
  numRequeues(item: T): number {
    let max = 0;
    for (const l of this.limiters) max = Math.max(max, l.numRequeues(item));
    return max;
  }
}

/** client-go DefaultControllerRateLimiter: 5ms..1000s per item, and 10 qps / burst 100 overall. */
export function defaultControllerRateLimiter<T>(clock: BucketClock = realClock): RateLimiter<T> {
  return new MaxOfRateLimiter<T>(
    new ItemExponentialFailureRateLimiter<T>(5, 1000 * 1000),
    new BucketRateLimiter<T>(new TokenBucket(10, 100, clock)),
  );
}

/** Exponential backoff with jitter for reconnect loops (informer watch, leader election retries). */
export class Backoff {
  private current: number;
  constructor(
    readonly initialMs = 200,
    readonly maxMs = 30_000,
    readonly factor = 2,
    readonly jitter = 0.2,
  ) {
    this.current = initialMs;
  }
  next(): number {
    const d = this.current * (1 + Math.random() * this.jitter);
    this.current = Math.min(this.maxMs, this.current * this.factor);
    return Math.min(d, this.maxMs);
  }
  reset(): void {
    this.current = this.initialMs;
  }
}

/** setTimeout as a promise on the real clock; rejects with the signal's reason when aborted. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return realClock.sleep(ms, signal);
}
