// A small event recorder: core/v1 Events written in the background with bounded concurrency,
// dropped (and counted) when the backlog is too long, as client-go's broadcaster drops when full.
// A repeat of the same event (object, type, reason, message) within 10 minutes bumps the count of
// the first one (PATCH count/lastTimestamp), as client-go's EventCorrelator does, so
// `kubectl describe` shows "(x3 over 40s)" instead of a wall of identical lines.
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
  private readonly backlog: { ev: KubeObject; key: string }[] = [];
  /** Recent events by aggregation key: the name written and its count. */
  private readonly recent = new Map<string, { name?: string; count: number; at: number }>();
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
    const now = new Date(this.client.clock.now());
    const ns = obj.metadata.namespace ?? 'default';
    const ts = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
    const key = `${ns}/${obj.metadata.name}/${obj.metadata.uid ?? ''}/${type}/${reason}/${message}`;
    this.backlog.push({ key, ev: {
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
    } });
    this.pump();
  }

  private pump(): void {
    const limit = this.opts.concurrency ?? 8;
    while (this.running < limit && this.backlog.length) {
      const item = this.backlog.shift()!;
      this.running++;
      this.write(item.key, item.ev)
        .catch((e) => this.opts.onError?.(e))
        .finally(() => {
          this.running--;
          this.pump();
          if (this.running === 0 && this.backlog.length === 0) for (const w of this.idleWaiters.splice(0)) w();
        });
    }
  }

  private async write(key: string, ev: KubeObject): Promise<void> {
    const events = this.client.resource({ group: '', version: 'v1', plural: 'events', namespaced: true, kind: 'Event' });
    const now = this.client.clock.now();
    // Bounded: forget the oldest keys (insertion order) beyond 4,096.
    while (this.recent.size >= 4096) this.recent.delete(this.recent.keys().next().value!);
    const prev = this.recent.get(key);
    if (prev?.name && now - prev.at < 600_000) {
      prev.count++;
      prev.at = now;
      try {
        await events.patch(prev.name, { count: prev.count, lastTimestamp: ev.lastTimestamp }, { namespace: ev.metadata.namespace, type: 'merge' });
        return;
      } catch {
        // Gone (expired or deleted): write a new one below.
      }
    }
    const entry = { name: ev.metadata.name, count: 1, at: now };
    this.recent.set(key, entry);
    await events.create(ev, { namespace: ev.metadata.namespace });
  }

  /** Resolves once every queued event was written (or failed). */
  flush(): Promise<void> {
    if (this.running === 0 && this.backlog.length === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }
}
