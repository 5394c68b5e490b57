// The EventCorrelator of client-go's record package, which every recorder (kubelet, scheduler,
// controllers) runs before writing an Event:
// - aggregation: more than `maxEvents` (10) events of one source, object, type and reason that
//   differ only in message within `maxIntervalMs` (10 min) become one Event whose message starts
//   "(combined from similar events): ";
// - series: a repeat of an Event already written (same source, object, type, reason, message)
//   increments its count and lastTimestamp with a PATCH instead of creating a new object;
// - spam filter: a token bucket per source + object (+ type): burst 25, refilled 1 per 5 minutes;
//   an event without a token is dropped.
// Pure bookkeeping on a clock: the recorder does the writing and reports back with updateState().
import type { KubeObject } from '../api/types.ts';
import { eventName } from '../api/core/eventname.ts';
import { TokenBucket, type BucketClock } from './ratelimit.ts';

export interface EventCorrelatorOptions {
  clock: BucketClock;
  /** Spam filter burst per source+object (client-go defaultSpamBurst 25). */
  spamBurst?: number;
  /** Spam filter refill per second (client-go defaultSpamQPS 1/300). */
  spamQps?: number;
  /** Distinct messages per aggregation key before combining (defaultAggregateMaxEvents 10). */
  maxEvents?: number;
  /** Aggregation window (defaultAggregateIntervalInSeconds 600). */
  maxIntervalMs?: number;
  /** LRU size of each cache (maxLruCacheEntries 4096). */
  cacheSize?: number;
}

/** What to write: nothing (skip), a new Event (create), or a count update of an existing one (patch). */
export type CorrelateResult =
  | { skip: true }
  | { skip: false; event: KubeObject; patch?: { count: number; lastTimestamp: string; message: string } };

export const COMBINED_PREFIX = '(combined from similar events): ';

/**
 * A bounded cache approximating LRU with two generations (no per-access deletes, which make a
 * V8 Map slow to iterate from its front): hits in the old generation move to the young one; when
 * the young one is full it becomes the old one and the previous old one is dropped. Holds at most
 * `max` entries; keeps at least the max/2 most recently used.
 */
class Lru<V> {
  private young = new Map<string, V>();
  private old = new Map<string, V>();
  private readonly half: number;
  constructor(max: number) {
    this.half = Math.max(1, Math.floor(max / 2));
  }
  get(k: string): V | undefined {
    const v = this.young.get(k);
    if (v !== undefined) return v;
    const o = this.old.get(k);
    if (o !== undefined) {
      this.old.delete(k);
      this.put(k, o);
    }
    return o;
  }
  set(k: string, v: V): void {
    if (this.young.has(k)) this.young.set(k, v);
    else {
      this.old.delete(k);
      this.put(k, v);
    }
  }
  delete(k: string): void {
    this.young.delete(k);
    this.old.delete(k);
  }
  private put(k: string, v: V): void {
    if (this.young.size >= this.half) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(k, v);
  }
}

const SEP = '\u0000';

/** The core/v1 Event fields the correlator reads. */
type Ev = KubeObject & {
  source?: { component?: string; host?: string };
  involvedObject?: { kind?: string; namespace?: string; name?: string; uid?: string; apiVersion?: string; fieldPath?: string };
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  firstTimestamp?: string;
  lastTimestamp?: string;
  reportingComponent?: string;
  reportingInstance?: string;
};

function sourceAndObject(ev: Ev): string {
  const src = ev.source ?? {};
  const o = ev.involvedObject ?? {};
  return `${src.component ?? ''}${SEP}${src.host ?? ''}${SEP}${o.kind ?? ''}${SEP}${o.namespace ?? ''}${SEP}${o.name ?? ''}${SEP}${o.uid ?? ''}${SEP}${o.apiVersion ?? ''}`;
}

/** The spam filter's key: source and involved object (and type), as client-go's getSpamKey. */
export function spamKey(ev: Ev, so = sourceAndObject(ev)): string {
  return `${so}${SEP}${ev.type ?? ''}`;
}

/** The aggregation key (everything but the message) and the local key (the message), as EventAggregatorByReasonFunc. */
export function aggregateKeys(ev: Ev, so = sourceAndObject(ev)): { aggregate: string; local: string } {
  return {
    aggregate: `${so}${SEP}${ev.type ?? ''}${SEP}${ev.reason ?? ''}${SEP}${ev.reportingComponent ?? ''}${SEP}${ev.reportingInstance ?? ''}`,
    local: ev.message ?? '',
  };
}

/** The key of one exact event (series): client-go's getEventKey. */
export function eventKey(ev: Ev, so = sourceAndObject(ev)): string {
  const o = ev.involvedObject ?? {};
  return `${so}${SEP}${o.fieldPath ?? ''}${SEP}${ev.type ?? ''}${SEP}${ev.reason ?? ''}${SEP}${ev.message ?? ''}${SEP}${ev.reportingComponent ?? ''}${SEP}${ev.reportingInstance ?? ''}`;
}

interface AggregateRecord {
  localKeys: Set<string>;
  lastTimestamp: number;
}

interface ObservedRecord {
  count: number;
  firstTimestamp: string;
  name: string;
  namespace?: string;
}

export class EventCorrelator {
  private readonly spam: Lru<TokenBucket>;
  private readonly aggregates: Lru<AggregateRecord>;
  private readonly observed: Lru<ObservedRecord>;
  private readonly clock: BucketClock;
  private readonly burst: number;
  private readonly qps: number;
  private readonly maxEvents: number;
  private readonly maxIntervalMs: number;
  /** Events the spam filter dropped. */
  dropped = 0;

