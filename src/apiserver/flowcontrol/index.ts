// API Priority and Fairness (flowcontrol.apiserver.k8s.io/v1) and the max-inflight limit.
//   bootstrap.ts  Kubernetes' default FlowSchemas / PriorityLevelConfigurations, kept by the controller
//   config.ts     the configuration controller: store mirror, bootstrap upkeep, Dangling conditions
//   classify.ts   FlowSchema matching and flow distinguishers (pure)
//   limits.ts     server concurrency limit → per-level seats by nominal shares (pure)
//   shuffle.ts    shuffle sharding: a flow's hand of queues (pure)
//   queueset.ts   one level's seats, queues, fair dispatch, wait limit
//   filter.ts     the pipeline RateLimiters (APF; max-inflight when APF is off)
//   metrics.ts    apiserver_flowcontrol_* metrics
// startFlowControl() wires them for startApiServer().
import type { Logger } from 'pino';
import type client from 'prom-client';
import type { Registry } from '../../api/registry.ts';
import type { KubeObject } from '../../api/types.ts';
import type { Store } from '../../storage/interface.ts';
import type { RateLimiter } from '../pipeline/index.ts';
import { classify, digestOf, type CompiledSchema, type RequestDigest } from './classify.ts';
import { FlowControlConfig } from './config.ts';
import { maxInFlight, priorityAndFairness } from './filter.ts';
import { DEFAULT_MAX_MUTATING_REQUESTS_INFLIGHT, DEFAULT_MAX_REQUESTS_INFLIGHT, nominalLimits, sharesOf } from './limits.ts';
import { createFlowMetrics, type FlowMetrics } from './metrics.ts';
import { QueueSet, type QueueSetConfig } from './queueset.ts';
import { userKey } from '../pipeline/user-key.ts';
import type { UserInfo } from '../pipeline/index.ts';
import type { RequestInfo } from '../routing.ts';

export { DEFAULT_MAX_MUTATING_REQUESTS_INFLIGHT, DEFAULT_MAX_REQUESTS_INFLIGHT } from './limits.ts';
export { FLOW_SCHEMA_UID_HEADER, PRIORITY_LEVEL_UID_HEADER, TOO_MANY_REQUESTS } from './filter.ts';

/** Kubernetes' queue wait limit is a quarter of --request-timeout (60 s). */
export const DEFAULT_QUEUE_WAIT_MS = 15_000;

export interface LevelState {
  name: string;
  uid: string;
  /** undefined for an exempt level (never queued). */
  queues?: QueueSet;
  nominalLimit: number;
}

/** The request's place, when nothing matches (the mandatory catch-all is being restored). */
const FALLBACK_SCHEMA: CompiledSchema = { name: 'catch-all', uid: '', precedence: 10000, level: 'catch-all', rules: [] };

export function queueSetConfig(pl: KubeObject, limit: number, waitLimitMs: number): QueueSetConfig {
  const lr = pl.spec?.limited?.limitResponse;
  const q = lr?.type === 'Queue' ? lr.queuing : undefined;
  return {
    concurrencyLimit: limit,
    waitLimitMs,
    ...(q ? { queuing: { queues: q.queues ?? 64, handSize: Math.min(q.handSize ?? 8, q.queues ?? 64), queueLengthLimit: q.queueLengthLimit ?? 50 } } : {}),
  };
}

export interface Classification {
  schema: CompiledSchema;
  level: LevelState;
}

/** Cached classifications (distinct user × target pairs) before the cache starts over. */
const CLASSIFIED_MAX = 10_000;

/**
 * A non-resource request's cache key: user, verb, path. The \u0001 after the verb keeps it apart
 * from every resource key (there an API group follows, which never starts with \u0001).
 */
function nonResourceKey(user: UserInfo, verb: string, path: string): string {
  return `${userKey(user)}\u0000${verb}\u0000\u0001${path}`;
}

/** A resource request's cache key: user, verb and target. */
function resourceKey(user: UserInfo, verb: string, group: string, resource: string, subresource: string | undefined, namespace: string | undefined): string {
  return `${userKey(user)}\u0000${verb}\u0000${group}\u0000${resource}\u0000${subresource ?? ''}\u0000${namespace ?? ''}`;
}

export class FlowControl {
  readonly metrics: FlowMetrics;
  private readonly config: FlowControlConfig;
  private levels = new Map<string, LevelState>();
  private schemas: readonly CompiledSchema[] = [];
  private dirty = true;
  private readonly classified = new Map<string, Classification>();

  constructor(
    store: Store,
    registry: Registry,
    metricsRegistry: client.Registry,
    private readonly serverLimit: number,
    private readonly waitLimitMs: number,
    logger?: Logger,
  ) {
    this.metrics = createFlowMetrics(metricsRegistry);
    this.config = new FlowControlConfig(store, registry, logger, () => (this.dirty = true));
  }

  start(): Promise<void> {
    return this.config.start();
  }

  stop(): void {
    this.config.stop();
    for (const l of this.levels.values()) l.queues?.drain();
  }

  /** Waits until the configuration controller's writes are done (tests). */
  settled(): Promise<void> {
    return this.config.settled();
  }

