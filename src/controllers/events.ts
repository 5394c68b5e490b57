// Kubernetes Events (core/v1) as client-go's EventRecorder writes them: involvedObject, reason,
// message, source.component; correlated as client-go's EventCorrelator does (src/client
// eventcorrelator.ts: similar events combined, repeats PATCH count/lastTimestamp, a spam filter per
// source+object), and an overall token bucket so a busy controller cannot flood the API server.
import type { Client } from '../client/index.ts';
import { EventCorrelator, TokenBucket, writeCorrelated } from '../client/index.ts';
import type { KubeObject } from '../api/types.ts';
import { eventName } from '../api/core/eventname.ts';
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
  readonly correlator: EventCorrelator;

  constructor(
    private readonly client: Client,
    readonly component: string,
    opts: { qps?: number; burst?: number; logger?: Logger; host?: string } = {},
  ) {
    this.bucket = new TokenBucket(opts.qps ?? 20, opts.burst ?? 200, client.clock);
    this.correlator = new EventCorrelator({ clock: client.clock });
    this.logger = opts.logger ?? silentLogger;
    this.host = opts.host;
  }
  private readonly logger: Logger;
  private readonly host?: string;

  event(obj: KubeObject, kind: ObjectKind, type: 'Normal' | 'Warning', reason: string, message: string): void {
    const namespace = obj.metadata.namespace || 'default';
    const now = nowIso(this.client.clock.now());
    const name = eventName(obj.metadata.name!, this.client.clock.now());
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
    const r = this.correlator.correlate(ev);
    if (r.skip) return; // the spam filter dropped it
    if (!this.bucket.tryTake()) return; // over the recorder's overall rate
    void this.write(r.event, r.patch).catch((e) => this.logger.debug({ err: String(e) }, 'event write failed'));
  }

  private write(ev: KubeObject, patch: object | undefined): Promise<void> {
    return writeCorrelated(this.client.resource(EVENTS), this.correlator, ev, patch);
  }
}

/** An EventSink that keeps events in memory (tests). */
export class MemoryEvents implements EventSink {
  readonly events: { name?: string; kind: string; type: string; reason: string; message: string }[] = [];
  event(obj: KubeObject, kind: ObjectKind, type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.events.push({ name: obj.metadata.name, kind: kind.kind, type, reason, message });
  }
}
