// A small event recorder: core/v1 Events written in the background with bounded concurrency,
// dropped (and counted) when the backlog is too long, as client-go's broadcaster drops when full.
// Events pass client-go's EventCorrelator first (src/client/eventcorrelator.ts): a repeat of the
// same event bumps the count of the first one (PATCH count/lastTimestamp), so `kubectl describe`
// shows "(x3 over 40s)" instead of a wall of identical lines; similar ones are combined and a spam
// filter per object drops floods.
import { EventCorrelator, writeCorrelated, type Client } from '../client/index.ts';
import type { KubeObject } from '../api/types.ts';
import { eventName } from '../api/core/eventname.ts';

export interface EventRecorderOptions {
  component: string;
  instance: string;
  concurrency?: number;
  maxBacklog?: number;
  onError?: (e: unknown) => void;
}

export class EventRecorder {
  private readonly backlog: { ev: KubeObject; patch?: object }[] = [];
  readonly correlator: EventCorrelator;
  private running = 0;
  dropped = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly client: Client,
    private readonly opts: EventRecorderOptions,
  ) {
    this.correlator = new EventCorrelator({ clock: client.clock });
  }

  /** Records an event about a pod (type Normal/Warning, reason, message). */
  event(obj: KubeObject, type: 'Normal' | 'Warning', reason: string, action: string, message: string): void {
    if (this.backlog.length >= (this.opts.maxBacklog ?? 5000)) {
      this.dropped++;
      return;
    }
    const now = new Date(this.client.clock.now());
    const ns = obj.metadata.namespace ?? 'default';
    const ts = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
    const r = this.correlator.correlate({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: eventName(obj.metadata.name!, now.getTime()), namespace: ns },
      involvedObject: {
        apiVersion: obj.apiVersion ?? 'v1',
        kind: obj.kind ?? 'Pod',
        name: obj.metadata.name,
        namespace: ns,
        uid: obj.metadata.uid,
        resourceVersion: obj.metadata.resourceVersion,
      },
      reason,
      message,
      type,
      action,
      source: { component: this.opts.component },
      reportingComponent: this.opts.component,
      reportingInstance: this.opts.instance,
      firstTimestamp: ts,
      lastTimestamp: ts,
      count: 1,
    });
    if (r.skip) return; // the spam filter dropped it
    this.backlog.push({ ev: r.event, patch: r.patch });
    this.pump();
  }

  private pump(): void {
    const limit = this.opts.concurrency ?? 8;
    while (this.running < limit && this.backlog.length) {
      const item = this.backlog.shift()!;
      this.running++;
      this.write(item.ev, item.patch)
        .catch((e) => this.opts.onError?.(e))
        .finally(() => {
          this.running--;
          this.pump();
          if (this.running === 0 && this.backlog.length === 0) for (const w of this.idleWaiters.splice(0)) w();
        });
    }
  }

  private write(ev: KubeObject, patch: object | undefined): Promise<void> {
    const events = this.client.resource({ group: '', version: 'v1', plural: 'events', namespaced: true, kind: 'Event' });
    return writeCorrelated(events, this.correlator, ev, patch);
  }

  /** Resolves once every queued event was written (or failed). */
  flush(): Promise<void> {
    if (this.running === 0 && this.backlog.length === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }
}