  /** The level states, after the latest configuration (tests, metrics). */
  levelStates(): ReadonlyMap<string, LevelState> {
    this.refresh();
    return this.levels;
  }

  classify(d: RequestDigest): Classification {
    const r = d.resource;
    const key = r ? resourceKey(d.user, d.verb, r.apiGroup, r.resource, r.subresource, r.namespace) : nonResourceKey(d.user, d.verb, d.path ?? '/');
    return this.classifyKeyed(key, d);
  }

  /**
   * classify() of a request as the filter sees it (RequestInfo: a resource target, or a non-resource
   * path and verb), the digest built only when the cache does not know the request yet.
   */
  classifyRequest(user: UserInfo, info: RequestInfo): Classification {
    const key = info.nonResource ? nonResourceKey(user, info.verb, info.path) : resourceKey(user, info.verb, info.group, info.resource, info.subresource, info.namespace);
    if (!this.dirty) {
      const hit = this.classified.get(key);
      if (hit) return hit;
    }
    return this.classifyKeyed(key, digestOf(user, info));
  }

  private classifyKeyed(key: string, d: RequestDigest): Classification {
    this.refresh();
    // The same user and target always land in the same place until the configuration changes.
    let c = this.classified.get(key);
    if (c) return c;
    const schema = classify(this.schemas, d, (name) => this.levels.has(name)) ?? FALLBACK_SCHEMA;
    c = { schema, level: this.levels.get(schema.level) ?? this.fallbackLevel() };
    if (this.classified.size >= CLASSIFIED_MAX) this.classified.clear();
    this.classified.set(key, c);
    return c;
  }

  private fallbackLevel(): LevelState {
    let l = this.levels.get('\u0000fallback');
    if (!l) this.levels.set('\u0000fallback', (l = { name: 'catch-all', uid: '', nominalLimit: 1, queues: new QueueSet({ concurrencyLimit: 1, waitLimitMs: this.waitLimitMs }) }));
    return l;
  }

  /** Rebuilds the compiled schemas and the levels' limits after a configuration change. */
  private refresh(): void {
    if (!this.dirty) return;
    this.dirty = false;
    this.classified.clear();
    const snap = this.config.snapshot();
    this.schemas = snap.schemas;
    const pls = [...snap.levels.values()];
    const limits = nominalLimits(this.serverLimit, pls.map((pl) => ({ name: pl.metadata.name!, shares: sharesOf(pl) })));
    const next = new Map<string, LevelState>();
    for (const pl of pls) {
      const name = pl.metadata.name!;
      const limit = limits.get(name) ?? 0;
      this.metrics.nominalLimit.set({ priority_level: name }, limit);
      const prev = this.levels.get(name);
      if (pl.spec?.type === 'Exempt') {
        prev?.queues?.drain();
        next.set(name, { name, uid: pl.metadata.uid ?? '', nominalLimit: limit });
        continue;
      }
      const cfg = queueSetConfig(pl, limit, this.waitLimitMs);
      const queues = prev?.queues ?? new QueueSet(cfg);
      if (prev?.queues) queues.setConfig(cfg);
      next.set(name, { name, uid: pl.metadata.uid ?? '', nominalLimit: limit, queues });
    }
    for (const [name, l] of this.levels) if (!next.has(name) && !name.startsWith('\u0000')) l.queues?.drain();
    this.levels = next;
  }
}

export interface FlowControlOptions {
  enablePriorityAndFairness?: boolean;
  maxRequestsInflight?: number;
  maxMutatingRequestsInflight?: number;
  /** How long a request may wait in a queue (default 15 s). */
  queueWaitMs?: number;
}

export interface RunningFlowControl {
  limiter?: RateLimiter;
  flowControl?: FlowControl;
  stop(): void;
}

/**
 * APF when enabled (its configuration objects bootstrapped into the store); otherwise the
 * max-inflight filter when either limit is given; otherwise nothing (the library default).
 */
export async function startFlowControl(store: Store, registry: Registry, metricsRegistry: client.Registry, o: FlowControlOptions, logger?: Logger): Promise<RunningFlowControl> {
  const readOnly = o.maxRequestsInflight ?? DEFAULT_MAX_REQUESTS_INFLIGHT;
  const mutating = o.maxMutatingRequestsInflight ?? DEFAULT_MAX_MUTATING_REQUESTS_INFLIGHT;
  if (o.enablePriorityAndFairness) {
    if (readOnly + mutating <= 0) throw new Error(`invalid configuration: MaxRequestsInFlight=${readOnly} and MaxMutatingRequestsInFlight=${mutating}; they must add up to something positive`);
    const fc = new FlowControl(store, registry, metricsRegistry, readOnly + mutating, o.queueWaitMs ?? DEFAULT_QUEUE_WAIT_MS, logger);
    await fc.start();
    return { limiter: priorityAndFairness(fc), flowControl: fc, stop: () => fc.stop() };
  }
  if (o.maxRequestsInflight === undefined && o.maxMutatingRequestsInflight === undefined) return { stop() {} };
  return { limiter: maxInFlight(readOnly, mutating), stop() {} };
}
