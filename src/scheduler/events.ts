// A small event recorder: core/v1 Events written in the background with bounded concurrency,
// dropped (and counted) when the backlog is too long, as client-go's broadcaster drops when full.
import type { Client } from '../client/index.ts';
import type { KubeObject } from '../api/types.ts';

export interface EventRecorderOptions {
  component: string;
  instance: string;
  concurrency?: number;
  maxBacklog?: number;
  onError?: (e: unknown) => void;
}

export class EventRecorder {
  private readonly backlog: KubeObject[] = [];
  private running = 0;
  private seq = 0;
  dropped = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly client: Client,
    private readonly opts: EventRecorderOptions,
  ) {}

  /** Records an event about a pod (type Normal/Warning, reason, message). */
  event(obj: KubeObject, type: 'Normal' | 'Warning', reason: string, action: string, message: string): void {
    if (this.backlog.length >= (this.opts.maxBacklog ?? 5000)) {
      this.dropped++;
      return;
    }
    const now = new Date();
    const ns = obj.metadata.namespace ?? 'default';
    const ts = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
    this.backlog.push({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${obj.metadata.name}.${(now.getTime() * 1000 + (this.seq++ % 1000)).toString(16)}`, namespace: ns },
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
    this.pump();
  }

  private pump(): void {
    const limit = this.opts.concurrency ?? 8;
    while (this.running < limit && this.backlog.length) {
      const ev = this.backlog.shift()!;
      this.running++;
      this.client
        .resource({ group: '', version: 'v1', plural: 'events', namespaced: true, kind: 'Event' })
        .create(ev, { namespace: ev.metadata.namespace })
        .catch((e) => this.opts.onError?.(e))
        .finally(() => {
          this.running--;
          this.pump();
          if (this.running === 0 && this.backlog.length === 0) for (const w of this.idleWaiters.splice(0)) w();
        });
    }
  }

  /** Resolves once every queued event was written (or failed). */
  flush(): Promise<void> {
    if (this.running === 0 && this.backlog.length === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }
}
