// Kubelet events with client-go's aggregation: a repeat of the same (involvedObject, reason,
// message, source) updates count and lastTimestamp of the Event already written instead of
// creating a new one. Writes go through the pool's writer at the lowest priority; when the queue
// is full the oldest pending events are dropped (as a real kubelet's broadcaster drops).
import type { KubeObject } from '../api/types.ts';
import { rfc3339 } from './units.ts';

export interface EventInput {
  involved: { kind: string; namespace?: string; name: string; uid?: string; apiVersion?: string; fieldPath?: string; resourceVersion?: string };
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  host: string;
  at: number;
}

export function aggregationKey(e: EventInput): string {
  const o = e.involved;
  return [o.kind, o.namespace ?? '', o.name, o.uid ?? '', o.fieldPath ?? '', e.reason, e.message, 'kubelet', e.host].join('\u0000');
}

/** The Event object for a first occurrence (name: <object>.<16 hex>, like client-go's <name>.<unixnano hex>). */
export function buildEvent(e: EventInput, seq: number): KubeObject {
  const ts = rfc3339(e.at);
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: {
      name: `${e.involved.name}.${(BigInt(e.at) * 1_000_000n + BigInt(seq % 1_000_000)).toString(16)}`,
      namespace: e.involved.namespace ?? 'default',
    },
    involvedObject: { apiVersion: 'v1', ...e.involved },
    reason: e.reason,
    message: e.message,
    source: { component: 'kubelet', host: e.host },
    firstTimestamp: ts,
    lastTimestamp: ts,
    count: 1,
    type: e.type,
    eventTime: null,
    reportingComponent: 'kubelet',
    reportingInstance: e.host,
  };
}

export interface AggregateEntry {
  /** The Event's name once known. */
  name: string;
  namespace: string;
  count: number;
  /** The written object (for updates), once created. */
  written?: KubeObject;
  lastUsed: number;
}

/** The aggregation cache (LRU-bounded, like client-go's 4096-entry cache). */
export class EventCache {
  private readonly map = new Map<string, AggregateEntry>();
  constructor(readonly max = 4096) {}

  get(key: string): AggregateEntry | undefined {
    const e = this.map.get(key);
    if (e) {
      this.map.delete(key);
      this.map.set(key, e); // refresh LRU position
    }
    return e;
  }

  set(key: string, e: AggregateEntry): void {
    this.map.delete(key);
    this.map.set(key, e);
    while (this.map.size > this.max) this.map.delete(this.map.keys().next().value as string);
  }

  get size(): number {
    return this.map.size;
  }
}

