// The sample-controller loop shared by every controller: informer handlers only enqueue keys;
// `workers` loops take a key, run the controller's sync(key), and requeue it with rate-limited
// back-off on error (or after the delay sync asks for).
import type { Clock } from '../clock/index.ts';
import type { Controller } from './context.ts';
import type { Registry } from 'prom-client';
import { Counter, Histogram } from 'prom-client';
import { RateLimitingQueue } from '../client/index.ts';
import { isStatusError } from '../api/errors.ts';
import { silentLogger, type Logger } from '../log/index.ts';

/** What a sync may ask for: come back after some time (e.g. minReadySeconds, a progress deadline). */
export interface SyncResult {
  requeueAfterMs?: number;
}

export interface ControllerLoopOptions {
  name: string;
  sync: (key: string) => Promise<SyncResult | void>;
  logger?: Logger;
  metricsRegistry?: Registry;
  /** Retries before a failing key is dropped (until its next event or resync). */
  maxRetries?: number;
  /** The workqueue's delays and back-off (default real time; controllers pass their client's). */
  clock?: Clock;
}

const metricsByRegistry = new WeakMap<object, { syncs: Counter<string>; duration: Histogram<string> }>();
const defaultKey = {};

function loopMetrics(reg?: Registry) {
  const k = reg ?? defaultKey;
  let m = metricsByRegistry.get(k);
  if (!m) {
    const registers = reg ? [reg] : undefined;
    m = {
      syncs: new Counter({ name: 'kubesim_controller_syncs_total', help: 'Reconciles per controller and result', labelNames: ['controller', 'result'], registers }),
      duration: new Histogram({ name: 'kubesim_controller_sync_duration_seconds', help: 'Reconcile duration per controller', labelNames: ['controller'], buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5], registers }),
    };
    metricsByRegistry.set(k, m);
  }
  return m;
}

export class ControllerLoop {
  readonly queue: RateLimitingQueue<string>;
  private readonly logger: Logger;
  private readonly metrics: ReturnType<typeof loopMetrics>;
  private running: Promise<void>[] = [];

  constructor(readonly opts: ControllerLoopOptions) {
    this.queue = new RateLimitingQueue<string>({ name: opts.name, metricsRegistry: opts.metricsRegistry, clock: opts.clock });
    this.logger = opts.logger ?? silentLogger;
    this.metrics = loopMetrics(opts.metricsRegistry);
  }

  enqueue(key: string): void {
    this.queue.add(key);
  }

  enqueueAfter(key: string, ms: number): void {
    this.queue.addAfter(key, ms);
  }

  /** Starts `workers` concurrent loops; they end when stop() shuts the queue down. */
  run(workers: number): void {
    for (let i = 0; i < Math.max(1, workers); i++) this.running.push(this.worker());
  }

  private async worker(): Promise<void> {
    for (;;) {
      const next = await this.queue.get();
      if (next.shutdown) return;
      const key = next.item;
      const end = this.metrics.duration.startTimer({ controller: this.opts.name });
      try {
        const r = await this.opts.sync(key);
        this.queue.forget(key);
        if (r?.requeueAfterMs !== undefined) this.queue.addAfter(key, r.requeueAfterMs);
        this.metrics.syncs.inc({ controller: this.opts.name, result: 'success' });
      } catch (e) {
        this.metrics.syncs.inc({ controller: this.opts.name, result: 'error' });
        const retries = this.queue.numRequeues(key);
        if (isStatusError(e, 409)) {
          // A conflict only means our cache was behind: look again shortly, without growing back-off.
          this.queue.addAfter(key, 20);
        } else if (retries < (this.opts.maxRetries ?? 15)) {
          this.logger.debug({ controller: this.opts.name, key, err: String(e), retries }, 'sync failed; requeueing');
          this.queue.addRateLimited(key);
        } else {
          this.logger.warn({ controller: this.opts.name, key, err: String(e) }, 'dropping key after repeated failures');
          this.queue.forget(key);
        }
      } finally {
        end();
        this.queue.done(key);
      }
    }
  }

  async stop(): Promise<void> {
    this.queue.shutDown();
    await Promise.allSettled(this.running);
    this.running = [];
  }
}

/**
 * A controller that is one ControllerLoop: run starts its workers, stop drains them. Subclasses
 * build `loop` in their constructor and add their informer handlers.
 */
export abstract class LoopController implements Controller {
  abstract readonly name: string;
  protected abstract readonly loop: ControllerLoop;

  run(workers: number): void {
    this.loop.run(workers);
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }
}