  constructor(opts: EventCorrelatorOptions) {
    const size = opts.cacheSize ?? 4096;
    this.spam = new Lru(size);
    this.aggregates = new Lru(size);
    this.observed = new Lru(size);
    this.clock = opts.clock;
    this.burst = opts.spamBurst ?? 25;
    this.qps = opts.spamQps ?? 1 / 300;
    this.maxEvents = opts.maxEvents ?? 10;
    this.maxIntervalMs = opts.maxIntervalMs ?? 600_000;
  }

  /**
   * Correlates a new Event (count 1, first = last timestamp = now, a fresh name): aggregated, then
   * matched against what was written (a PATCH of count/lastTimestamp/message when seen), then
   * spam-filtered. The result's event is a copy; the input is not changed.
   */
  correlate(input: KubeObject): CorrelateResult {
    const ev = input as Ev;
    const now = this.clock.now();
    const so = sourceAndObject(ev);
    const { event: aggregated, key } = this.aggregate(ev, now, so);
    const last = this.observed.get(key);
    let event: Ev;
    let patch: { count: number; lastTimestamp: string; message: string } | undefined;
    if (last) {
      event = { ...aggregated, metadata: { ...aggregated.metadata, name: last.name, namespace: last.namespace ?? aggregated.metadata.namespace }, count: last.count + 1, firstTimestamp: last.firstTimestamp };
      patch = { count: event.count!, lastTimestamp: event.lastTimestamp ?? '', message: event.message ?? '' };
    } else {
      event = aggregated;
    }
    // Observed before the filter (as client-go does): a later repeat's count includes dropped ones.
    this.observed.set(key, { count: event.count ?? 1, firstTimestamp: event.firstTimestamp ?? '', name: event.metadata.name!, namespace: event.metadata.namespace });
    if (!this.allow(spamKey(event, so))) {
      this.dropped++;
      return { skip: true };
    }
    return patch ? { skip: false, event, patch } : { skip: false, event };
  }

  /**
   * The written Event (the create's or patch's answer): remembered under its key so the next
   * repeat patches it. A create made after a failed patch (the old Event expired) starts a new series.
   */
  updateState(obj: KubeObject): void {
    const written = obj as Ev;
    const key = written.message?.startsWith(COMBINED_PREFIX) ? aggregateKeys(written).aggregate : eventKey(written);
    this.observed.set(key, { count: written.count ?? 1, firstTimestamp: written.firstTimestamp ?? '', name: written.metadata.name!, namespace: written.metadata.namespace });
  }

  /** Forgets the series of this event (its Event is gone: the next repeat creates a new one). */
  forget(obj: KubeObject): void {
    const ev = obj as Ev;
    const key = ev.message?.startsWith(COMBINED_PREFIX) ? aggregateKeys(ev).aggregate : eventKey(ev);
    this.observed.delete(key);
  }

  private aggregate(ev: Ev, now: number, so: string): { event: Ev; key: string } {
    const { aggregate, local } = aggregateKeys(ev, so);
    let rec = this.aggregates.get(aggregate);
    if (!rec || now - rec.lastTimestamp > this.maxIntervalMs) rec = { localKeys: new Set(), lastTimestamp: now };
    rec.localKeys.add(local);
    rec.lastTimestamp = now;
    this.aggregates.set(aggregate, rec);
    if (rec.localKeys.size < this.maxEvents) return { event: ev, key: eventKey(ev, so) };
    // Too many similar events: one combined Event for the aggregation key, counted from here on.
    const name = eventName(ev.involvedObject?.name ?? 'event', now);
    return {
      event: { ...ev, metadata: { ...ev.metadata, name }, message: COMBINED_PREFIX + (ev.message ?? ''), count: 1, firstTimestamp: ev.lastTimestamp ?? ev.firstTimestamp },
      key: aggregate,
    };
  }

  private allow(key: string): boolean {
    let bucket = this.spam.get(key);
    if (!bucket) {
      bucket = new TokenBucket(this.qps, this.burst, this.clock);
      this.spam.set(key, bucket);
    }
    return bucket.tryTake();
  }
}

/** What writeCorrelated needs of a ResourceClient for events. */
export interface EventWriter {
  create(obj: KubeObject, opts?: { namespace?: string; readonly?: boolean }): Promise<KubeObject>;
  patch(name: string, patch: unknown, opts: { namespace?: string; type: 'merge'; readonly?: boolean }): Promise<KubeObject>;
}

const statusCode = (e: unknown) => (e as { code?: unknown })?.code;

/**
 * Writes a correlation result as client-go's recordToSink does: a series' PATCH (or, when its Event
 * is gone, a new create), else a create; a create that finds the Event already there (its first
 * write raced this repeat) patches it instead. The answer updates the correlator, which only reads
 * it: a read-only answer (RequestOptions.readonly, no copy in process).
 */
export async function writeCorrelated(events: EventWriter, correlator: EventCorrelator, ev: KubeObject, patch?: object): Promise<void> {
  const namespace = ev.metadata.namespace;
  if (patch) {
    try {
      correlator.updateState(await events.patch(ev.metadata.name!, patch, { namespace, type: 'merge', readonly: true }));
      return;
    } catch (e) {
      if (statusCode(e) !== 404) throw e;
    }
  }
  const { resourceVersion: _rv, ...metadata } = ev.metadata;
  try {
    correlator.updateState(await events.create({ ...ev, metadata }, { namespace, readonly: true }));
  } catch (e) {
    if (statusCode(e) !== 409 || !patch) throw e;
    correlator.updateState(await events.patch(ev.metadata.name!, patch, { namespace, type: 'merge', readonly: true }));
  }
}
