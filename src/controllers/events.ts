// Kubernetes Events (core/v1) as client-go's EventRecorder writes them: involvedObject, reason,
// message, source.component; repeats of the same event are folded into one with a count, and a
// token bucket keeps a busy controller from flooding the API server (like the event spam filter).
import type { Client } from '../client/index.ts';
import { TokenBucket } from '../client/index.ts';
import type { KubeObject } from '../api/types.ts';
import { EVENTS } from './resources.ts';
import { silentLogger, type Logger } from '../log/index.ts';
import { nowIso } from './util/conditions.ts';

export interface ObjectKind {
  apiVersion: string;
  kind: string;
}

export interface EventSink {
  event(obj: KubeObject, kind: ObjectKind, type: 'Normal' | 'Warning', reason: string, message: string): void;
}

export class EventRecorder implements EventSink {
  private readonly bucket: TokenBucket;
  private readonly seen = new Map<string, { name: string; namespace: string; count: number; first: string }>();

  constructor(
    private readonly client: Client,
    readonly component: string,
    opts: { qps?: number; burst?: number; logger?: Logger; host?: string } = {},
  ) {
    this.bucket = new TokenBucket(opts.qps ?? 20, opts.burst ?? 200, client.clock);
    this.logger = opts.logger ?? silentLogger;
    this.host = opts.host;
  }
  private readonly logger: Logger;
  private readonly host?: string;
  private seq = 0;

  event(obj: KubeObject, kind: ObjectKind, type: 'Normal' | 'Warning', reason: string, message: string): void {
    if (!this.bucket.tryTake()) return; // dropped, as the spam filter would
    const namespace = obj.metadata.namespace || 'default';
    const now = nowIso(this.client.clock.now());
    const aggKey = `${obj.metadata.uid}|${type}|${reason}|${message}`;
    const prev = this.seen.get(aggKey);
    const events = this.client.resource(EVENTS);
    if (prev) {
      prev.count++;
      events
        .patch(prev.name, { count: prev.count, lastTimestamp: now }, { namespace: prev.namespace, type: 'merge' })
        .catch((e) => this.logger.debug({ err: String(e) }, 'event patch failed'));
      return;
    }
    const name = `${obj.metadata.name}.${(this.client.clock.now() * 1000 + (this.seq++ % 1000)).toString(16)}`;
    if (this.seen.size > 4096) this.seen.clear();
    this.seen.set(aggKey, { name, namespace, count: 1, first: now });
    const ev: KubeObject = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
      involvedObject: {
        apiVersion: kind.apiVersion,
        kind: kind.kind,
        name: obj.metadata.name,
        namespace: obj.metadata.namespace,
        uid: obj.metadata.uid,
        resourceVersion: obj.metadata.resourceVersion,
      },
      reason,
      message,
      type,
      source: { component: this.component, ...(this.host ? { host: this.host } : {}) },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      reportingComponent: this.component,
      reportingInstance: this.host ?? '',
    };
    events.create(ev, { namespace }).catch((e) => this.logger.debug({ err: String(e) }, 'event create failed'));
  }
}

/** An EventSink that keeps events in memory (tests). */
export class MemoryEvents implements EventSink {
  readonly events: { name?: string; kind: string; type: string; reason: string; message: string }[] = [];
  event(obj: KubeObject, kind: ObjectKind, type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.events.push({ name: obj.metadata.name, kind: kind.kind, type, reason, message });
  }
}
